#include "report/geo_export.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/case_db.h"
#include "core/xml_escape.h"
#include "report/report_common.h"

namespace kanshiki {
namespace {

using nlohmann::json;

struct GeoRow {
  int64_t artifact_id = 0, evidence_id = 0;
  std::string item_path, item_sha256, source_table, source_detail, parser_id, parser_version;
  std::optional<int64_t> source_rowid, source_offset;
  bool recovered = false;
  double lat = 0, lon = 0;
  std::optional<double> accuracy, altitude;
  std::string time_raw, time_epoch, time_utc, kind, source, label;
};

constexpr const char* kQuery =
    "SELECT a.id, a.evidence_id, a.item_path, a.item_sha256, a.source_table, a.source_rowid, "
    "a.source_offset, "
    "a.source_detail, a.parser_id, a.parser_version, a.recovered, l.latitude, l.longitude, l.accuracy_m, "
    "l.altitude_m, l.time_raw, l.time_epoch, l.time_utc, l.kind, l.source, l.label "
    "FROM locations l JOIN artifacts a ON a.id = l.artifact_id "
    "WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL "
    "ORDER BY a.time_utc_us IS NULL, a.time_utc_us, a.id";

GeoRow read_row(const sql::Stmt& st) {
  GeoRow r;
  auto opt_real = [&](int i) { return st.is_null(i) ? std::nullopt : std::optional<double>(st.real(i)); };
  r.artifact_id = st.i64(0);
  r.evidence_id = st.i64(1);
  r.item_path = st.text(2);
  r.item_sha256 = st.text(3);
  r.source_table = st.text(4);
  r.source_rowid = st.opt_i64(5);
  r.source_offset = st.opt_i64(6);
  r.source_detail = st.text(7);
  r.parser_id = st.text(8);
  r.parser_version = st.text(9);
  r.recovered = st.i64(10) != 0;
  r.lat = st.real(11);
  r.lon = st.real(12);
  r.accuracy = opt_real(13);
  r.altitude = opt_real(14);
  r.time_raw = st.text(15);
  r.time_epoch = st.text(16);
  r.time_utc = st.text(17);
  r.kind = st.text(18);
  r.source = st.text(19);
  r.label = st.text(20);
  return r;
}

std::string where_in_item(const GeoRow& r) {
  std::string s = r.source_table;
  if (r.source_rowid) s += fmt::format(" rowid {}", *r.source_rowid);
  if (!r.source_detail.empty()) s += " " + r.source_detail;
  if (r.source_offset) s += fmt::format(" @ byte {}", *r.source_offset);
  return s;
}

std::string time_text(const GeoRow& r) {
  if (r.time_utc.empty() && r.time_raw.empty()) return "no time";
  std::string utc = r.time_utc.empty() ? "UTC unknown" : r.time_utc + " (UTC)";
  return fmt::format("{}; raw \"{}\" ({})", utc, r.time_raw, r.time_epoch);
}

// Human-readable provenance, the same text in every format's description.
std::string description(const GeoRow& r) {
  std::string d = fmt::format("Kind: {}\nSource: {}\nTime: {}\n", r.kind, r.source, time_text(r));
  if (!r.label.empty()) d += fmt::format("Label: {}\n", r.label);
  if (r.accuracy) d += fmt::format("Accuracy: {} m\n", *r.accuracy);
  if (r.altitude) d += fmt::format("Altitude: {} m\n", *r.altitude);
  d += fmt::format("Artifact: {}{}\nEvidence: E{}\nItem: {} (sha256 {})\nFound in: {}\nParser: {} {}",
                   r.artifact_id, r.recovered ? " (recovered deleted record)" : "", r.evidence_id,
                   r.item_path, r.item_sha256, where_in_item(r), r.parser_id, r.parser_version);
  return d;
}

std::string name_of(const GeoRow& r) {
  return fmt::format("{} {}", r.kind, r.time_utc.empty() ? std::string("(no UTC time)") : r.time_utc);
}

void kml_data(std::string& out, std::string_view name, std::string_view value) {
  out += fmt::format("<Data name=\"{}\"><value>{}</value></Data>", xml_escape(name), xml_escape(value));
}

void write_kml(std::ostream& out, const GeoRow& r) {
  std::string s = "<Placemark>";
  s += fmt::format("<name>{}</name><description>{}</description>", xml_escape(name_of(r)),
                   xml_escape(description(r)));
  if (!r.time_utc.empty())
    s += fmt::format("<TimeStamp><when>{}</when></TimeStamp>", xml_escape(r.time_utc));
  s += "<ExtendedData>";
  kml_data(s, "artifact_id", std::to_string(r.artifact_id));
  kml_data(s, "kind", r.kind);
  kml_data(s, "time_utc", r.time_utc);
  kml_data(s, "time_zone", "UTC");
  kml_data(s, "time_raw", r.time_raw);
  kml_data(s, "time_epoch", r.time_epoch);
  kml_data(s, "item_path", r.item_path);
  kml_data(s, "item_sha256", r.item_sha256);
  kml_data(s, "found_in", where_in_item(r));
  kml_data(s, "parser", r.parser_id + " " + r.parser_version);
  s += "</ExtendedData>";
  s += fmt::format("<Point><coordinates>{},{}{}</coordinates></Point></Placemark>\n", r.lon, r.lat,
                   r.altitude ? fmt::format(",{}", *r.altitude) : std::string());
  out << s;
}

void write_gpx(std::ostream& out, const GeoRow& r) {
  std::string s = fmt::format("<wpt lat=\"{}\" lon=\"{}\">", r.lat, r.lon);
  if (r.altitude) s += fmt::format("<ele>{}</ele>", *r.altitude);
  if (!r.time_utc.empty()) s += fmt::format("<time>{}</time>", xml_escape(r.time_utc));
  s += fmt::format("<name>{}</name><desc>{}</desc><src>{}</src><type>{}</type></wpt>\n",
                   xml_escape(name_of(r)), xml_escape(description(r)), xml_escape(r.source),
                   xml_escape(r.kind));
  out << s;
}

json geojson_feature(const GeoRow& r) {
  json props = {{"artifact_id", r.artifact_id},
                {"kind", r.kind},
                {"source", r.source},
                {"label", r.label},
                {"time_utc", r.time_utc.empty() ? json(nullptr) : json(r.time_utc)},
                {"time_zone", "UTC"},
                {"time_raw", r.time_raw},
                {"time_epoch", r.time_epoch},
                {"accuracy_m", r.accuracy ? json(*r.accuracy) : json(nullptr)},
                {"altitude_m", r.altitude ? json(*r.altitude) : json(nullptr)},
                {"evidence_id", r.evidence_id},
                {"item_path", r.item_path},
                {"item_sha256", r.item_sha256},
                {"source_table", r.source_table},
                {"source_rowid", r.source_rowid ? json(*r.source_rowid) : json(nullptr)},
                {"source_offset", r.source_offset ? json(*r.source_offset) : json(nullptr)},
                {"source_detail", r.source_detail},
                {"parser_id", r.parser_id},
                {"parser_version", r.parser_version},
                {"recovered", r.recovered},
                {"description", description(r)}};
  json coords = json::array({r.lon, r.lat});
  if (r.altitude) coords.push_back(*r.altitude);
  return {
      {"type", "Feature"}, {"geometry", {{"type", "Point"}, {"coordinates", coords}}}, {"properties", props}};
}

}  // namespace

size_t export_locations(CaseDb& c, GeoFormat format, std::ostream& out) {
  switch (format) {
    case GeoFormat::kml:
      out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">"
             "<Document><name>Kanshiki location export</name><description>Every time is UTC (ISO 8601, "
             "suffix Z); raw values and their epochs are in each placemark.</description>\n";
      break;
    case GeoFormat::gpx:
      out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"Kanshiki\" "
             "xmlns=\"http://www.topografix.com/GPX/1/1\"><metadata><desc>Every time is UTC (ISO 8601, "
             "suffix "
             "Z); raw values and their epochs are in each waypoint's desc.</desc></metadata>\n";
      break;
    case GeoFormat::geojson:
      out << "{\"type\":\"FeatureCollection\",\"time_zone\":\"UTC\",\"features\":[\n";
      break;
  }
  size_t n = 0;
  sql::Stmt st(c.db(), kQuery);
  while (st.step()) {
    GeoRow r = read_row(st);
    switch (format) {
      case GeoFormat::kml:
        write_kml(out, r);
        break;
      case GeoFormat::gpx:
        write_gpx(out, r);
        break;
      case GeoFormat::geojson:
        out << (n ? ",\n" : "") << geojson_feature(r).dump();
        break;
    }
    ++n;
  }
  switch (format) {
    case GeoFormat::kml:
      out << "</Document></kml>\n";
      break;
    case GeoFormat::gpx:
      out << "</gpx>\n";
      break;
    case GeoFormat::geojson:
      out << "\n]}\n";
      break;
  }
  return n;
}

}  // namespace kanshiki
