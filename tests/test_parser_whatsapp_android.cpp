// whatsapp.android.msgstore: real msgstore.db files (lab-whatsapp: legacy `messages`; wa-crypt-tools: both
// `messages` and `message`) and generated fixtures per schema variant. Fixture schemas are the app's CREATE
// TABLE statements copied from those real files (legacy: lab-whatsapp msgstore.db; current: wa-crypt-tools
// msgstore.db).
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

const char* kLegacySchema = R"(
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL, key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT, timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER, media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration INTEGER, origin INTEGER, latitude REAL, longitude REAL, thumb_image TEXT, remote_resource TEXT, received_timestamp INTEGER, send_timestamp INTEGER, receipt_server_timestamp INTEGER, receipt_device_timestamp INTEGER, read_device_timestamp INTEGER, played_device_timestamp INTEGER, raw_data BLOB, recipient_count INTEGER, participant_hash TEXT, starred INTEGER, quoted_row_id INTEGER, mentioned_jids TEXT, multicast_id TEXT, edit_version INTEGER, media_enc_hash TEXT, payment_transaction_id TEXT, forwarded INTEGER, preview_type INTEGER);
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE, message_table_id INTEGER, subject TEXT, creation INTEGER, last_read_message_table_id INTEGER, last_read_receipt_sent_message_table_id INTEGER, archived INTEGER, sort_timestamp INTEGER, mod_tag INTEGER, gen REAL, my_messages INTEGER, plaintext_disabled BOOLEAN, last_message_table_id INTEGER, unseen_message_count INTEGER, unseen_missed_calls_count INTEGER, unseen_row_count INTEGER, vcard_ui_dismissed INTEGER, change_number_notified_message_id INTEGER, last_important_message_table_id INTEGER, show_group_description INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL, jid TEXT NOT NULL, admin INTEGER, pending INTEGER, sent_sender_key INTEGER);
INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, timestamp, media_wa_type) VALUES (1, '-1', 0, '-1', -1, 0, '-1');
)";

const char* kCurrentSchema = R"(
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL, from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER, broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT, origination_flags INTEGER, origin INTEGER, timestamp INTEGER, received_timestamp INTEGER, receipt_server_timestamp INTEGER, message_type INTEGER, text_data TEXT, starred INTEGER, lookup_tables INTEGER, message_add_on_flags INTEGER, sort_id INTEGER NOT NULL DEFAULT 0 );
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT,jid_row_id INTEGER UNIQUE,hidden INTEGER,subject TEXT,created_timestamp INTEGER,display_message_row_id INTEGER,last_message_row_id INTEGER,last_read_message_row_id INTEGER,last_read_receipt_sent_message_row_id INTEGER,last_important_message_row_id INTEGER,archived INTEGER,sort_timestamp INTEGER,mod_tag INTEGER,gen REAL,spam_detection INTEGER,unseen_earliest_message_received_time INTEGER,unseen_message_count INTEGER,unseen_missed_calls_count INTEGER,unseen_row_count INTEGER,plaintext_disabled INTEGER,vcard_ui_dismissed INTEGER,change_number_notified_message_row_id INTEGER,show_group_description INTEGER,ephemeral_expiration INTEGER,last_read_ephemeral_message_row_id INTEGER,ephemeral_setting_timestamp INTEGER,ephemeral_disappearing_messages_initiator INTEGER,unseen_important_message_count INTEGER NOT NULL DEFAULT 0,group_type INTEGER NOT NULL DEFAULT 0, last_message_reaction_row_id INTEGER, last_seen_message_reaction_row_id INTEGER, unseen_message_reaction_count INTEGER, growth_lock_level INTEGER, growth_lock_expiration_ts INTEGER, last_read_message_sort_id INTEGER, display_message_sort_id INTEGER, last_message_sort_id INTEGER );
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL, agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
INSERT INTO message (_id, chat_row_id, from_me, key_id, sort_id) VALUES (1, -1, 0, '-1', 0);
)";

