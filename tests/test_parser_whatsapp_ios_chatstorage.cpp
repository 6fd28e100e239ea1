// whatsapp.ios.chatstorage: the real (MVT-trimmed) ChatStorage.sqlite of the MVT iOS test backup, and a
// generated fixture with WhatsApp 2.2x's full columns (DDL column for column as in public WhatsApp iOS
// fixtures: ZWAMESSAGE, ZWACHATSESSION, ZWAGROUPMEMBER, ZWAMEDIAITEM), Japanese text, a group, media and
// dangling references.
#include "tests/ios2_test_util.h"

using namespace kanshiki;
using kanshiki::test::TempDir;
namespace ios2 = kanshiki::test::ios2;
namespace fs = std::filesystem;

namespace {

constexpr const char* kItem = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite";

constexpr const char* kFullDdl = R"(
CREATE TABLE ZWACHATSESSION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZARCHIVED INTEGER, ZCONTACTABID INTEGER, ZFLAGS INTEGER, ZHIDDEN INTEGER, ZIDENTITYVERIFICATIONEPOCH INTEGER, ZIDENTITYVERIFICATIONSTATE INTEGER, ZMESSAGECOUNTER INTEGER, ZREMOVED INTEGER, ZSESSIONTYPE INTEGER, ZSPOTLIGHTSTATUS INTEGER, ZUNREADCOUNT INTEGER, ZGROUPINFO INTEGER, ZLASTMESSAGE INTEGER, ZPROPERTIES INTEGER, ZLASTMESSAGEDATE TIMESTAMP, ZLOCATIONSHARINGENDDATE TIMESTAMP, ZCONTACTIDENTIFIER VARCHAR, ZCONTACTJID VARCHAR, ZETAG VARCHAR, ZLASTMESSAGETEXT VARCHAR, ZPARTNERNAME VARCHAR, ZSAVEDINPUT VARCHAR );
CREATE TABLE ZWAMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCHILDMESSAGESDELIVEREDCOUNT INTEGER, ZCHILDMESSAGESPLAYEDCOUNT INTEGER, ZCHILDMESSAGESREADCOUNT INTEGER, ZDATAITEMVERSION INTEGER, ZDOCID INTEGER, ZENCRETRYCOUNT INTEGER, ZFILTEREDRECIPIENTCOUNT INTEGER, ZFLAGS INTEGER, ZGROUPEVENTTYPE INTEGER, ZISFROMME INTEGER, ZMESSAGEERRORSTATUS INTEGER, ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER, ZSORT INTEGER, ZSPOTLIGHTSTATUS INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER, ZLASTSESSION INTEGER, ZMEDIAITEM INTEGER, ZMESSAGEINFO INTEGER, ZPARENTMESSAGE INTEGER, ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZMEDIASECTIONID VARCHAR, ZPHASH VARCHAR, ZPUSHNAME VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR );
CREATE TABLE ZWAMEDIAITEM ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCLOUDSTATUS INTEGER, ZFILESIZE INTEGER, ZMEDIAORIGIN INTEGER, ZMOVIEDURATION INTEGER, ZMESSAGE INTEGER, ZASPECTRATIO FLOAT, ZHACCURACY FLOAT, ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZMEDIAURLDATE TIMESTAMP, ZAUTHORNAME VARCHAR, ZCOLLECTIONNAME VARCHAR, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR, ZTHUMBNAILLOCALPATH VARCHAR, ZTITLE VARCHAR, ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR, ZXMPPTHUMBPATH VARCHAR, ZMEDIAKEY BLOB, ZMETADATA BLOB );
CREATE TABLE ZWAGROUPMEMBER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCONTACTABID INTEGER, ZISACTIVE INTEGER, ZISADMIN INTEGER, ZSENDERKEYSENT INTEGER, ZCHATSESSION INTEGER, ZRECENTGROUPCHAT INTEGER, ZCONTACTIDENTIFIER VARCHAR, ZCONTACTNAME VARCHAR, ZFIRSTNAME VARCHAR, ZMEMBERJID VARCHAR );
)";

}  // namespace

