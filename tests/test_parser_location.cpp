// Google location parsers: the on-device Timeline export (real file from kgeo-device-timeline, plus an
// iOS-shaped fixture) and Takeout Records.json / Semantic Location History (fixtures written here in the
// format Google's Takeout wrote; field names as read by Scarygami/location-history-json-converter).
#include <fmt/format.h>

#include <fstream>

#include "core/error.h"
#include "tests/test_support.h"

using namespace kanshiki;
using namespace kanshiki::test;

namespace {

void write_file(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string fixed6(double v) { return fmt::format("{:.6f}", v); }

}  // namespace

TEST_CASE("google.location.device_timeline reads the real on-device Timeline export", "[location]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "google_location/kgeo-device-timeline/Timeline_test-data.json");
  auto sink = run_parser("google.location.device_timeline", file, "Download/Timeline.json");
  CHECK(sink.warnings.empty());
  auto points = sink.of_type<LocationPoint>();
  // 2 segments x (1 visit + 5 timelinePath points) + 2 rawSignals positions + 5 frequent places.
  REQUIRE(points.size() == 19);
  REQUIRE(sink.records.size() == 19);

  const auto& [prov, visit] = points[0];
  CHECK(visit.kind == "visit");
  CHECK(fixed6(visit.latitude) == "40.712776");
  CHECK(fixed6(visit.longitude) == "-74.005974");
  CHECK(!visit.accuracy_m);
  CHECK(!visit.altitude_m);
  CHECK(visit.time.raw == "2023-10-01T08:00:00.000Z");
  CHECK(visit.time.kind == EpochKind::iso8601);
  CHECK(visit.time.utc_iso() == "2023-10-01T08:00:00.000Z");
  CHECK(visit.source == "Google Timeline (device)");
  CHECK(visit.label == "INFERRED_WORK; place ChIJd8BlQ2BZwokRAFUEcm_qrcA; until 2023-10-01T09:00:00.000Z");
  CHECK(prov.source_table == "json");
  CHECK(prov.source_detail == "/semanticSegments/0/visit/topCandidate/placeLocation");
  CHECK(prov.source_offset == 36);  // the '{' of semanticSegments[0]
  CHECK(prov.item_path == "Download/Timeline.json");
  CHECK(prov.item_sha256 == file_sha256(file));
  CHECK(prov.parser_id == "google.location.device_timeline");

  const auto& path0 = points[1].second;
  CHECK(path0.kind == "path");
  CHECK(path0.time.utc_iso() == "2023-10-01T08:15:00.000Z");
  CHECK(points[1].first.source_detail == "/semanticSegments/0/timelinePath/0");

  const auto& [raw_prov, raw] = points[12];
  CHECK(raw.kind == "gps");
  CHECK(fixed6(raw.latitude) == "40.712776");
  CHECK(raw.accuracy_m == 5.0);
  CHECK(raw.altitude_m == 10.0);
  CHECK(raw.time.utc_iso() == "2023-10-01T08:00:00.000Z");
  CHECK(raw.label == "source GPS; speed 1.5 m/s");
  CHECK(raw_prov.source_detail == "/rawSignals/0/position");
  CHECK(raw_prov.source_offset == 2988);

  const auto& place = points[14].second;
  CHECK(place.kind == "frequent_place");
  CHECK(place.label == "WORK; place ChIJd8BlQ2BZwokRAFUEcm_qrcA");
  CHECK(place.time.empty());
  CHECK(points[14].first.source_detail == "/userLocationProfile/frequentPlaces/0");
}

TEST_CASE("google.location.device_timeline reads the iOS location-history.json shape", "[location]") {
  TempDir dir;
  const fs::path file = dir / "location-history.json";
  write_file(file, R"([
 {"endTime":"2024-03-01T10:30:00.000+09:00","startTime":"2024-03-01T09:00:00.000+09:00",
  "visit":{"hierarchyLevel":"0","topCandidate":{"probability":"0.91","semanticType":"Unknown",
   "placeID":"ChIJ_tokyo","placeLocation":"geo:35.681236,139.767125"},"probability":"0.8"}},
 {"endTime":"2024-03-01T11:00:00.000+09:00","startTime":"2024-03-01T10:30:00.000+09:00",
  "activity":{"probability":"0.9","end":"geo:35.658034,139.701636","topCandidate":{"type":"in passenger vehicle",
   "probability":"0.7"},"distanceMeters":"7400.5","start":"geo:35.681236,139.767125"}},
 {"endTime":"2024-03-01T13:00:00.000+09:00","startTime":"2024-03-01T11:00:00.000+09:00",
  "timelinePath":[{"point":"geo:35.658034,139.701636","durationMinutesOffsetFromStartTime":"12"},
                  {"point":"geo:abc","durationMinutesOffsetFromStartTime":"20"}]}
])");
  auto sink = run_parser("google.location.device_timeline", file);
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 4);
  REQUIRE(sink.warnings.size() == 1);  // the unreadable "geo:abc"
  CHECK(sink.warnings[0].message.find("/2/timelinePath/1") != std::string::npos);

  CHECK(points[0].second.kind == "visit");
  CHECK(fixed6(points[0].second.latitude) == "35.681236");
  CHECK(fixed6(points[0].second.longitude) == "139.767125");
  CHECK(points[0].second.time.raw == "2024-03-01T09:00:00.000+09:00");
  CHECK(points[0].second.time.utc_iso() == "2024-03-01T00:00:00.000Z");
  CHECK(points[0].first.source_detail == "/0/visit/topCandidate/placeLocation");
  CHECK(points[0].first.source_offset == 3);

  CHECK(points[1].second.kind == "activity_start");
  CHECK(points[1].second.label == "in passenger vehicle; 7400.5 m");
  CHECK(points[2].second.kind == "activity_end");
  CHECK(points[2].second.time.utc_iso() == "2024-03-01T02:00:00.000Z");
  CHECK(points[3].second.kind == "path");
  CHECK(points[3].second.time.raw == "2024-03-01T11:00:00.000+09:00 + 12 min");
  CHECK(points[3].second.time.utc_iso() == "2024-03-01T02:12:00.000Z");
}

