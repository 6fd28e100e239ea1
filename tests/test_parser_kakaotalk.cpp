// kakaotalk.android: KakaoTalk.db / KakaoTalk2.db written by tests/fixtures/make_kakaotalk.py from the app's
// own DDL, with text encrypted by that script's independent Python implementation of the published scheme
// (RFC 7292 key derivation written with hashlib, AES from python3-cryptography). The C++ side decrypts with
// OpenSSL: the round trip proves both agree. No real KakaoTalk database is in ../shared/realdata.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "core/sqlite_util.h"
#include "parsers/kakaotalk_crypt.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

constexpr const char* kItem = "data/data/com.kakao.talk/databases/KakaoTalk.db";
constexpr const char* kItem2 = "data/data/com.kakao.talk/databases/KakaoTalk2.db";

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Runs the generator into dir; false (after printing the skip marker) when python3-cryptography is missing.
bool make_fixture(const fs::path& dir) {
  if (std::system("/usr/bin/python3 -c 'import cryptography' 2>/dev/null") != 0) {
    std::cout << "KANSHIKI-SKIP: /usr/bin/python3 with python3-cryptography not found" << std::endl;
    return false;
  }
  std::string cmd = "/usr/bin/python3 " + q(test::source_dir() / "tests/fixtures/make_kakaotalk.py") + " " +
                    q(dir) + " > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return true;
}

TEST_CASE("kakaotalk crypt: vectors from the Python reference", "[android][kakaotalk]") {
  // Produced by make_kakaotalk.py (user 4123456789, enc 31; user 6345678901, enc 27, whose salt
  // "dorothy6345678901" is cut to 16 bytes).
  auto a = kakaotalk_crypt::decrypt(4123456789, 31, "CbdN3bD37zPWbtkmc3d6kmgsG+7tZM1vBFlic4tMVRE=");
  REQUIRE(a.ok);
  CHECK(a.plaintext == "了解です 👍");
  auto b = kakaotalk_crypt::decrypt(
      6345678901, 27,
      "mVHdnHXQ7Iz8qKlhqTTV6HLhJ8orEe4xEtWPPMoz9quhXI/4BAS/hTICOmV8oGsaDWGMrfMFUVnNwyagXGYl1g==");
  REQUIRE(b.ok);
  CHECK(b.plaintext == "カードは封筒に入れて渡してください");
  // Line-wrapped Base64 (android.util.Base64.DEFAULT) reads the same.
  CHECK(kakaotalk_crypt::decrypt(4123456789, 31, "CbdN3bD37zPWbtkmc3d6km\ngsG+7tZM1vBFlic4tMVRE=\n")
            .plaintext == "了解です 👍");

  auto salt = kakaotalk_crypt::make_salt(6345678901, 27);
  REQUIRE(salt);
  CHECK(std::string(salt->begin(), salt->end()) == "dorothy634567890");
  CHECK(*kakaotalk_crypt::make_salt(0, 5) == kakaotalk_crypt::Salt{});
  CHECK_FALSE(kakaotalk_crypt::make_salt(1, 32));

  // Wrong user, unsupported type, not Base64, not whole blocks: clear errors, never an exception.
  auto wrong = kakaotalk_crypt::decrypt(4123456788, 31, "CbdN3bD37zPWbtkmc3d6kmgsG+7tZM1vBFlic4tMVRE=");
  CHECK_FALSE(wrong.ok);
  CHECK_FALSE(kakaotalk_crypt::decrypt(1, 40, "AAAA").ok);
  CHECK(kakaotalk_crypt::decrypt(1, 1, "!!!!").error.find("Base64") != std::string::npos);
  CHECK(kakaotalk_crypt::decrypt(1, 1, "AAAA").error.find("AES blocks") != std::string::npos);
  CHECK(kakaotalk_crypt::decrypt(1, 1, "").ok);
}