TEST_CASE("whatsapp.ios.chatstorage: real ChatStorage.sqlite from the MVT iOS backup", "[ios][whatsapp]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "ios_backup/mvt_ios_backup/7c/7c7fba66680ef796b916b067077cc246adacf01d");
  auto sink = test::run_parser("whatsapp.ios.chatstorage", file, kItem);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 5);
  auto msgs = sink.of_type<Message>();
  auto threads = sink.of_type<Thread>();
  REQUIRE(msgs.size() == 3);
  REQUIRE(threads.size() == 2);
  CHECK(sink.of_type<Participant>().empty());  // MVT trimmed ZWAGROUPMEMBER away

  // Message 2: outgoing, in the one-to-one chat with Alice.
  const auto& [p, m] = msgs[1];
  ios2::check_live_provenance(p, kItem, file, "ZWAMESSAGE", 2, "whatsapp.ios.chatstorage");
  CHECK(m.app == "whatsapp");
  CHECK(m.account.empty());
  CHECK(m.thread_key == "100000000000001@lid");
  CHECK(m.sender.empty());
  CHECK(m.sender_name.empty());
  CHECK(m.recipients == std::vector<std::string>{"14155550100@s.whatsapp.net"});
  CHECK(m.direction == Direction::outgoing);
  CHECK(m.time.raw == "778100000");
  CHECK(m.time.kind == EpochKind::cocoa_s);
  CHECK(m.time.utc_us == int64_t{1756407200} * 1000000);
  CHECK(m.time.utc_iso() == "2025-08-28T18:53:20.000Z");
  CHECK(m.text == "Check https://example.org/news");
  CHECK(m.status.empty());
  CHECK(m.kind == "text");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());

  CHECK(msgs[0].second.direction == Direction::incoming);
  CHECK(msgs[0].second.sender == "14155550100@s.whatsapp.net");
  CHECK(msgs[2].second.thread_key == "120000000000000001@g.us");
  CHECK(msgs[2].second.sender == "14155550101@s.whatsapp.net");

  CHECK(threads[1].first.source_table == "ZWACHATSESSION");
  CHECK(threads[1].first.source_rowid == 2);
  CHECK(threads[1].second.app == "whatsapp");
  CHECK(threads[1].second.thread_key == "120000000000000001@g.us");
  CHECK(threads[1].second.name == "Example Group");
  CHECK(threads[1].second.is_group);
  CHECK(threads[1].second.last_activity.raw == "778300000");
  CHECK(threads[1].second.last_activity.utc_iso() == "2025-08-31T02:26:40.000Z");
  CHECK_FALSE(threads[0].second.is_group);
  CHECK(threads[0].second.name == "Alice Example");
}

