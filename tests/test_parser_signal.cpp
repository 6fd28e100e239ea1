// signal.android and signal.ios on fixtures built from the apps' real schemas (no real Signal database is in
// ../shared/realdata). Schema sources, cited per table in the parsers' header comments:
//   Android 2023+: signalapp/Signal-Android MessageTable.kt (CREATE_TABLE), RecipientTable, ThreadTable,
//                  AttachmentTable, GroupTable (`groups`, `group_membership`);
//   Android 5.x:   SmsDatabase.java CREATE_TABLE (`sms`), MmsDatabase.java (`mms`), AttachmentDatabase
//   (`part`); iOS:           signalapp/Signal-iOS SignalServiceKit/Resources/schema.sql (model_* tables),
//   SDSRecordType.swift.
// Column subsets keep every column the parsers read plus neighbours with their real names and types.
// The last case runs the whole road: SQLCipher signal.db in an extraction -> `decrypt signal` -> `process`.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace test_signal {
// tests/test_sqlcipher.cpp: a database with SQLCipher's reserved bytes per page, and the Python encryptor.
void make_db_with_reserve(const std::filesystem::path& path, int page_size, int reserve,
                          const std::string& sql);
bool encrypt_with_python(const std::filesystem::path& plain, const std::filesystem::path& out,
                         const std::string& profile, const std::string& key_args);
bool python_crypto_available();
}  // namespace test_signal

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kAndroidItem = "data/data/org.thoughtcrime.securesms/databases/signal.db";
constexpr const char* kIosItem = "private/var/mobile/Containers/Shared/AppGroup/0A1B/grdb/signal.sqlite";
constexpr const char* kJapanese = "受け子は明日の10時に渋谷駅で。報酬は即日即金です";

// Signal Android, 2023+ (single `message` table).
const std::string kAndroidCurrentSql = fmt::format(R"(
CREATE TABLE recipient (_id INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER DEFAULT 0, e164 TEXT UNIQUE DEFAULT NULL,
  aci TEXT UNIQUE DEFAULT NULL, pni TEXT UNIQUE DEFAULT NULL, username TEXT UNIQUE DEFAULT NULL, email TEXT UNIQUE DEFAULT NULL,
  group_id TEXT UNIQUE DEFAULT NULL, blocked INTEGER DEFAULT 0, message_expiration_time INTEGER DEFAULT 0,
  system_joined_name TEXT DEFAULT NULL, system_given_name TEXT DEFAULT NULL, profile_given_name TEXT DEFAULT NULL,
  profile_family_name TEXT DEFAULT NULL, profile_joined_name TEXT DEFAULT NULL);
CREATE TABLE thread (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0, meaningful_messages INTEGER DEFAULT 0,
  recipient_id INTEGER NOT NULL UNIQUE REFERENCES recipient (_id) ON DELETE CASCADE, read INTEGER DEFAULT 1,
  snippet TEXT, archived INTEGER DEFAULT 0, expires_in INTEGER DEFAULT 0);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, date_sent INTEGER NOT NULL, date_received INTEGER NOT NULL,
  date_server INTEGER DEFAULT -1, thread_id INTEGER NOT NULL REFERENCES thread (_id) ON DELETE CASCADE,
  from_recipient_id INTEGER NOT NULL, from_device_id INTEGER, to_recipient_id INTEGER NOT NULL, type INTEGER NOT NULL,
  body TEXT, read INTEGER DEFAULT 0, has_delivery_receipt INTEGER DEFAULT 0, has_read_receipt INTEGER DEFAULT 0,
  expires_in INTEGER DEFAULT 0, expire_started INTEGER DEFAULT 0, view_once INTEGER DEFAULT 0,
  remote_deleted INTEGER DEFAULT 0, latest_revision_id INTEGER DEFAULT NULL, revision_number INTEGER DEFAULT 0);
CREATE TABLE attachment (_id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER, content_type TEXT,
  remote_key TEXT, remote_location TEXT, transfer_state INTEGER, data_file TEXT, data_size INTEGER, file_name TEXT,
  width INTEGER DEFAULT 0, height INTEGER DEFAULT 0);
CREATE TABLE groups (_id INTEGER PRIMARY KEY, group_id TEXT NOT NULL UNIQUE, recipient_id INTEGER NOT NULL UNIQUE,
  title TEXT DEFAULT NULL, avatar_id INTEGER DEFAULT 0, active INTEGER DEFAULT 1);