const char* kCurrentOptionalSchema = R"(
CREATE TABLE message_media (  message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, autotransfer_retry_enabled INTEGER, multicast_id TEXT, media_job_uuid TEXT, transferred INTEGER, transcoded INTEGER, file_path TEXT, file_size INTEGER, suspicious_content INTEGER, trim_from INTEGER, trim_to INTEGER, face_x INTEGER, face_y INTEGER, media_key BLOB, media_key_timestamp INTEGER, width INTEGER, height INTEGER, has_streaming_sidecar INTEGER, gif_attribution INTEGER, thumbnail_height_width_ratio REAL, direct_path TEXT, first_scan_sidecar BLOB, first_scan_length INTEGER, message_url TEXT, mime_type TEXT, file_length INTEGER, media_name TEXT, file_hash TEXT, media_duration INTEGER, page_count INTEGER, enc_file_hash TEXT, partial_media_hash TEXT, partial_media_enc_hash TEXT, is_animated_sticker INTEGER, original_file_hash TEXT, mute_video INTEGER DEFAULT 0);
CREATE TABLE message_ephemeral(message_row_id INTEGER PRIMARY KEY, duration INTEGER NOT NULL, expire_timestamp INTEGER NOT NULL);
CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT, group_jid_row_id INTEGER NOT NULL, user_jid_row_id INTEGER NOT NULL, rank INTEGER, pending INTEGER);
CREATE TABLE call_log (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER, from_me INTEGER, call_id TEXT, transaction_id INTEGER, timestamp INTEGER, video_call INTEGER, duration INTEGER, call_result INTEGER, bytes_transferred INTEGER, group_jid_row_id INTEGER NOT NULL DEFAULT 0, is_joinable_group_call INTEGER, call_creator_device_jid_row_id INTEGER NOT NULL DEFAULT 0, call_random_id TEXT);
)";

// Current-schema content: a one-to-one chat and a group, text/media/revoked/disappearing messages, members
// and calls.
const char* kCurrentRows = R"(
INSERT INTO jid (_id, user, server, agent, device, type, raw_string) VALUES
  (10, '819012345678', 's.whatsapp.net', 0, 0, 0, '819012345678@s.whatsapp.net'),
  (11, '818011112222', 's.whatsapp.net', 0, 0, 0, '818011112222@s.whatsapp.net'),
  (12, '819012345678-1714500000', 'g.us', 0, 0, 1, '819012345678-1714500000@g.us'),
  (13, '', 's.whatsapp.net', 0, 0, 0, '');
INSERT INTO chat (_id, jid_row_id, subject, sort_timestamp) VALUES
  (1, 10, NULL, 1714563296789), (2, 12, '闇バイト募集', 1714563400000);
INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp, message_type, text_data) VALUES
  (2, 1, 0, 'A1', NULL, 0, 1714563296789, 0, '「ホワイト案件です。即日即金」'),
  (3, 1, 1, 'A2', NULL, 13, 1714563300000, 1, '写真です'),
  (4, 2, 0, 'A3', 11, 0, 1714563400000, 15, NULL),
  (5, 2, 1, 'A4', NULL, 5, 1714563410000, 0, '消えるメッセージ');
INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type, file_length)
  VALUES (3, 1, 'Media/WhatsApp Images/Sent/IMG-20240501-WA0001.jpg', 52978, 'image/jpeg', 52978);
INSERT INTO message_ephemeral VALUES (5, 604800, 1715168210000);
INSERT INTO group_participant_user (_id, group_jid_row_id, user_jid_row_id, rank, pending) VALUES
  (1, 12, 10, 2, 0), (2, 12, 11, 0, 0), (3, 12, 13, 1, 0);
INSERT INTO call_log (_id, jid_row_id, from_me, call_id, timestamp, video_call, duration, call_result) VALUES
  (1, 10, 0, 'C1', 1714563500000, 1, 125, 5), (2, 11, 1, 'C2', 1714563600000, 0, 0, 4),
  (3, 10, 0, 'C3', 1714563700000, 0, 0, 4), (4, 11, 0, 'C4', 1714563800000, 0, 0, 2);
)";

fs::path make_db(const fs::path& path, const std::string& sql) {
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(sql);
  return path;
}

// A Java-serialised com.whatsapp.MediaData tail as the app writes it: ... java.io.File: TC_STRING path, then
// the separator-char block 77 02 00 2F, then TC_ENDBLOCKDATA/TC_NULL.
std::string media_data_blob(std::string_view modified_utf8_path) {
  std::string b(
      "\xAC\xED\x00\x05sr\x00\x16"
      "com.whatsapp.MediaData",
      30);
  b += std::string(
      "\x73\x72\x00\x0Cjava.io.File\x04\x2D\xA4\x45\x0E\x0D\xE4\xFF\x03\x00\x01L\x00\x04path"
      "q\x00~\x00\x02xp",
      41);
  b += '\x74';
  b += static_cast<char>(modified_utf8_path.size() >> 8);
  b += static_cast<char>(modified_utf8_path.size() & 0xFF);
  b += modified_utf8_path;
  b += std::string("\x77\x02\x00\x2F\x78\x70", 6);
  return b;
}

}  // namespace

