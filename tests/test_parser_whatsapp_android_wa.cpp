// whatsapp.android.contacts: the real lab-whatsapp wa.db plus generated fixtures. The fixture schema is the
// app's CREATE TABLE wa_contacts copied from that real file (user_version 28); the older variant is the same
// table without the columns later versions added (wa_name, given_name, family_name and those after them).
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

const char* kJapanese = "「ホワイト案件です。即日即金」";

const char* kSchemaV28 = R"(
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, is_whatsapp_user BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, number TEXT, raw_contact_id INTEGER, display_name TEXT, phone_type INTEGER, phone_label TEXT, unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER, photo_id_timestamp INTEGER, given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT, company TEXT, title TEXT, status_autodownload_disabled INTEGER, keep_timestamp INTEGER, is_spam_reported INTEGER, is_sidelist_synced BOOLEAN DEFAULT 0, is_business_synced BOOLEAN DEFAULT 0);
)";

const char* kSchemaOld = R"(
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, is_whatsapp_user BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, number TEXT, raw_contact_id INTEGER, display_name TEXT, phone_type INTEGER, phone_label TEXT, unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER, photo_id_timestamp INTEGER);
)";

fs::path make_db(const fs::path& path, const std::string& sql) {
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(sql);
  return path;
}

}  // namespace

TEST_CASE("whatsapp.android.contacts: lab-whatsapp wa.db (real)", "[whatsapp]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "whatsapp_android/lab-whatsapp/wa.db");
  auto sink = test::run_parser("whatsapp.android.contacts", file, "data/data/com.whatsapp/databases/wa.db");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 10);  // 11 rows minus the status@broadcast pseudo-contact

  auto [prov, c] = record_at<Contact>(sink, "wa_contacts", 1);
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == "data/data/com.whatsapp/databases/wa.db");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.item_sha256.rfind("b117563ce999f511", 0) == 0);  // SOURCES.md
  CHECK(prov.source_table == "wa_contacts");
  CHECK(prov.source_rowid == 1);
  CHECK_FALSE(prov.source_offset);
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "whatsapp.android.contacts");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(c.app == "whatsapp");
  CHECK(c.account.empty());
  CHECK(c.name == "Leonardo Nery");
  CHECK(c.phones == std::vector<std::string>{"991880126", "+5511991880126"});
  CHECK(c.emails.empty());
  CHECK(c.organization.empty());
  CHECK(c.note ==
        "WhatsApp JID: 5511991880126@s.whatsapp.net\nWhatsApp user\nWhatsApp name: Leonardo Nery\nabout: Na "
        "academia");
  CHECK(c.last_contacted.empty());
  CHECK_FALSE(c.times_contacted);

  auto wa_only = record_at<Contact>(sink, "wa_contacts", 5).second;
  CHECK(wa_only.name ==
        "Robert🙋‍♂🦉👉🏻❤");  // no address-book name: the account's own name, byte-exact
  CHECK(wa_only.phones == std::vector<std::string>{"+558599669962"});
  auto not_user = record_at<Contact>(sink, "wa_contacts", 10).second;
  CHECK(not_user.name == "Marcelo");
  CHECK(not_user.note.find("not a WhatsApp user") != std::string::npos);
}

TEST_CASE("whatsapp.android.contacts: generated wa.db, current and older wa_contacts", "[whatsapp]") {
  test::TempDir dir;
  SECTION("with wa_name/given_name/family_name") {
    auto file = make_db(dir / "wa.db", std::string(kSchemaV28) + R"(
INSERT INTO wa_contacts (_id, jid, is_whatsapp_user, status, number, display_name, given_name, family_name, wa_name) VALUES
  (1, '819012345678@s.whatsapp.net', 1, '「ホワイト案件です。即日即金」', '090-1234-5678', '山田 太郎', '太郎', '山田', 'たろう'),
  (2, '818011112222@s.whatsapp.net', 1, NULL, NULL, NULL, '花子', '佐藤', 'はな'),
  (3, '819012345678-1714500000@g.us', 1, NULL, NULL, '闇バイト募集', NULL, NULL, NULL),
  (4, 'status@broadcast', 1, NULL, NULL, NULL, NULL, NULL, NULL);
)");
    auto sink = test::run_parser("whatsapp.android.contacts", file);
    CHECK(sink.warnings.empty());
    REQUIRE(sink.records.size() == 3);
    auto c = record_at<Contact>(sink, "wa_contacts", 1).second;
    CHECK(c.name == "山田 太郎");
    CHECK(c.phones == std::vector<std::string>{"090-1234-5678", "+819012345678"});
    CHECK(c.note ==
          std::string("WhatsApp JID: 819012345678@s.whatsapp.net\nWhatsApp user\nWhatsApp name: たろう\n"
                      "about: ") +
              kJapanese);
    CHECK(record_at<Contact>(sink, "wa_contacts", 2).second.name == "花子 佐藤");
    // A group row is a conversation: a thread keeping the group's name, not a contact.
    auto group = record_at<Thread>(sink, "wa_contacts", 3).second;
    CHECK(group.name == "闇バイト募集");
    CHECK(group.thread_key == "819012345678-1714500000@g.us");
    CHECK(group.is_group);
    CHECK(sink.of_type<Contact>().size() == 2);
  }
  SECTION("older table without wa_name") {
    auto file = make_db(dir / "wa.db", std::string(kSchemaOld) + R"(
INSERT INTO wa_contacts (_id, jid, is_whatsapp_user, status, number, display_name)
  VALUES (1, '819012345678@s.whatsapp.net', 0, NULL, '+81 90-1234-5678', '「ホワイト案件です。即日即金」');
)");
    auto sink = test::run_parser("whatsapp.android.contacts", file);
    CHECK(sink.warnings.empty());
    REQUIRE(sink.records.size() == 1);
    auto c = record_at<Contact>(sink, "wa_contacts", 1).second;
    CHECK(c.name == kJapanese);
    CHECK(c.phones == std::vector<std::string>{"+81 90-1234-5678", "+819012345678"});
    CHECK(c.note == "WhatsApp JID: 819012345678@s.whatsapp.net\nnot a WhatsApp user");
  }
}

TEST_CASE("whatsapp.android.contacts: malformed rows are warnings and parsing goes on", "[whatsapp]") {
  test::TempDir dir;
  auto file = make_db(dir / "wa.db", std::string(kSchemaV28) + R"(
INSERT INTO wa_contacts (_id, jid, is_whatsapp_user, number, display_name) VALUES
  (1, '', 1, '09012345678', 'JIDなし'), (2, '819012345678@s.whatsapp.net', 1, NULL, '正常');
)");
  auto sink = test::run_parser("whatsapp.android.contacts", file);
  CHECK(sink.records.size() == 2);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "wa_contacts");
  CHECK(sink.warnings[0].source_rowid == 1);
  CHECK(record_at<Contact>(sink, "wa_contacts", 1).second.phones == std::vector<std::string>{"09012345678"});
  CHECK(record_at<Contact>(sink, "wa_contacts", 2).second.phones ==
        std::vector<std::string>{"+819012345678"});
}

}  // namespace kanshiki