CREATE TABLE group_membership (_id INTEGER PRIMARY KEY, group_id TEXT NOT NULL, recipient_id INTEGER NOT NULL,
  UNIQUE(group_id, recipient_id));
INSERT INTO recipient (_id, e164, aci, profile_joined_name) VALUES
  (1, '+819011112222', '8b1a9953-c461-4296-a2d4-0c8f1c6d2a01', '自分'),
  (2, '+818033334444', '0f5d8c21-7a0e-4a57-9a3b-5e2b7d9c4b02', '田中 リクルーター');
INSERT INTO recipient (_id, group_id) VALUES (3, '__signal_group__v2__!7c9e1f');
INSERT INTO recipient (_id, e164, system_joined_name) VALUES (4, '+447700900123', 'Runner');
INSERT INTO groups (_id, group_id, recipient_id, title) VALUES (1, '__signal_group__v2__!7c9e1f', 3, '闇バイト連絡網');
INSERT INTO group_membership (group_id, recipient_id) VALUES
  ('__signal_group__v2__!7c9e1f', 1), ('__signal_group__v2__!7c9e1f', 2), ('__signal_group__v2__!7c9e1f', 4);
INSERT INTO thread (_id, date, recipient_id, expires_in) VALUES (1, 1700000300000, 2, 86400000), (2, 1700000600000, 3, 0);
INSERT INTO message (_id, date_sent, date_received, thread_id, from_recipient_id, to_recipient_id, type, body, read,
  has_delivery_receipt, expires_in, expire_started, remote_deleted) VALUES
  (1, 1700000000000, 1700000001234, 1, 2, 1, 10485780, '{0}', 1, 0, 86400000, 1700000005000, 0),
  (2, 1700000060000, 1700000060000, 1, 1, 2, 10485783, '了解です。場所は？', 1, 1, 86400000, 1700000060000, 0),
  (3, 1700000120000, 1700000121000, 2, 4, 3, 10485780, NULL, 0, 0, 0, 0, 0),
  (4, 1700000180000, 1700000180000, 2, 1, 3, 10747927, NULL, 1, 0, 0, 0, 0),
  (5, 1700000240000, 1700000240000, 1, 2, 1, 1, NULL, 1, 0, 0, 0, 0),
  (6, 1700000300000, 1700000301000, 1, 2, 1, 10485780, NULL, 1, 0, 0, 0, 1);
INSERT INTO attachment (_id, message_id, content_type, data_file, data_size, file_name) VALUES
  (1, 3, 'image/jpeg', '/data/user/0/org.thoughtcrime.securesms/app_attachments/part8812.mms', 20480, 'IMG_0001.jpg');
)",
                                                   kJapanese);

}  // namespace