TEST_CASE("whatsapp.android.msgstore: lab-whatsapp msgstore.db (real, legacy `messages`)", "[whatsapp]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "whatsapp_android/lab-whatsapp/msgstore.db");
  auto sink =
      test::run_parser("whatsapp.android.msgstore", file, "data/data/com.whatsapp/databases/msgstore.db");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 48);  // 46 messages (47 rows minus the sentinel) + 2 chats
  CHECK(sink.of_type<Message>().size() == 46);
  CHECK(sink.of_type<Thread>().size() == 2);

  auto [prov, m] = record_at<Message>(sink, "messages", 33);
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == "data/data/com.whatsapp/databases/msgstore.db");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.item_sha256.rfind("9d327acbd6b862bf", 0) == 0);  // SOURCES.md
  CHECK(prov.source_table == "messages");
  CHECK(prov.source_rowid == 33);
  CHECK_FALSE(prov.source_offset);
  CHECK(prov.source_detail.empty());
  CHECK(prov.parser_id == "whatsapp.android.msgstore");
  CHECK(prov.parser_version == "1.1.0");
  CHECK_FALSE(prov.recovered);
  CHECK(m.app == "whatsapp");
  CHECK(m.account.empty());
  CHECK(m.thread_key == "5511991689446@s.whatsapp.net");
  CHECK(m.sender.empty());
  CHECK(m.sender_name.empty());
  CHECK(m.recipients == std::vector<std::string>{"5511991689446@s.whatsapp.net"});
  CHECK(m.direction == Direction::outgoing);
  CHECK(m.time.raw == "1526611063829");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_iso() == "2018-05-18T02:37:43.829Z");
  CHECK(m.text.empty());
  CHECK(m.status == "played (8)");
  CHECK(m.kind == "audio");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].path == "Media/WhatsApp Voice Notes/201820/PTT-20180517-WA0003.opus");
  CHECK(m.attachments[0].mime_type == "audio/ogg; codecs=opus");
  CHECK(m.attachments[0].sha256.empty());
  CHECK(m.attachments[0].size == 3702);

  auto received_image = record_at<Message>(sink, "messages", 31).second;
  CHECK(received_image.direction == Direction::incoming);
  CHECK(received_image.sender == "5511991689446@s.whatsapp.net");
  CHECK(received_image.status == "received (0)");
  REQUIRE(received_image.attachments.size() == 1);
  CHECK(received_image.attachments[0].path == "Media/WhatsApp Images/IMG-20180517-WA0002.jpg");
  CHECK(record_at<Message>(sink, "messages", 36).second.status == "read (13)");
  CHECK(record_at<Message>(sink, "messages", 2).second.kind == "service");
  CHECK(record_at<Message>(sink, "messages", 29).second.kind == "call");
  CHECK(record_at<Message>(sink, "messages", 23).second.text == "Nois👊");

  auto [tprov, t] = record_at<Thread>(sink, "chat_list", 1);
  CHECK(t.app == "whatsapp");
  CHECK(t.thread_key == "5511991880126@s.whatsapp.net");
  CHECK(t.name.empty());
  CHECK_FALSE(t.is_group);
  CHECK(t.last_activity.raw == "1526612679000");
  CHECK(t.last_activity.utc_iso() == "2018-05-18T03:04:39.000Z");
}

