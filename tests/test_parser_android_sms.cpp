// android.sms: real mmssms.db files (plaso, Android emulator, an empty one) and generated fixtures for each
// schema variant. Fixture schemas are the CREATE TABLE statements of the real files (AOSP
// TelephonyProvider MmsSmsDatabaseHelper): user_version 69 (emulator, with sub_id) and 57 (plaso, without).
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

// Schema of a recent emulator's mmssms.db (user_version 69), trimmed to the parsed tables, no triggers.
const char* kSchemaV69 = R"(
CREATE TABLE sms (_id INTEGER PRIMARY KEY,thread_id INTEGER,address TEXT,person INTEGER,date INTEGER,date_sent INTEGER DEFAULT 0,protocol INTEGER,read INTEGER DEFAULT 0,status INTEGER DEFAULT -1,type INTEGER,reply_path_present INTEGER,subject TEXT,body TEXT,service_center TEXT,locked INTEGER DEFAULT 0,sub_id INTEGER DEFAULT -1, error_code INTEGER DEFAULT -1, creator TEXT,seen INTEGER DEFAULT 0);
CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT,thread_id INTEGER,date INTEGER,date_sent INTEGER DEFAULT 0,msg_box INTEGER,read INTEGER DEFAULT 0,m_id TEXT,sub TEXT,sub_cs INTEGER,ct_t TEXT,ct_l TEXT,exp INTEGER,m_cls TEXT,m_type INTEGER,v INTEGER,m_size INTEGER,pri INTEGER,rr INTEGER,rpt_a INTEGER,resp_st INTEGER,st INTEGER,tr_id TEXT,retr_st INTEGER,retr_txt TEXT,retr_txt_cs INTEGER,read_status INTEGER,ct_cls INTEGER,resp_txt TEXT,d_tm INTEGER,d_rpt INTEGER,locked INTEGER DEFAULT 0,sub_id INTEGER DEFAULT -1, seen INTEGER DEFAULT 0,creator TEXT,text_only INTEGER DEFAULT 0);
CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT,mid INTEGER,seq INTEGER DEFAULT 0,ct TEXT,name TEXT,chset INTEGER,cd TEXT,fn TEXT,cid TEXT,cl TEXT,ctt_s INTEGER,ctt_t TEXT,_data TEXT,text TEXT,sub_id INTEGER DEFAULT -1);
CREATE TABLE addr (_id INTEGER PRIMARY KEY,msg_id INTEGER,contact_id INTEGER,address TEXT,type INTEGER,charset INTEGER,sub_id INTEGER DEFAULT -1);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT,date INTEGER DEFAULT 0,message_count INTEGER DEFAULT 0,recipient_ids TEXT,snippet TEXT,snippet_cs INTEGER DEFAULT 0,read INTEGER DEFAULT 1,archived INTEGER DEFAULT 0,type INTEGER DEFAULT 0,error INTEGER DEFAULT 0,has_attachment INTEGER DEFAULT 0,sub_id INTEGER DEFAULT -1);
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT,address TEXT,sub_id INTEGER DEFAULT -1);
PRAGMA user_version = 69;
)";

// Schema of plaso's mmssms.db (user_version 57, Android 4.x): no sub_id anywhere.
const char* kSchemaV57 = R"(
CREATE TABLE sms (_id INTEGER PRIMARY KEY,thread_id INTEGER,address TEXT,person INTEGER,date INTEGER,date_sent INTEGER DEFAULT 0,protocol INTEGER,read INTEGER DEFAULT 0,status INTEGER DEFAULT -1,type INTEGER,reply_path_present INTEGER,subject TEXT,body TEXT,service_center TEXT,locked INTEGER DEFAULT 0,error_code INTEGER DEFAULT 0,seen INTEGER DEFAULT 0);
CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT,thread_id INTEGER,date INTEGER,date_sent INTEGER DEFAULT 0,msg_box INTEGER,read INTEGER DEFAULT 0,m_id TEXT,sub TEXT,sub_cs INTEGER,ct_t TEXT,ct_l TEXT,exp INTEGER,m_cls TEXT,m_type INTEGER,v INTEGER,m_size INTEGER,pri INTEGER,rr INTEGER,rpt_a INTEGER,resp_st INTEGER,st INTEGER,tr_id TEXT,retr_st INTEGER,retr_txt TEXT,retr_txt_cs INTEGER,read_status INTEGER,ct_cls INTEGER,resp_txt TEXT,d_tm INTEGER,d_rpt INTEGER,locked INTEGER DEFAULT 0,seen INTEGER DEFAULT 0,text_only INTEGER DEFAULT 0);
CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT,mid INTEGER,seq INTEGER DEFAULT 0,ct TEXT,name TEXT,chset INTEGER,cd TEXT,fn TEXT,cid TEXT,cl TEXT,ctt_s INTEGER,ctt_t TEXT,_data TEXT,text TEXT);
CREATE TABLE addr (_id INTEGER PRIMARY KEY,msg_id INTEGER,contact_id INTEGER,address TEXT,type INTEGER,charset INTEGER);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT,date INTEGER DEFAULT 0,message_count INTEGER DEFAULT 0,recipient_ids TEXT,snippet TEXT,snippet_cs INTEGER DEFAULT 0,read INTEGER DEFAULT 1,type INTEGER DEFAULT 0,error INTEGER DEFAULT 0,has_attachment INTEGER DEFAULT 0);
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT,address TEXT);
PRAGMA user_version = 57;
)";

