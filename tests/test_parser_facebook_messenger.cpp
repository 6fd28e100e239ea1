// facebook.messenger.android: threads_db2 fixtures. No real threads_db2 is in ../shared/realdata; the tables
// and columns are those ALEAPP's FacebookMessenger.py and karlicoss/HPI's fbmessenger/android.py read from
// real files (see parsers/facebook_messenger_android.cpp); two schema generations (with and without
// messages.snippet), Japanese text, a call summary and a malformed row.
#include <catch2/catch.hpp>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

constexpr const char* kItem = "data/data/com.facebook.orca/databases/threads_db2";

TEST_CASE("facebook.messenger.android: threads_db2 fixture", "[android][messenger]") {
  test::TempDir dir;
  fs::path p = dir / "threads_db2";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(R"(
CREATE TABLE threads (thread_key TEXT PRIMARY KEY, thread_fbid TEXT, name TEXT, timestamp_ms INTEGER);
CREATE TABLE messages (msg_id TEXT PRIMARY KEY, thread_key TEXT, action_id INTEGER, text TEXT, sender TEXT, timestamp_ms INTEGER, timestamp_sent_ms INTEGER, msg_type INTEGER, attachments TEXT, shares TEXT, snippet TEXT, message_replied_to_id TEXT, generic_admin_message_extensible_data TEXT);
CREATE TABLE thread_users (user_key TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, username TEXT, profile_pic_square TEXT, is_messenger_user INTEGER, is_friend INTEGER, friendship_status TEXT, contact_relationship_status TEXT);
CREATE TABLE thread_participants (thread_key TEXT, user_key TEXT, type TEXT);
CREATE TABLE message_reactions (msg_id TEXT, reaction TEXT, reaction_timestamp INTEGER);
INSERT INTO threads (thread_key, name) VALUES ('ONE_TO_ONE:100002:100001', NULL), ('ONE_TO_ONE:100003:100001', NULL), ('GROUP:7001', '現場チーム');
INSERT INTO thread_users VALUES ('FACEBOOK:100001', '健太', '佐藤', 'kenta.sato', NULL, 1, 0, NULL, NULL),
  ('FACEBOOK:100002', '翔', '山田', 'sho.yamada', NULL, 1, 1, 'ARE_FRIENDS', NULL),
  ('FACEBOOK:100003', 'Misaki', 'Suzuki', NULL, NULL, 1, 1, 'ARE_FRIENDS', NULL);
INSERT INTO thread_participants VALUES ('ONE_TO_ONE:100002:100001', 'FACEBOOK:100002', 'PARTICIPANT'),
  ('ONE_TO_ONE:100002:100001', 'FACEBOOK:100001', 'PARTICIPANT'),
  ('GROUP:7001', 'FACEBOOK:100001', 'ADMIN'), ('GROUP:7001', 'FACEBOOK:100002', 'PARTICIPANT'),
  ('GROUP:7001', 'FACEBOOK:100003', 'PARTICIPANT');
INSERT INTO messages (msg_id, thread_key, text, sender, timestamp_ms, msg_type, attachments, snippet, generic_admin_message_extensible_data) VALUES
  ('mid.$1', 'ONE_TO_ONE:100002:100001', '明日の受け取り場所を教えてください', '{"user_key":"FACEBOOK:100002","name":"山田 翔"}', 1709280000123, 0, NULL, NULL, NULL),
  ('mid.$2', 'ONE_TO_ONE:100002:100001', '駅前のロッカー、番号は後で送る', '{"user_key":"FACEBOOK:100001","name":"佐藤 健太"}', 1709280060000, 0, '[{"filename":"map.jpg","mime_type":"image/jpeg","filesize":20480}]', NULL, NULL),
  ('mid.$3', 'ONE_TO_ONE:100003:100001', NULL, '{"user_key":"FACEBOOK:100001","name":"佐藤 健太"}', 1709283600000, 0, NULL, 'You called Misaki.', '{"caller_id":"100001","call_duration":125,"video":false}'),
  ('mid.$4', 'GROUP:7001', '了解しました', '{"user_key":"FACEBOOK:100003","name":"Misaki Suzuki"}', 1709287200000, 0, NULL, NULL, NULL),
  ('mid.$5', 'GROUP:7001', 'ok', 'not json', 1709287260000, 0, NULL, NULL, NULL),
  ('mid.$6', 'GROUP:7001', NULL, NULL, 1709287300000, -1, NULL, NULL, NULL);
)");
  }
  auto sink = test::run_parser("facebook.messenger.android", p, kItem);
  auto msgs = sink.of_type<Message>();
  auto calls = sink.of_type<Call>();
  auto threads = sink.of_type<Thread>();
  auto contacts = sink.of_type<Contact>();
  auto people = sink.of_type<Participant>();
  auto accounts = sink.of_type<Account>();
  REQUIRE(msgs.size() == 5);
  REQUIRE(calls.size() == 1);
  REQUIRE(threads.size() == 3);
  REQUIRE(contacts.size() == 3);
  REQUIRE(people.size() == 5);
  REQUIRE(accounts.size() == 1);
  CHECK(sink.records.size() == 18);
  CHECK(accounts[0].second.identifier == "100001");
  // Row 5's sender is not JSON: one warning; the message is still reported, author unknown.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "messages");
  CHECK(sink.warnings[0].source_rowid == 5);
  CHECK(msgs[3].second.text == "ok");
  CHECK(msgs[3].second.sender.empty());
  CHECK(msgs[4].second.kind == "msg_type -1");

  const auto& [mp, m] = msgs[0];
  CHECK(mp.evidence_id == 1);
  CHECK(mp.item_id == 1);
  CHECK(mp.item_path == kItem);
  CHECK(mp.item_sha256 == test::file_sha256(p));
  CHECK(mp.source_table == "messages");
  CHECK(mp.source_rowid == 1);
  CHECK_FALSE(mp.source_offset);
  CHECK(mp.source_detail.empty());
  CHECK(mp.parser_id == "facebook.messenger.android");
  CHECK(mp.parser_version == "1.0.0");
  CHECK_FALSE(mp.recovered);
  CHECK(m.app == "facebook_messenger");
  CHECK(m.account == "100001");
  CHECK(m.thread_key == "ONE_TO_ONE:100002:100001");
  CHECK(m.sender == "100002");
  CHECK(m.sender_name == "山田 翔");
  CHECK(m.recipients.empty());
  CHECK(m.direction == Direction::incoming);
  CHECK(m.time.raw == "1709280000123");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_us == 1709280000123000LL);
  CHECK(m.time.utc_iso() == "2024-03-01T08:00:00.123Z");
  CHECK(m.text == "明日の受け取り場所を教えてください");
  CHECK(m.status.empty());
  CHECK(m.kind == "text");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());

  const Message& sent = msgs[1].second;
  CHECK(sent.direction == Direction::outgoing);
  CHECK(sent.sender.empty());
  CHECK(sent.recipients == std::vector<std::string>{"100002"});
  REQUIRE(sent.attachments.size() == 1);
  CHECK(sent.attachments[0].name == "map.jpg");
  CHECK(sent.attachments[0].mime_type == "image/jpeg");
  CHECK(sent.attachments[0].size == 20480);
  CHECK(msgs[2].second.direction == Direction::incoming);
  CHECK(msgs[2].second.sender_name == "Misaki Suzuki");

  const auto& [cp, c] = calls[0];
  CHECK(cp.source_table == "messages");
  CHECK(cp.source_rowid == 3);
  CHECK(c.app == "facebook_messenger");
  CHECK(c.account == "100001");
  CHECK(c.number == "100003");
  CHECK(c.direction == CallDirection::outgoing);
  CHECK(c.duration_s == 125);
  CHECK_FALSE(c.video);
  CHECK(c.time.raw == "1709283600000");

  CHECK(threads[2].second.thread_key == "GROUP:7001");
  CHECK(threads[2].second.name == "現場チーム");
  CHECK(threads[2].second.is_group);
  CHECK_FALSE(threads[0].second.is_group);
  CHECK(contacts[1].second.name == "山田 翔");
  CHECK(contacts[1].second.note == "Facebook user id 100002; username sho.yamada");
  CHECK(contacts[2].second.name == "Misaki Suzuki");
  CHECK(people[3].second.thread_key == "GROUP:7001");
  CHECK(people[3].second.identifier == "100002");
  CHECK(people[3].second.name == "山田 翔");
  CHECK(people[3].first.source_table == "thread_participants");
  CHECK(people[3].first.source_rowid == 4);
}

