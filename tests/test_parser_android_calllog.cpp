// android.calllog: real calllog.db (Andriller, Android 7+ layout) and contacts2.db (plaso, Android 4.x), plus
// generated fixtures per variant. Fixture schemas are the CREATE TABLE statements of those real files (AOSP
// ContactsProvider CallLogDatabaseHelper / ContactsDatabaseHelper).
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

// calllog.db `calls` as in Andriller's real calllog.db (user_version 5, Android 7+).
const char* kCalllogDbSchema = R"(
CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT,number TEXT,presentation INTEGER NOT NULL DEFAULT 1,post_dial_digits TEXT NOT NULL DEFAULT '',via_number TEXT NOT NULL DEFAULT '',date INTEGER,duration INTEGER,data_usage INTEGER,type INTEGER,features INTEGER NOT NULL DEFAULT 0,subscription_component_name TEXT,subscription_id TEXT,phone_account_address TEXT,phone_account_hidden INTEGER NOT NULL DEFAULT 0,sub_id INTEGER DEFAULT -1,new INTEGER,name TEXT,numbertype INTEGER,numberlabel TEXT,countryiso TEXT,voicemail_uri TEXT,is_read INTEGER,geocoded_location TEXT,lookup_uri TEXT,matched_number TEXT,normalized_number TEXT,photo_id INTEGER NOT NULL DEFAULT 0,photo_uri TEXT,formatted_number TEXT,add_for_all_users INTEGER NOT NULL DEFAULT 1,last_modified INTEGER DEFAULT 0,_data TEXT,has_content INTEGER,mime_type TEXT,source_data TEXT,source_package TEXT,transcription TEXT,transcription_state INTEGER NOT NULL DEFAULT 0,state INTEGER,dirty INTEGER NOT NULL DEFAULT 0,deleted INTEGER NOT NULL DEFAULT 0,backed_up INTEGER NOT NULL DEFAULT 0,restored INTEGER NOT NULL DEFAULT 0,archived INTEGER NOT NULL DEFAULT 0,is_omtp_voicemail INTEGER NOT NULL DEFAULT 0,conference_call_id INTEGER NOT NULL DEFAULT -1,indicate_phone_or_sim_contact INTEGER NOT NULL DEFAULT -1,is_sdn_contact INTEGER NOT NULL DEFAULT 0);
CREATE TABLE android_metadata (locale TEXT);
)";

// contacts2.db `calls` as in plaso's real contacts2.db (Android 4.x: no `features`).
const char* kContacts2CallsSchema = R"(
CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT,number TEXT,date INTEGER,duration INTEGER,type INTEGER,new INTEGER,name TEXT,numbertype INTEGER,numberlabel TEXT,countryiso TEXT,voicemail_uri TEXT,is_read INTEGER,geocoded_location TEXT,lookup_uri TEXT,matched_number TEXT,normalized_number TEXT,photo_id INTEGER NOT NULL DEFAULT 0,formatted_number TEXT,_data TEXT,has_content INTEGER,mime_type TEXT,source_data TEXT,source_package TEXT,state INTEGER);
)";

// The contacts tables of contacts2.db (plaso's real file), enough to be recognised as one.
const char* kContacts2BaseSchema = R"(
CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT,account_name TEXT, account_type TEXT, data_set TEXT);
CREATE TABLE contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT,name_raw_contact_id INTEGER REFERENCES raw_contacts(_id),photo_id INTEGER REFERENCES data(_id),photo_file_id INTEGER REFERENCES photo_files(_id),custom_ringtone TEXT,send_to_voicemail INTEGER NOT NULL DEFAULT 0,times_contacted INTEGER NOT NULL DEFAULT 0,last_time_contacted INTEGER,starred INTEGER NOT NULL DEFAULT 0,has_phone_number INTEGER NOT NULL DEFAULT 0,lookup TEXT,status_update_id INTEGER REFERENCES data(_id), contact_last_updated_timestamp INTEGER);
CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT,mimetype TEXT NOT NULL);
)";

