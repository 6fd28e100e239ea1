// ios.callhistory: no real CallHistory.storedata is available; the fixture uses ZCALLRECORD exactly as dumped
// from a real iOS 11.2 device (richinfante/iphonebackuptools, schemas/calls/calls_11.2.sql), with ZADDRESS as
// a BLOB the way iOS stores it.
#include "tests/ios2_test_util.h"

using namespace kanshiki;
using kanshiki::test::TempDir;
namespace ios2 = kanshiki::test::ios2;

namespace {

constexpr const char* kItem = "HomeDomain/Library/CallHistoryDB/CallHistory.storedata";

constexpr const char* kDdl =
    R"(CREATE TABLE ZCALLRECORD ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZANSWERED INTEGER, ZCALL_CATEGORY INTEGER, ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA INTEGER,
  ZHANDLE_TYPE INTEGER, ZNUMBER_AVAILABILITY INTEGER, ZORIGINATED INTEGER, ZREAD INTEGER, ZDATE TIMESTAMP,
  ZDURATION FLOAT, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR, ZLOCATION VARCHAR, ZNAME VARCHAR,
  ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR UNIQUE, ZADDRESS BLOB );
CREATE INDEX Z_CallRecord_date ON ZCALLRECORD (ZDATE COLLATE BINARY ASC);)";

}  // namespace

TEST_CASE("ios.callhistory: phone, FaceTime, missed, CallKit and a malformed row (iOS 11 schema)", "[ios]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "CallHistory.storedata", std::string(kDdl) + R"(
    INSERT INTO ZCALLRECORD (Z_PK, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZDATE, ZDURATION, ZISO_COUNTRY_CODE, ZNAME,
        ZSERVICE_PROVIDER, ZUNIQUE_ID, ZADDRESS)
      VALUES (1, 1, 1, 0, 736259696.789, 125.4, 'jp', '山田 太郎', 'com.apple.Telephony', 'U1', CAST('09012345678' AS BLOB)),
             (2, 0, 1, 0, 736260000, 0, 'jp', NULL, 'com.apple.Telephony', 'U2', CAST('+81 80-1111-2222' AS BLOB)),
             (3, 0, 8, 1, 736261000, 30, NULL, NULL, 'com.apple.FaceTime', 'U3', CAST('suspect@example.jp' AS BLOB)),
             (4, 1, 16, 0, 736262000, 60, 'jp', NULL, NULL, 'U4', CAST('0312345678' AS BLOB)),
             (5, 1, 1, 1, 736263000, 10, 'jp', NULL, 'net.whatsapp.WhatsApp', 'U5', CAST('山田' AS BLOB)),
             (6, 1, 1, NULL, 'not a time', 10, 'jp', NULL, 'com.apple.Telephony', 'U6', CAST('0120123456' AS BLOB));
  )");
  auto sink = test::run_parser("ios.callhistory", file, kItem);
  // Row 6: its time is not a number and its direction is unknown; both are warnings, the call is kept.
  REQUIRE(sink.warnings.size() == 2);
  CHECK(sink.warnings[0].source_table == "ZCALLRECORD");
  CHECK(sink.warnings[0].source_rowid == 6);
  CHECK(sink.warnings[0].message.find("not a time") != std::string::npos);
  CHECK(sink.warnings[1].message.find("ZORIGINATED") != std::string::npos);

  auto calls = sink.of_type<Call>();
  REQUIRE(calls.size() == 6);
  CHECK(sink.records.size() == 6);
  const auto& [p, c] = calls[0];
  ios2::check_live_provenance(p, kItem, file, "ZCALLRECORD", 1, "ios.callhistory");
  CHECK(c.app == "phone");
  CHECK(c.account.empty());
  CHECK(c.number == "09012345678");
  CHECK(c.number_e164 == "+819012345678");
  CHECK(c.name == "\xe5\xb1\xb1\xe7\x94\xb0\x20\xe5\xa4\xaa\xe9\x83\x8e");  // 山田 太郎, byte-exact
  CHECK(c.direction == CallDirection::incoming);
  CHECK(c.time.raw == "736259696.789");
  CHECK(c.time.kind == EpochKind::cocoa_s);
  CHECK(c.time.utc_iso() == "2024-05-01T12:34:56.789Z");
  CHECK(c.duration_s == 125);
  CHECK_FALSE(c.video);
  CHECK(c.country_iso == "jp");

  CHECK(calls[1].second.direction == CallDirection::missed);
  CHECK(calls[1].second.number == "+81 80-1111-2222");
  CHECK(calls[1].second.number_e164 == "+818011112222");
  CHECK(calls[2].second.app == "facetime");
  CHECK(calls[2].second.video);
  CHECK(calls[2].second.direction == CallDirection::outgoing);
  CHECK(calls[2].second.number_e164.empty());  // an e-mail handle
  CHECK(calls[3].second.app == "facetime");    // FaceTime audio, no provider recorded
  CHECK_FALSE(calls[3].second.video);
  CHECK(calls[4].second.app == "net.whatsapp.WhatsApp");
  CHECK(calls[4].second.number == "山田");
  CHECK(calls[5].second.direction == CallDirection::unknown);
  CHECK(calls[5].second.time.raw == "not a time");
  CHECK_FALSE(calls[5].second.time.utc_us);
}

TEST_CASE("ios.callhistory: ZCALLRECORD without provider columns", "[ios]") {
  TempDir dir;
  auto file =
      ios2::make_db(dir, "CallHistory.storedata", R"(CREATE TABLE ZCALLRECORD ( Z_PK INTEGER PRIMARY KEY,
    Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER, ZCALLTYPE INTEGER, ZORIGINATED INTEGER, ZDATE TIMESTAMP,
    ZDURATION FLOAT, ZADDRESS BLOB );
    INSERT INTO ZCALLRECORD VALUES (1, 1, 1, 0, 1, 0, 420000000, 0, '09012345678');)");
  auto sink = test::run_parser("ios.callhistory", file, kItem);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 1);
  const auto calls = sink.of_type<Call>();  // a copy: a reference into the temporary would dangle (ASan)
  const auto& c = calls[0].second;
  CHECK(c.app == "phone");
  CHECK(c.direction == CallDirection::missed);
  CHECK(c.number_e164 == "+819012345678");
  CHECK(c.time.utc_iso() == "2014-04-24T02:40:00.000Z");
}
