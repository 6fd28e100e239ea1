// viber.ios: the real Contacts.data of the MVT test backup (Viber 2023), and a fixture built from that file's
// DDL (the tables below, column for column) with Japanese text, a group, an attachment, the call log and
// malformed rows.
#include "tests/ios2_test_util.h"

using namespace kanshiki;
using kanshiki::test::TempDir;
namespace ios2 = kanshiki::test::ios2;

namespace {

constexpr const char* kItem = "AppDomainGroup-group.viber.share.container/com.viber/database/Contacts.data";

// From the real MVT Contacts.data (CREATE TABLE statements only; indexes and triggers left out).
constexpr const char* kDdl = R"(
CREATE TABLE ZVIBERMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZBEINGDELETED INTEGER, ZCALLDURATION INTEGER, ZCALLSCOUNT INTEGER, ZFORWARDTYPE INTEGER, ZGALLERYTYPE INTEGER, ZLIKESCOUNT INTEGER, ZLIKESTYPE INTEGER, ZMESSAGEID INTEGER, ZPARENTTHREADMESSAGEID INTEGER, ZSEQ INTEGER, ZTOKEN INTEGER, ZUID INTEGER, ZUSERFLAGS INTEGER, ZVISIBILITYFLAGS INTEGER, ZATTACHMENT INTEGER, ZCONVERSATION INTEGER, Z5_CONVERSATION INTEGER, ZLOCATION INTEGER, ZPHONENUMINDEX INTEGER, ZREMINDER INTEGER, ZDATE TIMESTAMP, ZSTATEDATE TIMESTAMP, ZTIMEBOMBDURATION FLOAT, ZTIMEBOMBTIMESTAMP TIMESTAMP, ZCALLTYPE VARCHAR, ZCLIENTMETADATA VARCHAR, ZMETADATA VARCHAR, ZSTATE VARCHAR, ZSYSTEMTYPE VARCHAR, ZTEXT VARCHAR, ZEMOTICONSRANGES BLOB, ZRANGES BLOB );
CREATE TABLE ZCONVERSATION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZACTUALUSERSETTINGS INTEGER, ZBANUSERSINFOFETCHED INTEGER, ZBEINGDELETED INTEGER, ZCHATLISTTYPE INTEGER, ZCOMMUNITYPRIVILEGES INTEGER, ZCONTEXT INTEGER, ZDISPLAYINVITATIONLINK INTEGER, ZFAVORITE INTEGER, ZHASATLEASTONEREPLY INTEGER, ZISFIRSTLAUNCH INTEGER, ZISINFOFETCHED INTEGER, ZISLOCATION INTEGER, ZISMUTED INTEGER, ZISUNREAD INTEGER, ZJOINED INTEGER, ZLASTCALLLOGMESSAGECALLSCOUNT INTEGER, ZLASTLIKETOKEN INTEGER, ZLASTMESSAGETEXTTOKEN INTEGER, ZLASTMESSAGETOKEN INTEGER, ZLASTREADTOKEN INTEGER, ZLASTSECRETMESSAGETOKEN INTEGER, ZLASTVISIBLEMESSAGEUID INTEGER, ZMAXTOKEN INTEGER, ZROLE INTEGER, ZROLEPENDING INTEGER, ZROLEPRIVILEGES INTEGER, ZSAVETOGALLERYOPTION INTEGER, ZSEENSTATUSLASTTOKEN INTEGER, ZSMARTNOTIFICATIONSHOWN INTEGER, ZSMARTSTATE INTEGER, ZSORTPRIORITY INTEGER, ZSPAMINTERACTIONOPTIONS INTEGER, ZSUBTYPE INTEGER, ZUID INTEGER, ZUNREADCOUNT INTEGER, ZUSERFLAGS INTEGER, ZUSERSETTINGS INTEGER, ZINITIATORPHONENUMINDEX INTEGER, ZINTERLOCUTOR INTEGER, ZLASTMESSAGESENDER INTEGER, ZLASTPINNEDMESSAGE INTEGER, ZAVAILABILITYSTATUS INTEGER, ZGROUPEXFLAGS INTEGER, ZGROUPFLAGS INTEGER, ZLASTBANNERWATCHERCOUNT INTEGER, ZLASTMESSAGEID INTEGER, ZLASTREADMESSAGEID INTEGER, ZLOADEDFROMBULKLASTMESSAGEID INTEGER, ZLOADEDLASTMESSAGEID INTEGER, ZRESTRICTIONTYPE INTEGER, ZREVISION INTEGER, ZSUBSCRIBED INTEGER, ZSUBSCRIBERSCOUNT INTEGER, ZUNLISTED INTEGER, ZVERIFIED INTEGER, ZWATCHERCOUNT INTEGER, ZWEBHOOKEXISTS INTEGER, ZWITHOUTPUBLICCHAT INTEGER, ZACCOUNT INTEGER, ZCATEGORY INTEGER, ZLOCATION INTEGER, ZSUBCATEGORY INTEGER, ZBACKGROUNDLUMINANCE FLOAT, ZDATE TIMESTAMP, ZLASTGENERALNOTIFICATIONDATE TIMESTAMP, ZLASTLOCALMUTEDATE TIMESTAMP, ZLASTVISIBLEMESSAGEPART FLOAT, ZSNOOZEDATE TIMESTAMP, ZTIMEBOMBDURATION FLOAT, ZLASTBANNERDATE TIMESTAMP, ZLASTLIKEDATE TIMESTAMP, ZBACKGROUND VARCHAR, ZBOTBACKGROUNDURL VARCHAR, ZGROUPID VARCHAR, ZICONID VARCHAR, ZINCOMPLETETEXT VARCHAR, ZLASTBOTKEYBOARD VARCHAR, ZLASTCALLLOGMESSAGETYPE VARCHAR, ZLASTMESSAGETEXT VARCHAR, ZLASTMESSAGETYPE VARCHAR, ZLASTSERVICEMESSAGEMETADATA VARCHAR, ZMETADATA VARCHAR, ZNAME VARCHAR, ZSOUNDFILENAME VARCHAR, ZVIRTUALCONVERSATIONID VARCHAR, ZAUTHTOKEN VARCHAR, ZBACKGROUNDID VARCHAR, ZCONNECTEDCRMNAME VARCHAR, ZCOUNTRY VARCHAR, ZEMAIL VARCHAR, ZGROUPURI VARCHAR, ZTAGLINE VARCHAR, ZWEBSITE VARCHAR, ZINVALIDMESSAGEIDS BLOB, ZLASTMESSAGEEMOTICONSRANGES BLOB, ZLASTMESSAGERANGES BLOB );
CREATE TABLE Z_5PHONENUMINDEXES ( Z_5CONVERSATIONS INTEGER, Z_10PHONENUMINDEXES INTEGER, PRIMARY KEY (Z_5CONVERSATIONS, Z_10PHONENUMINDEXES) );
CREATE TABLE ZMEMBER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZAPPID INTEGER, ZBLOCKREASON INTEGER, ZGROUPID INTEGER, ZISACTIVE INTEGER, ZISAVAILABLEFORSEARCHING INTEGER, ZISBLOCKED INTEGER, ZISFETCHEDDETAILS INTEGER, ZISREPLYABLE INTEGER, ZISSYSTEM INTEGER, ZSPAMINTERACTIONOPTIONS INTEGER, ZSUBSCRIPTIONSTATUSRAWVALUE INTEGER, ZTYPE INTEGER, ZUID INTEGER, ZPUBLICACCOUNTCHAT INTEGER, ZREGULARMEMBER INTEGER, ZFETCHDETAILSDATE TIMESTAMP, ZREGISTRATIONDATE TIMESTAMP, ZUNREGISTRATIONDATE TIMESTAMP, ZDATEOFBIRTH VARCHAR, ZDISPLAYFULLNAME VARCHAR, ZDISPLAYICONREVISION VARCHAR, ZDISPLAYSHORTNAME VARCHAR, ZENCRYPTEDMEMBERID VARCHAR, ZENCRYPTEDPHONENUMBER VARCHAR, ZICONID VARCHAR, ZICONSTATE VARCHAR, ZMEMBERID VARCHAR, ZMEMBERIDFROMPHONE VARCHAR, ZNAME VARCHAR, ZPHONETYPE VARCHAR, ZPREVCONTACTNAME VARCHAR, ZPREVICONID VARCHAR, ZPREVPHONENUMBER VARCHAR, ZVIBERID VARCHAR, ZVIRTUALMEMBERICONURL VARCHAR );
CREATE TABLE ZPHONENUMBER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZMEMBER INTEGER, ZCANONIZEDPHONENUM VARCHAR, ZPHONE VARCHAR, ZPHONETYPE VARCHAR );
CREATE TABLE ZATTACHMENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCACHEPOLICY INTEGER, ZFILESIZE INTEGER, ZGALLERYTYPE INTEGER, ZIDTYPE INTEGER, ZISFORMATTED INTEGER, ZISFROMPUBLICGROUP INTEGER, ZMAXALLOWEDFILESIZE INTEGER, ZMAXALLOWEDTHUMBNAILSIZE INTEGER, ZMEDIADOWNLOADTYPE INTEGER, ZSEQ INTEGER, ZUID INTEGER, ZDURATION FLOAT, ZRANGE FLOAT, ZID VARCHAR, ZANIMATEDMESSAGEINFO VARCHAR, ZBUCKET VARCHAR, ZFILEHASH VARCHAR, ZFILENAME VARCHAR, ZMETADATA VARCHAR, ZNAME VARCHAR, ZPHOTOLIBRARYASSETIDENTIFIER VARCHAR, ZPICTUREDOODLETYPE VARCHAR, ZSTATE VARCHAR, ZTHUMBNAILBUCKET VARCHAR, ZTHUMBNAILID VARCHAR, ZTHUMBNAILURL VARCHAR, ZTYPE VARCHAR, ZURL VARCHAR, ZENCRYPTIONPARAMS BLOB );
CREATE TABLE ZRECENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCALLTOKEN INTEGER, ZDURATION INTEGER, ZCALLLOGMESSAGE INTEGER, ZRECENTSLINE INTEGER, Z_FOK_CALLLOGMESSAGE INTEGER, ZDATE TIMESTAMP, ZCALLTYPE VARCHAR );
CREATE TABLE ZRECENTSLINE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCOUNT INTEGER, ZUID INTEGER, ZCONTACT INTEGER, ZPHONENUMINDEX INTEGER, ZDATE TIMESTAMP, ZCALLTYPE VARCHAR, ZPHONENUMBER VARCHAR );)";

}  // namespace