TEST_CASE("kakaotalk.android: KakaoTalk.db fixture, decrypted round trip", "[android][kakaotalk]") {
  test::TempDir dir;
  if (!make_fixture(dir.path())) return;
  fs::path db = dir / "KakaoTalk.db";
  auto sink = test::run_parser("kakaotalk.android", db, kItem);
  auto msgs = sink.of_type<Message>();
  auto threads = sink.of_type<Thread>();
  auto people = sink.of_type<Participant>();
  auto accounts = sink.of_type<Account>();
  REQUIRE(msgs.size() == 6);
  REQUIRE(threads.size() == 2);
  REQUIRE(people.size() == 3);
  REQUIRE(accounts.size() == 1);
  CHECK(sink.records.size() == 12);
  CHECK(accounts[0].second.identifier == "4123456789");
  CHECK(accounts[0].second.app == "kakaotalk");

  // Rows 5 (another user's key) and 6 (unpublished type 40) are warnings; both are still reported.
  REQUIRE(sink.warnings.size() == 2);
  CHECK(sink.warnings[0].source_table == "chat_logs");
  CHECK(sink.warnings[0].source_rowid == 5);
  CHECK(sink.warnings[0].message.find("could not be decrypted") != std::string::npos);
  CHECK(sink.warnings[1].source_rowid == 6);
  CHECK(sink.warnings[1].message.find("encryption type 40") != std::string::npos);
  CHECK(msgs[4].second.text.empty());
  CHECK(msgs[4].second.sender == "6345678901");
  CHECK(msgs[5].second.text.empty());
  CHECK(msgs[5].second.deleted);

  const auto& [p, m] = msgs[0];
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == kItem);
  CHECK(p.item_sha256 == test::file_sha256(db));
  CHECK(p.source_table == "chat_logs");
  CHECK(p.source_rowid == 1);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail.empty());
  CHECK(p.parser_id == "kakaotalk.android");
  CHECK(p.parser_version == "1.0.0");
  CHECK_FALSE(p.recovered);
  CHECK(m.app == "kakaotalk");
  CHECK(m.account == "4123456789");
  CHECK(m.thread_key == "1001");
  CHECK(m.sender == "5234567890");
  CHECK(m.sender_name.empty());
  CHECK(m.recipients.empty());
  CHECK(m.direction == Direction::incoming);
  CHECK(m.time.raw == "1700000100");
  CHECK(m.time.kind == EpochKind::unix_s);
  CHECK(m.time.utc_us == 1700000100LL * 1000000);
  CHECK(m.time.utc_iso() == "2023-11-14T22:15:00.000Z");
  CHECK(m.text == "明日の件、よろしくお願いします。受け取りは１０時です");
  CHECK(m.status.empty());
  CHECK(m.kind == "text");
  CHECK_FALSE(m.edited);
  CHECK_FALSE(m.deleted);
  CHECK_FALSE(m.expires_in_s);
  CHECK(m.attachments.empty());

  // The owner's message: outgoing, to the room's members.
  CHECK(msgs[1].second.direction == Direction::outgoing);
  CHECK(msgs[1].second.sender.empty());
  CHECK(msgs[1].second.recipients == std::vector<std::string>{"5234567890"});
  CHECK(msgs[1].second.text == "了解です 👍");
  CHECK(msgs[2].second.text == "カードは封筒に入れて渡してください");
  // The photo: its attachment column decrypted to JSON.
  const Message& photo = msgs[3].second;
  CHECK(photo.kind == "image");
  REQUIRE(photo.attachments.size() == 1);
  CHECK(photo.attachments[0].path == "/data/user/0/com.kakao.talk/files/chat_files/photo_01.jpg");
  CHECK(photo.attachments[0].name == "現場の写真.jpg");
  CHECK(photo.attachments[0].mime_type == "image/jpeg");
  CHECK(photo.attachments[0].size == 48213);

  CHECK(threads[0].second.thread_key == "1001");
  CHECK_FALSE(threads[0].second.is_group);
  CHECK(threads[1].second.is_group);
  CHECK(threads[1].second.last_activity.raw == "1700000600");
  CHECK(threads[1].first.source_table == "chat_rooms");
  CHECK(threads[1].first.source_rowid == 2);
  CHECK(people[2].second.thread_key == "2002");
  CHECK(people[2].second.identifier == "6345678901");
  CHECK(people[2].first.source_rowid == 2);
}

TEST_CASE("kakaotalk.android: KakaoTalk2.db friends", "[android][kakaotalk]") {
  test::TempDir dir;
  if (!make_fixture(dir.path())) return;
  auto sink = test::run_parser("kakaotalk.android", dir / "KakaoTalk2.db", kItem2);
  auto contacts = sink.of_type<Contact>();
  REQUIRE(contacts.size() == 2);
  CHECK(sink.records.size() == 2);
  // The encrypted friend (enc 31, owner's key not in this file): one warning for the file, reported by id.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("owner's user id") != std::string::npos);
  CHECK(contacts[0].second.name.empty());
  CHECK(contacts[0].second.note == "KakaoTalk user id 5234567890; name and phone number encrypted (enc 31)");
  const auto& [p, c] = contacts[1];
  CHECK(p.source_table == "friends");
  CHECK(p.source_rowid == 2);
  CHECK(p.item_path == kItem2);
  CHECK(c.app == "kakaotalk");
  CHECK(c.name == "山田 翔");
  CHECK(c.phones == std::vector<std::string>{"08002956140"});
  CHECK(c.note == "KakaoTalk user id 6345678901; nickname しょう");
}

TEST_CASE("kakaotalk.android: unrelated and altered tables are said, not skipped", "[android][kakaotalk]") {
  test::TempDir dir;
  fs::path p = dir / "KakaoTalk.db";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("CREATE TABLE chat_logs (_id INTEGER PRIMARY KEY, chat_id INTEGER, body TEXT)");
  }
  auto sink = test::run_parser("kakaotalk.android", p, kItem);
  CHECK(sink.records.empty());
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("`chat_logs` is present but not recognised") != std::string::npos);
}

}  // namespace
}  // namespace kanshiki
