// ios.locationd.consolidated on a fixture built with the iOS 4 table definitions as published with
// iPhoneTracker (Allan and Warden, O'Reilly Radar, April 2011): WifiLocation, CellLocation and
// CdmaCellLocation, Tokyo positions, a "-1" (unknown) accuracy, a row without position, and a file that is
// not a consolidated.db.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/case_db.h"
#include "core/sqlite_util.h"
#include "report/geo_export.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = R"(
CREATE TABLE CellLocation (MCC INTEGER, MNC INTEGER, LAC INTEGER, CI INTEGER, Timestamp FLOAT, Latitude FLOAT, Longitude FLOAT, HorizontalAccuracy FLOAT, Altitude FLOAT, VerticalAccuracy FLOAT, Speed FLOAT, Course FLOAT, Confidence INTEGER, PRIMARY KEY (MCC, MNC, LAC, CI));
CREATE TABLE WifiLocation (MAC TEXT, Timestamp FLOAT, Latitude FLOAT, Longitude FLOAT, HorizontalAccuracy FLOAT, Altitude FLOAT, VerticalAccuracy FLOAT, Speed FLOAT, Course FLOAT, Confidence INTEGER, PRIMARY KEY (MAC));
CREATE TABLE CdmaCellLocation (MCC INTEGER, SID INTEGER, NID INTEGER, BSID INTEGER, ZONEID INTEGER, BANDCLASS INTEGER, CHANNEL INTEGER, PNOFFSET INTEGER, Timestamp FLOAT, Latitude FLOAT, Longitude FLOAT, HorizontalAccuracy FLOAT, Altitude FLOAT, VerticalAccuracy FLOAT, Speed FLOAT, Course FLOAT, Confidence INTEGER, PRIMARY KEY (MCC, SID, NID, BSID));
)";

fs::path make_db(const fs::path& path, const std::string& sql) {
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(sql.c_str());
  return path;
}

TEST_CASE("ios.locationd.consolidated: Wi-Fi, GSM and CDMA cells", "[ios][location]") {
  test::TempDir dir;
  auto p = make_db(dir / "consolidated.db", std::string(kSchema) + R"(
INSERT INTO WifiLocation VALUES ('0:1d:73:a2:4f:10', 330000000.5, 35.681236, 139.767125, 50.0, 12.5, 8.0, -1.0, -1.0, 80);
INSERT INTO WifiLocation VALUES ('0:24:a5:b1:2:e', 330003600, 35.658581, 139.745433, -1.0, 0.0, -1.0, -1.0, -1.0, 50);
INSERT INTO WifiLocation VALUES ('0:24:a5:b1:2:f', 330003700, NULL, NULL, -1.0, 0.0, -1.0, -1.0, -1.0, 0);
INSERT INTO CellLocation VALUES (440, 10, 4561, 123456789, 330007200, 35.6895, 139.6917, 1200.0, 0.0, -1.0, -1.0, -1.0, 70);
INSERT INTO CdmaCellLocation VALUES (440, 12461, 1, 2345, 0, 0, 850, 12, 330007200, 34.6937, 135.5023, 900.0, 0.0, -1.0, -1.0, -1.0, 60);
)");
  const std::string item = "RootDomain/Library/Caches/locationd/consolidated.db";
  auto sink = test::run_parser("ios.locationd.consolidated", p, item);
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 4);
  CHECK(sink.records.size() == 4);
  REQUIRE(sink.warnings.size() == 1);  // the access point without position: a stored warning
  CHECK(sink.warnings[0].source_table == "WifiLocation");
  CHECK(sink.warnings[0].source_rowid == 3);
  CHECK(sink.warnings[0].message.find("no usable position") != std::string::npos);

  const auto& [prov, pt] = points[0];
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == item);
  CHECK(prov.item_sha256 == test::file_sha256(p));
  CHECK(prov.source_table == "WifiLocation");
  CHECK(prov.source_rowid == 1);
  CHECK_FALSE(prov.source_offset.has_value());
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "ios.locationd.consolidated");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(pt.latitude == Approx(35.681236).margin(1e-9));
  CHECK(pt.longitude == Approx(139.767125).margin(1e-9));
  CHECK(pt.accuracy_m == 50.0);
  CHECK(pt.altitude_m == 12.5);
  CHECK(pt.time.raw == "330000000.5");
  CHECK(pt.time.kind == EpochKind::cocoa_s);
  CHECK(pt.time.utc_us == int64_t{1308307200500000});
  CHECK(pt.time.utc_iso() == "2011-06-17T10:40:00.500Z");
  CHECK(pt.kind == "wifi");
  CHECK(pt.source == "locationd consolidated.db");
  CHECK(pt.label == "Wi-Fi access point MAC 0:1d:73:a2:4f:10; confidence 80");

  // -1: Core Location's "unknown" accuracy; no vertical accuracy, so the altitude 0 is not a measurement.
  CHECK_FALSE(points[1].second.accuracy_m.has_value());
  CHECK_FALSE(points[1].second.altitude_m.has_value());

  const auto& cell = points[2];
  CHECK(cell.first.source_table == "CellLocation");
  CHECK(cell.second.kind == "cell");
  CHECK(cell.second.accuracy_m == 1200.0);
  CHECK(cell.second.label == "GSM/UMTS cell MCC 440 MNC 10 LAC 4561 CI 123456789; confidence 70");
  CHECK(cell.second.time.utc_iso() == "2011-06-17T12:40:00.000Z");
  const auto& cdma = points[3];
  CHECK(cdma.first.source_table == "CdmaCellLocation");
  CHECK(cdma.second.kind == "cell");
  CHECK(cdma.second.label == "CDMA cell MCC 440 SID 12461 NID 1 BSID 2345; confidence 60");
}

