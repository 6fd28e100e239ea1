// ios.knowledgec on the real macOS 10.13 / 10.14 knowledgeC.db files in plaso's test data (same schema family
// as iOS; they hold no location rows, so the location streams are checked on a fixture whose tables are
// copied from the 10.14 file: ZOBJECT and ZSOURCE whole, ZSTRUCTUREDMETADATA with the columns this parser
// reads, same names and types), with Japanese place names and a row with half a position.
#include <catch2/catch.hpp>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

TEST_CASE("ios.knowledgec: real macOS 10.14 store, Safari history events", "[ios][location][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "ios_misc/plaso/macos_knowledgec-10.14.db");
  const std::string item = "private/var/db/CoreDuet/Knowledge/knowledgeC.db";
  auto sink = test::run_parser("ios.knowledgec", file, item);
  CHECK(sink.warnings.empty());
  CHECK(sink.of_type<LocationPoint>().empty());  // the file has no location-bearing events
  auto visits = sink.of_type<WebVisit>();
  REQUIRE(visits.size() == 7);
  CHECK(sink.records.size() == 7);

  const auto& [prov, v] = visits[0];
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == item);
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.source_table == "ZOBJECT");
  CHECK(prov.source_rowid == 37);
  CHECK_FALSE(prov.source_offset.has_value());
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "ios.knowledgec");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(v.browser == "safari");
  CHECK(v.url == "https://www.gotomypc.com/members/register.tmpl?Location=en_US&FreeTrial=true");
  CHECK(v.title == "GoToMyPC - Enjoy Free Remote Access for 7 Days");
  CHECK(v.time.raw == "565808365");
  CHECK(v.time.kind == EpochKind::cocoa_s);
  CHECK(v.time.utc_us == int64_t{1544115565} * 1000000);
  CHECK(v.time.utc_iso() == "2018-12-06T16:59:25.000Z");
  CHECK_FALSE(v.visit_count.has_value());
  CHECK_FALSE(v.typed_count.has_value());
  CHECK(v.transition == "knowledgeC /safari/history");
  CHECK(visits[6].first.source_rowid == 86);
  CHECK(visits[6].second.url == "https://www.instagram.com/");
}

TEST_CASE("ios.knowledgec: real macOS 10.13 store has nothing to report", "[ios][location][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "ios_misc/plaso/macos_knowledgec-10.13.db");
  auto sink = test::run_parser("ios.knowledgec", file, "private/var/db/CoreDuet/Knowledge/knowledgeC.db");
  CHECK(sink.warnings.empty());
  CHECK(sink.records.empty());  // only /activity/level, /app/inFocus and /display/isBacklit events
}

// DDL copied from macos_knowledgec-10.14.db (ZSTRUCTUREDMETADATA reduced to the columns read, plus two
// others).
constexpr const char* kSchema = R"(
CREATE TABLE ZOBJECT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZUUIDHASH INTEGER, ZEVENT INTEGER, ZSOURCE INTEGER, ZCATEGORYTYPE INTEGER, ZINTEGERVALUE INTEGER, ZENDDAYOFWEEK INTEGER, ZENDSECONDOFDAY INTEGER, ZHASCUSTOMMETADATA INTEGER, ZHASSTRUCTUREDMETADATA INTEGER, ZSECONDSFROMGMT INTEGER, ZSHOULDSYNC INTEGER, ZSTARTDAYOFWEEK INTEGER, ZSTARTSECONDOFDAY INTEGER, ZVALUECLASS INTEGER, ZVALUEINTEGER INTEGER, ZVALUETYPECODE INTEGER, ZSTRUCTUREDMETADATA INTEGER, ZVALUE INTEGER, Z9_VALUE INTEGER, ZIDENTIFIERTYPE INTEGER, ZQUANTITYTYPE INTEGER, ZOBJECT INTEGER, Z9_OBJECT INTEGER, ZSUBJECT INTEGER, Z9_SUBJECT INTEGER, ZCREATIONDATE TIMESTAMP, ZLOCALCREATIONDATE TIMESTAMP, ZCONFIDENCE FLOAT, ZENDDATE TIMESTAMP, ZSTARTDATE TIMESTAMP, ZVALUEDOUBLE FLOAT, ZDOUBLEVALUE FLOAT, ZUUID VARCHAR, ZSTREAMNAME VARCHAR, ZVALUESTRING VARCHAR, ZSTRING VARCHAR, ZVERBPHRASE VARCHAR, ZMETADATA BLOB );
CREATE TABLE ZSOURCE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZUSERID INTEGER, ZBUNDLEID VARCHAR, ZDEVICEID VARCHAR, ZGROUPID VARCHAR, ZITEMID VARCHAR, ZSOURCEID VARCHAR );
CREATE TABLE ZSTRUCTUREDMETADATA ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__LATITUDE FLOAT, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__LONGITUDE FLOAT, Z_DKLOCATIONMETADATAKEY__LATITUDE FLOAT, Z_DKLOCATIONMETADATAKEY__LONGITUDE FLOAT, Z_DKAPPLICATIONACTIVITYMETADATAKEY__TITLE VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__URL VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__CITY VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__COUNTRY VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__DISPLAYNAME VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__FULLYFORMATTEDADDRESS VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__LOCATIONNAME VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__POSTALCODE_V2 VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__STATEORPROVINCE VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__SUBTHOROUGHFARE VARCHAR, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__THOROUGHFARE VARCHAR, Z_DKLOCATIONMETADATAKEY__IDENTIFIER VARCHAR, Z_DKSAFARIHISTORYMETADATAKEY__TITLE VARCHAR, ZMETADATAHASH VARCHAR );
)";

