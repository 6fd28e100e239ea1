// ios.addressbook: no real AddressBook.sqlitedb is available; the fixture uses the ABPerson, ABMultiValue and
// ABMultiValueLabel DDL that Apple's AddressBook framework creates (the statements are strings in the
// framework binary, listed in blacktop/ipsw-diffs; the same DDL is in dumps of real databases), with Japanese
// names, a company card and a malformed multi-value row.
#include "tests/ios2_test_util.h"

using namespace kanshiki;
using kanshiki::test::TempDir;
namespace ios2 = kanshiki::test::ios2;

namespace {

constexpr const char* kItem = "HomeDomain/Library/AddressBook/AddressBook.sqlitedb";

constexpr const char* kDdl = R"(
CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, FirstPhonetic TEXT, MiddlePhonetic TEXT, LastPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, Birthday TEXT, JobTitle TEXT, Nickname TEXT, Prefix TEXT, Suffix TEXT, FirstSort TEXT, LastSort TEXT, CreationDate INTEGER, ModificationDate INTEGER, CompositeNameFallback TEXT, ExternalIdentifier TEXT, StoreID INTEGER, DisplayName TEXT, FirstSortSection TEXT, LastSortSection TEXT, FirstSortLanguageIndex INTEGER DEFAULT 2147483647, LastSortLanguageIndex INTEGER DEFAULT 2147483647);
CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT);
CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value));
INSERT INTO ABMultiValueLabel VALUES('_$!<Mobile>!$_');
INSERT INTO ABMultiValueLabel VALUES('_$!<Home>!$_');
)";

}  // namespace

TEST_CASE("ios.addressbook: Japanese and Western names, company card, phones, e-mails, malformed value",
          "[ios]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "AddressBook.sqlitedb", std::string(kDdl) + R"(
    INSERT INTO ABPerson (ROWID, First, Last, FirstPhonetic, LastPhonetic, Organization, Note, Kind, CreationDate,
        ModificationDate)
      VALUES (1, '太郎', '山田', 'タロウ', 'ヤマダ', '山田商事', '運び屋。駅で会う', 0, 736259696, 736259696),
             (2, 'John', 'Smith', NULL, NULL, NULL, NULL, 0, 736259700, 736259700),
             (3, NULL, NULL, NULL, NULL, '株式会社ホワイト', NULL, 1, 736259710, 736259710),
             (4, 'ハナコ', NULL, NULL, NULL, NULL, NULL, 0, 736259720, 736259720);
    INSERT INTO ABMultiValue (UID, record_id, property, identifier, label, value)
      VALUES (1, 1, 3, 0, 1, '090-1234-5678'), (2, 1, 4, 1, 2, 'taro@example.jp'), (3, 1, 3, 2, 2, '03-1234-5678'),
             (4, 1, 5, 3, NULL, 'address entry, not read'), (5, 2, 3, 0, 1, '+1 415 555 0100'),
             (6, 4, 3, 0, 1, NULL), (7, 4, 4, 1, NULL, 'hanako@example.jp');
  )");
  auto sink = test::run_parser("ios.addressbook", file, kItem);
  // Person 4's phone entry has no value: one warning on that person, the contact is still reported.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "ABPerson");
  CHECK(sink.warnings[0].source_rowid == 4);
  CHECK(sink.warnings[0].message.find("ABMultiValue 6") != std::string::npos);

  auto contacts = sink.of_type<Contact>();
  REQUIRE(contacts.size() == 4);
  CHECK(sink.records.size() == 4);
  const auto& [p, c] = contacts[0];
  ios2::check_live_provenance(p, kItem, file, "ABPerson", 1, "ios.addressbook");
  CHECK(c.app == "contacts");
  CHECK(c.account.empty());
  CHECK(c.name ==
        "\xe5\xb1\xb1\xe7\x94\xb0\x20\xe5\xa4\xaa\xe9\x83\x8e");  // 山田 太郎: family name first, byte-exact
  CHECK(c.phones == std::vector<std::string>{"090-1234-5678", "03-1234-5678"});
  CHECK(c.emails == std::vector<std::string>{"taro@example.jp"});
  CHECK(c.organization == "山田商事");
  CHECK(c.note == "運び屋。駅で会う");
  CHECK(c.last_contacted.empty());
  CHECK_FALSE(c.times_contacted);

  CHECK(contacts[1].second.name == "John Smith");
  CHECK(contacts[1].second.phones == std::vector<std::string>{"+1 415 555 0100"});
  CHECK(contacts[2].second.name == "株式会社ホワイト");
  CHECK(contacts[2].second.organization == "株式会社ホワイト");
  CHECK(contacts[3].second.name == "ハナコ");
  CHECK(contacts[3].second.phones.empty());
  CHECK(contacts[3].second.emails == std::vector<std::string>{"hanako@example.jp"});
}

TEST_CASE("ios.addressbook: a database without ABMultiValue is a warning naming it", "[ios]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "AddressBook.sqlitedb",
                            "CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT, Last TEXT);");
  auto sink = test::run_parser("ios.addressbook", file, kItem);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("ABMultiValue") != std::string::npos);
  CHECK(sink.records.empty());
}
