// line.android and line.ios on generated fixtures (no real LINE database is available in realdata).
//
// Fixture DDL sources (column lists, not invented): Android naver_line from a Django `inspectdb` model of a
// real naver_line (tables chat, chat_history, contacts, groups, membership; LINE spells "attachement"),
// cross-checked with ALEAPP scripts/artifacts/line.py; iOS Line.sqlite from iLEAPP scripts/artifacts/line.py
// (ZMESSAGE.ZTIMESTAMP ms, ZTEXT, ZSENDER → ZUSER.Z_PK) and a public extraction tool's notes (ZCHAT.ZMID,
// ZCHAT.ZTYPE, ZMESSAGE.ZCONTENTTYPE/ZID, ZUSER.ZMID/ZADDRESSBOOKNAME, Core Data join table
// Z_<n>MEMBERS(Z_<n>CHATS, Z_<m>MEMBERS)); the Z_PK/Z_ENT/Z_OPT columns are Core Data's own.
#include <catch2/catch.hpp>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

const char* kJapanese = "「続きはテレグラムで。報酬は即日即金」";

template <typename T>
std::pair<Provenance, T> record_at(const CollectingSink& sink, std::string_view table, int64_t rowid) {
  for (const auto& [prov, item] : sink.of_type<T>())
    if (prov.source_table == table && prov.source_rowid == rowid) return {prov, item};
  FAIL("no record from " << table << " row " << rowid);
  return {};
}

fs::path make_db(const fs::path& path, const std::string& sql) {
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(sql);
  return path;
}

const char* kNaverLine = R"(
CREATE TABLE chat (chat_id TEXT PRIMARY KEY, chat_name TEXT, owner_mid TEXT, last_from_mid TEXT, last_message TEXT, last_created_time TEXT, message_count INTEGER, read_message_count INTEGER, latest_mentioned_position INTEGER, type INTEGER, is_notification INTEGER, skin_key TEXT, input_text TEXT, input_text_metadata TEXT, hide_member INTEGER, p_timer INTEGER, last_message_display_time TEXT, mid_p TEXT, is_archived INTEGER, read_up TEXT, is_groupcalling INTEGER, latest_announcement_seq INTEGER, announcement_view_status INTEGER, last_message_meta_data TEXT, chat_room_bgm_data TEXT, chat_room_bgm_checked INTEGER, chat_room_should_show_bgm_badge INTEGER, unread_type_and_count TEXT);
CREATE TABLE chat_history (id INTEGER PRIMARY KEY AUTOINCREMENT, server_id TEXT, type INTEGER, chat_id TEXT, from_mid TEXT, content TEXT, created_time TEXT, delivered_time TEXT, status INTEGER, sent_count INTEGER, read_count INTEGER, location_name TEXT, location_address TEXT, location_phone TEXT, location_latitude INTEGER, location_longitude INTEGER, attachement_image INTEGER, attachement_image_height INTEGER, attachement_image_width INTEGER, attachement_image_size INTEGER, attachement_type INTEGER, attachement_local_uri TEXT, parameter TEXT, chunks BLOB);
CREATE TABLE contacts (m_id TEXT PRIMARY KEY, contact_id TEXT, contact_key TEXT, name TEXT, phonetic_name TEXT, server_name TEXT, addressbook_name TEXT, custom_name TEXT, status_msg TEXT, is_unread_status_msg INTEGER, picture_status TEXT, picture_path TEXT, relation INTEGER, status INTEGER, is_first INTEGER, capable_flags INTEGER, contact_kind INTEGER, contact_type INTEGER, buddy_category INTEGER, buddy_icon_type INTEGER, is_on_air INTEGER, hidden INTEGER, favorite INTEGER, updated_time INTEGER, created_time INTEGER NOT NULL);
CREATE TABLE groups (id TEXT PRIMARY KEY, name TEXT, picture_status TEXT, creator TEXT, status INTEGER, is_first INTEGER, display_type INTEGER, accepted_invitation_time INTEGER, updated_time INTEGER, created_time INTEGER NOT NULL, prevented_joinby_ticket INTEGER, invitation_ticket TEXT, favorite_timestamp INTEGER, invitation_enabled INTEGER NOT NULL, can_add_member_as_friend INTEGER NOT NULL, can_invite_by_ticket INTEGER NOT NULL, is_auto_name INTEGER NOT NULL);
CREATE TABLE membership (id TEXT NOT NULL, m_id TEXT NOT NULL, is_accepted INTEGER NOT NULL, updated_time INTEGER NOT NULL, created_time INTEGER NOT NULL, PRIMARY KEY (id, m_id));
INSERT INTO contacts (m_id, name, server_name, addressbook_name, custom_name, created_time) VALUES
  ('u1111', '佐藤 花子', '花子', NULL, NULL, 1700000000000),
  ('u2222', NULL, '一郎', '鈴木 一郎', NULL, 1700000000000);