TEST_CASE("ios.knowledgec: places viewed in apps and points of interest", "[ios][location]") {
  test::TempDir dir;
  const fs::path p = dir / "knowledgeC.db";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(kSchema);
    db.exec(R"(
INSERT INTO ZSOURCE (Z_PK, Z_ENT, Z_OPT, ZBUNDLEID) VALUES (1, 6, 1, 'com.apple.Maps');
INSERT INTO ZSTRUCTUREDMETADATA (Z_PK, Z_ENT, Z_OPT, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__LATITUDE, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__LONGITUDE, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__DISPLAYNAME, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__FULLYFORMATTEDADDRESS, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__CITY, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__COUNTRY)
  VALUES (1, 5, 1, 35.658581, 139.745433, '東京タワー', '〒105-0011 東京都港区芝公園4丁目2-8', '港区', '日本');
INSERT INTO ZSTRUCTUREDMETADATA (Z_PK, Z_ENT, Z_OPT, Z_DKLOCATIONMETADATAKEY__LATITUDE, Z_DKLOCATIONMETADATAKEY__LONGITUDE, Z_DKLOCATIONMETADATAKEY__IDENTIFIER)
  VALUES (2, 5, 1, 34.985849, 135.758767, '京都駅');
INSERT INTO ZSTRUCTUREDMETADATA (Z_PK, Z_ENT, Z_OPT, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__LATITUDE, Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__CITY)
  VALUES (3, 5, 1, 35.0, '大阪市');
INSERT INTO ZOBJECT (Z_PK, Z_ENT, Z_OPT, ZSOURCE, ZSTRUCTUREDMETADATA, ZSECONDSFROMGMT, ZSTARTDATE, ZENDDATE, ZSTREAMNAME, ZVALUESTRING)
  VALUES (10, 11, 1, 1, 1, 32400, 721000000, 721000300, '/app/locationActivity', 'com.apple.Maps');
INSERT INTO ZOBJECT (Z_PK, Z_ENT, Z_OPT, ZSOURCE, ZSTRUCTUREDMETADATA, ZSECONDSFROMGMT, ZSTARTDATE, ZENDDATE, ZSTREAMNAME, ZVALUESTRING)
  VALUES (11, 11, 1, NULL, 2, 32400, 721003600, 721003600, '/portrait/poi', NULL);
INSERT INTO ZOBJECT (Z_PK, Z_ENT, Z_OPT, ZSOURCE, ZSTRUCTUREDMETADATA, ZSECONDSFROMGMT, ZSTARTDATE, ZENDDATE, ZSTREAMNAME, ZVALUESTRING)
  VALUES (12, 11, 1, 1, 3, 32400, 721007200, 721007200, '/app/locationActivity', 'com.apple.Maps');
INSERT INTO ZOBJECT (Z_PK, Z_ENT, Z_OPT, ZSOURCE, ZSECONDSFROMGMT, ZSTARTDATE, ZENDDATE, ZSTREAMNAME, ZVALUESTRING)
  VALUES (13, 11, 1, 1, 32400, 721007300, 721007400, '/app/inFocus', 'com.apple.Maps');
)");
  }
  const std::string item = "private/var/mobile/Library/CoreDuet/Knowledge/knowledgeC.db";
  auto sink = test::run_parser("ios.knowledgec", p, item);
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 2);
  CHECK(sink.records.size() == 2);
  REQUIRE(sink.warnings.size() == 1);  // half a position (no longitude): a warning, the row is not a point
  CHECK(sink.warnings[0].source_table == "ZOBJECT");
  CHECK(sink.warnings[0].source_rowid == 12);

  const auto& [prov, pt] = points[0];
  CHECK(prov.item_path == item);
  CHECK(prov.item_sha256 == test::file_sha256(p));
  CHECK(prov.source_table == "ZOBJECT");
  CHECK(prov.source_rowid == 10);
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "ios.knowledgec");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(pt.latitude == Approx(35.658581).margin(1e-9));
  CHECK(pt.longitude == Approx(139.745433).margin(1e-9));
  CHECK_FALSE(pt.accuracy_m.has_value());
  CHECK_FALSE(pt.altitude_m.has_value());
  CHECK(pt.time.raw == "721000000");
  CHECK(pt.time.kind == EpochKind::cocoa_s);
  CHECK(pt.time.utc_iso() == "2023-11-06T21:46:40.000Z");
  CHECK(pt.kind == "place_viewed");
  CHECK(pt.source == "knowledgeC");
  CHECK(pt.label ==
        "東京タワー; 〒105-0011 東京都港区芝公園4丁目2-8; /app/locationActivity from com.apple.Maps; until "
        "2023-11-06T21:51:40.000Z; device zone offset 32400 s");

  const auto& poi = points[1].second;
  CHECK(points[1].first.source_rowid == 11);
  CHECK(poi.kind == "poi");
  CHECK(poi.label == "京都駅; /portrait/poi; until 2023-11-06T22:46:40.000Z; device zone offset 32400 s");
}

}  // namespace
}  // namespace kanshiki