TEST_CASE("google.location.takeout reads Records.json (ISO and timestampMs generations)", "[location]") {
  TempDir dir;
  const fs::path file = dir / "Records.json";
  write_file(file, R"({"locations":[
  {"latitudeE7":356812360,"longitudeE7":1397671250,"accuracy":12,"altitude":40,"source":"WIFI",
   "deviceTag":-123456,"timestamp":"2022-05-01T03:04:05.678Z"},
  {"latitudeE7":-338688197,"longitudeE7":1512092955,"accuracy":"25","timestampMs":"1500000000000"},
  {"latitudeE7":4294067296,"longitudeE7":1397671250,"timestamp":"2022-05-01T12:00:00+09:00","source":"GPS"},
  {"longitudeE7":1},
  7
]})");
  auto sink = run_parser("google.location.takeout", file, "Takeout/Location History/Records.json");
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 3);
  REQUIRE(sink.warnings.size() == 2);  // the record without latitude, the scalar element

  const auto& [prov, p] = points[0];
  CHECK(fixed6(p.latitude) == "35.681236");
  CHECK(fixed6(p.longitude) == "139.767125");
  CHECK(p.accuracy_m == 12.0);
  CHECK(p.altitude_m == 40.0);
  CHECK(p.kind == "wifi");
  CHECK(p.source == "Google Takeout Records");
  CHECK(p.label == "source WIFI; deviceTag -123456");
  CHECK(p.time.raw == "2022-05-01T03:04:05.678Z");
  CHECK(p.time.kind == EpochKind::iso8601);
  CHECK(p.time.utc_iso() == "2022-05-01T03:04:05.678Z");
  CHECK(prov.source_table == "json");
  CHECK(prov.source_detail == "/locations/0");
  CHECK(prov.source_offset == 17);
  CHECK(prov.parser_id == "google.location.takeout");

  CHECK(points[1].second.kind == "fused");
  CHECK(points[1].second.accuracy_m == 25.0);
  CHECK(points[1].second.time.kind == EpochKind::unix_ms);
  CHECK(points[1].second.time.raw == "1500000000000");
  CHECK(points[1].second.time.utc_iso() == "2017-07-14T02:40:00.000Z");

  CHECK(fixed6(points[2].second.latitude) == "-0.090000");
  CHECK(points[2].first.source_detail == "/locations/2 (E7 int32 overflow unwrapped)");
  CHECK(points[2].second.time.utc_iso() == "2022-05-01T03:00:00.000Z");
}