TEST_CASE("viber.ios: real Contacts.data from the MVT test backup", "[ios][viber]") {
  KANSHIKI_REALDATA_OR_SKIP(file,
                            "viber_ios/mvt/83b9310399a905c7781f95580174f321cd18fd97_viber_Contacts.data");
  auto sink = test::run_parser("viber.ios", file, kItem);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 6);
  auto msgs = sink.of_type<Message>();
  auto threads = sink.of_type<Thread>();
  auto people = sink.of_type<Participant>();
  auto contacts = sink.of_type<Contact>();
  REQUIRE(msgs.size() == 2);
  REQUIRE(threads.size() == 2);
  REQUIRE(people.size() == 1);
  REQUIRE(contacts.size() == 1);
  CHECK(sink.of_type<Call>().empty());

  // Message 2: the incoming invitation with a link (the MVT test indicator).
  const auto& [p, m] = msgs[1];
  ios2::check_live_provenance(p, kItem, file, "ZVIBERMESSAGE", 2, "viber.ios");
  CHECK(m.app == "viber");
  CHECK(m.account.empty());
  CHECK(m.thread_key == "2");
  CHECK(m.sender == "+4915785097580");
  CHECK(m.sender_name == "Donncha");
  CHECK(m.recipients.empty());
  CHECK(m.direction == Direction::incoming);
  CHECK(m.time.raw == "711990407.627");
  CHECK(m.time.kind == EpochKind::cocoa_s);
  CHECK(m.time.utc_us == int64_t{1690297607627000});
  CHECK(m.time.utc_iso() == "2023-07-25T15:06:47.627Z");
  CHECK(m.text ==
        "I\xe2\x80\x99"
        "d like to invite you to a conference next week. Please check out the additional information "
        "on our website https://tinyurl.com/n2zyywhh");
  CHECK(m.status == "received");
  CHECK(m.kind == "text");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());
  CHECK(msgs[0].second.text == "Hi there");

  CHECK(threads[1].first.source_table == "ZCONVERSATION");
  CHECK(threads[1].first.source_rowid == 2);
  CHECK(threads[1].second.thread_key == "2");
  CHECK(threads[1].second.name == "Donncha");
  CHECK_FALSE(threads[1].second.is_group);
  CHECK(threads[1].second.last_activity.raw == "711990407.627");

  CHECK(people[0].first.source_table == "Z_5PHONENUMINDEXES");
  CHECK(people[0].second.thread_key == "2");
  CHECK(people[0].second.identifier == "+4915785097580");
  CHECK(people[0].second.name == "Donncha");

  CHECK(contacts[0].first.source_table == "ZMEMBER");
  CHECK(contacts[0].first.source_rowid == 1);
  CHECK(contacts[0].second.app == "viber");
  CHECK(contacts[0].second.name == "Donncha");
  CHECK(contacts[0].second.phones == std::vector<std::string>{"+4915785097580"});
}

