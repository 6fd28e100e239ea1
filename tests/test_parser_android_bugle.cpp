// android.bugle on a fixture with AOSP Messaging's DDL (datamodel/DatabaseHelper.java; columns of the five
// tables read, as declared there): a one-to-one SMS chat in Japanese, a group MMS with a photo part, an
// RCS message, and a row whose status says nothing about its direction.
#include <catch2/catch.hpp>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

constexpr const char* kItem = "data/data/com.google.android.apps.messaging/databases/bugle_db";

constexpr const char* kDdl = R"(
CREATE TABLE conversations(_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, latest_message_id INT, snippet_text TEXT, subject_text TEXT, preview_uri TEXT, preview_content_type TEXT, show_draft INT DEFAULT(0), draft_snippet_text TEXT, draft_subject_text TEXT, draft_preview_uri TEXT, draft_preview_content_type TEXT, archive_status INT DEFAULT(0), sort_timestamp INT DEFAULT(0), last_read_timestamp INT DEFAULT(0), icon TEXT, participant_contact_id INT DEFAULT ( -1), participant_lookup_key TEXT, participant_normalized_destination TEXT, current_self_id TEXT, participant_count INT DEFAULT(0), notification_enabled INT DEFAULT(1), notification_sound_uri TEXT, notification_vibration INT DEFAULT(1), include_email_addr INT DEFAULT(0), sms_service_center TEXT, sms_thread_id INT DEFAULT(0));
CREATE TABLE participants(_id INTEGER PRIMARY KEY AUTOINCREMENT, sub_id INT DEFAULT(-2), sim_slot_id INT DEFAULT(-1), normalized_destination TEXT, send_destination TEXT, display_destination TEXT, full_name TEXT, first_name TEXT, profile_photo_uri TEXT, contact_id INT DEFAULT( -1), lookup_key STRING, blocked INT DEFAULT(0), subscription_name TEXT, subscription_color INT DEFAULT(0), contact_destination TEXT, UNIQUE (normalized_destination, sub_id) ON CONFLICT FAIL);
CREATE TABLE conversation_participants(_id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INT, participant_id INT, UNIQUE (conversation_id,participant_id) ON CONFLICT FAIL);
CREATE TABLE messages(_id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INT, sender_id INT, sent_timestamp INT DEFAULT(0), received_timestamp INT DEFAULT(0), message_protocol INT DEFAULT(0), message_status INT DEFAULT(0), seen INT DEFAULT(0), read INT DEFAULT(0), sms_message_uri TEXT, sms_priority INT DEFAULT(0), sms_message_size INT DEFAULT(0), mms_subject TEXT, mms_transaction_id TEXT, mms_content_location TEXT, mms_expiry INT DEFAULT(0), raw_status INT DEFAULT(0), self_id INT, retry_start_timestamp INT DEFAULT(0));
CREATE TABLE parts(_id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INT, text TEXT, uri TEXT, content_type TEXT, width INT DEFAULT(-1), height INT DEFAULT(-1), timestamp INT, conversation_id INT);
)";

TEST_CASE("android.bugle: Google Messages fixture", "[android][bugle]") {
  test::TempDir dir;
  fs::path p = dir / "bugle_db";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(kDdl);
    db.exec(R"(
INSERT INTO participants(_id, sub_id, normalized_destination, full_name) VALUES
  (1, 1, '+819011112222', NULL), (2, -2, '+818033334444', '田中 リクルーター'), (3, -2, '+817055556666', '受け子 B');
INSERT INTO conversations(_id, name) VALUES (1, '田中 リクルーター'), (2, 'グループ');
INSERT INTO conversation_participants(conversation_id, participant_id) VALUES (1, 2), (2, 2), (2, 3);
INSERT INTO messages(_id, conversation_id, sender_id, sent_timestamp, received_timestamp, message_protocol, message_status, read) VALUES
  (1, 1, 2, 1700000000000, 1700000001000, 0, 100, 1),
  (2, 1, 1, 1700000060000, 1700000060000, 0, 2, 1),
  (3, 2, 3, 1700000120000, 1700000121000, 1, 100, 0),
  (4, 2, 1, 1700000180000, 1700000180000, 3, 1, 1),
  (5, 2, 3, 1700000240000, 1700000241000, 0, 0, 0);
INSERT INTO parts(message_id, text, uri, content_type, conversation_id) VALUES
  (1, '即日即金のホワイト案件あります', NULL, 'text/plain', 1),
  (2, '詳細を送ってください', NULL, 'text/plain', 1),
  (3, '受け取り場所の写真', NULL, 'text/plain', 2),
  (3, NULL, 'content://mms/part/77', 'image/jpeg', 2),
  (4, '了解', NULL, 'text/plain', 2),
  (5, '?', NULL, 'text/plain', 2);
)");
  }
  auto sink = test::run_parser("android.bugle", p, kItem);
  auto msgs = sink.of_type<Message>();
  auto threads = sink.of_type<Thread>();
  auto people = sink.of_type<Participant>();
  REQUIRE(msgs.size() == 5);
  REQUIRE(threads.size() == 2);
  REQUIRE(people.size() == 3);
  CHECK(sink.records.size() == 10);
  // Status 0 says nothing about direction: taken from the sender, and said so in a stored warning.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_rowid == 5);
  CHECK(msgs[4].second.direction == Direction::incoming);

  const auto& [mp, m] = msgs[0];
  CHECK(mp.item_path == kItem);
  CHECK(mp.item_sha256 == test::file_sha256(p));
  CHECK(mp.source_table == "messages");
  CHECK(mp.source_rowid == 1);
  CHECK(mp.parser_id == "android.bugle");
  CHECK(mp.parser_version == "1.0.0");
  CHECK_FALSE(mp.recovered);
  CHECK(m.app == "google_messages");
  CHECK(m.thread_key == "1");
  CHECK(m.direction == Direction::incoming);
  CHECK(m.sender == "+818033334444");
  CHECK(m.sender_name == "田中 リクルーター");
  CHECK(m.text == "即日即金のホワイト案件あります");
  CHECK(m.kind == "sms");
  CHECK(m.status == "read");
  CHECK(m.time.raw == "1700000001000");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_iso() == "2023-11-14T22:13:21.000Z");
  CHECK(m.attachments.empty());

  CHECK(msgs[1].second.direction == Direction::outgoing);
  CHECK(msgs[1].second.sender.empty());
  CHECK(msgs[1].second.status == "delivered");
  CHECK(msgs[1].second.time.raw == "1700000060000");
  const Message& mms = msgs[2].second;
  CHECK(mms.kind == "mms");
  CHECK(mms.status == "unread");
  CHECK(mms.text == "受け取り場所の写真");
  REQUIRE(mms.attachments.size() == 1);
  CHECK(mms.attachments[0].path == "content://mms/part/77");
  CHECK(mms.attachments[0].mime_type == "image/jpeg");
  CHECK(msgs[3].second.kind == "rcs/other (protocol 3)");
  CHECK(threads[1].second.is_group);
  CHECK_FALSE(threads[0].second.is_group);
  CHECK(people[2].second.name == "受け子 B");
  CHECK(people[2].second.role == "member");
}

TEST_CASE("android.bugle: an unrelated database is reported, not silently empty", "[android][bugle]") {
  test::TempDir dir;
  fs::path p = dir / "bugle_db";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("CREATE TABLE other (x INTEGER);");
  }
  auto sink = test::run_parser("android.bugle", p, kItem);
  CHECK(sink.records.empty());
  CHECK(sink.warnings.size() == 3);  // one per required query group
}

}  // namespace
}  // namespace kanshiki