fs::path make_db(const fs::path& path, const std::string& sql) {
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(sql);
  return path;
}

}  // namespace

TEST_CASE("android.calllog: Andriller calllog.db (real, Android 7+, with features)", "[android][calllog]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "android_calllog/andriller/calllog.db");
  auto sink = test::run_parser("android.calllog", file,
                               "data/data/com.android.providers.contacts/databases/calllog.db");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 1);
  auto [prov, c] = record_at<Call>(sink, "calls", 1);
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == "data/data/com.android.providers.contacts/databases/calllog.db");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.item_sha256.rfind("4be578889748067d", 0) == 0);  // SOURCES.md
  CHECK(prov.source_table == "calls");
  CHECK(prov.source_rowid == 1);
  CHECK_FALSE(prov.source_offset);
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "android.calllog");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(c.app == "phone");
  CHECK(c.account.empty());
  CHECK(c.number == "+441234567890");
  CHECK(c.number_e164 == "+441234567890");
  CHECK(c.name == "Samuel Vimes");
  CHECK(c.direction == CallDirection::outgoing);
  CHECK(c.time.raw == "1588858433593");
  CHECK(c.time.kind == EpochKind::unix_ms);
  CHECK(c.time.utc_iso() == "2020-05-07T13:33:53.593Z");
  CHECK(c.duration_s == 0);
  CHECK_FALSE(c.video);
  CHECK(c.country_iso == "GB");
}

TEST_CASE("android.calllog: plaso contacts2.db (real, Android 4.x calls without features)",
          "[android][calllog]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "android_misc/plaso/contacts2.db");
  auto sink = test::run_parser("android.calllog", file);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 3);
  auto [prov, c] = record_at<Call>(sink, "calls", 715);
  CHECK(prov.item_path == "contacts2.db");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.source_table == "calls");
  CHECK(prov.source_rowid == 715);
  CHECK(prov.parser_id == "android.calllog");
  CHECK(prov.parser_version == "1.0.0");
  CHECK(c.app == "phone");
  CHECK(c.number == "5404561685");
  CHECK(c.number_e164 == "+15404561685");  // normalised with the call's countryiso (US)
  CHECK(c.name == "Barney");
  CHECK(c.direction == CallDirection::outgoing);
  CHECK(c.time.raw == "1383772733283");
  CHECK(c.time.kind == EpochKind::unix_ms);
  CHECK(c.time.utc_iso() == "2013-11-06T21:18:53.283Z");
  CHECK(c.duration_s == 126);
  CHECK_FALSE(c.video);
  CHECK(c.country_iso == "US");
  CHECK(record_at<Call>(sink, "calls", 714).second.direction == CallDirection::missed);
  CHECK(record_at<Call>(sink, "calls", 717).second.direction == CallDirection::incoming);
}

TEST_CASE("android.calllog: generated calllog.db (features variant) with Japanese names",
          "[android][calllog]") {
  test::TempDir dir;
  auto file = make_db(dir / "calllog.db", std::string(kCalllogDbSchema) + R"(
INSERT INTO calls (_id, number, date, duration, type, features, name, countryiso) VALUES
  (1, '090-1234-5678', 1714563296789, 95, 1, 1, '「ホワイト案件です。即日即金」', 'JP'),
  (2, '0120-123-456', 1714563300000, 0, 5, 0, '受け子', 'jp'),
  (3, '', 1714563310000, 0, 6, 0, NULL, NULL),
  (4, '03-1234-5678', 1714563320000, 30, 4, 0, NULL, ''),
  (5, '+12025550123', 1714563330000, 12, 2, 3, NULL, 'US');
)");
  auto sink = test::run_parser("android.calllog", file);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 5);
  auto [prov, c] = record_at<Call>(sink, "calls", 1);
  CHECK(prov.source_table == "calls");
  CHECK(c.name == "「ホワイト案件です。即日即金」");
  CHECK(c.number == "090-1234-5678");
  CHECK(c.number_e164 == "+819012345678");
  CHECK(c.direction == CallDirection::incoming);
  CHECK(c.video);
  CHECK(c.duration_s == 95);
  CHECK(c.time.utc_iso() == "2024-05-01T11:34:56.789Z");
  auto rejected = record_at<Call>(sink, "calls", 2).second;
  CHECK(rejected.direction == CallDirection::rejected);
  CHECK(rejected.number_e164 == "+81120123456");  // lower-case countryiso still means JP
  auto blocked = record_at<Call>(sink, "calls", 3).second;
  CHECK(blocked.direction == CallDirection::blocked);
  CHECK(blocked.number_e164.empty());
  auto voicemail = record_at<Call>(sink, "calls", 4).second;
  CHECK(voicemail.direction == CallDirection::missed);
  CHECK(voicemail.number_e164 == "+81312345678");  // empty countryiso: JP default
  auto video_out = record_at<Call>(sink, "calls", 5).second;
  CHECK(video_out.direction == CallDirection::outgoing);
  CHECK(video_out.video);  // features 3 = video | pulled externally
}

