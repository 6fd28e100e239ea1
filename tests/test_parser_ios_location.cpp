// ios.routined and ios.photos on fixtures with the Core Data columns that iLEAPP's routineD / Photos.sqlite
// artifacts and published Photos.sqlite queries read (see the parsers' header comments): Tokyo coordinates,
// a visit, an asset without location (-180), a ZGENERICASSET library of iOS 13, and bad rows.
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

TEST_CASE("ios.routined: Cache.sqlite fixes", "[ios][location]") {
  test::TempDir dir;
  auto p = make_db(dir / "Cache.sqlite", R"(
CREATE TABLE ZRTCLLOCATIONMO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZALTITUDE FLOAT, ZCOURSE FLOAT, ZHORIZONTALACCURACY FLOAT, ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZSPEED FLOAT, ZTIMESTAMP TIMESTAMP, ZVERTICALACCURACY FLOAT );
INSERT INTO ZRTCLLOCATIONMO VALUES (1, 5, 1, 40.5, 90.0, 65.0, 35.681236, 139.767125, 1.2, 721000000.5, 10.0);
INSERT INTO ZRTCLLOCATIONMO VALUES (2, 5, 1, 12.0, -1.0, -1.0, 35.658581, 139.745433, 0.0, 721000600.0, 8.0);
INSERT INTO ZRTCLLOCATIONMO VALUES (3, 5, 1, NULL, NULL, 5.0, NULL, NULL, NULL, 721001200.0, NULL);
)");
  const std::string item = "private/var/mobile/Library/Caches/com.apple.routined/Cache.sqlite";
  auto sink = test::run_parser("ios.routined", p, item);
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 2);
  CHECK(sink.records.size() == 2);
  REQUIRE(sink.warnings.size() == 1);  // row 3 has no position: a stored warning, not a silent drop
  CHECK(sink.warnings[0].source_rowid == 3);

  const auto& [prov, pt] = points[0];
  CHECK(prov.item_path == item);
  CHECK(prov.item_sha256 == test::file_sha256(p));
  CHECK(prov.source_table == "ZRTCLLOCATIONMO");
  CHECK(prov.source_rowid == 1);
  CHECK(prov.parser_id == "ios.routined");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(pt.latitude == Approx(35.681236).margin(1e-9));
  CHECK(pt.longitude == Approx(139.767125).margin(1e-9));
  CHECK(pt.accuracy_m == 65.0);
  CHECK(pt.altitude_m == 40.5);
  CHECK(pt.kind == "gps");
  CHECK(pt.source == "routined");
  CHECK(pt.time.raw == "721000000.5");
  CHECK(pt.time.kind == EpochKind::cocoa_s);
  CHECK(pt.time.utc_iso() == "2023-11-06T21:46:40.500Z");
  CHECK_FALSE(points[1].second.accuracy_m.has_value());  // -1: Core Location's "invalid"
}

TEST_CASE("ios.routined: Local.sqlite visits", "[ios][location]") {
  test::TempDir dir;
  auto p = make_db(dir / "Local.sqlite", R"(
CREATE TABLE ZRTLEARNEDLOCATIONOFINTERESTMO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZLOCATIONLATITUDE FLOAT, ZLOCATIONLONGITUDE FLOAT );
CREATE TABLE ZRTLEARNEDLOCATIONOFINTERESTVISITMO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZDATAPOINTCOUNT INTEGER, ZLOCATIONOFINTEREST INTEGER, ZCONFIDENCE FLOAT, ZENTRYDATE TIMESTAMP, ZEXITDATE TIMESTAMP, ZLOCATIONHORIZONTALUNCERTAINTY FLOAT, ZLOCATIONLATITUDE FLOAT, ZLOCATIONLONGITUDE FLOAT, ZLOCATIONVERTICALUNCERTAINTY FLOAT );
INSERT INTO ZRTLEARNEDLOCATIONOFINTERESTMO VALUES (1, 10, 1, 35.6895, 139.6917);
INSERT INTO ZRTLEARNEDLOCATIONOFINTERESTVISITMO VALUES (1, 11, 1, 42, 1, 0.95, 721000000, 721003600, 35.0, 35.6895, 139.6917, 10.0);
)");
  auto sink = test::run_parser("ios.routined", p, "private/var/mobile/Library/Caches/com.apple.routined/Local.sqlite");
  CHECK(sink.warnings.empty());
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 1);
  const auto& [prov, v] = points[0];
  CHECK(prov.source_table == "ZRTLEARNEDLOCATIONOFINTERESTVISITMO");
  CHECK(prov.source_rowid == 1);
  CHECK(v.kind == "visit");
  CHECK(v.accuracy_m == 35.0);
  CHECK(v.time.utc_iso() == "2023-11-06T21:46:40.000Z");
  CHECK(v.label == "until 2023-11-06T22:46:40.000Z; confidence 0.95");
}