TEST_CASE("signal.android: 2023+ single message table", "[android][signal]") {
  test::TempDir dir;
  fs::path p = dir / "signal.db";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(kAndroidCurrentSql);
  }
  auto sink = test::run_parser("signal.android", p, kAndroidItem);
  for (const auto& w : sink.warnings) UNSCOPED_INFO(w.message);
  CHECK(sink.warnings.empty());
  auto msgs = sink.of_type<Message>();
  auto threads = sink.of_type<Thread>();
  auto members = sink.of_type<Participant>();
  REQUIRE(msgs.size() == 6);
  REQUIRE(threads.size() == 2);
  REQUIRE(members.size() == 3);
  CHECK(sink.records.size() == 11);

  const auto& [mp, m] = msgs[0];
  CHECK(mp.item_path == kAndroidItem);
  CHECK(mp.item_sha256 == test::file_sha256(p));
  CHECK(mp.source_table == "message");
  CHECK(mp.source_rowid == 1);
  CHECK(mp.parser_id == "signal.android");
  CHECK(mp.parser_version == "1.0.0");
  CHECK_FALSE(mp.recovered);
  CHECK(m.app == "signal");
  CHECK(m.account == "+819011112222");
  CHECK(m.thread_key == "1");
  CHECK(m.direction == Direction::incoming);
  CHECK(m.sender == "+818033334444");
  CHECK(m.sender_name == "田中 リクルーター");
  CHECK(m.recipients.empty());
  CHECK(m.text == kJapanese);  // byte-exact
  CHECK(m.time.raw == "1700000000000");
  CHECK(m.time.kind == EpochKind::unix_ms);
  CHECK(m.time.utc_iso() == "2023-11-14T22:13:20.000Z");
  CHECK(m.status == "read");
  CHECK(m.kind == "text");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK(m.expires_in_s == 86400);
  CHECK(m.attachments.empty());

  const Message& out = msgs[1].second;
  CHECK(out.direction == Direction::outgoing);
  CHECK(out.sender.empty());
  CHECK(out.recipients == std::vector<std::string>{"+818033334444"});
  CHECK(out.status == "sent");
  const Message& media = msgs[2].second;
  CHECK(media.sender == "+447700900123");
  CHECK(media.sender_name == "Runner");
  CHECK(media.kind == "media");
  REQUIRE(media.attachments.size() == 1);
  CHECK(media.attachments[0].path == "/data/user/0/org.thoughtcrime.securesms/app_attachments/part8812.mms");
  CHECK(media.attachments[0].name == "IMG_0001.jpg");
  CHECK(media.attachments[0].mime_type == "image/jpeg");
  CHECK(media.attachments[0].size == 20480);
  CHECK(msgs[3].second.kind == "service");  // expiration-timer update in the group
  CHECK(msgs[3].second.recipients == std::vector<std::string>{"__signal_group__v2__!7c9e1f"});
  CHECK(msgs[4].second.kind == "call");
  CHECK(msgs[5].second.deleted);

  CHECK(threads[0].second.name == "田中 リクルーター");
  CHECK_FALSE(threads[0].second.is_group);
  CHECK(threads[0].second.last_activity.utc_iso() == "2023-11-14T22:18:20.000Z");
  CHECK(threads[1].second.name == "闇バイト連絡網");
  CHECK(threads[1].second.is_group);
  CHECK(members[2].second.thread_key == "2");
  CHECK(members[2].second.identifier == "+447700900123");
  CHECK(members[2].second.name == "Runner");
}

