// ios.sms: real sms.db (MVT iOS 14 backup) and macOS chat.db (plaso), plus generated fixtures built from the
// real schema: an iOS 16 database whose texts live only in attributedBody typedstream blobs (one truncated),
// an old minimal schema, and a `chat` table that is not recognised.
#include <string>
#include <vector>

#include "core/sqlite_util.h"
#include "parsers/typedstream.h"
#include "tests/test_support.h"

using namespace kanshiki;
using kanshiki::test::TempDir;

namespace {

// Real schema DDL, column for column: iOS 14 sms.db (MVT backup) for `handle` and `message` (with the
// iOS 16 columns date_retracted/date_edited appended) and macOS chat.db (plaso) for the conversation tables.
constexpr const char* kHandleDdl = R"(CREATE TABLE handle (
  ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT,
  UNIQUE (id, service) );)";
constexpr const char* kMessageIos16Ddl = R"(CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
  guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0, service_center TEXT,
  handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0,
  type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0,
  date INTEGER, date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0,
  is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0,
  is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0, is_prepared INTEGER DEFAULT 0,
  is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0,
  has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0,
  was_downgraded INTEGER DEFAULT 0, is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0,
  cache_roomnames TEXT, was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0,
  is_audio_message INTEGER DEFAULT 0, is_played INTEGER DEFAULT 0, date_played INTEGER,
  item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0, group_title TEXT,
  group_action_type INTEGER DEFAULT 0, share_status INTEGER DEFAULT 0, share_direction INTEGER DEFAULT 0,
  is_expirable INTEGER DEFAULT 0, expire_state INTEGER DEFAULT 0, message_action_type INTEGER DEFAULT 0,
  message_source INTEGER DEFAULT 0, associated_message_guid TEXT, associated_message_type INTEGER DEFAULT 0,
  balloon_bundle_id TEXT, payload_data BLOB, expressive_send_style_id TEXT,
  associated_message_range_location INTEGER DEFAULT 0, associated_message_range_length INTEGER DEFAULT 0,
  time_expressive_send_played INTEGER, message_summary_info BLOB, ck_sync_state INTEGER DEFAULT 0,
  ck_record_id TEXT, ck_record_change_tag TEXT, destination_caller_id TEXT,
  sr_ck_sync_state INTEGER DEFAULT 0, sr_ck_record_id TEXT, sr_ck_record_change_tag TEXT, is_corrupt INTEGER DEFAULT 0,
  reply_to_guid TEXT DEFAULT NULL, sort_id INTEGER DEFAULT 0, is_spam INTEGER DEFAULT 0,
  has_unseen_mention INTEGER DEFAULT 0, thread_originator_guid TEXT DEFAULT NULL,
  thread_originator_part TEXT DEFAULT NULL,
  date_retracted INTEGER DEFAULT 0, date_edited INTEGER DEFAULT 0);)";
constexpr const char* kChatDdl = R"(CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
  guid TEXT UNIQUE NOT NULL, style INTEGER, state INTEGER, account_id TEXT, properties BLOB,
  chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0,
  last_addressed_handle TEXT, display_name TEXT, group_id TEXT, is_filtered INTEGER,
  successful_query INTEGER);)";
constexpr const char* kJoinAndAttachmentDdl = R"(
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, PRIMARY KEY (chat_id, message_id));
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE,
  attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id));
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT,
  transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0, user_info BLOB, transfer_name TEXT,
  total_bytes INTEGER DEFAULT 0);)";

// --- typedstream built byte by byte, laid out like the real blobs in chat.db / iOS sms.db
// ----------------------
void put_length(std::string& out, size_t n) {
  if (n < 0x80) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += '\x81';
    out += static_cast<char>(n & 0xFF);
    out += static_cast<char>((n >> 8) & 0xFF);
  } else {
    out += '\x82';
    for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
  }
}

void put_new_string(std::string& out, std::string_view s) {
  out += '\x84';
  put_length(out, s.size());
  out += s;
}