fs::path make_db(const fs::path& path, const std::string& sql) {
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(sql);
  return path;
}

}  // namespace

TEST_CASE("android.sms: plaso mmssms.db (real, Android 4.x, no sub_id)", "[android][sms]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "android_misc/plaso/mmssms.db");
  auto sink =
      test::run_parser("android.sms", file, "data/data/com.android.providers.telephony/databases/mmssms.db");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 11);  // 9 SMS + 1 thread + 1 participant
  CHECK(sink.of_type<Message>().size() == 9);
  CHECK(sink.of_type<Thread>().size() == 1);
  CHECK(sink.of_type<Participant>().size() == 1);

  auto [prov, m] = record_at<Message>(sink, "sms", 3);
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == "data/data/com.android.providers.telephony/databases/mmssms.db");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.item_sha256.rfind("0e2cadfa9d68fb17", 0) == 0);  // SOURCES.md
  CHECK(prov.source_table == "sms");
  CHECK(prov.source_rowid == 3);
  CHECK_FALSE(prov.source_offset);
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "android.sms");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(m.app == "sms");
  CHECK(m.account.empty());
  CHECK(m.thread_key == "1");
  CHECK(m.sender == "15555215554");
  CHECK(m.sender_name.empty());
  CHECK(m.recipients.empty());
  CHECK(m.direction == Direction::incoming);
  CHECK(m.time.raw == "1383066341303");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_iso() == "2013-10-29T17:05:41.303Z");
  CHECK(m.text == "What message?");
  CHECK(m.status == "unread");
  CHECK(m.kind == "sms");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());

  auto [sprov, sent] = record_at<Message>(sink, "sms", 1);
  CHECK(sent.direction == Direction::outgoing);
  CHECK(sent.sender.empty());
  CHECK(sent.recipients == std::vector<std::string>{"1 555-521-5554"});
  CHECK(sent.status == "sent");

  auto [tprov, t] = record_at<Thread>(sink, "threads", 1);
  CHECK(t.app == "sms");
  CHECK(t.thread_key == "1");
  CHECK_FALSE(t.is_group);
  CHECK(t.last_activity.raw == "1383066980000");
  CHECK(t.last_activity.utc_iso() == "2013-10-29T17:16:20.000Z");
  auto [pprov, p] = record_at<Participant>(sink, "canonical_addresses", 1);
  CHECK(p.thread_key == "1");
  CHECK(p.identifier == "1 555-521-5554");
  CHECK(p.role == "member");
}

TEST_CASE("android.sms: emulator mmssms.db (real, user_version 69, with sub_id)", "[android][sms]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "android_sms/emulator_charmigohil/mmssms.db");
  auto sink = test::run_parser("android.sms", file);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 5);  // 1 SMS + 2 threads + 2 participants
  auto [prov, m] = record_at<Message>(sink, "sms", 1);
  CHECK(prov.source_table == "sms");
  CHECK(prov.source_rowid == 1);
  CHECK(prov.item_path == "mmssms.db");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.parser_id == "android.sms");
  CHECK(prov.parser_version == "1.0.0");
  CHECK(m.app == "sms");
  CHECK(m.account == "sub_id:1");
  CHECK(m.thread_key == "2");
  CHECK(m.direction == Direction::outgoing);
  CHECK(m.sender.empty());
  CHECK(m.recipients == std::vector<std::string>{"+16142073008"});
  CHECK(m.time.raw == "1760509581975");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_iso() == "2025-10-15T06:26:21.975Z");
  CHECK(m.text == "The package is ready.Awaiting drop-off instructions.-A");
  CHECK(m.status == "sent");
  CHECK(m.kind == "sms");
  auto [pprov, p] = record_at<Participant>(sink, "canonical_addresses", 1);
  CHECK(p.thread_key == "1");
  CHECK(p.identifier == "+1 555LEAK");
}