constexpr const char* kAssetColumns =
    "Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER, ZTRASHEDSTATE INTEGER, ZHIDDEN INTEGER, "
    "ZADDITIONALATTRIBUTES INTEGER, ZADDEDDATE TIMESTAMP, ZDATECREATED TIMESTAMP, ZMODIFICATIONDATE TIMESTAMP, "
    "ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZDIRECTORY VARCHAR, ZFILENAME VARCHAR, ZUNIFORMTYPEIDENTIFIER VARCHAR";

TEST_CASE("ios.photos: ZASSET (iOS 14+) with and without location", "[ios][location][media]") {
  test::TempDir dir;
  std::string ddl = std::string("CREATE TABLE ZASSET (") + kAssetColumns + ");" + R"(
INSERT INTO ZASSET VALUES (1, 3, 1, 0, 0, 0, 1, 721000100, 721000000, 721000100, 35.710063, 139.8107, 'DCIM/100APPLE', 'IMG_0001.HEIC', 'public.heic');
INSERT INTO ZASSET VALUES (2, 3, 1, 1, 0, 0, 2, 721000200, 721000150, 721000200, -180.0, -180.0, 'DCIM/100APPLE', 'IMG_0002.MOV', 'com.apple.quicktime-movie');
)";
  auto p = make_db(dir / "Photos.sqlite", ddl.c_str());
  const std::string item = "CameraRollDomain/Media/PhotoData/Photos.sqlite";
  auto sink = test::run_parser("ios.photos", p, item);
  CHECK(sink.warnings.empty());
  auto media = sink.of_type<MediaItem>();
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(media.size() == 2);
  REQUIRE(points.size() == 1);
  CHECK(sink.records.size() == 3);

  const auto& [prov, m] = media[0];
  CHECK(prov.item_path == item);
  CHECK(prov.source_table == "ZASSET");
  CHECK(prov.source_rowid == 1);
  CHECK(prov.parser_id == "ios.photos");
  CHECK_FALSE(prov.recovered);
  CHECK(m.path == "Media/DCIM/100APPLE/IMG_0001.HEIC");
  CHECK(m.mime_type == "image/heic");
  CHECK(m.captured.raw == "721000000");
  CHECK(m.captured.kind == EpochKind::cocoa_s);
  CHECK(m.captured.utc_iso() == "2023-11-06T21:46:40.000Z");
  CHECK(m.latitude == 35.710063);
  CHECK(m.longitude == 139.8107);
  CHECK(points[0].second.kind == "photo");
  CHECK(points[0].second.label == "Media/DCIM/100APPLE/IMG_0001.HEIC");
  CHECK(points[0].first.source_rowid == 1);
  CHECK_FALSE(media[1].second.latitude.has_value());  // -180: no location
  CHECK(media[1].second.mime_type == "video/quicktime");
}

TEST_CASE("ios.photos: ZGENERICASSET (iOS 13) and an unknown library", "[ios][location][media]") {
  test::TempDir dir;
  std::string ddl = std::string("CREATE TABLE ZGENERICASSET (") + kAssetColumns + ");" +
                    "INSERT INTO ZGENERICASSET VALUES (7, 3, 1, 0, 0, 0, 1, 600000000, 600000000, 600000000, "
                    "34.6937, 135.5023, 'DCIM/101APPLE', 'IMG_0100.JPG', 'public.jpeg');";
  auto p = make_db(dir / "Photos.sqlite", ddl.c_str());
  auto sink = test::run_parser("ios.photos", p, "private/var/mobile/Media/PhotoData/Photos.sqlite");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.of_type<MediaItem>().size() == 1);
  CHECK(sink.of_type<MediaItem>()[0].first.source_table == "ZGENERICASSET");
  CHECK(sink.of_type<LocationPoint>().size() == 1);

  auto q = make_db(dir / "other.sqlite", "CREATE TABLE ZASSET (Z_PK INTEGER PRIMARY KEY, ZFILENAME VARCHAR);");
  auto bad = test::run_parser("ios.photos", q, "Media/PhotoData/Photos.sqlite");
  CHECK(bad.records.empty());
  REQUIRE(bad.warnings.size() == 1);
  CHECK(bad.warnings[0].message.find("schema not recognised") != std::string::npos);
}

}  // namespace
}  // namespace kanshiki