TEST_CASE("google.location.takeout reads Semantic Location History", "[location]") {
  TempDir dir;
  const fs::path file = dir / "Semantic Location History/2023/2023_JANUARY.json";
  const std::string name = "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\xA7\x85";  // 東京駅
  write_file(file, R"({"timelineObjects":[
 {"placeVisit":{"location":{"latitudeE7":356812360,"longitudeE7":1397671250,"placeId":"ChIJC3Cf2PuLGGAROO00ukl8JwA",
   "address":"Tokyo","name":")" +
                       name + R"(","semanticType":"TYPE_WORK","locationConfidence":91.2},
   "duration":{"startTimestamp":"2023-01-05T00:10:00.000Z","endTimestamp":"2023-01-05T09:00:00.000Z"},
   "placeConfidence":"HIGH_CONFIDENCE"}},
 {"activitySegment":{"startLocation":{"latitudeE7":356812360,"longitudeE7":1397671250},
   "endLocation":{"latitudeE7":356580340,"longitudeE7":1397016360},
   "duration":{"startTimestampMs":"1672909200000","endTimestampMs":"1672911000000"},
   "distance":7400,"activityType":"IN_TRAIN",
   "simplifiedRawPath":{"points":[{"latE7":356700000,"lngE7":1397400000,"accuracyMeters":10,
     "timestamp":"2023-01-05T09:10:00Z"}]}}}
]})");
  auto sink = run_parser("google.location.takeout", file);
  CHECK(sink.warnings.empty());
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 4);
  const auto& [prov, visit] = points[0];
  CHECK(visit.kind == "visit");
  CHECK(visit.source == "Google Takeout Semantic Location History");
  CHECK(visit.label ==
        name + "; Tokyo; TYPE_WORK; place ChIJC3Cf2PuLGGAROO00ukl8JwA; until 2023-01-05T09:00:00.000Z");
  CHECK(visit.time.utc_iso() == "2023-01-05T00:10:00.000Z");
  CHECK(prov.source_detail == "/timelineObjects/0/placeVisit/location");
  CHECK(points[1].second.kind == "activity_start");
  CHECK(points[1].second.label == "IN_TRAIN; 7400 m");
  CHECK(points[1].second.time.utc_iso() == "2023-01-05T09:00:00.000Z");
  CHECK(points[2].second.kind == "activity_end");
  CHECK(fixed6(points[2].second.longitude) == "139.701636");
  CHECK(points[2].second.time.utc_iso() == "2023-01-05T09:30:00.000Z");
  CHECK(points[3].second.kind == "path");
  CHECK(points[3].first.source_detail == "/timelineObjects/1/activitySegment/simplifiedRawPath/points/0");
}

TEST_CASE("google location parsers: truncated JSON keeps what came before, garbage is an error",
          "[location]") {
  TempDir dir;
  const fs::path cut = dir / "Records.json";
  write_file(
      cut,
      R"({"locations":[{"latitudeE7":1,"longitudeE7":2,"timestamp":"2022-01-01T00:00:00Z"},{"latitudeE7":3,"long)");
  auto sink = run_parser("google.location.takeout", cut);
  CHECK(sink.of_type<LocationPoint>().size() == 1);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("the 1 records before it were read") != std::string::npos);

  const fs::path junk = dir / "Timeline.json";
  write_file(junk, "not json at all");
  CHECK_THROWS_AS(run_parser("google.location.device_timeline", junk), Error);
  write_file(junk, R"({"other": 1})");
  CHECK_THROWS_AS(run_parser("google.location.device_timeline", junk), Error);
}