TEST_CASE("android.sms: empty real mmssms.db gives nothing and no warning", "[android][sms]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "android_sms/teleshoes_empty_v66/mmssms.db");
  auto sink = test::run_parser("android.sms", file);
  CHECK(sink.warnings.empty());
  CHECK(sink.records.empty());
}

TEST_CASE("android.sms: generated v69 fixture with SMS, MMS and Japanese text", "[android][sms]") {
  test::TempDir dir;
  auto file = make_db(dir / "mmssms.db", std::string(kSchemaV69) + R"(
INSERT INTO canonical_addresses VALUES (1, '090-1234-5678', 1), (2, '+818011112222', 1);
INSERT INTO threads (_id, date, recipient_ids) VALUES (7, 1714563296000, '1'), (8, 1714563400000, '1 2');
INSERT INTO sms (_id, thread_id, address, date, date_sent, read, status, type, body, sub_id)
  VALUES (1, 7, '090-1234-5678', 1714563296789, 1714563295000, 1, -1, 1, '「ホワイト案件です。即日即金」', 2),
         (2, 7, '090-1234-5678', 1714563300000, 0, 1, 0, 2, '了解', 2),
         (3, 7, NULL, 1714563310000, 0, 1, -1, 3, '下書き', -1);
INSERT INTO pdu (_id, thread_id, date, msg_box, read, sub, m_type, sub_id)
  VALUES (5, 8, 1714563400, 1, 0, NULL, 132, 1), (6, 8, 1714563500, 2, 1, '写真', 128, 1);
INSERT INTO part (_id, mid, seq, ct, cl, _data, text) VALUES
  (1, 5, -1, 'application/smil', 'smil.xml', NULL, '<smil/>'),
  (2, 5, 0, 'image/jpeg', 'IMG_0001.jpg', '/data/user/0/com.android.providers.telephony/app_parts/PART_1_IMG_0001.jpg', NULL),
  (3, 5, 1, 'text/plain', 'text_0.txt', NULL, '受け子の件'),
  (4, 6, 0, 'text/plain', 'text_0.txt', NULL, '見て');
INSERT INTO addr (_id, msg_id, address, type, charset) VALUES
  (1, 5, '+818011112222', 137, 106), (2, 5, '+819012345678', 151, 106), (3, 5, '090-1234-5678', 130, 106),
  (4, 6, 'insert-address-token', 137, 106), (5, 6, '090-1234-5678', 151, 106), (6, 6, '+818011112222', 151, 106);
)");
  auto sink = test::run_parser("android.sms", file);
  CHECK(sink.warnings.empty());
  // 3 SMS + 2 MMS + 2 threads + 3 participants
  REQUIRE(sink.records.size() == 10);

  auto [prov, m] = record_at<Message>(sink, "sms", 1);
  CHECK(m.text == kJapanese);
  CHECK(m.text.size() == std::string_view(kJapanese).size());
  CHECK(m.account == "sub_id:2");
  CHECK(m.sender == "090-1234-5678");
  CHECK(m.status == "read");
  CHECK(m.time.raw == "1714563296789");
  CHECK(m.time.utc_iso() == "2024-05-01T11:34:56.789Z");
  CHECK(record_at<Message>(sink, "sms", 2).second.status == "sent, delivery confirmed");
  auto draft = record_at<Message>(sink, "sms", 3).second;
  CHECK(draft.status == "draft");
  CHECK(draft.recipients.empty());
  CHECK(draft.account.empty());  // sub_id -1: unknown SIM

  auto [mprov, mms] = record_at<Message>(sink, "pdu", 5);
  CHECK(mprov.source_table == "pdu");
  CHECK(mms.kind == "mms");
  CHECK(mms.account == "sub_id:1");
  CHECK(mms.thread_key == "8");
  CHECK(mms.direction == Direction::incoming);
  CHECK(mms.sender == "+818011112222");
  CHECK(mms.recipients == std::vector<std::string>{"+819012345678", "090-1234-5678"});
  CHECK(mms.time.raw == "1714563400");
  CHECK(mms.time.kind == EpochKind::unix_s);
  CHECK(mms.time.utc_iso() == "2024-05-01T11:36:40.000Z");
  CHECK(mms.text == "受け子の件");
  CHECK(mms.status == "unread");
  REQUIRE(mms.attachments.size() == 1);
  CHECK(mms.attachments[0].path ==
        "/data/user/0/com.android.providers.telephony/app_parts/PART_1_IMG_0001.jpg");
  CHECK(mms.attachments[0].mime_type == "image/jpeg");
  CHECK_FALSE(mms.attachments[0].size);

  auto sent = record_at<Message>(sink, "pdu", 6).second;
  CHECK(sent.direction == Direction::outgoing);
  CHECK(sent.sender.empty());
  CHECK(sent.recipients == std::vector<std::string>{"090-1234-5678", "+818011112222"});
  CHECK(sent.text == "写真\n見て");
  CHECK(sent.status == "sent");

  auto group = record_at<Thread>(sink, "threads", 8).second;
  CHECK(group.is_group);
  CHECK(group.thread_key == "8");
  CHECK(record_at<Participant>(sink, "canonical_addresses", 2).second.identifier == "+818011112222");
}