INSERT INTO groups (id, name, creator, created_time, invitation_enabled, can_add_member_as_friend, can_invite_by_ticket, is_auto_name)
  VALUES ('c9999', '闇バイト連絡網', 'u1111', 1700000000000, 0, 0, 0, 0);
INSERT INTO membership (id, m_id, is_accepted, updated_time, created_time) VALUES
  ('c9999', 'u1111', 1, 0, 0), ('c9999', 'u2222', 1, 0, 0);
INSERT INTO chat (chat_id, chat_name, last_created_time, type) VALUES
  ('u1111', NULL, '1714563300000', 1), ('c9999', NULL, '1714563500000', 3);
)";

const char* kLineSqlite = R"(
CREATE TABLE ZUSER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZMID VARCHAR, ZNAME VARCHAR, ZADDRESSBOOKNAME VARCHAR );
CREATE TABLE ZCHAT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZTYPE INTEGER, ZMID VARCHAR );
CREATE TABLE ZMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCHAT INTEGER, ZSENDER INTEGER, ZCONTENTTYPE INTEGER, ZTIMESTAMP INTEGER, ZID VARCHAR, ZTEXT VARCHAR, ZTHUMBNAIL BLOB );
CREATE TABLE Z_2MEMBERS ( Z_2CHATS INTEGER, Z_12MEMBERS INTEGER, PRIMARY KEY (Z_2CHATS, Z_12MEMBERS) );
INSERT INTO ZUSER VALUES (1, 12, 1, 'u1111', 'Hanako', '佐藤 花子'), (2, 12, 1, 'u2222', '一郎', NULL);
INSERT INTO ZCHAT VALUES (1, 2, 1, 0, 'u1111'), (2, 2, 1, 2, 'c9999');
INSERT INTO ZMESSAGE VALUES
  (1, 5, 1, 1, 1, 0, 1714563296789, '500001', '「続きはテレグラムで。報酬は即日即金」', NULL),
  (2, 5, 1, 1, NULL, 0, 1714563300000, '500002', '了解です', NULL),
  (3, 5, 1, 2, 2, 0, 1714563400000, '500003', '集合は駅前', NULL),
  (4, 5, 1, 2, 99, 0, 1714563450000, '500004', '誰？', NULL),
  (5, 5, 1, 2, NULL, 1, 1714563500000, '500005', NULL, NULL);
INSERT INTO Z_2MEMBERS VALUES (2, 1), (2, 2);
)";

}  // namespace