TEST_CASE("whatsapp.android.msgstore: wa-crypt-tools msgstore.db (real, both tables: legacy holds the data)",
          "[whatsapp]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "whatsapp_crypt/wa-crypt-tools/msgstore.db");
  auto sink = test::run_parser("whatsapp.android.msgstore", file);
  // `message` holds only its sentinel; `messages` 9 Status posts (plus its sentinel). Legacy wins.
  auto messages = sink.of_type<Message>();
  REQUIRE(messages.size() == 9);
  for (const auto& [prov, m] : messages) CHECK(prov.source_table == "messages");
  // 8 `chat` rows, of which 7 point at `jid` rows the test-set authors removed: each is a warning.
  CHECK(sink.of_type<Thread>().size() == 1);
  CHECK(sink.of_type<Call>()
            .empty());  // call_log and call_log_participant_v2 exist (group-call variant), empty
  CHECK(sink.records.size() == 10);
  REQUIRE(sink.warnings.size() == 7);
  for (const auto& w : sink.warnings) {
    CHECK(w.source_table == "chat");
    CHECK(w.message.find("not in `jid`") != std::string::npos);
  }
  CHECK(sink.warnings[0].source_rowid == 1);
  CHECK(sink.warnings[0].message.find("590") != std::string::npos);

  auto [prov, m] = record_at<Message>(sink, "messages", 12);
  CHECK(prov.item_sha256.rfind("1425b944a2e3885f", 0) == 0);  // SOURCES.md
  CHECK(prov.parser_id == "whatsapp.android.msgstore");
  CHECK(prov.parser_version == "1.1.0");
  CHECK(m.thread_key == "status@broadcast");
  CHECK(m.sender == "0@s.whatsapp.net");
  CHECK(m.direction == Direction::incoming);
  CHECK(m.kind == "image");
  CHECK(m.time.raw == "0");  // the test set zeroed its times: raw kept, no UTC
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK_FALSE(m.time.utc_us);
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].mime_type == "image/jpeg");
  CHECK(m.attachments[0].size == 119225);
  auto t = record_at<Thread>(sink, "chat", 6).second;
  CHECK(t.thread_key == "status@broadcast");
}

TEST_CASE("whatsapp.android.msgstore: generated legacy schema with ephemeral table and Japanese",
          "[whatsapp]") {
  test::TempDir dir;
  auto file = make_db(dir / "msgstore.db", std::string(kLegacySchema) + R"(
CREATE TABLE message_ephemeral(message_row_id INTEGER PRIMARY KEY, duration INTEGER NOT NULL, expire_timestamp INTEGER NOT NULL);
INSERT INTO chat_list (_id, key_remote_jid, subject, sort_timestamp) VALUES
  (1, '819012345678@s.whatsapp.net', NULL, 1714563296789),
  (2, '819012345678-1714500000@g.us', '闇バイト募集', 1714563400000);
INSERT INTO group_participants (_id, gjid, jid, admin, pending) VALUES
  (1, '819012345678-1714500000@g.us', '819012345678@s.whatsapp.net', 2, 0),
  (2, '819012345678-1714500000@g.us', '', 0, 0);
INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, data, timestamp, media_wa_type, remote_resource) VALUES
  (2, '819012345678@s.whatsapp.net', 0, 'K2', 0, '「ホワイト案件です。即日即金」', 1714563296789, '0', NULL),
  (3, '819012345678-1714500000@g.us', 0, 'K3', 0, NULL, 1714563400000, '15', '818011112222@s.whatsapp.net'),
  (4, '819012345678-1714500000@g.us', 1, 'K4', 4, '消えるメッセージ', 1714563410000, '0', NULL),
  (5, '819012345678-1714500000@g.us', 1, 'K5', 6, NULL, 1714563420000, '0', NULL);
INSERT INTO message_ephemeral VALUES (4, 86400, 1714649810000);
)");
  {
    // An image whose MediaData path has Japanese and a non-BMP character (modified UTF-8 surrogates).
    sql::Db db(file, SQLITE_OPEN_READWRITE);
    std::string path = "Media/WhatsApp Images/IMG-20240501-WA0001_即金\xED\xA0\xBD\xED\xB8\x80.jpg";
    std::string blob = media_data_blob(path);
    sql::Stmt st(
        db,
        "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, timestamp, media_wa_type, "
        "media_mime_type, media_size, media_name, media_caption, thumb_image) "
        "VALUES (6, '819012345678@s.whatsapp.net', 0, 'K6', 0, 1714563430000, '1', 'image/jpeg', 52978, "
        "NULL, '見て', ?1)");
    st.bind_blob(1, blob.data(), blob.size());
    st.run();
  }
  auto sink = test::run_parser("whatsapp.android.msgstore", file);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 9);  // 5 messages + 2 chats + 2 members

  auto [prov, m] = record_at<Message>(sink, "messages", 2);
  CHECK(m.text == kJapanese);
  CHECK(m.text.size() == std::string_view(kJapanese).size());
  CHECK(m.sender == "819012345678@s.whatsapp.net");
  CHECK(m.time.utc_iso() == "2024-05-01T11:34:56.789Z");
  CHECK(m.kind == "text");

  auto revoked = record_at<Message>(sink, "messages", 3).second;
  CHECK(revoked.deleted);
  CHECK(revoked.kind == "revoked");
  CHECK(revoked.sender == "818011112222@s.whatsapp.net");  // group sender from remote_resource
  CHECK(revoked.thread_key == "819012345678-1714500000@g.us");

  auto ephemeral = record_at<Message>(sink, "messages", 4).second;
  CHECK(ephemeral.expires_in_s == 86400);
  CHECK(ephemeral.status == "sent (4)");
  CHECK(ephemeral.recipients == std::vector<std::string>{"819012345678-1714500000@g.us"});
  CHECK(record_at<Message>(sink, "messages", 5).second.kind == "service");

  auto image = record_at<Message>(sink, "messages", 6).second;
  CHECK(image.text == "見て");  // caption
  REQUIRE(image.attachments.size() == 1);
  CHECK(image.attachments[0].path == "Media/WhatsApp Images/IMG-20240501-WA0001_即金😀.jpg");
  CHECK(image.attachments[0].size == 52978);

  auto group = record_at<Thread>(sink, "chat_list", 2).second;
  CHECK(group.is_group);
  CHECK(group.name == "闇バイト募集");
  auto creator = record_at<Participant>(sink, "group_participants", 1).second;
  CHECK(creator.role == "owner");
  CHECK(creator.identifier == "819012345678@s.whatsapp.net");
  auto me = record_at<Participant>(sink, "group_participants", 2).second;
  CHECK(me.identifier.empty());
  CHECK(me.name == "(device owner)");
  CHECK(me.role == "member");
}

