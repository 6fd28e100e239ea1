// KML / GeoJSON / GPX exports of location points: the XML is checked by a real parser (xmllint, from
// libxml2-utils), the GeoJSON by nlohmann-json; coordinates are [lon, lat] and every time says UTC.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/case_db.h"
#include "report/geo_export.h"
#include "tests/test_support.h"

using namespace kanshiki;
using namespace kanshiki::test;

namespace {

void fill_case(CaseDb& c) {
  seed_parser_run(c, 7, "Download/Timeline.json", "google.location.device_timeline");
  sql::Transaction tx(c.db());
  ArtifactWriter w(c, 1, 1);
  Provenance p{1,
               7,
               "Download/Timeline.json",
               "abc",
               "json",
               std::nullopt,
               36,
               "/semanticSegments/0/visit",
               "google.location.device_timeline",
               "1.0.0",
               false};
  LocationPoint visit;
  visit.latitude = 35.681236;
  visit.longitude = 139.767125;
  visit.time = Timestamp::from_iso8601("2024-03-01T09:00:00.000+09:00");
  visit.kind = "visit";
  visit.source = "Google Timeline (device)";
  visit.label = "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\xA7\x85 <A&B> \"q\"";  // 東京駅 plus XML specials
  w.emit(Record{p, visit});
  LocationPoint gps = visit;
  gps.latitude = -33.8688197;
  gps.longitude = 151.2092955;
  gps.altitude_m = 40.5;
  gps.accuracy_m = 12;
  gps.kind = "gps";
  gps.label = "";
  gps.time = Timestamp::from_int(1500000000000, EpochKind::unix_ms);
  p.source_detail = "/rawSignals/0/position";
  w.emit(Record{p, gps});
  LocationPoint place = visit;
  place.kind = "frequent_place";
  place.time = Timestamp{};
  p.source_detail = "/userLocationProfile/frequentPlaces/0";
  w.emit(Record{p, place});
  w.finish();
  tx.commit();
}

std::string export_to_string(CaseDb& c, GeoFormat f, size_t* n) {
  std::ostringstream out;
  *n = export_locations(c, f, out);
  return out.str();
}

bool xml_well_formed(const fs::path& file) {
  const std::string cmd = "xmllint --noout '" + file.string() + "' 2>/dev/null";
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) return std::system(cmd.c_str()) == 0;
  const std::string py = "python3 -c \"import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])\" '" +
                         file.string() + "' 2>/dev/null";
  return std::system(py.c_str()) == 0;
}

}  // namespace

TEST_CASE("geo export: KML, GPX and GeoJSON parse and carry provenance and UTC times", "[geo]") {
  TempDir dir;
  CaseDb c = CaseDb::create(dir / "c", "K-1");
  fill_case(c);

  size_t n = 0;
  const std::string kml = export_to_string(c, GeoFormat::kml, &n);
  CHECK(n == 3);
  std::ofstream(dir / "points.kml", std::ios::binary) << kml;
  CHECK(xml_well_formed(dir / "points.kml"));
  CHECK(kml.find("<kml xmlns=\"http://www.opengis.net/kml/2.2\">") != std::string::npos);
  // Time order: the 2017 fix, then the 2024 visit, then the point without time.
  const size_t sydney = kml.find("<coordinates>151.2092955,-33.8688197,40.5</coordinates>");
  const size_t tokyo = kml.find("<coordinates>139.767125,35.681236</coordinates>");
  REQUIRE(sydney != std::string::npos);
  REQUIRE(tokyo != std::string::npos);
  CHECK(sydney < tokyo);
  CHECK(kml.find("<TimeStamp><when>2024-03-01T00:00:00.000Z</when></TimeStamp>") != std::string::npos);
  CHECK(kml.find("2024-03-01T00:00:00.000Z (UTC); raw &quot;2024-03-01T09:00:00.000+09:00&quot; (iso8601)") !=
        std::string::npos);
  CHECK(kml.find("\xE6\x9D\xB1\xE4\xBA\xAC\xE9\xA7\x85 &lt;A&amp;B&gt;") != std::string::npos);
  CHECK(kml.find("Found in: json /semanticSegments/0/visit @ byte 36") != std::string::npos);

  const std::string gpx = export_to_string(c, GeoFormat::gpx, &n);
  CHECK(n == 3);
  std::ofstream(dir / "points.gpx", std::ios::binary) << gpx;
  CHECK(xml_well_formed(dir / "points.gpx"));
  CHECK(gpx.find("<wpt lat=\"-33.8688197\" "
                 "lon=\"151.2092955\"><ele>40.5</ele><time>2017-07-14T02:40:00.000Z</time>") !=
        std::string::npos);

  const std::string geojson = export_to_string(c, GeoFormat::geojson, &n);
  CHECK(n == 3);
  const auto doc = nlohmann::json::parse(geojson);
  CHECK(doc["type"] == "FeatureCollection");
  REQUIRE(doc["features"].size() == 3);
  const auto& f = doc["features"][1];
  CHECK(f["type"] == "Feature");
  CHECK(f["geometry"]["type"] == "Point");
  CHECK(f["geometry"]["coordinates"][0] == 139.767125);  // longitude first (RFC 7946)
  CHECK(f["geometry"]["coordinates"][1] == 35.681236);
  CHECK(f["properties"]["time_utc"] == "2024-03-01T00:00:00.000Z");
  CHECK(f["properties"]["time_zone"] == "UTC");
  CHECK(f["properties"]["time_raw"] == "2024-03-01T09:00:00.000+09:00");
  CHECK(f["properties"]["label"] == "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\xA7\x85 <A&B> \"q\"");
  CHECK(f["properties"]["item_sha256"] == "abc");
  CHECK(f["properties"]["source_offset"] == 36);
  CHECK(f["properties"]["parser_id"] == "google.location.device_timeline");
  CHECK(doc["features"][2]["properties"]["time_utc"].is_null());
}

