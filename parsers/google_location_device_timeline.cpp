// Google Maps Timeline, on-device export. Since 2024 Google keeps Timeline on the phone only; the user (or
// an examiner) exports it from Maps settings. Two shapes exist (format as documented by the open-source
// readers hossain-khan/kgeo-device-timeline and the community notes on the 2024 export):
//  - Android "Timeline.json": an object with `semanticSegments` (visits, activities, timelinePath points;
//    times ISO 8601 with offset, coordinates "35.681200°, 139.767100°"), `rawSignals` (positions with
//    accuracy/altitude/source, Wi-Fi scans, activity records) and `userLocationProfile` (frequent places).
//  - iOS "location-history.json": a root array of segments; coordinates "geo:35.6812,139.7671", numbers
//    written as strings, timelinePath points as minutes after the segment's start.
#include "parsers/google_location_device_timeline.h"

#include <fmt/format.h>

#include <cctype>

#include "core/error.h"
#include "parsers/file_emitter.h"
#include "parsers/google_location_common.h"
#include "parsers/json_stream.h"

namespace kanshiki::parsers::google_location_device_timeline {
namespace {

using namespace google_location;
constexpr const char* kSource = "Google Timeline (device)";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class DeviceTimelineParser final : public Parser {
 public:
  const ParserInfo& info() const override { return google_location_device_timeline::info(); }

  void parse(const ParseInput& in, ArtifactSink& sink) override {
    FileEmitter out(in, info(), sink, "json");
    out_ = &out;
    JsonStreamResult r = stream_json_records(in.working_copy, [&](const JsonRecord& rec) {
      const std::string base = rec.array_key.empty()
                                   ? fmt::format("/{}", rec.index)
                                   : fmt::format("/{}/{}", json_pointer_escape(rec.array_key), rec.index);
      const int64_t offset = static_cast<int64_t>(rec.offset);
      if (rec.array_key.empty() || rec.array_key == "semanticSegments")
        segment(rec.value, base, offset);
      else if (rec.array_key == "rawSignals")
        raw_signal(rec.value, base, offset);
      else
        ++unknown_records_;
    });
    if (!r.error.empty()) {
      if (r.records == 0 && out.emitted() == 0)
        throw Error(ExitCode::corrupt_input,
                    fmt::format("{}: not a JSON Timeline export: {}", in.item_path, r.error));
      out.warn(fmt::format(
          "JSON ends or breaks at byte {} ({}); the {} records before it were read, nothing after",
          r.error_offset, r.error, r.records));
    }
    if (r.root.is_object()) {
      if (!r.root.contains("semanticSegments") && !r.root.contains("rawSignals"))
        throw Error(ExitCode::corrupt_input,
                    fmt::format("{}: JSON without semanticSegments or rawSignals, not a Timeline export",
                                in.item_path));
      if (const json* profile = member(r.root, "userLocationProfile")) location_profile(*profile);
    } else if (!r.root.is_array() && r.error.empty()) {
      throw Error(ExitCode::corrupt_input,
                  fmt::format("{}: JSON root is neither an object nor an array", in.item_path));
    }
    if (r.non_object_elements)
      out.warn(fmt::format("{} array elements were not objects and were not read", r.non_object_elements));
    if (unknown_records_)
      out.warn(fmt::format("{} records in unrecognised top-level arrays were not read", unknown_records_));
  }

 private:
  // One point; `where` is the JSON pointer of the object the coordinate was read from.
  void point(const json* coord, Timestamp time, std::string kind, std::string label, const std::string& where,
             std::optional<int64_t> offset, std::optional<double> accuracy = {},
             std::optional<double> altitude = {}) {
    if (!coord) return;
    std::string text = coord->is_string() ? coord->get<std::string>() : coord->dump();
    LocationPoint p;
    if (!parse_lat_lng(text, p.latitude, p.longitude)) {
      out_->warn(fmt::format("{}: coordinate \"{}\" is not a latitude/longitude pair; point not reported",
                             where, text));
      return;
    }
    if (!time.empty() && !time.utc_us)
      out_->warn(
          fmt::format("{}: time \"{}\" is not ISO 8601; point kept without UTC time", where, time.raw));
    p.time = std::move(time);
    p.kind = std::move(kind);
    p.source = kSource;
    p.label = std::move(label);
    p.accuracy_m = accuracy;
    p.altitude_m = altitude;
    out_->emit(std::move(p), where, offset);
  }

  // A coordinate is either the value itself ("geo:..."/"..°, ..°") or an object with `latLng`.
  static const json* coordinate(const json* v) {
    if (v && v->is_object()) return member(*v, "latLng");
    return v;
  }

  void segment(const json& seg, const std::string& base, int64_t offset) {
    const Timestamp start = time_of(seg, "startTime");
    const Timestamp end = time_of(seg, "endTime");
    bool known = false;
    if (const json* visit = member(seg, "visit")) {
      known = true;
      const json* top = member(*visit, "topCandidate");
      if (!top) {
        out_->warn(fmt::format("{}/visit has no topCandidate; visit not reported", base));
      } else {
        std::string label = text_of(*top, "semanticType");
        std::string place = text_of(*top, "placeId");
        if (place.empty()) place = text_of(*top, "placeID");
        if (!place.empty()) label += fmt::format("{}place {}", label.empty() ? "" : "; ", place);
        if (!end.empty()) label += fmt::format("; until {}", end.raw);
        const json* loc = coordinate(member(*top, "placeLocation"));
        if (!loc)
          out_->warn(fmt::format("{}/visit/topCandidate has no placeLocation; visit not reported", base));
        point(loc, start, "visit", std::move(label), base + "/visit/topCandidate/placeLocation", offset);
      }
    }
    if (const json* act = member(seg, "activity")) {
      known = true;
      std::string type;
      if (const json* top = member(*act, "topCandidate")) type = text_of(*top, "type");
      const std::string dist = text_of(*act, "distanceMeters");
      std::string label = type + (dist.empty() ? "" : fmt::format("; {} m", dist));
      point(coordinate(member(*act, "start")), start, "activity_start", label, base + "/activity/start",
            offset);
      point(coordinate(member(*act, "end")), end, "activity_end", label, base + "/activity/end", offset);
    }
    if (const json* path = member(seg, "timelinePath"); path && path->is_array()) {
      known = true;
      for (size_t i = 0; i < path->size(); ++i) {
        const json& pt = (*path)[i];
        const std::string where = fmt::format("{}/timelinePath/{}", base, i);
        Timestamp t = time_of(pt, "time");
        if (t.empty()) {
          // iOS export: minutes after the segment's start ("durationMinutesOffsetFromStartTime": "12").
          if (auto minutes = number_of(pt, "durationMinutesOffsetFromStartTime"); minutes && !start.empty()) {
            t = start;
            t.raw = fmt::format("{} + {} min", start.raw, text_of(pt, "durationMinutesOffsetFromStartTime"));
            if (t.utc_us) *t.utc_us += static_cast<int64_t>(*minutes * 60e6);
          }
        }
        point(member(pt, "point"), std::move(t), "path", "", where, offset);
      }
    }
    if (member(seg, "timelineMemory")) known = true;  // trip summaries: listed as a limitation
    if (!known)
      out_->warn(fmt::format("{}: segment has no visit, activity or timelinePath; not reported", base));
  }

  void raw_signal(const json& sig, const std::string& base, int64_t offset) {
    if (const json* pos = member(sig, "position")) {
      const std::string source = text_of(*pos, "source");
      std::string kind = source.empty() ? "fused" : lower(source);
      std::string label = source.empty() ? "" : fmt::format("source {}", source);
      if (auto speed = number_of(*pos, "speedMetersPerSecond"))
        label += fmt::format("; speed {} m/s", *speed);
      const json* coord = member(*pos, "LatLng");
      if (!coord) coord = member(*pos, "latLng");
      if (!coord) out_->warn(fmt::format("{}/position has no LatLng; not reported", base));
      point(coord, time_of(*pos, "timestamp"), std::move(kind), std::move(label), base + "/position", offset,
            number_of(*pos, "accuracyMeters"), number_of(*pos, "altitudeMeters"));
    }
    // wifiScan and activityRecord carry no coordinates: listed as limitations, not points.
  }

  void location_profile(const json& profile) {
    const json* places = member(profile, "frequentPlaces");
    if (!places || !places->is_array()) return;
    for (size_t i = 0; i < places->size(); ++i) {
      const json& place = (*places)[i];
      std::string label = text_of(place, "label");
      const std::string id = text_of(place, "placeId");
      if (!id.empty()) label += fmt::format("{}place {}", label.empty() ? "" : "; ", id);
      const std::string where = fmt::format("/userLocationProfile/frequentPlaces/{}", i);
      point(coordinate(member(place, "placeLocation")), Timestamp{}, "frequent_place", std::move(label),
            where, std::nullopt);
    }
  }

  FileEmitter* out_ = nullptr;
  size_t unknown_records_ = 0;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "google.location.device_timeline",
      "1.0.0",
      Platform::any,
      "Google Maps Timeline (on-device export)",
      "Visits, activities, timeline paths, raw position signals and frequent places from the Timeline "
      "export Google Maps writes on the device (Timeline.json / location-history.json)",
      {Locator::path("**/Timeline.json"), Locator::path("**/location-history.json")},
      {
          "Only each visit's top candidate place is reported; other candidates and probabilities are not.",
          "A visit is one point at its start time; its end time is written in the label (\"until ...\").",
          "timelineMemory (trip summaries), wifiScan (access points without coordinates) and activityRecord "
          "(activity guesses without coordinates) entries are not reported.",
          "iOS export timelinePath points are timed as the segment's start plus the stored minute offset.",
          "Positions without a `source` field have kind \"fused\" (Google's fused location).",
          "Frequent places (userLocationProfile) have no time.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<DeviceTimelineParser>(); }

}  // namespace kanshiki::parsers::google_location_device_timeline