TEST_CASE("whatsapp.android.msgstore: generated current schema (message, media, ephemeral, calls)",
          "[whatsapp]") {
  test::TempDir dir;
  auto file =
      make_db(dir / "msgstore.db", std::string(kCurrentSchema) + kCurrentOptionalSchema + kCurrentRows);
  auto sink =
      test::run_parser("whatsapp.android.msgstore", file, "data/data/com.whatsapp/databases/msgstore.db");
  CHECK(sink.warnings.empty());
  // 4 messages + 2 chats + 3 members + 4 calls
  REQUIRE(sink.records.size() == 13);

  auto [prov, m] = record_at<Message>(sink, "message", 2);
  CHECK(prov.source_table == "message");
  CHECK(prov.source_rowid == 2);
  CHECK(prov.item_path == "data/data/com.whatsapp/databases/msgstore.db");
  CHECK(prov.item_sha256 == test::file_sha256(file));
  CHECK(prov.parser_id == "whatsapp.android.msgstore");
  CHECK(prov.parser_version == "1.1.0");
  CHECK(m.app == "whatsapp");
  CHECK(m.thread_key == "819012345678@s.whatsapp.net");
  CHECK(m.sender == "819012345678@s.whatsapp.net");
  CHECK(m.recipients.empty());
  CHECK(m.direction == Direction::incoming);
  CHECK(m.text == kJapanese);
  CHECK(m.time.raw == "1714563296789");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_iso() == "2024-05-01T11:34:56.789Z");
  CHECK(m.status == "received (0)");
  CHECK(m.kind == "text");
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());

  auto image = record_at<Message>(sink, "message", 3).second;
  CHECK(image.kind == "image");
  CHECK(image.text == "写真です");
  CHECK(image.status == "read (13)");
  REQUIRE(image.attachments.size() == 1);
  CHECK(image.attachments[0].path == "Media/WhatsApp Images/Sent/IMG-20240501-WA0001.jpg");
  CHECK(image.attachments[0].mime_type == "image/jpeg");
  CHECK(image.attachments[0].size == 52978);

  auto revoked = record_at<Message>(sink, "message", 4).second;
  CHECK(revoked.deleted);
  CHECK(revoked.sender == "818011112222@s.whatsapp.net");
  CHECK(revoked.thread_key == "819012345678-1714500000@g.us");
  auto ephemeral = record_at<Message>(sink, "message", 5).second;
  CHECK(ephemeral.expires_in_s == 604800);
  CHECK(ephemeral.status == "delivered (5)");

  auto group = record_at<Thread>(sink, "chat", 2).second;
  CHECK(group.is_group);
  CHECK(group.name == "闇バイト募集");
  CHECK(group.last_activity.utc_iso() == "2024-05-01T11:36:40.000Z");
  CHECK(record_at<Participant>(sink, "group_participant_user", 1).second.role == "owner");
  CHECK(record_at<Participant>(sink, "group_participant_user", 2).second.role == "member");
  auto me = record_at<Participant>(sink, "group_participant_user", 3).second;
  CHECK(me.role == "admin");
  CHECK(me.name == "(device owner)");

  auto [cprov, c] = record_at<Call>(sink, "call_log", 1);
  CHECK(cprov.source_table == "call_log");
  CHECK(c.app == "whatsapp");
  CHECK(c.number == "819012345678@s.whatsapp.net");
  CHECK(c.number_e164 == "+819012345678");
  CHECK(c.direction == CallDirection::incoming);
  CHECK(c.video);
  CHECK(c.duration_s == 125);
  CHECK(c.time.raw == "1714563500000");
  CHECK(c.time.utc_iso() == "2024-05-01T11:38:20.000Z");
  CHECK(record_at<Call>(sink, "call_log", 2).second.direction == CallDirection::outgoing);
  CHECK(record_at<Call>(sink, "call_log", 3).second.direction == CallDirection::missed);
  CHECK(record_at<Call>(sink, "call_log", 4).second.direction == CallDirection::rejected);
}