TEST_CASE("signal.android: 5.x sms and mms tables", "[android][signal]") {
  test::TempDir dir;
  fs::path p = dir / "signal.db";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(fmt::format(R"(
CREATE TABLE recipient (_id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT UNIQUE DEFAULT NULL, username TEXT UNIQUE DEFAULT NULL,
  phone TEXT UNIQUE DEFAULT NULL, email TEXT UNIQUE DEFAULT NULL, group_id TEXT UNIQUE DEFAULT NULL, blocked INTEGER DEFAULT 0,
  system_display_name TEXT DEFAULT NULL, signal_profile_name TEXT DEFAULT NULL, profile_family_name TEXT DEFAULT NULL);
CREATE TABLE thread (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0, message_count INTEGER DEFAULT 0,
  thread_recipient_id INTEGER, snippet TEXT, expires_in INTEGER DEFAULT 0);
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address INTEGER, address_device_id INTEGER DEFAULT 1,
  person INTEGER, date INTEGER, date_sent INTEGER, date_server INTEGER DEFAULT -1, protocol INTEGER, read INTEGER DEFAULT 0,
  status INTEGER DEFAULT -1, type INTEGER, reply_path_present INTEGER, delivery_receipt_count INTEGER DEFAULT 0,
  subject TEXT, body TEXT, mismatched_identities TEXT DEFAULT NULL, service_center TEXT, subscription_id INTEGER DEFAULT -1,
  expires_in INTEGER DEFAULT 0, expire_started INTEGER DEFAULT 0, notified DEFAULT 0, read_receipt_count INTEGER DEFAULT 0,
  unidentified INTEGER DEFAULT 0, reactions BLOB DEFAULT NULL, reactions_unread INTEGER DEFAULT 0,
  reactions_last_seen INTEGER DEFAULT -1, remote_deleted INTEGER DEFAULT 0, notified_timestamp INTEGER DEFAULT 0);
CREATE TABLE mms (_id INTEGER PRIMARY KEY, thread_id INTEGER, date INTEGER, date_received INTEGER, date_server INTEGER DEFAULT -1,
  msg_box INTEGER, read INTEGER DEFAULT 0, body TEXT, part_count INTEGER, address INTEGER, address_device_id INTEGER,
  expires_in INTEGER DEFAULT 0, expire_started INTEGER DEFAULT 0, remote_deleted INTEGER DEFAULT 0);
CREATE TABLE part (_id INTEGER PRIMARY KEY, mid INTEGER, seq INTEGER DEFAULT 0, ct TEXT, pending_push INTEGER,
  _data TEXT, data_size INTEGER, file_name TEXT, unique_id INTEGER NOT NULL);
INSERT INTO recipient (_id, uuid, phone, system_display_name) VALUES (1, NULL, '08033334444', '田中');
INSERT INTO thread (_id, date, thread_recipient_id) VALUES (1, 1600000120000, 1);
INSERT INTO sms (_id, thread_id, address, date, date_sent, read, type, body, expires_in) VALUES
  (1, 1, 1, 1600000001000, 1600000000000, 1, 10485780, '{}', 3600000),
  (2, 1, 1, 1600000060000, 1600000060000, 1, 10485783, 'はい', 0);
INSERT INTO mms (_id, thread_id, date, date_received, msg_box, read, body, address) VALUES
  (1, 1, 1600000120000, 1600000121000, 10485780, 0, '写真です', 1);
INSERT INTO part (_id, mid, ct, _data, data_size, file_name, unique_id) VALUES
  (1, 1, 'image/jpeg', '/data/user/0/org.thoughtcrime.securesms/app_parts/part1.mms', 1024, NULL, 1600000121000);
)",
                        kJapanese));
  }
  auto sink = test::run_parser("signal.android", p, kAndroidItem);
  for (const auto& w : sink.warnings) UNSCOPED_INFO(w.message);
  CHECK(sink.warnings.empty());
  auto msgs = sink.of_type<Message>();
  REQUIRE(msgs.size() == 3);
  REQUIRE(sink.of_type<Thread>().size() == 1);
  CHECK(sink.records.size() == 4);
  const auto& [mp, m] = msgs[0];
  CHECK(mp.source_table == "sms");
  CHECK(mp.source_rowid == 1);
  CHECK(m.direction == Direction::incoming);
  CHECK(m.sender == "08033334444");
  CHECK(m.sender_name == "田中");
  CHECK(m.text == kJapanese);
  CHECK(m.time.raw == "1600000000000");
  CHECK(m.time.utc_iso() == "2020-09-13T12:26:40.000Z");
  CHECK(m.expires_in_s == 3600);
  CHECK(m.account.empty());  // 5.x does not store the owner as a sender
  CHECK(msgs[1].second.direction == Direction::outgoing);
  CHECK(msgs[1].second.recipients == std::vector<std::string>{"08033334444"});
  CHECK(msgs[2].first.source_table == "mms");
  CHECK(msgs[2].second.time.raw == "1600000120000");
  REQUIRE(msgs[2].second.attachments.size() == 1);
  CHECK(msgs[2].second.attachments[0].path == "/data/user/0/org.thoughtcrime.securesms/app_parts/part1.mms");
  CHECK(msgs[2].second.status == "unread");
}

TEST_CASE("signal.android: malformed rows are warnings, parsing goes on", "[android][signal]") {
  test::TempDir dir;
  fs::path p = dir / "signal.db";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(kAndroidCurrentSql);
    db.exec(
        "INSERT INTO message (_id, date_sent, date_received, thread_id, from_recipient_id, to_recipient_id, "
        "type, "
        "body) VALUES (7, 'yesterday', 0, 1, 99, 1, 31, 'odd')");
  }
  auto sink = test::run_parser("signal.android", p, kAndroidItem);
  auto msgs = sink.of_type<Message>();
  REQUIRE(msgs.size() == 7);
  CHECK(sink.warnings.size() >= 1);
  CHECK(msgs[6].second.sender == "recipient:99");
  CHECK(msgs[6].second.direction == Direction::unknown);
}

