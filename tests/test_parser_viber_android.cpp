// viber.android: the real viber_data of plaso's test_data (calls and Viber's phone book), and a viber_messages
// fixture with the column sets published forensic parsers require (see parsers/viber_android.cpp), with
// Japanese text, a group, an attachment and a malformed row.
#include <catch2/catch.hpp>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDataItem = "data/data/com.viber.voip/databases/viber_data";
constexpr const char* kMessagesItem = "data/data/com.viber.voip/databases/viber_messages";

TEST_CASE("viber.android: real viber_data (plaso test_data)", "[android][viber]") {
  auto file = test::realdata("android_misc/plaso/viber_data");
  if (!file) {
    WARN("KANSHIKI-SKIP: ../shared/realdata is not here (android_misc/plaso/viber_data)");
    return;
  }
  auto sink = test::run_parser("viber.android", *file, kDataItem);
  CHECK(sink.warnings.empty());
  auto calls = sink.of_type<Call>();
  auto contacts = sink.of_type<Contact>();
  REQUIRE(calls.size() == 4);
  CHECK(sink.records.size() == calls.size() + contacts.size());
  CHECK(contacts.size() >= 3);

  const auto& [p, c] = calls[2];
  CHECK(p.item_path == kDataItem);
  CHECK(p.item_sha256 == test::file_sha256(*file));
  CHECK(p.source_table == "calls");
  CHECK(p.source_rowid == 3);
  CHECK(p.parser_id == "viber.android");
  CHECK(p.parser_version == "1.0.0");
  CHECK_FALSE(p.recovered);
  CHECK(c.app == "viber");
  CHECK(c.number == "+19198887386");
  CHECK(c.number_e164 == "+19198887386");
  CHECK(c.direction == CallDirection::incoming);
  CHECK(c.time.raw == "1669408824137");
  CHECK(c.time.kind == EpochKind::unix_ms);
  CHECK(c.time.utc_iso() == "2022-11-25T20:40:24.137Z");
  CHECK(c.duration_s == 95);
  CHECK(c.video);
  CHECK_FALSE(calls[0].second.video);
  CHECK(calls[1].second.direction == CallDirection::outgoing);

  bool found = false;
  for (const auto& [cp, contact] : contacts) {
    if (contact.name != "Josh Hickman") continue;
    found = true;
    CHECK(cp.source_table == "phonebookcontact");
    CHECK(cp.source_rowid == 21);
    CHECK(contact.phones == std::vector<std::string>{"+19195790479", "+19193912507"});
  }
  CHECK(found);
}

TEST_CASE("viber.android: viber_messages fixture", "[android][viber]") {
  test::TempDir dir;
  fs::path p = dir / "viber_messages";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(R"(
CREATE TABLE conversations (_id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_type INTEGER DEFAULT 0, name TEXT, participant_id_1 INTEGER, date LONG);
CREATE TABLE participants_info (_id INTEGER PRIMARY KEY AUTOINCREMENT, participant_type INTEGER, member_id TEXT, number TEXT, contact_name TEXT, display_name TEXT, viber_name TEXT);
CREATE TABLE participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER, participant_info_id INTEGER, active INTEGER);
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER, participant_id INTEGER, msg_date LONG, send_type INTEGER, body TEXT, extra_uri TEXT, extra_mime INTEGER, order_key INTEGER, unread INTEGER);
INSERT INTO conversations VALUES (1, 0, NULL, 2, 1700000000000), (2, 1, '高額バイト連絡', 3, 1700000100000);
INSERT INTO participants_info VALUES (1, 0, 'me', '+819011112222', NULL, '自分', NULL),
  (2, 1, 'm2', '+818033334444', '田中 リクルーター', NULL, 'tanaka'),
  (3, 1, 'm3', '+447700900123', NULL, NULL, 'Runner');
INSERT INTO participants VALUES (1, 1, 1, 1), (2, 1, 2, 1), (3, 2, 1, 1), (4, 2, 2, 1), (5, 2, 3, 1);
INSERT INTO messages VALUES
  (1, 1, 2, 1700000000000, 0, 'ホワイト案件です。即日即金、興味ある？', NULL, 0, 1, 0),
  (2, 1, 1, 1700000060000, 1, '詳しく教えてください', NULL, 0, 2, 0),
  (3, 2, 5, 1700000120000, 0, NULL, 'content://com.viber.voip/photo/123', 1, 3, 0),
  (4, 2, 4, 1700000180000, 7, 'odd', NULL, 0, 4, 0);
)");
  }
  auto sink = test::run_parser("viber.android", p, kMessagesItem);
  auto msgs = sink.of_type<Message>();
  auto threads = sink.of_type<Thread>();
  auto people = sink.of_type<Participant>();
  REQUIRE(msgs.size() == 4);
  REQUIRE(threads.size() == 2);
  REQUIRE(people.size() == 5);
  CHECK(sink.records.size() == 11);
  // The one malformed row (send_type 7) is a stored warning; the row is still reported.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "messages");
  CHECK(sink.warnings[0].source_rowid == 4);
  CHECK(msgs[3].second.direction == Direction::unknown);

  const auto& [mp, m] = msgs[0];
  CHECK(mp.item_path == kMessagesItem);
  CHECK(mp.source_table == "messages");
  CHECK(mp.source_rowid == 1);
  CHECK(mp.parser_id == "viber.android");
  CHECK_FALSE(mp.recovered);
  CHECK(m.app == "viber");
  CHECK(m.thread_key == "1");
  CHECK(m.direction == Direction::incoming);
  CHECK(m.sender == "+818033334444");
  CHECK(m.sender_name == "田中 リクルーター");
  CHECK(m.text == "ホワイト案件です。即日即金、興味ある？");
  CHECK(m.time.raw == "1700000000000");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_iso() == "2023-11-14T22:13:20.000Z");
  CHECK(m.kind == "text");
  CHECK(m.attachments.empty());

  CHECK(msgs[1].second.direction == Direction::outgoing);
  CHECK(msgs[1].second.sender.empty());
  CHECK(msgs[2].second.sender_name == "Runner");
  REQUIRE(msgs[2].second.attachments.size() == 1);
  CHECK(msgs[2].second.attachments[0].path == "content://com.viber.voip/photo/123");
  CHECK(threads[1].second.name == "高額バイト連絡");
  CHECK(threads[1].second.is_group);
  CHECK_FALSE(threads[0].second.is_group);
  CHECK(people[0].second.role == "owner");
  CHECK(people[0].second.identifier == "+819011112222");
  CHECK(people[1].second.role == "member");
}

TEST_CASE("viber.android: a database that is not Viber's is reported", "[android][viber]") {
  test::TempDir dir;
  fs::path p = dir / "viber_data";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("CREATE TABLE unrelated (x INTEGER); INSERT INTO unrelated VALUES (1);");
  }
  auto sink = test::run_parser("viber.android", p, kDataItem);
  CHECK(sink.records.empty());
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("not a Viber database") != std::string::npos);
}

}  // namespace
}  // namespace kanshiki