// call_log_participant_v2 DDL copied from the wa-crypt-tools msgstore.db (real, empty there).
TEST_CASE("whatsapp.android.msgstore: group calls with call_log_participant_v2", "[whatsapp]") {
  test::TempDir dir;
  auto file = make_db(dir / "msgstore.db", std::string(kCurrentSchema) + kCurrentOptionalSchema + R"(
CREATE TABLE call_log_participant_v2 (    _id             INTEGER PRIMARY KEY AUTOINCREMENT,    call_log_row_id INTEGER,    jid_row_id      INTEGER,    call_result     INTEGER);
INSERT INTO jid (_id, user, server, agent, device, type, raw_string) VALUES
  (10, '819012345678', 's.whatsapp.net', 0, 0, 0, '819012345678@s.whatsapp.net'),
  (11, '818011112222', 's.whatsapp.net', 0, 0, 0, '818011112222@s.whatsapp.net'),
  (12, '819012345678-1714500000', 'g.us', 0, 0, 1, '819012345678-1714500000@g.us');
INSERT INTO call_log (_id, jid_row_id, from_me, call_id, timestamp, video_call, duration, call_result, group_jid_row_id) VALUES
  (1, 10, 0, 'C1', 1714563500000, 0, 60, 5, 0),
  (2, 10, 1, 'C2', 1714563600000, 1, 300, 5, 12),
  (3, 11, 0, 'C3', 1714563700000, 0, 0, 4, 77);
INSERT INTO call_log_participant_v2 (_id, call_log_row_id, jid_row_id, call_result) VALUES
  (1, 2, 10, 5), (2, 2, 11, 4), (3, 2, 999, 5);
)");
  auto sink = test::run_parser("whatsapp.android.msgstore", file);
  CHECK(sink.of_type<Call>().size() == 3);
  CHECK(sink.of_type<Participant>().size() == 2);
  CHECK(sink.records.size() == 5);
  // The participant whose jid row is missing, and the call whose group jid row is missing.
  REQUIRE(sink.warnings.size() == 2);
  CHECK(sink.warnings[0].source_table == "call_log");
  CHECK(sink.warnings[0].source_rowid == 2);
  CHECK(sink.warnings[0].message.find("jid row 999") != std::string::npos);
  CHECK(sink.warnings[1].source_rowid == 3);
  CHECK(sink.warnings[1].message.find("group jid row 77") != std::string::npos);

  auto one = record_at<Call>(sink, "call_log", 1).second;
  CHECK(one.name.empty());
  CHECK(one.number_e164 == "+819012345678");

  auto [prov, group] = record_at<Call>(sink, "call_log", 2);
  CHECK(prov.parser_version == "1.1.0");
  CHECK(group.app == "whatsapp");
  CHECK(group.number == "819012345678@s.whatsapp.net");
  CHECK(group.number_e164 == "+819012345678");
  CHECK(group.name == "group call: 819012345678-1714500000@g.us");
  CHECK(group.direction == CallDirection::outgoing);
  CHECK(group.video);
  CHECK(group.duration_s == 300);
  CHECK(group.time.raw == "1714563600000");
  CHECK(group.time.kind == EpochKind::unix_ms);
  CHECK(group.time.utc_iso() == "2024-05-01T11:40:00.000Z");

  auto [pprov, missed] = record_at<Participant>(sink, "call_log_participant_v2", 2);
  CHECK(pprov.source_table == "call_log_participant_v2");
  CHECK(pprov.source_rowid == 2);
  CHECK(missed.app == "whatsapp");
  CHECK(missed.thread_key == "call_log:2");
  CHECK(missed.identifier == "818011112222@s.whatsapp.net");
  CHECK(missed.name.empty());
  CHECK(missed.role == "call participant, missed (4)");
  CHECK(record_at<Participant>(sink, "call_log_participant_v2", 1).second.role ==
        "call participant, connected (5)");
}