TEST_CASE("viber.ios: Japanese messages, group, attachment, call log and malformed rows", "[ios][viber]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "Contacts.data", std::string(kDdl) + R"(
    INSERT INTO ZMEMBER (Z_PK, ZDISPLAYFULLNAME, ZNAME, ZMEMBERID) VALUES (1, '山田 太郎', '太郎', 'm1'), (2, NULL, '佐藤', 'm2');
    INSERT INTO ZPHONENUMBER (Z_PK, ZMEMBER, ZPHONE) VALUES (1, 1, '+819012345678'), (2, 2, '+818011112222');
    INSERT INTO ZCONVERSATION (Z_PK, ZINTERLOCUTOR, ZGROUPID, ZNAME, ZDATE)
      VALUES (1, 1, NULL, NULL, 736259700), (2, NULL, '5551234', '受け子チーム', 736259800);
    INSERT INTO Z_5PHONENUMINDEXES VALUES (1, 1), (2, 1), (2, 2), (2, 9);
    INSERT INTO ZATTACHMENT (Z_PK, ZNAME, ZTYPE, ZURL, ZFILESIZE) VALUES (1, 'IMG_0001.jpg', 'picture', 'https://dl.example/abc', 123456);
    INSERT INTO ZVIBERMESSAGE (Z_PK, ZCONVERSATION, ZPHONENUMINDEX, ZATTACHMENT, ZDATE, ZSTATE, ZTEXT, ZTIMEBOMBDURATION)
      VALUES (1, 1, 1, NULL, 736259696.789, 'received', '今日会える？', NULL),
             (2, 1, NULL, 1, 736259700, 'delivered', '写真送ります', 60),
             (3, 2, 2, NULL, 736259800, 'received', 'グループへようこそ', NULL),
             (4, 2, 5, 7, 736259900, NULL, '壊れた行', NULL);
    INSERT INTO ZRECENTSLINE (Z_PK, ZPHONENUMBER) VALUES (1, '+819012345678');
    INSERT INTO ZRECENT (Z_PK, ZRECENTSLINE, ZDATE, ZDURATION, ZCALLTYPE)
      VALUES (1, 1, 736260000, 42, 'outgoing_viber_with_video'), (2, 1, 736261000, 0, 'missed'),
             (3, 8, 736262000, 0, 'conference');
  )");
  auto sink = test::run_parser("viber.ios", file, kItem);
  // Message 4: unknown member, unknown attachment, no state; membership 2/9 names a missing member; call 3
  // has a missing recents line and an unknown type. Each is a warning on its row; the records are kept.
  REQUIRE(sink.warnings.size() == 6);
  CHECK(sink.warnings[0].source_table == "ZVIBERMESSAGE");
  CHECK(sink.warnings[0].source_rowid == 4);
  CHECK(sink.warnings[0].message.find("member 5") != std::string::npos);
  CHECK(sink.warnings[1].message.find("ZSTATE") != std::string::npos);
  CHECK(sink.warnings[2].message.find("attachment 7") != std::string::npos);
  CHECK(sink.warnings[3].source_table == "Z_5PHONENUMINDEXES");
  CHECK(sink.warnings[4].source_table == "ZRECENT");
  CHECK(sink.warnings[4].source_rowid == 3);
  CHECK(sink.warnings[5].message.find("conference") != std::string::npos);

  auto msgs = sink.of_type<Message>();
  REQUIRE(msgs.size() == 4);
  const auto& [p, m] = msgs[0];
  ios2::check_live_provenance(p, kItem, file, "ZVIBERMESSAGE", 1, "viber.ios");
  CHECK(m.text ==
        "\xe4\xbb\x8a\xe6\x97\xa5\xe4\xbc\x9a\xe3\x81\x88\xe3\x82\x8b\xef\xbc\x9f");  // 今日会える？
  CHECK(m.sender == "+819012345678");
  CHECK(m.sender_name == "山田 太郎");
  CHECK(m.time.utc_iso() == "2024-05-01T12:34:56.789Z");
  CHECK(msgs[1].second.direction == Direction::outgoing);
  CHECK(msgs[1].second.recipients == std::vector<std::string>{"+819012345678"});
  CHECK(msgs[1].second.status == "delivered");
  CHECK(msgs[1].second.kind == "picture");
  CHECK(msgs[1].second.expires_in_s == 60);
  REQUIRE(msgs[1].second.attachments.size() == 1);
  CHECK(msgs[1].second.attachments[0].name == "IMG_0001.jpg");
  CHECK(msgs[1].second.attachments[0].path == "https://dl.example/abc");
  CHECK(msgs[1].second.attachments[0].size == 123456);
  CHECK(msgs[2].second.sender == "+818011112222");
  CHECK(msgs[2].second.sender_name == "佐藤");
  CHECK(msgs[3].second.direction == Direction::unknown);
  CHECK(msgs[3].second.text == "壊れた行");

  auto threads = sink.of_type<Thread>();
  REQUIRE(threads.size() == 2);
  CHECK(threads[0].second.name == "山田 太郎");
  CHECK(threads[1].second.name == "受け子チーム");
  CHECK(threads[1].second.is_group);
  CHECK(sink.of_type<Participant>().size() == 3);
  CHECK(sink.of_type<Contact>().size() == 2);

  auto calls = sink.of_type<Call>();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].first.source_table == "ZRECENT");
  CHECK(calls[0].first.source_rowid == 1);
  CHECK(calls[0].second.app == "viber");
  CHECK(calls[0].second.number == "+819012345678");
  CHECK(calls[0].second.number_e164 == "+819012345678");
  CHECK(calls[0].second.direction == CallDirection::outgoing);
  CHECK(calls[0].second.video);
  CHECK(calls[0].second.duration_s == 42);
  CHECK(calls[1].second.direction == CallDirection::missed);
  CHECK(calls[2].second.direction == CallDirection::unknown);
}