TEST_CASE("android.calllog: generated contacts2.db with and without `calls`", "[android][calllog]") {
  test::TempDir dir;
  SECTION("with calls (no features column): parsed") {
    auto file = make_db(dir / "contacts2.db", std::string(kContacts2BaseSchema) + kContacts2CallsSchema + R"(
INSERT INTO calls (_id, number, date, duration, type, name, countryiso)
  VALUES (3, '08011112222', 1714563296789, 61, 3, '「ホワイト案件です。即日即金」', 'JP');
)");
    auto sink = test::run_parser("android.calllog", file);
    CHECK(sink.warnings.empty());
    REQUIRE(sink.records.size() == 1);
    auto [prov, c] = record_at<Call>(sink, "calls", 3);
    CHECK(c.direction == CallDirection::missed);
    CHECK(c.number_e164 == "+818011112222");
    CHECK(c.name == "「ホワイト案件です。即日即金」");
    CHECK_FALSE(c.video);
  }
  SECTION("without calls (Android 7+ contacts2.db): nothing, and no warning") {
    auto file = make_db(dir / "contacts2.db", kContacts2BaseSchema);
    auto sink = test::run_parser("android.calllog", file);
    CHECK(sink.warnings.empty());
    CHECK(sink.records.empty());
  }
  SECTION("a calllog.db without calls is reported") {
    auto file = make_db(dir / "calllog.db", "CREATE TABLE android_metadata (locale TEXT);");
    auto sink = test::run_parser("android.calllog", file);
    CHECK(sink.records.empty());
    REQUIRE(sink.warnings.size() == 1);
    CHECK(sink.warnings[0].message.find("calls") != std::string::npos);
  }
}

TEST_CASE("android.calllog: malformed rows are warnings and parsing goes on", "[android][calllog]") {
  test::TempDir dir;
  auto file = make_db(dir / "calllog.db", std::string(kCalllogDbSchema) + R"(
INSERT INTO calls (_id, number, date, duration, type, features) VALUES
  (1, '09012345678', '2024/05/01 20:34', 10, 1, 0),
  (2, NULL, 1714563300000, NULL, 99, 0),
  (3, '09012345678', 1714563310000, 5, 2, 0);
)");
  auto sink = test::run_parser("android.calllog", file);
  CHECK(sink.records.size() == 3);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "calls");
  CHECK(sink.warnings[0].source_rowid == 1);
  CHECK(sink.warnings[0].message.find("2024/05/01 20:34") != std::string::npos);
  auto bad = record_at<Call>(sink, "calls", 1).second;
  CHECK(bad.time.raw == "2024/05/01 20:34");
  CHECK_FALSE(bad.time.utc_us);
  auto odd = record_at<Call>(sink, "calls", 2).second;
  CHECK(odd.number.empty());
  CHECK(odd.direction == CallDirection::unknown);
  CHECK_FALSE(odd.duration_s);
  CHECK(record_at<Call>(sink, "calls", 3).second.time.utc_iso() == "2024-05-01T11:35:10.000Z");
}

}  // namespace kanshiki