TEST_CASE("signal.ios: GRDB schema 2021 and 2023", "[ios][signal]") {
  for (bool newer : {false, true}) {
    DYNAMIC_SECTION((newer ? "2023" : "2021")) {
      test::TempDir dir;
      fs::path p = dir / "signal.sqlite";
      {
        sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        db.exec(fmt::format(
            R"(
CREATE TABLE keyvalue (KEY TEXT NOT NULL, collection TEXT NOT NULL, VALUE BLOB NOT NULL, PRIMARY KEY (KEY, collection));
CREATE TABLE "model_TSThread" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "recordType" INTEGER NOT NULL,
  "uniqueId" TEXT NOT NULL UNIQUE ON CONFLICT FAIL, "conversationColorName" TEXT NOT NULL, "creationDate" DOUBLE,
  "isArchived" INTEGER NOT NULL, "lastInteractionRowId" INTEGER NOT NULL, "messageDraft" TEXT, "mutedUntilDate" DOUBLE,
  "shouldThreadBeVisible" INTEGER NOT NULL, "contactPhoneNumber" TEXT, "contactUUID" TEXT, "groupModel" BLOB {0});
CREATE TABLE "model_TSInteraction" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "recordType" INTEGER NOT NULL,
  "uniqueId" TEXT NOT NULL UNIQUE ON CONFLICT FAIL, "receivedAtTimestamp" INTEGER NOT NULL, "timestamp" INTEGER NOT NULL,
  "uniqueThreadId" TEXT NOT NULL, "attachmentIds" BLOB, "authorId" TEXT, "authorPhoneNumber" TEXT, "authorUUID" TEXT,
  "body" TEXT, "callType" INTEGER, "configurationDurationSeconds" INTEGER, "configurationIsEnabled" INTEGER,
  "expireStartedAt" INTEGER, "expiresAt" INTEGER, "expiresInSeconds" INTEGER, "read" INTEGER,
  "storedMessageState" INTEGER, "wasRemotelyDeleted" BOOLEAN, "serverGuid" TEXT {1});
CREATE TABLE "model_TSAttachment" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "recordType" INTEGER NOT NULL,
  "uniqueId" TEXT NOT NULL UNIQUE ON CONFLICT FAIL, "albumMessageId" TEXT, "attachmentType" INTEGER NOT NULL,
  "byteCount" INTEGER NOT NULL, "contentType" TEXT NOT NULL, "serverId" INTEGER NOT NULL, "sourceFilename" TEXT,
  "localRelativeFilePath" TEXT);
CREATE TABLE "model_OWSUserProfile" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "recordType" INTEGER NOT NULL,
  "uniqueId" TEXT NOT NULL UNIQUE ON CONFLICT FAIL, "profileName" TEXT, "recipientPhoneNumber" TEXT,
  "recipientUUID" TEXT, "familyName" TEXT);
CREATE TABLE "model_OWSDisappearingMessagesConfiguration" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "recordType" INTEGER NOT NULL, "uniqueId" TEXT NOT NULL UNIQUE ON CONFLICT FAIL, "durationSeconds" INTEGER NOT NULL,
  "enabled" INTEGER NOT NULL {2});
CREATE TABLE "model_SignalRecipient" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "recordType" INTEGER NOT NULL,
  "uniqueId" TEXT NOT NULL UNIQUE ON CONFLICT FAIL, "devices" BLOB NOT NULL, "recipientPhoneNumber" TEXT,
  "recipientUUID" TEXT {3});
INSERT INTO model_TSThread (id, recordType, uniqueId, conversationColorName, isArchived, lastInteractionRowId,
  shouldThreadBeVisible, contactPhoneNumber, contactUUID) VALUES
  (1, 27, 'C8F0E2A1-0001', 'blue', 0, 2, 1, '+818033334444', '0f5d8c21-7a0e-4a57-9a3b-5e2b7d9c4b02'),
  (2, 26, 'g7c9e1f', 'red', 0, 4, 1, NULL, NULL);
INSERT INTO model_OWSUserProfile (id, recordType, uniqueId, profileName, recipientPhoneNumber, recipientUUID, familyName)
  VALUES (1, 41, 'P1', '田中', '+818033334444', '0f5d8c21-7a0e-4a57-9a3b-5e2b7d9c4b02', 'リクルーター');
INSERT INTO model_OWSDisappearingMessagesConfiguration (id, recordType, uniqueId, durationSeconds, enabled)
  VALUES (1, 39, 'C8F0E2A1-0001', 3600, 1);
INSERT INTO model_SignalRecipient (id, recordType, uniqueId, devices, recipientPhoneNumber, recipientUUID)
  VALUES (1, 31, 'R1', X'00', '+818033334444', '0f5d8c21-7a0e-4a57-9a3b-5e2b7d9c4b02');
