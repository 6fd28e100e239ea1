// google.maps.android on fixtures built with the CREATE TABLE statements of the Maps APK (the
// SQLiteOpenHelper classes creating da_destination_history and gmm_myplaces.db, as decompiled in public
// repositories): microdegree positions in Tokyo/Osaka, Japanese titles, a route without a start, a saved
// place, and a database of neither kind.
#include <catch2/catch.hpp>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

fs::path make_db(const fs::path& path, const char* sql) {
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(sql);
  return path;
}

TEST_CASE("google.maps.android: navigation destinations and route starts", "[android][location]") {
  test::TempDir dir;
  auto p = make_db(dir / "da_destination_history", R"(
CREATE TABLE destination_history (time INTEGER PRIMARY KEY, dest_lat INTEGER NOT NULL, dest_lng INTEGER NOT NULL, dest_title STRING, dest_address STRING, dest_token STRING, source_lat INTEGER NOT NULL, source_lng INTEGER NOT NULL, day_of_week INTEGER NOT NULL, hour_of_day INTEGER NOT NULL );
INSERT INTO destination_history VALUES (1700000000000, 35681236, 139767125, '東京駅', '東京都千代田区丸の内1丁目', 'tok1', 35658581, 139745433, 3, 7);
INSERT INTO destination_history VALUES (1700003600000, 34693700, 135502300, '大阪城', NULL, NULL, 0, 0, 3, 8);
)");
  const std::string item = "data/data/com.google.android.apps.maps/databases/da_destination_history";
  auto sink = test::run_parser("google.maps.android", p, item);
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 3);
  CHECK(sink.records.size() == 3);
  REQUIRE(sink.warnings.size() == 1);  // the second route has no start (0/0): said, not silently dropped
  CHECK(sink.warnings[0].source_rowid == 1700003600000);
  CHECK(sink.warnings[0].message.find("source_lat = 0") != std::string::npos);

  const auto& [prov, dest] = points[0];
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == item);
  CHECK(prov.item_sha256 == test::file_sha256(p));
  CHECK(prov.source_table == "destination_history");
  CHECK(prov.source_rowid == 1700000000000);  // `time` is the INTEGER PRIMARY KEY, so it is the rowid
  CHECK_FALSE(prov.source_offset.has_value());
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "google.maps.android");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(dest.latitude == Approx(35.681236).margin(1e-9));
  CHECK(dest.longitude == Approx(139.767125).margin(1e-9));
  CHECK_FALSE(dest.accuracy_m.has_value());
  CHECK_FALSE(dest.altitude_m.has_value());
  CHECK(dest.time.raw == "1700000000000");
  CHECK(dest.time.kind == EpochKind::unix_ms);
  CHECK(dest.time.utc_us == int64_t{1700000000000000});
  CHECK(dest.time.utc_iso() == "2023-11-14T22:13:20.000Z");
  CHECK(dest.kind == "destination");
  CHECK(dest.source == "Google Maps");
  CHECK(dest.label == "navigation destination; 東京駅; 東京都千代田区丸の内1丁目");

  const auto& start = points[1];
  CHECK(start.first.source_rowid == 1700000000000);
  CHECK(start.second.kind == "route_start");
  CHECK(start.second.latitude == Approx(35.658581).margin(1e-9));
  CHECK(start.second.label == "start of the route to 東京駅");
  CHECK(points[2].second.label == "navigation destination; 大阪城");
}

TEST_CASE("google.maps.android: saved places and a foreign database", "[android][location]") {
  test::TempDir dir;
  auto p = make_db(dir / "gmm_myplaces.db", R"(
CREATE TABLE sync_item (corpus INTEGER, key_string TEXT, timestamp BIGINT, merge_key BIGINT, feature_fprint BIGINT, latitude INTEGER, longitude INTEGER, is_local BOOLEAN, sync_item BLOB, PRIMARY KEY (corpus, key_string));
CREATE TABLE sync_corpus (corpus INTEGER PRIMARY KEY, last_sync_time BIGINT);
INSERT INTO sync_item VALUES (14, '0:0', 1700000000000, 11, 12, 35689500, 139691700, 0, x'0a03e6a1b1');
INSERT INTO sync_item VALUES (14, '0:1', 1700000060000, 13, 14, 34693700, 135502300, 1, x'');
)");
  auto sink = test::run_parser("google.maps.android", p,
                               "data/data/com.google.android.apps.maps/databases/gmm_myplaces.db");
  CHECK(sink.warnings.empty());
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 2);
  CHECK(points[0].first.source_table == "sync_item");
  CHECK(points[0].first.source_rowid == 1);
  CHECK(points[0].second.kind == "saved_place");
  CHECK(points[0].second.latitude == Approx(35.6895).margin(1e-9));
  CHECK(points[0].second.time.utc_iso() == "2023-11-14T22:13:20.000Z");
  CHECK(points[0].second.label == "saved place, corpus 14, key 0:0");
  CHECK(points[1].second.label == "saved place, corpus 14, key 0:1, not yet synced");

  auto other = make_db(dir / "other.db", "CREATE TABLE t (x INTEGER);");
  auto none = test::run_parser("google.maps.android", other,
                               "data/data/com.google.android.apps.maps/databases/gmm_myplaces.db");
  CHECK(none.records.empty());
  REQUIRE(none.warnings.size() == 1);
  CHECK(none.warnings[0].message.find("not a Google Maps database") != std::string::npos);
}

}  // namespace
}  // namespace kanshiki
