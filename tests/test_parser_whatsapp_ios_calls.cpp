// whatsapp.ios.calls: no real CallHistory.sqlite is available; the fixture has the tables and columns public
// tools read from real files (KnugiHK/WhatsApp-Chat-Exporter's iOS handler, iLEAPP's WhatsApp call module):
// ZWACDCALLEVENT, ZWAAGGREGATECALLEVENT, ZWACDCALLEVENTPARTICIPANT, in Core Data's column style.
#include "tests/ios2_test_util.h"

using namespace kanshiki;
using kanshiki::test::TempDir;
namespace ios2 = kanshiki::test::ios2;

namespace {

constexpr const char* kItem = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/CallHistory.sqlite";

constexpr const char* kDdl = R"(
CREATE TABLE ZWAAGGREGATECALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZINCOMING INTEGER, ZMISSED INTEGER, ZVIDEO INTEGER, ZFIRSTDATE TIMESTAMP );
CREATE TABLE ZWACDCALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZOUTCOME INTEGER, Z1CALLEVENTS INTEGER, ZBYTESRECEIVED INTEGER, ZBYTESSENT INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZCALLIDSTRING VARCHAR, ZGROUPCALLCREATORUSERJIDSTRING VARCHAR, ZGROUPJIDSTRING VARCHAR );
CREATE TABLE ZWACDCALLEVENTPARTICIPANT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZOUTCOME INTEGER, Z1PARTICIPANTS INTEGER, ZJIDSTRING VARCHAR );
)";

}  // namespace

TEST_CASE("whatsapp.ios.calls: one-to-one, missed video, group calls and a dangling aggregate",
          "[ios][whatsapp]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "CallHistory.sqlite", std::string(kDdl) + R"(
    INSERT INTO ZWAAGGREGATECALLEVENT (Z_PK, ZINCOMING, ZMISSED, ZVIDEO, ZFIRSTDATE)
      VALUES (1, 0, 0, 0, 736259696), (2, 1, 1, 1, 736260000), (3, 1, 0, 0, 736261000);
    INSERT INTO ZWACDCALLEVENTPARTICIPANT (Z_PK, ZOUTCOME, Z1PARTICIPANTS, ZJIDSTRING)
      VALUES (1, 0, 1, '819012345678@s.whatsapp.net'), (2, 1, 2, '100000000000001@lid'),
             (3, 0, 3, '818011112222@s.whatsapp.net'), (4, 0, 3, '817012345678@s.whatsapp.net');
    INSERT INTO ZWACDCALLEVENT (Z_PK, ZOUTCOME, Z1CALLEVENTS, ZDATE, ZDURATION, ZCALLIDSTRING, ZGROUPJIDSTRING)
      VALUES (1, 0, 1, 736259696.5, 62.6, 'CALL-1', NULL),
             (2, 1, 2, 736260000, 0, 'CALL-2', NULL),
             (3, 0, 3, 736261000, 300, 'CALL-3', '120363000000000001@g.us'),
             (4, 0, 77, 736262000, 5, 'CALL-4', NULL);
  )");
  auto sink = test::run_parser("whatsapp.ios.calls", file, kItem);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "ZWACDCALLEVENT");
  CHECK(sink.warnings[0].source_rowid == 4);
  CHECK(sink.warnings[0].message.find("aggregate call event 77") != std::string::npos);

  auto calls = sink.of_type<Call>();
  REQUIRE(calls.size() == 4);
  CHECK(sink.records.size() == 4);
  const auto& [p, c] = calls[0];
  ios2::check_live_provenance(p, kItem, file, "ZWACDCALLEVENT", 1, "whatsapp.ios.calls");
  CHECK(c.app == "whatsapp");
  CHECK(c.account.empty());
  CHECK(c.number == "819012345678@s.whatsapp.net");
  CHECK(c.number_e164 == "+819012345678");
  CHECK(c.name.empty());
  CHECK(c.direction == CallDirection::outgoing);
  CHECK(c.time.raw == "736259696.5");
  CHECK(c.time.kind == EpochKind::cocoa_s);
  CHECK(c.time.utc_us == int64_t{1714566896500000});
  CHECK(c.time.utc_iso() == "2024-05-01T12:34:56.500Z");
  CHECK(c.duration_s == 63);
  CHECK_FALSE(c.video);
  CHECK(c.country_iso.empty());

  CHECK(calls[1].second.direction == CallDirection::missed);
  CHECK(calls[1].second.video);
  CHECK(calls[1].second.number == "100000000000001@lid");
  CHECK(calls[1].second.number_e164.empty());  // a linked ID carries no number
  CHECK(calls[2].second.direction == CallDirection::incoming);
  CHECK(calls[2].second.number == "120363000000000001@g.us");
  CHECK(calls[2].second.number_e164.empty());
  CHECK(calls[3].second.direction == CallDirection::unknown);  // kept despite the missing aggregate
  CHECK(calls[3].second.number.empty());
  CHECK(calls[3].second.duration_s == 5);
}

TEST_CASE("whatsapp.ios.calls: a file without the participant table", "[ios][whatsapp]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "CallHistory.sqlite", std::string(kDdl) + R"(
    DROP TABLE ZWACDCALLEVENTPARTICIPANT;
    INSERT INTO ZWAAGGREGATECALLEVENT (Z_PK, ZINCOMING, ZMISSED, ZVIDEO) VALUES (1, 1, 0, 1);
    INSERT INTO ZWACDCALLEVENT (Z_PK, Z1CALLEVENTS, ZDATE, ZDURATION) VALUES (1, 1, 736259696, 10);)");
  auto sink = test::run_parser("whatsapp.ios.calls", file, kItem);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.of_type<Call>()[0].second.direction == CallDirection::incoming);
  CHECK(sink.of_type<Call>()[0].second.video);
}
