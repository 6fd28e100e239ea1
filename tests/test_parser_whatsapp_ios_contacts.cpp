// whatsapp.ios.contacts: the real ContactsV2.sqlite of the MVT iOS test backup, and fixtures built from its
// DDL (current and older column sets) with Japanese names and a row without any identifier.
#include "tests/ios2_test_util.h"

using namespace kanshiki;
using kanshiki::test::TempDir;
namespace ios2 = kanshiki::test::ios2;

namespace {

constexpr const char* kItem = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ContactsV2.sqlite";

// Column for column as in the real MVT file.
constexpr const char* kDdl = R"(CREATE TABLE ZWAADDRESSBOOKCONTACT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER,
  Z_OPT INTEGER, ZFULLNAME BLOB, ZGIVENNAME BLOB, ZLASTNAME BLOB, ZUSERNAME BLOB, ZBUSINESSNAME BLOB,
  ZPHONENUMBER BLOB, ZLOCALIZEDPHONENUMBER BLOB, ZWHATSAPPID BLOB, ZLID BLOB, ZABOUTTEXT BLOB, ZABOUTEMOJI BLOB,
  ZNOTES BLOB, ZDISAPPEARINGMODEDURATION REAL, ZDISAPPEARINGMODETIMESTAMP REAL, ZABOUTTIMESTAMP REAL,
  ZABOUTEXPIRATIONTIMESTAMP REAL, ZLASTUPDATED REAL, ZPHONESTATUS INTEGER, ZSYNCPOLICY INTEGER );)";

}  // namespace

TEST_CASE("whatsapp.ios.contacts: real ContactsV2.sqlite from the MVT iOS backup", "[ios][whatsapp]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "ios_backup/mvt_ios_backup/b8/b8548dc30aa1030df0ce18ef08b882cf7ab5212f");
  auto sink = test::run_parser("whatsapp.ios.contacts", file, kItem);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 2);
  auto contacts = sink.of_type<Contact>();
  REQUIRE(contacts.size() == 2);
  const auto& [p, c] = contacts[0];
  ios2::check_live_provenance(p, kItem, file, "ZWAADDRESSBOOKCONTACT", 1, "whatsapp.ios.contacts");
  CHECK(c.app == "whatsapp");
  CHECK(c.account.empty());
  CHECK(c.name == "Alice Example");
  CHECK(c.phones == std::vector<std::string>{"+14155550100"});  // the JID's number is the same
  CHECK(c.emails.empty());
  CHECK(c.organization.empty());
  CHECK(c.note ==
        "WhatsApp JID: 14155550100@s.whatsapp.net\nWhatsApp LID: 100000000000001@lid\nWhatsApp username: "
        "alice.example\nabout: Hey there! I am using WhatsApp.");
  CHECK(c.last_contacted.empty());
  CHECK_FALSE(c.times_contacted);
  CHECK(contacts[1].second.name == "Bob Example");
  CHECK(contacts[1].second.note == "WhatsApp JID: 14155550101@s.whatsapp.net");
}

TEST_CASE("whatsapp.ios.contacts: Japanese names, older schema and a row without identifiers",
          "[ios][whatsapp]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "ContactsV2.sqlite", std::string(kDdl) + R"(
    INSERT INTO ZWAADDRESSBOOKCONTACT (Z_PK, ZFULLNAME, ZGIVENNAME, ZLASTNAME, ZBUSINESSNAME, ZPHONENUMBER,
        ZWHATSAPPID, ZNOTES)
      VALUES (1, CAST('山田 太郎' AS BLOB), '太郎', '山田', '山田商事', '090-1234-5678', '819012345678@s.whatsapp.net',
              '受け子の連絡役'),
             (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
             (3, NULL, '花子', '佐藤', NULL, NULL, '818011112222@s.whatsapp.net', NULL);)");
  auto sink = test::run_parser("whatsapp.ios.contacts", file, kItem);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "ZWAADDRESSBOOKCONTACT");
  CHECK(sink.warnings[0].source_rowid == 2);
  auto contacts = sink.of_type<Contact>();
  REQUIRE(contacts.size() == 3);  // the row without identifiers is still reported
  const auto& c = contacts[0].second;
  CHECK(c.name ==
        "\xe5\xb1\xb1\xe7\x94\xb0\x20\xe5\xa4\xaa\xe9\x83\x8e");  // 山田 太郎, byte-exact from a BLOB
  CHECK(c.organization == "山田商事");
  CHECK(c.phones == std::vector<std::string>{"090-1234-5678", "+819012345678"});
  CHECK(c.note == "受け子の連絡役\nWhatsApp JID: 819012345678@s.whatsapp.net");
  CHECK(contacts[2].second.name == "佐藤 花子");  // family name first for Japanese names
  CHECK(contacts[2].second.phones == std::vector<std::string>{"+818011112222"});

  // Older app versions: no ZLID/ZUSERNAME/ZNOTES.
  auto old =
      ios2::make_db(dir, "old.sqlite", R"(CREATE TABLE ZWAADDRESSBOOKCONTACT ( Z_PK INTEGER PRIMARY KEY,
    Z_ENT INTEGER, Z_OPT INTEGER, ZFULLNAME VARCHAR, ZGIVENNAME VARCHAR, ZLASTNAME VARCHAR, ZBUSINESSNAME VARCHAR,
    ZPHONENUMBER VARCHAR, ZWHATSAPPID VARCHAR, ZABOUTTEXT VARCHAR );
    INSERT INTO ZWAADDRESSBOOKCONTACT (Z_PK, ZFULLNAME, ZWHATSAPPID) VALUES (5, '鈴木', '817012345678@s.whatsapp.net');)");
  auto old_sink = test::run_parser("whatsapp.ios.contacts", old, kItem);
  CHECK(old_sink.warnings.empty());
  REQUIRE(old_sink.records.size() == 1);
  CHECK(old_sink.of_type<Contact>()[0].second.phones == std::vector<std::string>{"+817012345678"});
  CHECK(old_sink.of_type<Contact>()[0].first.source_rowid == 5);
}