TEST_CASE("viber.ios: a member join table of another model version is reported", "[ios][viber]") {
  TempDir dir;
  std::string ddl = kDdl;
  // The same join table as a later model numbers it.
  const std::string from =
      "Z_5PHONENUMINDEXES ( Z_5CONVERSATIONS INTEGER, Z_10PHONENUMINDEXES INTEGER, PRIMARY KEY "
      "(Z_5CONVERSATIONS, "
      "Z_10PHONENUMINDEXES) )";
  const auto at = ddl.find(from);
  REQUIRE(at != std::string::npos);
  ddl.replace(at, from.size(),
              "Z_6PHONENUMINDEXES ( Z_6CONVERSATIONS INTEGER, Z_11PHONENUMINDEXES INTEGER, PRIMARY KEY "
              "(Z_6CONVERSATIONS, Z_11PHONENUMINDEXES) )");
  auto file = ios2::make_db(dir, "Contacts.data", ddl + R"(
    INSERT INTO ZMEMBER (Z_PK, ZNAME, ZMEMBERID) VALUES (1, '太郎', 'm1');
    INSERT INTO ZCONVERSATION (Z_PK, ZINTERLOCUTOR) VALUES (1, 1);
    INSERT INTO ZVIBERMESSAGE (Z_PK, ZCONVERSATION, ZPHONENUMINDEX, ZDATE, ZSTATE, ZTEXT)
      VALUES (1, 1, 1, 736259696, 'received', 'こんにちは');)");
  auto sink = test::run_parser("viber.ios", file, kItem);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("Z_6PHONENUMINDEXES") != std::string::npos);
  CHECK(sink.of_type<Message>().size() == 1);
  CHECK(sink.of_type<Message>()[0].second.sender == "m1");
}