INSERT INTO model_TSInteraction (id, recordType, uniqueId, receivedAtTimestamp, timestamp, uniqueThreadId,
  authorPhoneNumber, authorUUID, body, expiresInSeconds, expireStartedAt, read, storedMessageState, wasRemotelyDeleted)
  VALUES
  (1, 19, 'I-0001', 1700000001000, 1700000000000, 'C8F0E2A1-0001', '+818033334444',
   '0f5d8c21-7a0e-4a57-9a3b-5e2b7d9c4b02', '{4}', 3600, 1700000002000, 1, NULL, 0),
  (2, 21, 'I-0002', 1700000060000, 1700000060000, 'C8F0E2A1-0001', NULL, NULL, '了解', 3600, 1700000060000, 1, 4, 0),
  (3, 19, 'I-0003', 1700000121000, 1700000120000, 'g7c9e1f', NULL, '5e0c2b7a-1111-4c1d-8e3f-00000000abcd', NULL,
   0, 0, 0, NULL, 0),
  (4, 28, 'I-0004', 1700000180000, 1700000180000, 'g7c9e1f', NULL, NULL, NULL, 0, 0, 1, NULL, 0);
INSERT INTO model_TSAttachment (id, recordType, uniqueId, albumMessageId, attachmentType, byteCount, contentType,
  serverId, sourceFilename, localRelativeFilePath) VALUES
  (1, 18, 'A-0001', 'I-0003', 0, 20480, 'image/jpeg', 0, '現場.jpg', '/A-0001/現場.jpg');
)",
            newer ? ", \"isMarkedUnread\" BOOLEAN NOT NULL DEFAULT 0, \"mentionNotificationMode\" INTEGER "
                    "NOT NULL DEFAULT 0"
                  : "",
            newer ? ", \"isViewOnceMessage\" INTEGER, \"editState\" INTEGER DEFAULT 0" : "",
            newer ? ", \"timerVersion\" INTEGER NOT NULL DEFAULT 1" : "",
            newer ? ", \"unregisteredAtTimestamp\" INTEGER, \"pni\" TEXT" : "", kJapanese));
      }
      auto sink = test::run_parser("signal.ios", p, kIosItem);
      for (const auto& w : sink.warnings) UNSCOPED_INFO(w.message);
      CHECK(sink.warnings.empty());
      auto msgs = sink.of_type<Message>();
      auto threads = sink.of_type<Thread>();
      REQUIRE(msgs.size() == 4);
      REQUIRE(threads.size() == 2);
      CHECK(sink.records.size() == 6);
      const auto& [mp, m] = msgs[0];
      CHECK(mp.item_path == kIosItem);
      CHECK(mp.item_sha256 == test::file_sha256(p));
      CHECK(mp.source_table == "model_TSInteraction");
      CHECK(mp.source_rowid == 1);
      CHECK(mp.parser_id == "signal.ios");
      CHECK(mp.parser_version == "1.0.0");
      CHECK_FALSE(mp.recovered);
      CHECK(m.app == "signal");
      CHECK(m.thread_key == "C8F0E2A1-0001");
      CHECK(m.direction == Direction::incoming);
      CHECK(m.sender == "+818033334444");
      CHECK(m.sender_name == "田中 リクルーター");
      CHECK(m.text == kJapanese);
      CHECK(m.time.raw == "1700000000000");
      CHECK(m.time.kind == EpochKind::unix_ms);
      CHECK(m.time.utc_iso() == "2023-11-14T22:13:20.000Z");
      CHECK(m.status == "read");
      CHECK(m.kind == "text");
      CHECK(m.expires_in_s == 3600);
      CHECK_FALSE(m.deleted);
      CHECK(m.attachments.empty());
      CHECK(msgs[1].second.direction == Direction::outgoing);
      CHECK(msgs[1].second.recipients == std::vector<std::string>{"+818033334444"});
      CHECK(msgs[1].second.status == "sent");
      CHECK(msgs[2].second.sender == "5e0c2b7a-1111-4c1d-8e3f-00000000abcd");
      REQUIRE(msgs[2].second.attachments.size() == 1);
      CHECK(msgs[2].second.attachments[0].path == "/A-0001/現場.jpg");
      CHECK(msgs[2].second.attachments[0].name == "現場.jpg");
      CHECK(msgs[2].second.kind == "media");
      CHECK(msgs[3].second.kind == "service");
      CHECK(threads[0].second.name == "田中 リクルーター");
      CHECK(threads[0].second.last_activity.utc_iso() == "2023-11-14T22:14:20.000Z");
      CHECK(threads[1].second.is_group);
    }
  }
}