TEST_CASE("line.android: generated naver_line", "[line][android]") {
  test::TempDir dir;
  fs::path file = make_db(dir / "naver_line", kNaverLine);
  {
    sql::Db db(file, SQLITE_OPEN_READWRITE);
    db.exec(R"(
INSERT INTO chat_history (id, chat_id, from_mid, content, created_time, status, attachement_type, attachement_local_uri) VALUES
  (1, 'u1111', 'u1111', '「続きはテレグラムで。報酬は即日即金」', '1714563296789', 1, 0, NULL),
  (2, 'u1111', NULL, '了解です', '1714563300000', 3, 0, NULL),
  (3, 'c9999', NULL, '集合は駅前', '1714563400000', 3, 0, NULL),
  (4, 'c9999', 'u2222', NULL, '1714563450000', 1, 1, '/storage/emulated/0/LINE/IMG_0001.jpg'),
  (5, 'c9999', 'u2222', '時刻が壊れた行', 'yesterday', 1, 0, NULL);
)");
  }
  auto sink = test::run_parser("line.android", file, "data/data/jp.naver.line.android/databases/naver_line");
  CHECK(sink.of_type<Message>().size() == 5);
  CHECK(sink.of_type<Thread>().size() == 2);
  CHECK(sink.of_type<Contact>().size() == 2);
  CHECK(sink.of_type<Participant>().size() == 2);
  CHECK(sink.records.size() == 11);
  // The one malformed row (created_time 'yesterday') is a warning and is still reported.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_rowid == 5);

  auto [prov, m] = record_at<Message>(sink, "chat_history", 1);
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == "data/data/jp.naver.line.android/databases/naver_line");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.source_table == "chat_history");
  CHECK(prov.source_rowid == 1);
  CHECK_FALSE(prov.source_offset);
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "line.android");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(m.app == "line");
  CHECK(m.account.empty());
  CHECK(m.thread_key == "u1111");
  CHECK(m.sender == "u1111");
  CHECK(m.sender_name == "佐藤 花子");
  CHECK(m.recipients.empty());
  CHECK(m.direction == Direction::incoming);
  CHECK(m.time.raw == "1714563296789");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_us == int64_t{1714563296789} * 1000);
  CHECK(m.time.utc_iso() == "2024-05-01T11:34:56.789Z");
  CHECK(m.text == kJapanese);
  CHECK(m.status == "status 1");
  CHECK(m.kind == "text");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());

  auto [p2, out1] = record_at<Message>(sink, "chat_history", 2);
  CHECK(out1.direction == Direction::outgoing);  // from_mid NULL: the device owner
  CHECK(out1.sender.empty());
  CHECK(out1.recipients == std::vector<std::string>{"u1111"});
  auto [p3, out2] = record_at<Message>(sink, "chat_history", 3);
  CHECK(out2.direction == Direction::outgoing);
  CHECK(out2.recipients == std::vector<std::string>{"u1111", "u2222"});
  auto [p4, image] = record_at<Message>(sink, "chat_history", 4);
  CHECK(image.kind == "image");
  CHECK(image.sender_name == "鈴木 一郎");
  REQUIRE(image.attachments.size() == 1);
  CHECK(image.attachments[0].path == "/storage/emulated/0/LINE/IMG_0001.jpg");
  auto [p5, bad] = record_at<Message>(sink, "chat_history", 5);
  CHECK(bad.text == "時刻が壊れた行");
  CHECK(bad.time.raw == "yesterday");
  CHECK_FALSE(bad.time.utc_us);

  auto [pg, group] = record_at<Thread>(sink, "chat", 2);
  CHECK(group.thread_key == "c9999");
  CHECK(group.name == "闇バイト連絡網");
  CHECK(group.is_group);
  CHECK(group.last_activity.utc_iso() == "2024-05-01T11:38:20.000Z");
  auto [pd, direct] = record_at<Thread>(sink, "chat", 1);
  CHECK(direct.name == "佐藤 花子");
  CHECK_FALSE(direct.is_group);
  auto [pm, owner] = record_at<Participant>(sink, "membership", 1);
  CHECK(owner.thread_key == "c9999");
  CHECK(owner.identifier == "u1111");
  CHECK(owner.role == "owner");
  auto [pm2, member] = record_at<Participant>(sink, "membership", 2);
  CHECK(member.name == "鈴木 一郎");
  CHECK(member.role == "member");
  auto [pc, contact] = record_at<Contact>(sink, "contacts", 2);
  CHECK(contact.name == "鈴木 一郎");
  CHECK(contact.note == "LINE mid u2222; LINE profile name 一郎");
}