TEST_CASE("whatsapp.android.msgstore: current `message` without the optional tables", "[whatsapp]") {
  test::TempDir dir;
  auto file = make_db(dir / "msgstore.db", std::string(kCurrentSchema) + R"(
INSERT INTO jid (_id, user, server, raw_string) VALUES (10, '819012345678', 's.whatsapp.net', '819012345678@s.whatsapp.net');
INSERT INTO chat (_id, jid_row_id, sort_timestamp) VALUES (1, 10, 1714563296789);
INSERT INTO message (_id, chat_row_id, from_me, key_id, status, timestamp, message_type, text_data)
  VALUES (2, 1, 1, 'A1', 5, 1714563296789, 0, '「ホワイト案件です。即日即金」');
)");
  auto sink = test::run_parser("whatsapp.android.msgstore", file);
  CHECK(sink.warnings.empty());  // no media/ephemeral/members/calls tables: optional, not warnings
  REQUIRE(sink.records.size() == 2);
  auto m = record_at<Message>(sink, "message", 2).second;
  CHECK(m.text == kJapanese);
  CHECK(m.direction == Direction::outgoing);
  CHECK(m.recipients == std::vector<std::string>{"819012345678@s.whatsapp.net"});
}

TEST_CASE("whatsapp.android.msgstore: malformed rows are warnings and parsing goes on", "[whatsapp]") {
  test::TempDir dir;
  auto file = make_db(dir / "msgstore.db", std::string(kCurrentSchema) + kCurrentOptionalSchema + R"(
INSERT INTO jid (_id, user, server, raw_string) VALUES (10, '819012345678', 's.whatsapp.net', '819012345678@s.whatsapp.net');
INSERT INTO chat (_id, jid_row_id, sort_timestamp) VALUES (1, 10, 1714563296789);
INSERT INTO message (_id, chat_row_id, from_me, key_id, status, timestamp, message_type, text_data) VALUES
  (2, 1, 0, 'A1', 0, '昨日', 0, '時刻が文字列'),
  (3, 77, 0, 'A2', 0, 1714563300000, 0, 'チャットが無い'),
  (4, 1, 0, 'A3', 0, 1714563310000, 0, '正常');
INSERT INTO call_log (_id, jid_row_id, from_me, call_id, timestamp, video_call, duration, call_result)
  VALUES (1, 999, 0, 'C1', 1714563500000, 0, 3, 5);
)");
  auto sink = test::run_parser("whatsapp.android.msgstore", file);
  CHECK(sink.records.size() == 5);  // 3 messages + 1 chat + 1 call, all still reported
  REQUIRE(sink.warnings.size() == 3);
  CHECK(sink.warnings[0].source_table == "message");
  CHECK(sink.warnings[0].source_rowid == 2);
  CHECK(sink.warnings[0].message.find("昨日") != std::string::npos);
  CHECK(sink.warnings[1].source_rowid == 3);
  CHECK(sink.warnings[1].message.find("77") != std::string::npos);
  CHECK(sink.warnings[2].source_table == "call_log");
  CHECK(sink.warnings[2].message.find("999") != std::string::npos);
  auto bad = record_at<Message>(sink, "message", 2).second;
  CHECK(bad.time.raw == "昨日");
  CHECK_FALSE(bad.time.utc_us);
  CHECK(bad.text == "時刻が文字列");
  CHECK(record_at<Message>(sink, "message", 3).second.thread_key.empty());
  CHECK(record_at<Message>(sink, "message", 4).second.time.utc_iso() == "2024-05-01T11:35:10.000Z");
}

}  // namespace kanshiki