TEST_CASE("decrypt signal: SQLCipher signal.db in an extraction becomes parsed derived evidence",
          "[android][signal][cli]") {
  if (!test_signal::python_crypto_available()) {
    std::cout << "KANSHIKI-SKIP: /usr/bin/python3 with python3-cryptography not found" << std::endl;
    return;
  }
  const std::string secret = "6b616e7368696b692d7369676e616c2d616e64726f69642d7365637265742121";
  test::TempDir tmp;
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  fs::path plain = tmp / "plain.db";
  test_signal::make_db_with_reserve(plain, 4096, 48, kAndroidCurrentSql);
  fs::path evidence = tmp / "phone", db_dir = evidence / "data/data/org.thoughtcrime.securesms/databases";
  fs::create_directories(db_dir);
  REQUIRE(test_signal::encrypt_with_python(plain, db_dir / "signal.db", "signal-android",
                                           "--passphrase " + secret));
  const std::string encrypted_sha = test::file_sha256(db_dir / "signal.db");
  auto q = [](const fs::path& p) { return "'" + p.string() + "'"; };
  fs::path c = tmp / "case";
  std::string out;
  REQUIRE(test::run_cli("examiner init --name 'テスト 鑑識'", &out) == 0);
  REQUIRE(test::run_cli("case create --case " + q(c), &out) == 0);
  REQUIRE(test::run_cli("ingest " + q(evidence) + " --case " + q(c), &out) == 0);

  std::string wrong = secret;
  wrong[0] = '7';
  CHECK(test::run_cli("decrypt signal --case " + q(c) + " --path " + kAndroidItem + " --hex-key " + wrong,
                      &out) == 6);
  CHECK(out.find("wrong key") != std::string::npos);
  CHECK_FALSE(fs::exists(c / "derived/D1"));
  CHECK(test::run_cli("decrypt signal --case " + q(c) + " --item 1 --hex-key zz --profile android", &out) ==
        2);

  int rc = test::run_cli(
      "--json decrypt signal --case " + q(c) + " --path " + kAndroidItem + " --hex-key " + secret, &out);
  INFO(out);
  REQUIRE(rc == 0);
  auto j = json::parse(out);
  CHECK(j["parameters"] == "signal-android");
  CHECK(j["sha256"] == test::file_sha256(plain));
  CHECK(test::file_sha256(c / "derived/D1/signal.db") == test::file_sha256(plain));
  REQUIRE(test::run_cli("--json decrypt signal --case " + q(c) + " --item 1 --hex-key " + secret, &out) == 0);
  CHECK(json::parse(out)["already_derived"] == true);

  test::run_cli("process --case " + q(c), &out);  // the encrypted original is a failed file: not SQLite
  {
    sql::Db db(c / "case.db", SQLITE_OPEN_READONLY);
    sql::Stmt ev(db, "SELECT derived_from_item, derivation FROM evidence WHERE id = 2");
    REQUIRE(ev.step());
    CHECK(ev.i64(0) == 1);
    CHECK(ev.text(1).rfind("sqlcipher signal-android decryption with key ", 0) == 0);
    sql::Stmt arts(db,
                   "SELECT count(*), min(evidence_id), max(evidence_id) FROM artifacts WHERE parser_id = "
                   "'signal.android' AND type = 'message'");
    REQUIRE(arts.step());
    CHECK(arts.i64(0) == 6);
    CHECK(arts.i64(1) == 2);
    CHECK(arts.i64(2) == 2);
    sql::Stmt cu(db, "SELECT status FROM custody WHERE action = 'decrypt signal' ORDER BY seq");
    std::vector<std::string> statuses;
    while (cu.step()) statuses.push_back(cu.text(0));
    CHECK(statuses ==
          std::vector<std::string>{"started", "failed", "failed", "started", "ok", "started", "ok"});
  }
  CHECK(test::run_cli("custody verify --case " + q(c), &out) == 0);
  CHECK(test::file_sha256(db_dir / "signal.db") == encrypted_sha);  // the original is untouched
}

}  // namespace kanshiki
