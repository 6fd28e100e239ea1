// android.contacts: the only real contacts2.db available (plaso) has no `raw_contacts` (trimmed test file),
// so real data proves the "schema not recognised" path; generated fixtures prove each schema variant. Fixture
// schemas: `data`, `mimetypes`, `accounts` as in plaso's real contacts2.db; `raw_contacts` from AOSP
// ContactsProvider ContactsDatabaseHelper.java (Android 10+: account_id + x_times_contacted; Android 4.3-9:
// account_id + times_contacted; up to 4.2: account_name/account_type in the row).
#include <catch2/catch.hpp>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

template <typename T>
std::pair<Provenance, T> record_at(const CollectingSink& sink, std::string_view table, int64_t rowid) {
  for (const auto& [prov, item] : sink.of_type<T>())
    if (prov.source_table == table && prov.source_rowid == rowid) return {prov, item};
  FAIL("no record from " << table << " row " << rowid);
  return {};
}

const char* kCommonSchema = R"(
CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT,account_name TEXT, account_type TEXT, data_set TEXT);
CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT,mimetype TEXT NOT NULL);
CREATE UNIQUE INDEX mime_type ON mimetypes (mimetype);
CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT,package_id INTEGER REFERENCES package(_id),mimetype_id INTEGER REFERENCES mimetype(_id) NOT NULL,raw_contact_id INTEGER REFERENCES raw_contacts(_id) NOT NULL,is_read_only INTEGER NOT NULL DEFAULT 0,is_primary INTEGER NOT NULL DEFAULT 0,is_super_primary INTEGER NOT NULL DEFAULT 0,data_version INTEGER NOT NULL DEFAULT 0,data1 TEXT,data2 TEXT,data3 TEXT,data4 TEXT,data5 TEXT,data6 TEXT,data7 TEXT,data8 TEXT,data9 TEXT,data10 TEXT,data11 TEXT,data12 TEXT,data13 TEXT,data14 TEXT,data15 TEXT,data_sync1 TEXT, data_sync2 TEXT, data_sync3 TEXT, data_sync4 TEXT );
CREATE INDEX data_raw_contact_id ON data (raw_contact_id);
)";

const char* kRawContactsAndroid10 = R"(
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT,account_id INTEGER REFERENCES accounts(_id),sourceid TEXT,backup_id TEXT,raw_contact_is_read_only INTEGER NOT NULL DEFAULT 0,version INTEGER NOT NULL DEFAULT 1,dirty INTEGER NOT NULL DEFAULT 0,deleted INTEGER NOT NULL DEFAULT 0,metadata_dirty INTEGER NOT NULL DEFAULT 0,contact_id INTEGER REFERENCES contacts(_id),aggregation_mode INTEGER NOT NULL DEFAULT 0,aggregation_needed INTEGER NOT NULL DEFAULT 1,custom_ringtone TEXT,send_to_voicemail INTEGER NOT NULL DEFAULT 0,x_times_contacted INTEGER NOT NULL DEFAULT 0,x_last_time_contacted INTEGER,times_contacted INTEGER NOT NULL DEFAULT 0,last_time_contacted INTEGER,starred INTEGER NOT NULL DEFAULT 0,pinned INTEGER NOT NULL DEFAULT 0,display_name TEXT,display_name_alt TEXT,display_name_source INTEGER NOT NULL DEFAULT 0,phonetic_name TEXT,phonetic_name_style TEXT,sort_key TEXT,phonebook_label TEXT,phonebook_bucket INTEGER,sort_key_alt TEXT,phonebook_label_alt TEXT,phonebook_bucket_alt INTEGER,name_verified INTEGER NOT NULL DEFAULT 0,sync1 TEXT, sync2 TEXT, sync3 TEXT, sync4 TEXT );
)";

const char* kRawContactsAndroid9 = R"(
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT,account_id INTEGER REFERENCES accounts(_id),sourceid TEXT,backup_id TEXT,raw_contact_is_read_only INTEGER NOT NULL DEFAULT 0,version INTEGER NOT NULL DEFAULT 1,dirty INTEGER NOT NULL DEFAULT 0,deleted INTEGER NOT NULL DEFAULT 0,metadata_dirty INTEGER NOT NULL DEFAULT 0,contact_id INTEGER REFERENCES contacts(_id),aggregation_mode INTEGER NOT NULL DEFAULT 0,aggregation_needed INTEGER NOT NULL DEFAULT 1,custom_ringtone TEXT,send_to_voicemail INTEGER NOT NULL DEFAULT 0,times_contacted INTEGER NOT NULL DEFAULT 0,last_time_contacted INTEGER,starred INTEGER NOT NULL DEFAULT 0,pinned INTEGER NOT NULL DEFAULT 0,display_name TEXT,display_name_alt TEXT,display_name_source INTEGER NOT NULL DEFAULT 0,phonetic_name TEXT,phonetic_name_style TEXT,sort_key TEXT,phonebook_label TEXT,phonebook_bucket INTEGER,sort_key_alt TEXT,phonebook_label_alt TEXT,phonebook_bucket_alt INTEGER,name_verified INTEGER NOT NULL DEFAULT 0,sync1 TEXT, sync2 TEXT, sync3 TEXT, sync4 TEXT );
)";