// The new kinds reach the map exports (KML/GPX/GeoJSON share one query): the parser's records written into a
// case and exported as GeoJSON keep kind, source, label and the table/row they came from.
TEST_CASE("ios.locationd.consolidated: points reach the GeoJSON export with their kinds",
          "[ios][location][geo]") {
  test::TempDir dir;
  auto p = make_db(dir / "consolidated.db", std::string(kSchema) + R"(
INSERT INTO WifiLocation VALUES ('0:1d:73:a2:4f:10', 330000000.5, 35.681236, 139.767125, 50.0, 12.5, 8.0, -1.0, -1.0, 80);
INSERT INTO CellLocation VALUES (440, 10, 4561, 123456789, 330007200, 35.6895, 139.6917, 1200.0, 0.0, -1.0, -1.0, -1.0, 70);
)");
  auto sink = test::run_parser("ios.locationd.consolidated", p,
                               "RootDomain/Library/Caches/locationd/consolidated.db");
  REQUIRE(sink.records.size() == 2);
  CaseDb c = CaseDb::create(dir / "case", "K-1");
  test::seed_parser_run(c, 1, "RootDomain/Library/Caches/locationd/consolidated.db", "ios.locationd.consolidated");
  {
    sql::Transaction tx(c.db());
    ArtifactWriter w(c, 1, 1);
    for (auto& r : sink.records) w.emit(r);
    w.finish();
    tx.commit();
  }
  std::ostringstream out;
  CHECK(export_locations(c, GeoFormat::geojson, out) == 2);
  const auto doc = nlohmann::json::parse(out.str());
  REQUIRE(doc["features"].size() == 2);
  std::set<std::string> kinds;
  for (const auto& f : doc["features"]) kinds.insert(f["properties"]["kind"].get<std::string>());
  CHECK(kinds == std::set<std::string>{"wifi", "cell"});
  const auto& wifi = doc["features"][0]["properties"];
  CHECK(wifi["source"] == "locationd consolidated.db");
  CHECK(wifi["label"] == "Wi-Fi access point MAC 0:1d:73:a2:4f:10; confidence 80");
  CHECK(wifi["time_utc"] == "2011-06-17T10:40:00.500Z");
}

TEST_CASE("ios.locationd.consolidated: unknown columns and a foreign file are warnings", "[ios][location]") {
  test::TempDir dir;
  auto odd = make_db(dir / "consolidated.db", "CREATE TABLE WifiLocation (MAC TEXT, Lat FLOAT, Lon FLOAT);");
  auto sink = test::run_parser("ios.locationd.consolidated", odd,
                               "private/var/root/Library/Caches/locationd/consolidated.db");
  CHECK(sink.records.empty());
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("schema not recognised") != std::string::npos);

  auto other = make_db(dir / "other.db", "CREATE TABLE t (x INTEGER);");
  auto none = test::run_parser("ios.locationd.consolidated", other,
                               "private/var/root/Library/Caches/locationd/consolidated.db");
  CHECK(none.records.empty());
  REQUIRE(none.warnings.size() == 1);
  CHECK(none.warnings[0].message.find("not a locationd consolidated.db") != std::string::npos);
}

}  // namespace
}  // namespace kanshiki