TEST_CASE("android.sms: generated v57 fixture (no sub_id) uses the older variant", "[android][sms]") {
  test::TempDir dir;
  auto file = make_db(dir / "mmssms.db", std::string(kSchemaV57) + R"(
INSERT INTO canonical_addresses VALUES (1, '0312345678');
INSERT INTO threads (_id, date, recipient_ids) VALUES (1, 1714563296000, '1');
INSERT INTO sms (_id, thread_id, address, date, read, status, type, body)
  VALUES (1, 1, '0312345678', 1714563296789, 0, -1, 1, '「ホワイト案件です。即日即金」'),
         (2, 1, '0312345678', 1714563300000, 1, 64, 5, '送信失敗');
)");
  auto sink = test::run_parser("android.sms", file);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 4);
  auto m = record_at<Message>(sink, "sms", 1).second;
  CHECK(m.text == kJapanese);
  CHECK(m.account.empty());
  CHECK(m.status == "unread");
  auto failed = record_at<Message>(sink, "sms", 2).second;
  CHECK(failed.direction == Direction::outgoing);
  CHECK(failed.status == "failed, delivery failed");
}

TEST_CASE("android.sms: malformed rows are warnings and parsing goes on", "[android][sms]") {
  test::TempDir dir;
  auto file = make_db(dir / "mmssms.db", std::string(kSchemaV69) + R"(
INSERT INTO canonical_addresses VALUES (1, '09012345678', -1);
INSERT INTO threads (_id, date, recipient_ids) VALUES (1, 1714563296000, '1 99');
INSERT INTO sms (_id, thread_id, address, date, read, type, body)
  VALUES (1, 1, '09012345678', 'yesterday', 1, 1, 'date is text'),
         (2, 1, NULL, 1714563296000, 1, 1, 'no sender'),
         (3, 1, '09012345678', 1714563297000, 1, 1, 'fine');
)");
  auto sink = test::run_parser("android.sms", file);
  // Every row is still reported: 3 SMS + 1 thread + 1 participant (id 99 does not exist).
  CHECK(sink.records.size() == 5);
  REQUIRE(sink.warnings.size() == 3);
  CHECK(sink.warnings[0].source_table == "sms");
  CHECK(sink.warnings[0].source_rowid == 1);
  CHECK(sink.warnings[0].parser_id == "android.sms");
  CHECK(sink.warnings[0].message.find("yesterday") != std::string::npos);
  CHECK(sink.warnings[1].source_rowid == 2);
  CHECK(sink.warnings[1].message.find("no sender") != std::string::npos);
  CHECK(sink.warnings[2].source_table == "threads");
  CHECK(sink.warnings[2].message.find("99") != std::string::npos);

  auto bad = record_at<Message>(sink, "sms", 1).second;
  CHECK(bad.time.raw == "yesterday");
  CHECK(bad.time.kind == EpochKind::unix_ms);
  CHECK_FALSE(bad.time.utc_us);
  CHECK(bad.text == "date is text");
  CHECK(record_at<Message>(sink, "sms", 3).second.time.utc_iso() == "2024-05-01T11:34:57.000Z");
}

}  // namespace kanshiki