const char* kRawContactsAndroid42 = R"(
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT,is_restricted INTEGER DEFAULT 0,account_name STRING DEFAULT NULL, account_type STRING DEFAULT NULL, sourceid TEXT,version INTEGER NOT NULL DEFAULT 1,dirty INTEGER NOT NULL DEFAULT 0,deleted INTEGER NOT NULL DEFAULT 0,contact_id INTEGER REFERENCES contacts(_id),aggregation_mode INTEGER NOT NULL DEFAULT 0,aggregation_needed INTEGER NOT NULL DEFAULT 1,custom_ringtone TEXT,send_to_voicemail INTEGER NOT NULL DEFAULT 0,times_contacted INTEGER NOT NULL DEFAULT 0,last_time_contacted INTEGER,starred INTEGER NOT NULL DEFAULT 0,display_name TEXT,display_name_alt TEXT,display_name_source INTEGER NOT NULL DEFAULT 0,phonetic_name TEXT,phonetic_name_style TEXT,sort_key TEXT,sort_key_alt TEXT,name_verified INTEGER NOT NULL DEFAULT 0,sync1 TEXT, sync2 TEXT, sync3 TEXT, sync4 TEXT );
)";

// mimetypes ids are assigned by the provider in first-use order; these are arbitrary but consistent.
const char* kMimetypes = R"(
INSERT INTO mimetypes VALUES (1, 'vnd.android.cursor.item/email_v2'), (5, 'vnd.android.cursor.item/phone_v2'),
  (6, 'vnd.android.cursor.item/name'), (7, 'vnd.android.cursor.item/organization'),
  (8, 'vnd.android.cursor.item/note'), (9, 'vnd.android.cursor.item/nickname');
)";

// Data rows for raw contacts 1 (full), 2 (deleted, display name only) and 3 (no data rows).
const char* kData = R"(
INSERT INTO data (_id, mimetype_id, raw_contact_id, data1, data2, data3, data4) VALUES
  (10, 6, 1, '山田 太郎', '太郎', '山田', NULL),
  (11, 5, 1, '090-1234-5678', '2', NULL, '+819012345678'),
  (12, 5, 1, '03-1234-5678', '3', NULL, '+81312345678'),
  (13, 1, 1, 'taro@example.jp', '1', NULL, NULL),
  (14, 7, 1, '株式会社ホワイト', NULL, NULL, '営業部長'),
  (15, 8, 1, '「ホワイト案件です。即日即金」', NULL, NULL, NULL),
  (16, 9, 1, 'タロー', NULL, NULL, NULL),
  (20, 5, 2, '080-1111-2222', '2', NULL, NULL);
)";

fs::path make_db(const fs::path& path, const std::string& sql) {
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(sql);
  return path;
}

void check_full_contact(const Contact& c) {
  CHECK(c.app == "contacts");
  CHECK(c.account == "taro.account@gmail.com");
  CHECK(c.name == "山田 太郎");
  CHECK(c.phones == std::vector<std::string>{"090-1234-5678", "03-1234-5678"});
  CHECK(c.emails == std::vector<std::string>{"taro@example.jp"});
  CHECK(c.organization == "株式会社ホワイト, 営業部長");
  CHECK(c.note == "「ホワイト案件です。即日即金」");
  CHECK(c.note.size() == std::string_view("「ホワイト案件です。即日即金」").size());
  CHECK(c.times_contacted == 4);
  CHECK(c.last_contacted.raw == "1714563296789");
  CHECK(c.last_contacted.kind == EpochKind::unix_ms);
  CHECK(c.last_contacted.utc_iso() == "2024-05-01T11:34:56.789Z");
}

}  // namespace

TEST_CASE("android.contacts: plaso contacts2.db (real, trimmed: no raw_contacts) is one clear warning",
          "[android][contacts]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "android_misc/plaso/contacts2.db");
  auto sink = test::run_parser("android.contacts", file);
  CHECK(sink.records.empty());  // SOURCES.md: contacts=0, data=0; plaso removed raw_contacts from its copy
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].parser_id == "android.contacts");
  CHECK(sink.warnings[0].item_path == "contacts2.db");
  CHECK(sink.warnings[0].message.find("table `raw_contacts` is missing") != std::string::npos);
}