TEST_CASE("facebook.messenger.android: older threads_db2 without snippet", "[android][messenger]") {
  test::TempDir dir;
  fs::path p = dir / "threads_db2";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(R"(
CREATE TABLE threads (thread_key TEXT PRIMARY KEY, name TEXT);
CREATE TABLE messages (msg_id TEXT PRIMARY KEY, thread_key TEXT, text TEXT, sender TEXT, timestamp_ms INTEGER, msg_type INTEGER, attachments TEXT, shares TEXT, generic_admin_message_extensible_data TEXT);
INSERT INTO threads VALUES ('ONE_TO_ONE:100002:100001', NULL);
INSERT INTO messages VALUES ('mid.1', 'ONE_TO_ONE:100002:100001', 'バイトの件です', '{"user_key":"FACEBOOK:100002","name":"山田 翔"}', 1709280000000, 0, NULL, NULL, NULL);
)");
  }
  auto sink = test::run_parser("facebook.messenger.android", p, kItem);
  CHECK(sink.warnings.empty());
  auto msgs = sink.of_type<Message>();
  REQUIRE(msgs.size() == 1);
  CHECK(sink.records.size() == 2);  // the message and its thread; one 1:1 thread: no owner inferred
  CHECK(msgs[0].second.text == "バイトの件です");
  CHECK(msgs[0].second.sender == "100002");
  CHECK(msgs[0].second.direction == Direction::unknown);
  CHECK(msgs[0].second.account.empty());
}

}  // namespace
}  // namespace kanshiki