TEST_CASE("whatsapp.ios.chatstorage: full schema with a group, media, a vCard and dangling references",
          "[ios][whatsapp]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "ChatStorage.sqlite", std::string(kFullDdl) + R"(
    INSERT INTO ZWACHATSESSION (Z_PK, ZSESSIONTYPE, ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME)
      VALUES (1, 1, 736259756.5, '120363000000000001@g.us', '受け子チーム'),
             (2, 0, 736259700, '819012345678@s.whatsapp.net', '山田 太郎');
    INSERT INTO ZWAGROUPMEMBER (Z_PK, ZISADMIN, ZCHATSESSION, ZCONTACTNAME, ZMEMBERJID)
      VALUES (1, 1, 1, '山田 太郎', '819012345678@s.whatsapp.net'),
             (2, 0, 1, '佐藤', '818011112222@s.whatsapp.net'),
             (3, 0, 9, '孤児', '817000000000@s.whatsapp.net');
    INSERT INTO ZWAMEDIAITEM (Z_PK, ZFILESIZE, ZMESSAGE, ZMEDIALOCALPATH, ZTITLE, ZVCARDNAME, ZVCARDSTRING)
      VALUES (1, 204800, 2, 'Media/120363000000000001@g.us/a/b/0A1B.jpg', '受け渡し場所', NULL, 'image/jpeg'),
             (2, NULL, 3, NULL, NULL, '鈴木 一郎', 'BEGIN:VCARD
FN:鈴木 一郎
END:VCARD');
    INSERT INTO ZWAMESSAGE (Z_PK, ZISFROMME, ZMESSAGETYPE, ZCHATSESSION, ZGROUPMEMBER, ZMEDIAITEM,
        ZMESSAGEDATE, ZFROMJID, ZPUSHNAME, ZTEXT, ZTOJID)
      VALUES (1, 0, 0, 1, 2, NULL, 736259696.789, '120363000000000001@g.us', 'さとう', '今日は駅のロッカーで', NULL),
             (2, 1, 1, 1, NULL, 1, 736259700, NULL, NULL, NULL, '120363000000000001@g.us'),
             (3, 0, 4, 2, NULL, 2, 736259710, '819012345678@s.whatsapp.net', NULL, NULL, NULL),
             (4, 0, 0, 7, 99, 42, 736259720, '819012345678@s.whatsapp.net', NULL, '壊れた行', NULL),
             (5, 0, 0, 2, NULL, NULL, 'yesterday', '819012345678@s.whatsapp.net', NULL, '時刻なし', NULL);
  )");
  auto sink = test::run_parser("whatsapp.ios.chatstorage", file, kItem);

  // Row 4 points to a chat, a group member and a media item that do not exist; row 5's time is not a number;
  // member 3 belongs to a missing chat. Each is a warning on its row; the messages are still reported.
  REQUIRE(sink.warnings.size() == 5);
  CHECK(sink.warnings[0].source_table == "ZWAMESSAGE");
  CHECK(sink.warnings[0].source_rowid == 4);
  CHECK(sink.warnings[0].message.find("chat session 7") != std::string::npos);
  CHECK(sink.warnings[1].message.find("group member 99") != std::string::npos);
  CHECK(sink.warnings[2].message.find("media item 42") != std::string::npos);
  CHECK(sink.warnings[3].source_rowid == 5);
  CHECK(sink.warnings[3].message.find("yesterday") != std::string::npos);
  CHECK(sink.warnings[4].source_table == "ZWAGROUPMEMBER");
  CHECK(sink.warnings[4].source_rowid == 3);

  auto msgs = sink.of_type<Message>();
  auto people = sink.of_type<Participant>();
  REQUIRE(msgs.size() == 5);
  REQUIRE(sink.of_type<Thread>().size() == 2);
  REQUIRE(people.size() == 2);
  CHECK(sink.records.size() == 9);

  const auto& [p, m] = msgs[0];
  ios2::check_live_provenance(p, kItem, file, "ZWAMESSAGE", 1, "whatsapp.ios.chatstorage");
  CHECK(m.thread_key == "120363000000000001@g.us");
  CHECK(m.sender == "818011112222@s.whatsapp.net");
  CHECK(m.sender_name == "佐藤");
  CHECK(m.direction == Direction::incoming);
  CHECK(m.recipients.empty());
  CHECK(m.text ==
        "\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf\xe9\xa7\x85\xe3\x81\xae\xe3\x83\xad\xe3\x83\x83\xe3\x82\xab"
        "\xe3\x83\xbc\xe3\x81\xa7");  // 今日は駅のロッカーで, byte-exact
  CHECK(m.kind == "text");
  CHECK(m.time.raw == "736259696.789");
  CHECK(m.time.kind == EpochKind::cocoa_s);
  CHECK(m.time.utc_iso() == "2024-05-01T12:34:56.789Z");

  REQUIRE(msgs[1].second.attachments.size() == 1);
  const auto& a = msgs[1].second.attachments[0];
  CHECK(msgs[1].second.kind == "image");
  CHECK(msgs[1].second.direction == Direction::outgoing);
  CHECK(msgs[1].second.recipients == std::vector<std::string>{"120363000000000001@g.us"});
  CHECK(a.path == "Media/120363000000000001@g.us/a/b/0A1B.jpg");
  CHECK(a.name == "受け渡し場所");
  CHECK(a.mime_type == "image/jpeg");
  CHECK(a.size == 204800);
  CHECK(a.sha256.empty());

  CHECK(msgs[2].second.kind == "contact");
  CHECK(msgs[2].second.text == "BEGIN:VCARD\nFN:鈴木 一郎\nEND:VCARD");
  REQUIRE(msgs[2].second.attachments.size() == 1);
  CHECK(msgs[2].second.attachments[0].name == "鈴木 一郎");
  CHECK(msgs[2].second.attachments[0].mime_type == "text/vcard");

  CHECK(msgs[3].second.text == "壊れた行");
  CHECK(msgs[3].second.thread_key.empty());
  CHECK(msgs[3].second.sender == "819012345678@s.whatsapp.net");
  CHECK(msgs[4].second.time.raw == "yesterday");
  CHECK_FALSE(msgs[4].second.time.utc_us);

  CHECK(people[0].first.source_table == "ZWAGROUPMEMBER");
  CHECK(people[0].first.source_rowid == 1);
  CHECK(people[0].second.thread_key == "120363000000000001@g.us");
  CHECK(people[0].second.identifier == "819012345678@s.whatsapp.net");
  CHECK(people[0].second.name == "山田 太郎");
  CHECK(people[0].second.role == "admin");
  CHECK(people[1].second.role == "member");
}

TEST_CASE("whatsapp.ios.chatstorage: media rows in an unrecognised ZWAMEDIAITEM are a warning",
          "[ios][whatsapp]") {
  TempDir dir;
  // The trimmed tables of the MVT file, with a row in its reduced ZWAMEDIAITEM.
  auto file = ios2::make_db(dir, "ChatStorage.sqlite", R"(
    CREATE TABLE ZWAMESSAGE ( Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZFROMJID TEXT, ZTOJID TEXT, ZTEXT TEXT,
      ZMESSAGEDATE REAL, ZMESSAGETYPE INTEGER, ZISFROMME INTEGER );
    CREATE TABLE ZWAMEDIAITEM ( Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZAUTHORNAME TEXT, ZMEDIAURL TEXT );
    CREATE TABLE ZWACHATSESSION ( Z_PK INTEGER PRIMARY KEY, ZCONTACTJID TEXT, ZPARTNERNAME TEXT, ZSESSIONTYPE INTEGER,
      ZARCHIVED INTEGER, ZREMOVED INTEGER, ZHIDDEN INTEGER, ZMESSAGECOUNTER INTEGER, ZLASTMESSAGEDATE REAL,
      ZGROUPINFO INTEGER );
    INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE) VALUES (1, '819012345678@s.whatsapp.net', '山田', 0);
    INSERT INTO ZWAMESSAGE VALUES (1, 1, '819012345678@s.whatsapp.net', NULL, '写真', 736259696, 1, 0);
    INSERT INTO ZWAMEDIAITEM VALUES (1, 1, NULL, 'https://mmg.whatsapp.net/x');)");
  auto sink = test::run_parser("whatsapp.ios.chatstorage", file, kItem);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("ZWAMEDIAITEM holds rows but the schema is not recognised") !=
        std::string::npos);
  CHECK(sink.warnings[0].message.find("ZWAMESSAGE.ZGROUPMEMBER") != std::string::npos);
  REQUIRE(sink.of_type<Message>().size() == 1);
  CHECK(sink.of_type<Message>()[0].second.kind == "image");
  CHECK(sink.of_type<Message>()[0].second.text == "写真");
}