TEST_CASE("android.contacts: generated Android 10+ contacts2.db", "[android][contacts]") {
  test::TempDir dir;
  auto file = make_db(dir / "contacts2.db",
                      std::string(kCommonSchema) + kRawContactsAndroid10 + kMimetypes + kData + R"(
INSERT INTO accounts VALUES (1, 'taro.account@gmail.com', 'com.google', NULL);
INSERT INTO raw_contacts (_id, account_id, deleted, display_name, x_times_contacted, x_last_time_contacted,
                          times_contacted, last_time_contacted)
  VALUES (1, 1, 0, '山田太郎(表示名)', 4, 1714563296789, 0, 1714521600000),
         (2, 1, 1, '受け子', 0, NULL, 0, NULL),
         (3, NULL, 0, NULL, 0, NULL, 0, NULL);
)");
  auto sink = test::run_parser("android.contacts", file,
                               "data/data/com.android.providers.contacts/databases/contacts2.db");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 3);
  auto [prov, c] = record_at<Contact>(sink, "raw_contacts", 1);
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == "data/data/com.android.providers.contacts/databases/contacts2.db");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.source_table == "raw_contacts");
  CHECK(prov.source_rowid == 1);
  CHECK_FALSE(prov.source_offset);
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "android.contacts");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  check_full_contact(c);  // x_ columns win over the rounded ones

  auto deleted = record_at<Contact>(sink, "raw_contacts", 2).second;
  CHECK(deleted.name == "受け子");  // no name row: raw_contacts.display_name
  CHECK(deleted.phones == std::vector<std::string>{"080-1111-2222"});
  CHECK(deleted.note == "[deleted in the app: raw_contacts.deleted=1]");
  CHECK(deleted.times_contacted == 0);
  CHECK(deleted.last_contacted.empty());

  auto bare = record_at<Contact>(sink, "raw_contacts", 3).second;
  CHECK(bare.name.empty());
  CHECK(bare.account.empty());
  CHECK(bare.phones.empty());
}

TEST_CASE("android.contacts: generated Android 4.3-9 and 4.2 contacts2.db", "[android][contacts]") {
  test::TempDir dir;
  SECTION("Android 4.3-9: accounts table, times_contacted") {
    auto file = make_db(dir / "contacts2.db",
                        std::string(kCommonSchema) + kRawContactsAndroid9 + kMimetypes + kData + R"(
INSERT INTO accounts VALUES (3, 'taro.account@gmail.com', 'com.google', NULL);
INSERT INTO raw_contacts (_id, account_id, deleted, display_name, times_contacted, last_time_contacted)
  VALUES (1, 3, 0, '山田太郎', 4, 1714563296789);
)");
    auto sink = test::run_parser("android.contacts", file);
    CHECK(sink.warnings.empty());
    REQUIRE(sink.records.size() == 1);
    check_full_contact(record_at<Contact>(sink, "raw_contacts", 1).second);
  }
  SECTION("up to Android 4.2: account name in raw_contacts") {
    auto file = make_db(dir / "contacts2.db",
                        std::string(kCommonSchema) + kRawContactsAndroid42 + kMimetypes + kData + R"(
INSERT INTO raw_contacts (_id, account_name, account_type, deleted, display_name, times_contacted, last_time_contacted)
  VALUES (1, 'taro.account@gmail.com', 'com.google', 0, '山田太郎', 4, 1714563296789);
)");
    auto sink = test::run_parser("android.contacts", file);
    CHECK(sink.warnings.empty());
    REQUIRE(sink.records.size() == 1);
    check_full_contact(record_at<Contact>(sink, "raw_contacts", 1).second);
  }
}

TEST_CASE("android.contacts: malformed rows are warnings and parsing goes on", "[android][contacts]") {
  test::TempDir dir;
  auto file =
      make_db(dir / "contacts2.db", std::string(kCommonSchema) + kRawContactsAndroid9 + kMimetypes + R"(
INSERT INTO raw_contacts (_id, deleted, display_name, times_contacted, last_time_contacted)
  VALUES (1, 0, '日付が壊れている', 1, 'きのう'), (2, 0, '正常', 2, 1714563296789);
INSERT INTO data (_id, mimetype_id, raw_contact_id, data1) VALUES (1, 5, 1, NULL), (2, 5, 2, '09012345678');
)");
  auto sink = test::run_parser("android.contacts", file);
  CHECK(sink.records.size() == 2);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "raw_contacts");
  CHECK(sink.warnings[0].source_rowid == 1);
  CHECK(sink.warnings[0].message.find("きのう") != std::string::npos);
  auto bad = record_at<Contact>(sink, "raw_contacts", 1).second;
  CHECK(bad.name == "日付が壊れている");
  CHECK(bad.last_contacted.raw == "きのう");
  CHECK_FALSE(bad.last_contacted.utc_us);
  CHECK(bad.phones.empty());  // a NULL number is not a phone
  CHECK(record_at<Contact>(sink, "raw_contacts", 2).second.phones == std::vector<std::string>{"09012345678"});
}

}  // namespace kanshiki
