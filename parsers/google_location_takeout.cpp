// Google Takeout "Location History (Timeline)", the server-side history exported until 2024:
//  - Records.json: {"locations": [{latitudeE7, longitudeE7, accuracy, altitude, verticalAccuracy, source,
//    timestamp (ISO 8601) or timestampMs (older exports: Unix ms as a string), activity, ...}]}
//  - Semantic Location History/YYYY/YYYY_MONTH.json: {"timelineObjects": [{placeVisit: {location
//    {latitudeE7, longitudeE7, name, address, placeId, semanticType}, duration {startTimestamp,
//    endTimestamp | *Ms}, childVisits}} | {activitySegment: {startLocation, endLocation, duration,
//    activityType, distance, simplifiedRawPath {points [{latE7, lngE7, accuracyMeters, timestamp}]}}}]}
// Format as documented by Google's Takeout help and the open-source readers (e.g. Scarygami's
// location-history-json-converter, plaso's google_takeout parsers).
#include "parsers/google_location_takeout.h"

#include <fmt/format.h>

#include <cctype>

#include "core/error.h"
#include "parsers/file_emitter.h"
#include "parsers/google_location_common.h"
#include "parsers/json_stream.h"

namespace kanshiki::parsers::google_location_takeout {
namespace {

using namespace google_location;
constexpr const char* kRecordsSource = "Google Takeout Records";
constexpr const char* kSemanticSource = "Google Takeout Semantic Location History";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class TakeoutParser final : public Parser {
 public:
  const ParserInfo& info() const override { return google_location_takeout::info(); }

  void parse(const ParseInput& in, ArtifactSink& sink) override {
    FileEmitter out(in, info(), sink, "json");
    out_ = &out;
    JsonStreamResult r = stream_json_records(in.working_copy, [&](const JsonRecord& rec) {
      const std::string base = fmt::format("/{}/{}", json_pointer_escape(rec.array_key), rec.index);
      const int64_t offset = static_cast<int64_t>(rec.offset);
      if (rec.array_key == "locations")
        record(rec.value, base, offset);
      else if (rec.array_key == "timelineObjects")
        timeline_object(rec.value, base, offset);
      else
        ++unknown_records_;
    });
    if (!r.error.empty()) {
      if (r.records == 0)
        throw Error(ExitCode::corrupt_input,
                    fmt::format("{}: not a Takeout location file: {}", in.item_path, r.error));
      out.warn(fmt::format(
          "JSON ends or breaks at byte {} ({}); the {} records before it were read, nothing after",
          r.error_offset, r.error, r.records));
    } else if (!r.root.is_object() ||
               (!r.root.contains("locations") && !r.root.contains("timelineObjects"))) {
      throw Error(
          ExitCode::corrupt_input,
          fmt::format("{}: JSON without `locations` or `timelineObjects`, not a Takeout location file",
                      in.item_path));
    }
    if (r.non_object_elements)
      out.warn(fmt::format("{} array elements were not objects and were not read", r.non_object_elements));
    if (unknown_records_)
      out.warn(fmt::format("{} records in unrecognised top-level arrays were not read", unknown_records_));
  }

 private:
  // E7 integer degrees. Some Takeout exports wrote values past the int32 range as wrapped negatives'
  // unsigned form; those are unwrapped and the correction is stated in the provenance detail.
  bool e7(const json& obj, std::string_view lat_key, std::string_view lng_key, LocationPoint& p,
          std::string& where) {
    auto lat = number_of(obj, lat_key), lng = number_of(obj, lng_key);
    if (!lat || !lng) {
      out_->warn(fmt::format("{}: no {}/{}; point not reported", where, lat_key, lng_key));
      return false;
    }
    bool wrapped = false;
    if (*lat > 900000000) *lat -= 4294967296.0, wrapped = true;
    if (*lng > 1800000000) *lng -= 4294967296.0, wrapped = true;
    p.latitude = *lat / 1e7;
    p.longitude = *lng / 1e7;
    if (std::fabs(p.latitude) > 90 || std::fabs(p.longitude) > 180) {
      out_->warn(fmt::format("{}: {}={} {}={} is out of range; point not reported", where, lat_key,
                             text_of(obj, lat_key), lng_key, text_of(obj, lng_key)));
      return false;
    }
    if (wrapped) where += " (E7 int32 overflow unwrapped)";
    return true;
  }

  void emit(LocationPoint p, const std::string& where, int64_t offset) {
    if (!p.time.empty() && !p.time.utc_us)
      out_->warn(
          fmt::format("{}: time \"{}\" could not be read; point kept without UTC time", where, p.time.raw));
    out_->emit(std::move(p), where, offset);
  }

  void record(const json& rec, const std::string& base, int64_t offset) {
    LocationPoint p;
    std::string where = base;
    if (!e7(rec, "latitudeE7", "longitudeE7", p, where)) return;
    p.accuracy_m = number_of(rec, "accuracy");
    p.altitude_m = number_of(rec, "altitude");
    p.time = time_of(rec, "timestamp", "timestampMs");
    if (p.time.empty()) out_->warn(fmt::format("{}: no timestamp; point kept without time", base));
    const std::string source = text_of(rec, "source");
    p.kind = source.empty() ? "fused" : lower(source);
    p.source = kRecordsSource;
    if (!source.empty()) p.label = fmt::format("source {}", source);
    const std::string device = text_of(rec, "deviceTag");
    if (!device.empty()) p.label += fmt::format("{}deviceTag {}", p.label.empty() ? "" : "; ", device);
    emit(std::move(p), where, offset);
  }

  void timeline_object(const json& obj, const std::string& base, int64_t offset) {
    if (const json* visit = member(obj, "placeVisit"))
      place_visit(*visit, base + "/placeVisit", offset);
    else if (const json* seg = member(obj, "activitySegment"))
      activity(*seg, base + "/activitySegment", offset);
    else
      out_->warn(fmt::format("{}: neither placeVisit nor activitySegment; not reported", base));
  }

  static Timestamp start_of(const json& o) {
    const json* d = member(o, "duration");
    return d ? time_of(*d, "startTimestamp", "startTimestampMs") : Timestamp{};
  }
  static Timestamp end_of(const json& o) {
    const json* d = member(o, "duration");
    return d ? time_of(*d, "endTimestamp", "endTimestampMs") : Timestamp{};
  }

  void place_visit(const json& visit, const std::string& where, int64_t offset) {
    const json* loc = member(visit, "location");
    if (!loc) {
      out_->warn(fmt::format("{}: no location; visit not reported", where));
      return;
    }
    LocationPoint p;
    std::string detail = where + "/location";
    if (!e7(*loc, "latitudeE7", "longitudeE7", p, detail)) return;
    p.time = start_of(visit);
    p.kind = "visit";
    p.source = kSemanticSource;
    std::vector<std::string> parts;
    for (const char* key : {"name", "address", "semanticType"})
      if (std::string v = text_of(*loc, key); !v.empty()) parts.push_back(std::move(v));
    if (std::string id = text_of(*loc, "placeId"); !id.empty()) parts.push_back("place " + id);
    if (Timestamp end = end_of(visit); !end.empty()) parts.push_back("until " + end.raw);
    p.label = fmt::format("{}", fmt::join(parts, "; "));
    emit(std::move(p), detail, offset);
    if (const json* children = member(visit, "childVisits"); children && children->is_array())
      for (size_t i = 0; i < children->size(); ++i)
        place_visit((*children)[i], fmt::format("{}/childVisits/{}", where, i), offset);
  }

  void activity(const json& seg, const std::string& where, int64_t offset) {
    std::string label = text_of(seg, "activityType");
    if (std::string d = text_of(seg, "distance"); !d.empty()) label += fmt::format("; {} m", d);
    struct End {
      const char* key;
      const char* kind;
      Timestamp time;
    };
    for (End e : {End{"startLocation", "activity_start", start_of(seg)},
                  End{"endLocation", "activity_end", end_of(seg)}}) {
      const json* loc = member(seg, e.key);
      std::string detail = fmt::format("{}/{}", where, e.key);
      if (!loc) {
        out_->warn(fmt::format("{}: missing; point not reported", detail));
        continue;
      }
      LocationPoint p;
      if (!e7(*loc, "latitudeE7", "longitudeE7", p, detail)) continue;
      p.time = std::move(e.time);
      p.kind = e.kind;
      p.source = kSemanticSource;
      p.label = label;
      emit(std::move(p), detail, offset);
    }
    const json* raw = member(seg, "simplifiedRawPath");
    const json* points = raw ? member(*raw, "points") : nullptr;
    if (points && points->is_array()) {
      for (size_t i = 0; i < points->size(); ++i) {
        const json& pt = (*points)[i];
        std::string detail = fmt::format("{}/simplifiedRawPath/points/{}", where, i);
        LocationPoint p;
        if (!e7(pt, "latE7", "lngE7", p, detail)) continue;
        p.accuracy_m = number_of(pt, "accuracyMeters");
        p.time = time_of(pt, "timestamp", "timestampMs");
        p.kind = "path";
        p.source = kSemanticSource;
        p.label = label;
        emit(std::move(p), detail, offset);
      }
    }
  }

  FileEmitter* out_ = nullptr;
  size_t unknown_records_ = 0;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "google.location.takeout",
      "1.0.0",
      Platform::any,
      "Google Location History (Takeout)",
      "Location fixes from Takeout Records.json and place visits / activity segments from the Semantic "
      "Location History monthly files",
      {Locator::path("**/Records.json"), Locator::path("**/Semantic Location History/*/*.json")},
      {
          "Records.json: activity guesses, heading, velocity, verticalAccuracy and platform fields are not "
          "reported; fixes without a `source` field have kind \"fused\".",
          "Semantic Location History: only the chosen place of a visit is reported (not "
          "otherCandidateLocations); a visit is one point at its start time, its end time is in the label.",
          "Activity segments: start and end points and simplifiedRawPath points are reported; waypointPath "
          "waypoints (no time) and transitPath are not.",
          "E7 coordinates that overflowed int32 in some exports are unwrapped; the provenance detail says "
          "so.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<TakeoutParser>(); }

}  // namespace kanshiki::parsers::google_location_takeout