// An NSMutableAttributedString archive whose string is `text` (UTF-8) of `utf16_units` UTF-16 code units.
std::string attributed_body(std::string_view text, size_t utf16_units) {
  std::string b("\x04\x0bstreamtyped\x81\xe8\x03", 16);
  put_new_string(b, "@");  // type of the root value: an object
  b += "\x84\x84";         // new object, new class
  put_new_string(b, "NSMutableAttributedString");
  b += '\x00';  // class version 0
  b += "\x84";
  put_new_string(b, "NSAttributedString");
  b += '\x00';
  b += "\x84";
  put_new_string(b, "NSObject");
  b += '\x00';
  b += '\x85';  // end of class chain
  b += '\x92';  // type "@" again, by reference to string #0
  b += "\x84\x84";
  put_new_string(b, "NSMutableString");
  b += '\x01';
  b += "\x84";
  put_new_string(b, "NSString");
  b += '\x01';
  b += '\x95';  // superclass: NSObject (object table #3)
  put_new_string(b, "+");
  put_length(b, text.size());
  b += text;
  b += '\x86';  // end of the string object
  // The attribute run that follows (range + dictionary); the reader does not need it, real blobs have it.
  put_new_string(b, "iI");
  b += '\x01';
  put_length(b, utf16_units);
  b += '\x92';
  b += "\x84\x84";
  put_new_string(b, "NSDictionary");
  b += '\x00';
  b += '\x95';
  put_new_string(b, "i");
  b += '\x01';
  b += '\x92';
  b += "\x84\x98\x98";
  put_new_string(b, "__kIMMessagePartAttributeName");
  b += "\x86\x92\x84\x84";
  put_new_string(b, "NSNumber");
  b += '\x00';
  b += '\x84';
  put_new_string(b, "NSValue");
  b += '\x00';
  b += '\x95';
  put_new_string(b, "*");
  b += std::string("\x84\x9b\x9b\x00\x86\x86\x86", 7);
  return b;
}

const std::string kWhiteJob = "ホワイト案件、即日即金です";  // 13 characters, 39 UTF-8 bytes
// Longer than 127 bytes, so its length is written as 0x81 + u16.
const std::string kLongText =
    "明日の受け渡しは渋谷駅ハチ公口で午後三時。"
    "現金は封筒に入れて、カードは暗証番号のメモと一緒に持ってきてください。"
    "遅れる場合は必ず連絡すること。";

constexpr int64_t kCocoaNs20240501 = 736259696789000000;  // 2024-05-01T12:34:56.789Z

void bind_blob(sql::Stmt& st, int i, const std::string& b) { st.bind_blob(i, b.data(), b.size()); }