TEST_CASE("geo export: an empty case gives valid empty documents", "[geo]") {
  TempDir dir;
  CaseDb c = CaseDb::create(dir / "c", "K-1");
  size_t n = 1;
  const std::string kml = export_to_string(c, GeoFormat::kml, &n);
  CHECK(n == 0);
  std::ofstream(dir / "e.kml", std::ios::binary) << kml;
  CHECK(xml_well_formed(dir / "e.kml"));
  CHECK(nlohmann::json::parse(export_to_string(c, GeoFormat::geojson, &n))["features"].empty());
}

TEST_CASE("kanshiki export --format kml|geojson|gpx: a phone folder with a Timeline and photos",
          "[geo][cli]") {
  KANSHIKI_REALDATA_OR_SKIP(timeline, "google_location/kgeo-device-timeline/Timeline_test-data.json");
  KANSHIKI_REALDATA_OR_SKIP(photo, "photos_exif/exif-samples/heic_IMG_5195.HEIC");
  TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  fs::create_directories(dir / "phone/Download");
  fs::create_directories(dir / "phone/DCIM/100APPLE");
  fs::copy_file(timeline, dir / "phone/Download/Timeline.json");
  fs::copy_file(photo, dir / "phone/DCIM/100APPLE/IMG_5195.HEIC");
  auto q = [](const fs::path& p) { return "'" + p.string() + "'"; };
  const std::string case_arg = " --case " + q(dir / "c");
  REQUIRE(run_cli("examiner init --name T") == 0);
  REQUIRE(run_cli("-q case create" + case_arg) == 0);
  REQUIRE(run_cli("-q ingest" + case_arg + " " + q(dir / "phone")) == 0);
  REQUIRE(run_cli("-q process" + case_arg) == 0);
  for (const char* format : {"kml", "gpx", "geojson"}) {
    INFO(format);
    const fs::path out = dir / (std::string("points.") + format);
    REQUIRE(run_cli("export" + case_arg + " --format " + format + " -o " + q(out)) == 0);
    if (std::string_view(format) == "geojson") {
      std::ifstream in(out);
      const auto doc = nlohmann::json::parse(in);
      CHECK(doc["features"].size() == 20);  // 19 Timeline points + 1 photo
    } else {
      CHECK(xml_well_formed(out));
    }
  }
  std::string text;
  REQUIRE(run_cli("export" + case_arg + " --format geojson", &text) == 0);
  const auto doc = nlohmann::json::parse(text.substr(text.find('{')));
  // Time order: the photo (2021) comes first; its coordinates are [lon, lat].
  const auto& first = doc["features"][0];
  CHECK(first["properties"]["kind"] == "photo");
  CHECK(fmt::format("{:.6f}", first["geometry"]["coordinates"][0].get<double>()) == "-94.288772");
  CHECK(fmt::format("{:.6f}", first["geometry"]["coordinates"][1].get<double>()) == "39.051344");
  CHECK(first["properties"]["time_utc"] == "2021-04-11T20:47:53.000Z");
  CHECK(first["properties"]["item_path"] == "DCIM/100APPLE/IMG_5195.HEIC");
}