TEST_CASE("line.android: empty contacts/membership (Android 14) still report every message",
          "[line][android]") {
  test::TempDir dir;
  fs::path file = make_db(dir / "naver_line", kNaverLine);
  {
    sql::Db db(file, SQLITE_OPEN_READWRITE);
    db.exec(
        "DELETE FROM contacts; DELETE FROM membership; DELETE FROM groups; "
        "INSERT INTO chat_history (chat_id, from_mid, content, created_time, status, attachement_type) "
        "VALUES ('c9999', 'u2222', 'テスト', '1714563450000', 1, 0);");
  }
  auto sink = test::run_parser("line.android", file);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.of_type<Message>().size() == 1);
  CHECK(sink.of_type<Message>()[0].second.sender == "u2222");
  CHECK(sink.of_type<Message>()[0].second.sender_name.empty());
}

TEST_CASE("line.ios: generated Line.sqlite (Core Data)", "[line][ios]") {
  test::TempDir dir;
  fs::path file = make_db(dir / "Line.sqlite", kLineSqlite);
  std::string item =
      "AppDomainGroup-group.com.linecorp.line/Library/Application "
      "Support/PrivateStore/P_u0/Messages/Line.sqlite";
  auto sink = test::run_parser("line.ios", file, item);
  CHECK(sink.of_type<Message>().size() == 5);
  CHECK(sink.of_type<Thread>().size() == 2);
  CHECK(sink.of_type<Contact>().size() == 2);
  CHECK(sink.of_type<Participant>().size() == 2);
  CHECK(sink.records.size() == 11);
  // ZMESSAGE 4 names ZSENDER 99, which is not in ZUSER: a warning, and the message is still reported.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_rowid == 4);

  auto [prov, m] = record_at<Message>(sink, "ZMESSAGE", 1);
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == item);
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.source_table == "ZMESSAGE");
  CHECK(prov.source_rowid == 1);
  CHECK_FALSE(prov.source_offset);
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "line.ios");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(m.app == "line");
  CHECK(m.account.empty());
  CHECK(m.thread_key == "u1111");
  CHECK(m.sender == "u1111");
  CHECK(m.sender_name == "佐藤 花子");
  CHECK(m.recipients.empty());
  CHECK(m.direction == Direction::incoming);
  CHECK(m.time.raw == "1714563296789");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_us == int64_t{1714563296789} * 1000);
  CHECK(m.time.utc_iso() == "2024-05-01T11:34:56.789Z");
  CHECK(m.text == kJapanese);
  CHECK(m.status.empty());
  CHECK(m.kind == "text");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());

  auto [p2, outgoing] = record_at<Message>(sink, "ZMESSAGE", 2);
  CHECK(outgoing.direction == Direction::outgoing);  // ZSENDER NULL: the device owner
  CHECK(outgoing.recipients == std::vector<std::string>{"u1111"});
  auto [p4, dangling] = record_at<Message>(sink, "ZMESSAGE", 4);
  CHECK(dangling.direction == Direction::incoming);
  CHECK(dangling.sender == "ZUSER 99");
  auto [p5, image] = record_at<Message>(sink, "ZMESSAGE", 5);
  CHECK(image.kind == "image");
  CHECK(image.direction == Direction::outgoing);

  auto [pg, group] = record_at<Thread>(sink, "ZCHAT", 2);
  CHECK(group.thread_key == "c9999");
  CHECK(group.is_group);
  CHECK(group.last_activity.raw == "1714563500000");
  auto [pd, direct] = record_at<Thread>(sink, "ZCHAT", 1);
  CHECK(direct.name == "佐藤 花子");
  CHECK_FALSE(direct.is_group);
  auto [pm, member] = record_at<Participant>(sink, "Z_2MEMBERS", 2);
  CHECK(member.thread_key == "c9999");
  CHECK(member.identifier == "u2222");
  CHECK(member.name == "一郎");
  auto [pu, user] = record_at<Contact>(sink, "ZUSER", 1);
  CHECK(user.name == "佐藤 花子");
  CHECK(user.note == "LINE mid u1111; LINE profile name Hanako");
}

}  // namespace kanshiki