TEST_CASE("whatsapp.ios.chatstorage: the sample backup's store (full schema, WAL mode)", "[ios][whatsapp]") {
  constexpr const char* kPython = "/usr/bin/python3";  // the sample generator uses Debian's stdlib only
  if (!fs::exists(kPython)) {
    std::cout << "KANSHIKI-SKIP: " << kPython << " not found" << std::endl;
    return;
  }
  TempDir dir;
  const auto script = test::source_dir() / "samples" / "generate_samples.py";
  REQUIRE(std::system((std::string(kPython) + " '" + script.string() + "' --out '" + (dir / "s").string() +
                       "' > /dev/null")
                          .c_str()) == 0);
  const auto file = dir / "s/ios_backup/7c/7c7fba66680ef796b916b067077cc246adacf01d";
  auto sink = test::run_parser("whatsapp.ios.chatstorage", file, kItem);
  CHECK(sink.warnings.empty());
  // EXPECTED.json of the samples: ZWAMESSAGE 17, ZWACHATSESSION 2, ZWAGROUPMEMBER 3, ZWAMEDIAITEM 1.
  auto msgs = sink.of_type<Message>();
  REQUIRE(msgs.size() == 17);
  CHECK(sink.of_type<Thread>().size() == 2);
  CHECK(sink.of_type<Participant>().size() == 3);
  CHECK(sink.records.size() == 22);
  int with_media = 0, group_senders = 0;
  for (const auto& [p, m] : msgs) {
    CHECK(p.source_table == "ZWAMESSAGE");
    CHECK(m.time.kind == EpochKind::cocoa_s);
    CHECK(m.time.utc_us);
    for (const auto& a : m.attachments) {
      CHECK(a.path.rfind("Media/", 0) == 0);
      CHECK(a.size);
      ++with_media;
    }
    if (m.direction == Direction::incoming && m.thread_key.find("@g.us") != std::string::npos) {
      CHECK(m.sender.find("@s.whatsapp.net") != std::string::npos);  // the member, not the group
      ++group_senders;
    }
  }
  CHECK(with_media == 1);
  CHECK(group_senders > 0);
}

TEST_CASE("whatsapp.ios: ingest + process of the MVT iOS backup runs the iOS WhatsApp parsers",
          "[ios][whatsapp]") {
  KANSHIKI_REALDATA_OR_SKIP(backup, "ios_backup/mvt_ios_backup");
  TempDir dir;
  auto q = [](const fs::path& p) { return "'" + p.string() + "'"; };
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);  // no progress bars in captured output
  const auto case_dir = dir / "case";
  REQUIRE(test::run_cli("examiner init --name 'iOS messaging test'") == 0);
  REQUIRE(test::run_cli("case create --case " + q(case_dir)) == 0);
  std::string out;
  test::run_cli("ingest " + q(backup) + " --case " + q(case_dir),
                &out);  // the trimmed backup lacks files: warnings
  INFO(out);
  REQUIRE(out.find("Ingested E1 (ios-backup)") != std::string::npos);
  REQUIRE(test::run_cli("process --case " + q(case_dir), &out) == 0);
  INFO(out);
  CHECK(out.find("ChatStorage.sqlite [whatsapp.ios.chatstorage 1.0.0]: 5 artifacts, 0 warnings") !=
        std::string::npos);
  CHECK(out.find("ContactsV2.sqlite [whatsapp.ios.contacts 1.0.0]: 2 artifacts, 0 warnings") !=
        std::string::npos);
}