// The iOS 16 fixture: 5 messages in 2 chats (one group), 3 participants, one attachment.
std::filesystem::path make_ios16_fixture(const TempDir& dir) {
  auto path = dir / "sms.db";
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(kHandleDdl);
  db.exec(kMessageIos16Ddl);
  db.exec(kChatDdl);
  db.exec(kJoinAndAttachmentDdl);
  db.exec(
      "INSERT INTO handle(ROWID, id, country, service) VALUES (1, '+819012345678', 'jp', 'iMessage'),"
      " (2, 'suspect@example.jp', 'jp', 'iMessage');"
      "INSERT INTO chat(ROWID, guid, style, chat_identifier, service_name, display_name) VALUES"
      " (1, 'iMessage;-;+819012345678', 45, '+819012345678', 'iMessage', ''),"
      " (2, 'iMessage;+;chat815500000001', 43, 'chat815500000001', 'iMessage', '受け子チーム');"
      "INSERT INTO chat_handle_join(chat_id, handle_id) VALUES (1, 1), (2, 1), (2, 2);"
      "INSERT INTO chat_message_join(chat_id, message_id) VALUES (1, 1), (2, 2), (2, 3), (1, 4), (1, 5);"
      "INSERT INTO attachment(ROWID, guid, filename, uti, mime_type, transfer_name, total_bytes) VALUES"
      " (1, 'AT-1', '~/Library/SMS/Attachments/4f/15/AT-1/IMG_0001.jpeg', 'public.jpeg', 'image/jpeg',"
      " 'IMG_0001.jpeg', 123456);"
      "INSERT INTO message_attachment_join(message_id, attachment_id) VALUES (2, 1);");
  sql::Stmt ins(
      db,
      "INSERT INTO message(ROWID, guid, text, attributedBody, handle_id, service, account, date, date_read, "
      "is_from_me, is_read, is_sent, is_delivered, date_edited, date_retracted) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'iMessage', 'p:+818011112222', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  // 1: incoming, plain text column.
  ins.bind(1, 1)
      .bind(2, "G-1")
      .bind(3, "今日会える？")
      .bind_null(4)
      .bind(5, 1)
      .bind(6, kCocoaNs20240501 - 60'000'000'000);
  ins.bind(7, 0).bind(8, 0).bind(9, 1).bind(10, 0).bind(11, 0).bind(12, 0).bind(13, 0).run();
  // 2: outgoing to the group, text only in attributedBody, edited, with an attachment.
  ins.bind(1, 2).bind(2, "G-2").bind_null(3);
  bind_blob(ins, 4, attributed_body(kWhiteJob, 13));
  ins.bind(5, 0).bind(6, kCocoaNs20240501).bind(7, 0).bind(8, 1).bind(9, 0).bind(10, 1).bind(11, 1);
  ins.bind(12, kCocoaNs20240501 + 5'000'000'000).bind(13, 0).run();
  // 3: incoming in the group, attributedBody truncated in the middle of the text.
  std::string truncated = attributed_body("至急連絡ください", 8);
  truncated.resize(truncated.find("至急") + 7);
  ins.bind(1, 3).bind(2, "G-3").bind_null(3);
  bind_blob(ins, 4, truncated);
  ins.bind(5, 2)
      .bind(6, kCocoaNs20240501 + 60'000'000'000)
      .bind(7, 0)
      .bind(8, 0)
      .bind(9, 0)
      .bind(10, 0)
      .bind(11, 0);
  ins.bind(12, 0).bind(13, 0).run();
  // 4: incoming, long text only in attributedBody (0x81 length).
  ins.bind(1, 4).bind(2, "G-4").bind_null(3);
  bind_blob(ins, 4, attributed_body(kLongText, 70));
  ins.bind(5, 1).bind(6, kCocoaNs20240501 + 120'000'000'000).bind(7, 0).bind(8, 0).bind(9, 0).bind(10, 0);
  ins.bind(11, 0).bind(12, 0).bind(13, 0).run();
  // 5: outgoing, unsent by the sender: no text, no body, date_retracted set.
  ins.bind(1, 5).bind(2, "G-5").bind_null(3).bind_null(4).bind(5, 1).bind(6,
                                                                          kCocoaNs20240501 + 180'000'000'000);
  ins.bind(7, 0).bind(8, 1).bind(9, 0).bind(10, 1).bind(11, 0).bind(12, 0).bind(
      13, kCocoaNs20240501 + 200'000'000'000);
  ins.run();
  return path;
}

template <typename T>
std::vector<std::pair<Provenance, T>> only(const CollectingSink& sink) {
  return sink.of_type<T>();
}

}  // namespace

TEST_CASE("typedstream: text of an archived attributed string, and malformed blobs", "[ios]") {
  auto blob = attributed_body(kWhiteJob, 13);
  auto ok = typedstream::attributed_string_text(blob);
  REQUIRE(ok.text);
  CHECK(*ok.text == kWhiteJob);
  CHECK(ok.error.empty());

  auto long_blob = attributed_body(kLongText, 70);
  REQUIRE(kLongText.size() > 127);
  CHECK(typedstream::attributed_string_text(long_blob).text == kLongText);

  // Every prefix that cuts the text short is an error, never a crash or an over-read.
  const size_t text_end = blob.find(kWhiteJob) + kWhiteJob.size();
  for (size_t n = 0; n < blob.size(); ++n) {
    auto r = typedstream::attributed_string_text(std::string_view(blob).substr(0, n));
    if (n < text_end) {
      CHECK_FALSE(r.text);
      CHECK_FALSE(r.error.empty());
    } else {
      CHECK(r.text == kWhiteJob);
    }
  }
  auto truncated = typedstream::attributed_string_text(std::string_view(blob).substr(0, text_end - 5));
  CHECK(truncated.error.find("truncated") != std::string::npos);

  CHECK(typedstream::attributed_string_text("bplist00").error.find("truncated") != std::string::npos);
  std::string big_endian("\x04\x0btypedstream\x81\x03\xe8", 16);
  CHECK(typedstream::attributed_string_text(big_endian).error == "big-endian typedstream is not supported");
  std::string bad_utf8 = attributed_body("\xe6\x97", 1);
  CHECK(typedstream::attributed_string_text(bad_utf8).error.find("not valid UTF-8") != std::string::npos);
  std::string not_attributed = blob;
  not_attributed.replace(not_attributed.find("NSAttributedString"), 18, "NSXttributedString");
  CHECK(typedstream::attributed_string_text(not_attributed).error.find("not an NSAttributedString") !=
        std::string::npos);
  std::string bad_reference = blob;
  bad_reference[bad_reference.find("NSString") + 9] = '\x9f';  // superclass reference to an unread entry
  CHECK(typedstream::attributed_string_text(bad_reference).error.find("class reference") !=
        std::string::npos);

  CHECK(typedstream::is_valid_utf8(kLongText));
  CHECK_FALSE(typedstream::is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(typedstream::is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(typedstream::is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST_CASE("ios.sms: real iOS 14 sms.db from the MVT backup", "[ios]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "ios_backup/mvt_ios_backup/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28");
  auto sink = test::run_parser("ios.sms", file, "HomeDomain/Library/SMS/sms.db");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 1);  // trimmed by MVT: message and handle only, no chat tables
  auto msgs = only<Message>(sink);
  REQUIRE(msgs.size() == 1);
  const auto& [p, m] = msgs[0];
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == "HomeDomain/Library/SMS/sms.db");
  CHECK(p.item_sha256 == test::file_sha256(file));
  CHECK(p.source_table == "message");
  CHECK(p.source_rowid == 3);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail.empty());
  CHECK(p.parser_id == "ios.sms");
  CHECK(p.parser_version == "1.0.0");
  CHECK_FALSE(p.recovered);
  CHECK(m.app == "sms");  // message.service is NULL; the handle's service is SMS
  CHECK(m.account.empty());
  CHECK(m.thread_key.empty());
  CHECK(m.sender == "apple");
  CHECK(m.sender_name.empty());
  CHECK(m.recipients.empty());
  CHECK(m.direction == Direction::incoming);
  CHECK(m.time.raw == "588813210539788032");
  CHECK(m.time.kind == EpochKind::cocoa_ns);
  CHECK(m.time.utc_us == 1567120410539788);
  CHECK(m.time.utc_iso() == "2019-08-29T23:13:30.539Z");
  CHECK(m.text == "Please click here https://badbadbad.example.org/");
  CHECK(m.status == "unread");
  CHECK(m.kind == "sms");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());
}

TEST_CASE("ios.sms: real macOS chat.db (plaso), same schema family", "[ios]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "ios_misc/plaso/imessage_chat.db");
  auto sink = test::run_parser("ios.sms", file, "Users/ken/Library/Messages/chat.db");
  // This file was edited after the fact: in messages 6 and 10 the text column says "Open Office" while the
  // attributedBody archive Messages wrote says "Microsoft Office". Both copies are kept: the text column in
  // the record, the archived text in a warning on that row.
  REQUIRE(sink.warnings.size() == 2);
  CHECK(sink.warnings[0].source_table == "message");
  CHECK(sink.warnings[0].source_rowid == 6);
  CHECK(sink.warnings[0].message ==
        "message.text differs from the text archived in attributedBody; the text column is reported, "
        "attributedBody holds: \"It does have it’s own ‘office’ software, but you can also install Microsoft "
        "Office, which I have a copy of.\"");
  CHECK(sink.warnings[1].source_rowid == 10);
  CHECK(sink.warnings[1].message.find(
            "\"Hi Eireanne, I've left a USB stick up at my Mum's with Microsoft Office on "
            "it.\"") != std::string::npos);
  CHECK(sink.records.size() == 24);
  auto msgs = only<Message>(sink);
  auto threads = only<Thread>(sink);
  auto people = only<Participant>(sink);
  REQUIRE(msgs.size() == 10);
  REQUIRE(threads.size() == 7);
  REQUIRE(people.size() == 7);

  // Message 9: outgoing iMessage in the chat with jondoh2015@icloud.com, read by the recipient.
  const auto& [p, m] = msgs[8];
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == "Users/ken/Library/Messages/chat.db");
  CHECK(p.item_sha256 == test::file_sha256(file));
  CHECK(p.source_table == "message");
  CHECK(p.source_rowid == 9);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail.empty());
  CHECK(p.parser_id == "ios.sms");
  CHECK(p.parser_version == "1.0.0");
  CHECK_FALSE(p.recovered);
  CHECK(m.app == "imessage");
  CHECK(m.account == "e:ken.doh@icloud.com");
  CHECK(m.thread_key == "iMessage;-;jondoh2015@icloud.com");
  CHECK(m.sender.empty());
  CHECK(m.sender_name.empty());
  CHECK(m.recipients == std::vector<std::string>{"xxxxxx2015@icloud.com"});
  CHECK(m.direction == Direction::outgoing);
  CHECK(m.time.raw == "470578792");
  CHECK(m.time.kind == EpochKind::cocoa_s);
  CHECK(m.time.utc_us == int64_t{1448885992} * 1000000);
  CHECK(m.time.utc_iso() == "2015-11-30T12:19:52.000Z");
  CHECK(m.text == "Yes, did you get it?");
  CHECK(m.status == "read");
  CHECK(m.kind == "imessage");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());

  // Incoming messages name their sender; the chat and its one member are there too.
  CHECK(msgs[0].second.sender == "447775455555");
  CHECK(msgs[0].second.direction == Direction::incoming);
  CHECK(msgs[0].second.status == "read");
  CHECK(threads[1].first.source_table == "chat");
  CHECK(threads[1].first.source_rowid == 2);
  CHECK(threads[1].second.app == "imessage");
  CHECK(threads[1].second.thread_key == "iMessage;-;jondoh2015@icloud.com");
  CHECK(threads[1].second.name.empty());
  CHECK_FALSE(threads[1].second.is_group);
  CHECK(threads[1].second.last_activity.raw == "470578792");
  CHECK(people[1].first.source_table == "chat_handle_join");
  CHECK(people[1].first.source_rowid == 2);
  CHECK(people[1].second.thread_key == "iMessage;-;jondoh2015@icloud.com");
  CHECK(people[1].second.identifier == "xxxxxx2015@icloud.com");
  CHECK(people[1].second.role == "member");

  // The typedstream reader decodes every real attributedBody in this file and agrees with the text column
  // wherever the file was not edited.
  TempDir dir;
  sql::Db db(test::copy_sqlite_to(file, dir.path()), SQLITE_OPEN_READONLY);
  sql::Stmt st(
      db, "SELECT ROWID, text, attributedBody FROM message WHERE attributedBody IS NOT NULL ORDER BY ROWID");
  int compared = 0;
  while (st.step()) {
    auto decoded = typedstream::attributed_string_text(st.blob(2));
    INFO("message " << st.i64(0) << ": " << decoded.error);
    REQUIRE(decoded.text);
    if (st.i64(0) != 6 && st.i64(0) != 10) CHECK(*decoded.text == st.text(1));
    ++compared;
  }
  CHECK(compared == 10);
}

TEST_CASE("ios.sms: iOS 16 fixture with text only in attributedBody, edited, unsent and a truncated body",
          "[ios]") {
  TempDir dir;
  auto file = make_ios16_fixture(dir);
  auto sink = test::run_parser("ios.sms", file, "HomeDomain/Library/SMS/sms.db");

  // The truncated body is one warning naming its row; the message itself is still reported.
  REQUIRE(sink.warnings.size() == 1);
  const auto& w = sink.warnings[0];
  CHECK(w.parser_id == "ios.sms");
  CHECK(w.source_table == "message");
  CHECK(w.source_rowid == 3);
  CHECK(w.message.find("attributedBody") != std::string::npos);
  CHECK(w.message.find("truncated") != std::string::npos);

  CHECK(sink.records.size() == 10);
  auto msgs = only<Message>(sink);
  auto threads = only<Thread>(sink);
  auto people = only<Participant>(sink);
  REQUIRE(msgs.size() == 5);
  REQUIRE(threads.size() == 2);
  REQUIRE(people.size() == 3);

  const auto& [p, m] = msgs[1];
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == "HomeDomain/Library/SMS/sms.db");
  CHECK(p.item_sha256 == test::file_sha256(file));
  CHECK(p.source_table == "message");
  CHECK(p.source_rowid == 2);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail.empty());
  CHECK(p.parser_id == "ios.sms");
  CHECK(p.parser_version == "1.0.0");
  CHECK_FALSE(p.recovered);
  CHECK(m.app == "imessage");
  CHECK(m.account == "p:+818011112222");
  CHECK(m.thread_key == "iMessage;+;chat815500000001");
  CHECK(m.sender.empty());
  CHECK(m.sender_name.empty());
  CHECK(m.recipients == std::vector<std::string>{"+819012345678", "suspect@example.jp"});
  CHECK(m.direction == Direction::outgoing);
  CHECK(m.time.raw == "736259696789000000");
  CHECK(m.time.kind == EpochKind::cocoa_ns);
  CHECK(m.time.utc_us == 1714566896789000);
  CHECK(m.time.utc_iso() == "2024-05-01T12:34:56.789Z");
  CHECK(m.text == "ホワイト案件、即日即金です");
  CHECK(m.text ==
        "\xe3\x83\x9b\xe3\x83\xaf\xe3\x82\xa4\xe3\x83\x88\xe6\xa1\x88\xe4\xbb\xb6\xe3\x80\x81\xe5\x8d\xb3"
        "\xe6\x97\xa5\xe5\x8d\xb3\xe9\x87\x91\xe3\x81\xa7\xe3\x81\x99");  // byte-exact
  CHECK(m.status == "delivered");
  CHECK(m.kind == "imessage");
  CHECK(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].path == "~/Library/SMS/Attachments/4f/15/AT-1/IMG_0001.jpeg");
  CHECK(m.attachments[0].mime_type == "image/jpeg");
  CHECK(m.attachments[0].sha256.empty());
  CHECK(m.attachments[0].size == 123456);

  CHECK(msgs[0].second.text == "今日会える？");
  CHECK(msgs[0].second.sender == "+819012345678");
  CHECK(msgs[2].second.text.empty());  // truncated body: kept, without text
  CHECK(msgs[2].second.sender == "suspect@example.jp");
  CHECK(msgs[3].second.text == kLongText);
  CHECK(msgs[4].second.deleted);
  CHECK(msgs[4].second.text.empty());
  CHECK(msgs[4].second.recipients == std::vector<std::string>{"+819012345678"});

  CHECK(threads[1].second.name == "受け子チーム");
  CHECK(threads[1].second.is_group);
  CHECK(threads[1].second.last_activity.raw == std::to_string(kCocoaNs20240501 + 60'000'000'000));
  CHECK(threads[0].second.last_activity.raw == std::to_string(kCocoaNs20240501 + 180'000'000'000));
  CHECK(people[2].second.thread_key == "iMessage;+;chat815500000001");
  CHECK(people[2].second.identifier == "suspect@example.jp");
}

TEST_CASE("ios.sms: old minimal message table (no attributedBody, no date_read) in seconds", "[ios]") {
  TempDir dir;
  auto path = dir / "sms.db";
  {
    sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(kHandleDdl);
    db.exec(R"(CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
      text TEXT, handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, is_from_me INTEGER DEFAULT 0);)");
    db.exec(
        "INSERT INTO handle(ROWID, id, service) VALUES (1, '09012345678', 'SMS');"
        "INSERT INTO message VALUES (1, 'OLD-1', '荷物は駅のロッカーです', 1, 'SMS', 420000000, 0);");
  }
  auto sink = test::run_parser("ios.sms", path);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 1);
  auto msgs = only<Message>(sink);
  REQUIRE(msgs.size() == 1);
  const auto& [p, m] = msgs[0];
  CHECK(p.item_path == "sms.db");
  CHECK(p.source_table == "message");
  CHECK(p.source_rowid == 1);
  CHECK(m.app == "sms");
  CHECK(m.kind == "sms");
  CHECK(m.sender == "09012345678");
  CHECK(m.direction == Direction::incoming);
  CHECK(m.text == "荷物は駅のロッカーです");
  CHECK(m.status.empty());  // no read/sent columns in this schema
  CHECK(m.time.raw == "420000000");
  CHECK(m.time.kind == EpochKind::cocoa_s);
  CHECK(m.time.utc_iso() == "2014-04-24T02:40:00.000Z");
}

TEST_CASE("ios.sms: an unrecognised chat table is a warning, messages still parsed", "[ios]") {
  TempDir dir;
  auto path = dir / "sms.db";
  {
    sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(kHandleDdl);
    db.exec(kMessageIos16Ddl);
    db.exec("CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE, style INTEGER);");
    db.exec(R"(INSERT INTO handle(ROWID, id, service) VALUES (1, '+819012345678', 'iMessage');
      INSERT INTO message(ROWID, guid, text, handle_id, service, date, is_from_me)
        VALUES (1, 'X', 'はい', 1, 'iMessage', 1, 0);)");
  }
  auto sink = test::run_parser("ios.sms", path);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("chat.chat_identifier") != std::string::npos);
  REQUIRE(sink.records.size() == 1);
  CHECK(only<Message>(sink)[0].second.text == "はい");
}
