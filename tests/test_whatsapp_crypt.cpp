// WhatsApp crypt12/14/15: header parsing, key files, byte-exact decryption of the real wa-crypt-tools
// vectors, wrong keys and damaged files, and the `decrypt whatsapp` command producing derived evidence end to
// end.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/decrypt/whatsapp_crypt.h"
#include "core/error.h"
#include "core/sqlite_util.h"
#include "tests/test_support.h"

using namespace kanshiki;
using namespace kanshiki::whatsapp_crypt;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kVectors = "whatsapp_crypt/wa-crypt-tools";

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}
void write_bytes(const fs::path& p, const std::vector<uint8_t>& data) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}
std::string hex(const uint8_t* d, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += {digits[d[i] >> 4], digits[d[i] & 15]};
  return s;
}
std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Feeds `file` in 64 KiB chunks; returns how many bytes had been fed when decryption threw (or the size).
size_t bytes_fed_until_error(const fs::path& file, const Key& key, ExitCode* code) {
  auto data = read_bytes(file);
  Decryptor d(key, [](const void*, size_t) {});
  size_t fed = 0;
  try {
    for (; fed < data.size(); fed += 65536)
      d.feed(data.data() + fed, std::min<size_t>(65536, data.size() - fed));
    d.finish();
  } catch (const Error& e) {
    *code = e.code();
    return std::min(fed + 65536, data.size());
  }
  return data.size();
}

}  // namespace

TEST_CASE("whatsapp crypt: header parsing", "[whatsapp_crypt]") {
  SECTION("crypt12: fixed 67-byte header, IV at offset 51") {
    std::vector<uint8_t> h(67);
    h[0] = 0x00, h[1] = 0x01, h[2] = 0x02;
    for (int i = 0; i < 32; ++i) h[3 + i] = static_cast<uint8_t>(0xA0 + i);
    for (int i = 0; i < 16; ++i) h[51 + i] = static_cast<uint8_t>(i);
    CHECK_FALSE(parse_header(std::span(h).first(40)));  // needs more bytes
    auto hdr = parse_header(h);
    REQUIRE(hdr);
    CHECK(hdr->format == CryptFormat::crypt12);
    CHECK(hdr->size == 67);
    CHECK(hdr->key_version == "\x02");
    CHECK(hdr->server_salt.size() == 32);
    CHECK(static_cast<uint8_t>(hdr->server_salt[0]) == 0xA0);
    CHECK(hex(hdr->iv.data(), 16) == "000102030405060708090a0b0c0d0e0f");
  }
  SECTION("crypt15: length byte, feature byte, protobuf with key_type 1 and c15_iv") {
    std::vector<uint8_t> proto = {0x08, 0x01, 0x1a, 0x12, 0x0a, 0x10};
    for (int i = 0; i < 16; ++i) proto.push_back(static_cast<uint8_t>(0xF0 + i));
    proto.insert(proto.end(),
                 {0x22, 0x07, 0x0a, 0x01, '2', 0x1a, 0x02, '4', '2'});  // info: version "2", jid "42"
    std::vector<uint8_t> with = {static_cast<uint8_t>(proto.size()), 0x01};
    with.insert(with.end(), proto.begin(), proto.end());
    auto hdr = parse_header(with);
    REQUIRE(hdr);
    CHECK(hdr->format == CryptFormat::crypt15);
    CHECK(hdr->feature_byte);
    CHECK(hdr->size == proto.size() + 2);
    CHECK(hdr->key_type == 1);
    CHECK(hex(hdr->iv.data(), 16) == "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    CHECK(hdr->app_version == "2");
    CHECK(hdr->jid_suffix == "42");

    std::vector<uint8_t> without = {static_cast<uint8_t>(proto.size())};
    without.insert(without.end(), proto.begin(), proto.end());
    auto hdr2 = parse_header(without);
    REQUIRE(hdr2);
    CHECK_FALSE(hdr2->feature_byte);
    CHECK(hdr2->size == proto.size() + 1);
    CHECK_FALSE(parse_header(std::span(without).first(10)));  // incomplete: wait for more
  }
  SECTION("not a backup, or a damaged header: corrupt_input") {
    std::vector<uint8_t> junk(300, 'x');
    try {
      parse_header(junk);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::corrupt_input);
      CHECK(std::string(e.what()).find("not a crypt12/14/15 file") != std::string::npos);
    }
    std::vector<uint8_t> no_iv = {0x02, 0x08, 0x00};  // crypt14 key type, but no cipher block
    CHECK_THROWS_AS(parse_header(no_iv), Error);
  }
  SECTION("plaintext names") {
    CHECK(plaintext_name("msgstore.db.crypt14") == "msgstore.db");
    CHECK(plaintext_name("msgstore-2024-01-02.1.db.crypt15") == "msgstore-2024-01-02.1.db");
    CHECK(plaintext_name("wa.db.crypt12") == "wa.db");
    CHECK(plaintext_name("backup.bin") == "backup.bin.decrypted");
  }
}

TEST_CASE("whatsapp crypt: key material", "[whatsapp_crypt]") {
  // HKDF-SHA256(root = 00..1f, salt = 32 zero bytes, info = "backup encryption"), computed independently
  // with Python's hmac module.
  std::array<uint8_t, 32> root{};
  for (int i = 0; i < 32; ++i) root[i] = static_cast<uint8_t>(i);
  auto aes = derive_crypt15_aes_key(root);
  CHECK(hex(aes.data(), 32) == "4e54c0777a7214dfdf0af5b6e153acfa2fbdac603fea6fd1630b824e5c29eef5");

  Key k = key_from_hex("000102030405060708090a0b0c0d0e0f 10111213-14151617-18191A1B1C1D1E1F");
  CHECK(k.kind == Key::Kind::root);
  CHECK(k.bytes == root);
  CHECK(k.fingerprint.size() == 64);
  try {
    key_from_hex("12345");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
  }
  std::vector<uint8_t> odd(77, 1);
  CHECK_THROWS_AS(parse_key_bytes(odd), Error);
}

TEST_CASE("whatsapp crypt: real vectors decrypt byte-exact to msgstore.db", "[whatsapp_crypt][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(dir, kVectors);
  const std::string expected = test::file_sha256(dir / "msgstore.db");
  REQUIRE(expected.rfind("1425b944a2e3885f", 0) == 0);  // SOURCES.md
  Key legacy = load_key_file(dir / "key");
  CHECK(legacy.kind == Key::Kind::legacy);
  CHECK(legacy.fingerprint == test::file_sha256(dir / "key"));
  Key e2e = load_key_file(dir / "encrypted_backup.key");
  CHECK(e2e.kind == Key::Kind::root);
  auto key_bytes = read_bytes(dir / "encrypted_backup.key");
  Key e2e_hex = key_from_hex(hex(key_bytes.data() + 27, 32));  // the 64-hex key the user writes down
  CHECK(e2e_hex.bytes == e2e.bytes);

  struct Case {
    const char* file;
    const Key* key;
    CryptFormat format;
    size_t header_size;
    bool feature_byte;
  };
  const Case cases[] = {{"msgstore.db.crypt12", &legacy, CryptFormat::crypt12, 67, false},
                        {"msgstore.db.crypt14", &legacy, CryptFormat::crypt14, 190, true},
                        {"msgstore-noexpiry.db.crypt14", &legacy, CryptFormat::crypt14, 99, false},
                        {"msgstore.db.crypt15", &e2e, CryptFormat::crypt15, 131, true},
                        {"msgstore.db.crypt15", &e2e_hex, CryptFormat::crypt15, 131, true}};
  test::TempDir tmp;
  for (const auto& c : cases) {
    INFO(c.file);
    fs::path out = tmp / (std::string(c.file) + ".out");
    Result r = decrypt_file(dir / c.file, *c.key, out);
    CHECK(r.header.format == c.format);
    CHECK(r.header.size == c.header_size);
    CHECK(r.header.feature_byte == c.feature_byte);
    CHECK(r.md5_trailer);
    CHECK(r.trailing_plaintext == 0);
    CHECK(r.encrypted_bytes == fs::file_size(dir / c.file));
    CHECK(r.plaintext_bytes == 1273856);
    CHECK(r.plaintext_sha256 == expected);
    CHECK(test::file_sha256(out) == expected);
    if (c.format != CryptFormat::crypt12) {
      CHECK(r.header.app_version == "2.22.5.13");
      CHECK(r.header.jid_suffix == "67");
    }
    CHECK_FALSE(fs::exists(out.string() + ".partial"));
  }
}

TEST_CASE("whatsapp crypt: wrong key fails at once, damaged files fail clearly, nothing is left",
          "[whatsapp_crypt][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(dir, kVectors);
  test::TempDir tmp;
  // A key file of the right shape but with one bit of the AES key changed.
  auto key = read_bytes(dir / "key");
  key.back() ^= 0x01;
  write_bytes(tmp / "wrong-key", key);
  auto e2e = read_bytes(dir / "encrypted_backup.key");
  e2e.back() ^= 0x01;
  write_bytes(tmp / "wrong-e2e", e2e);

  for (auto [file, key_file] :
       {std::pair{"msgstore.db.crypt12", "wrong-key"}, std::pair{"msgstore.db.crypt14", "wrong-key"},
        std::pair{"msgstore.db.crypt15", "wrong-e2e"}}) {
    INFO(file);
    Key wrong = load_key_file(tmp / key_file);
    ExitCode code = ExitCode::ok;
    // Detected within the first 64 KiB chunk (the zlib header / SQLite magic), not at the tag at the end.
    CHECK(bytes_fed_until_error(dir / file, wrong, &code) == 65536);
    CHECK(code == ExitCode::verification_failed);
    fs::path out = tmp / "out.db";
    try {
      decrypt_file(dir / file, wrong, out);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::verification_failed);
      CHECK(std::string(e.what()).find("wrong key") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(tmp / "out.db.partial"));
  }

  SECTION("a key of the other kind is named as such") {
    try {
      decrypt_file(dir / "msgstore.db.crypt15", load_key_file(dir / "key"), tmp / "x.db");
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::verification_failed);
      CHECK(std::string(e.what()).find("needs the end-to-end backup key") != std::string::npos);
    }
  }
  SECTION("truncated, cut inside the header, bit-flipped: corrupt_input") {
    auto data = read_bytes(dir / "msgstore.db.crypt14");
    write_bytes(tmp / "half.crypt14", std::vector<uint8_t>(data.begin(), data.begin() + data.size() / 2));
    write_bytes(tmp / "head.crypt14", std::vector<uint8_t>(data.begin(), data.begin() + 100));
    auto flipped = data;
    flipped[100000] ^= 0x40;
    write_bytes(tmp / "flip.crypt14", flipped);
    Key k = load_key_file(dir / "key");
    for (const char* name : {"half.crypt14", "head.crypt14", "flip.crypt14"}) {
      INFO(name);
      try {
        decrypt_file(tmp / name, k, tmp / "y.db");
        FAIL("expected an error");
      } catch (const Error& e) {
        CHECK(e.code() == ExitCode::corrupt_input);
        INFO(e.what());
        std::string what = e.what();
        CHECK((what.find("truncated") != std::string::npos || what.find("damaged") != std::string::npos));
      }
      CHECK_FALSE(fs::exists(tmp / "y.db"));
      CHECK_FALSE(fs::exists(tmp / "y.db.partial"));
    }
  }
}

TEST_CASE("decrypt whatsapp: derived evidence, parsed, with provenance and custody",
          "[whatsapp_crypt][cli][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(dir, kVectors);
  test::TempDir tmp;
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  fs::path evidence = tmp / "phone";
  fs::path db_dir = evidence / "data/data/com.whatsapp/files/Databases";
  fs::create_directories(db_dir);
  fs::copy_file(dir / "msgstore.db.crypt14", db_dir / "msgstore.db.crypt14");
  const std::string encrypted_sha = test::file_sha256(db_dir / "msgstore.db.crypt14");
  const std::string plain_sha = test::file_sha256(dir / "msgstore.db");
  fs::path c = tmp / "case";
  std::string out;
  REQUIRE(test::run_cli("examiner init --name 'テスト 鑑識'", &out) == 0);
  REQUIRE(test::run_cli("case create --case " + q(c), &out) == 0);
  REQUIRE(test::run_cli("ingest " + q(evidence) + " --case " + q(c), &out) == 0);

  const std::string item = "data/data/com.whatsapp/files/Databases/msgstore.db.crypt14";
  // Wrong key first: a clear error, no derived evidence, no folder left behind.
  auto bad = read_bytes(dir / "key");
  bad.back() ^= 0x01;
  write_bytes(tmp / "bad-key", bad);
  CHECK(test::run_cli("decrypt whatsapp --case " + q(c) + " --path " + item + " --key " + q(tmp / "bad-key"),
                      &out) == 6);
  CHECK(out.find("wrong key") != std::string::npos);
  CHECK_FALSE(fs::exists(c / "derived/D1"));
  CHECK(test::run_cli("decrypt whatsapp --case " + q(c) + " --path " + item + " --hex-key zz", &out) == 2);

  int rc = test::run_cli(
      "--json decrypt whatsapp --case " + q(c) + " --path " + item + " --key " + q(dir / "key"), &out);
  INFO(out);
  REQUIRE(rc == 0);
  auto j = json::parse(out);
  CHECK(j["evidence_id"] == 2);
  CHECK(j["already_derived"] == false);
  CHECK(j["sha256"] == plain_sha);
  const std::string derivation = "whatsapp-crypt14 decryption with key " + test::file_sha256(dir / "key");
  CHECK(j["derivation"] == derivation);
  CHECK(test::file_sha256(c / "derived/D1/msgstore.db") == plain_sha);  // the failed attempt left nothing
  // Same item, same key again: nothing new.
  REQUIRE(test::run_cli("--json decrypt whatsapp --case " + q(c) + " --item 1 --key " + q(dir / "key"),
                        &out) == 0);
  CHECK(json::parse(out)["already_derived"] == true);

  REQUIRE(test::run_cli("process --case " + q(c), &out) == 0);
  {
    sql::Db db(c / "case.db", SQLITE_OPEN_READONLY);
    sql::Stmt ev(db,
                 "SELECT derived_from_item, derivation, source_kind, item_count FROM evidence WHERE id = 2");
    REQUIRE(ev.step());
    CHECK(ev.i64(0) == 1);
    CHECK(ev.text(1) == derivation);
    CHECK(ev.text(2) == "folder");
    CHECK(ev.i64(3) == 1);
    sql::Stmt orig(db, "SELECT derived_from_item IS NULL, derivation FROM evidence WHERE id = 1");
    REQUIRE(orig.step());
    CHECK(orig.i64(0) == 1);
    CHECK(orig.text(1).empty());
    sql::Stmt items(db, "SELECT path, sha256 FROM items WHERE evidence_id = 2");
    REQUIRE(items.step());
    CHECK(items.text(0) == "msgstore.db");
    CHECK(items.text(1) == plain_sha);
    // The WhatsApp parser ran on the decrypted database; its artifacts point at the derived evidence.
    sql::Stmt arts(db,
                   "SELECT count(*), min(evidence_id), max(evidence_id), min(item_path) FROM artifacts "
                   "WHERE parser_id = 'whatsapp.android.msgstore' AND type = 'message'");
    REQUIRE(arts.step());
    CHECK(arts.i64(0) == 9);
    CHECK(arts.i64(1) == 2);
    CHECK(arts.i64(2) == 2);
    CHECK(arts.text(3) == "msgstore.db");
    // Custody: started + ok for the decryption, inputs name the original item and the key's hash only.
    sql::Stmt cu(db,
                 "SELECT status, inputs, outputs, parameters FROM custody WHERE action = 'decrypt whatsapp' "
                 "ORDER BY seq");
    std::vector<std::string> statuses;
    json ok_inputs, ok_outputs;
    while (cu.step()) {
      statuses.push_back(cu.text(0));
      if (cu.text(0) == "ok" && ok_inputs.is_null()) {
        ok_inputs = json::parse(cu.text(1));
        ok_outputs = json::parse(cu.text(2));
      }
    }
    CHECK(statuses ==
          std::vector<std::string>{"started", "failed", "failed", "started", "ok", "started", "ok"});
    REQUIRE(ok_inputs.size() == 2);
    CHECK(ok_inputs[0]["path"] == item);
    CHECK(ok_inputs[0]["sha256"] == encrypted_sha);
    CHECK(ok_inputs[1]["sha256"] == test::file_sha256(dir / "key"));
    CHECK(ok_outputs[0]["sha256"] == plain_sha);
  }
  CHECK(test::run_cli("custody verify --case " + q(c), &out) == 0);
  CHECK(test::run_cli("verify --case " + q(c), &out) == 0);
  CHECK(test::file_sha256(db_dir / "msgstore.db.crypt14") == encrypted_sha);  // original untouched
  CHECK(test::file_sha256(dir / "msgstore.db.crypt14").rfind("cfff40d9154c8eaf", 0) == 0);
  CHECK(fs::directory_iterator(db_dir) != fs::directory_iterator());
  CHECK(std::distance(fs::directory_iterator(db_dir), fs::directory_iterator()) ==
        1);  // nothing appeared beside it
}

TEST_CASE("decrypt whatsapp: crypt15 with the 64-hex key, which is stored nowhere in the case",
          "[whatsapp_crypt][cli][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(dir, kVectors);
  test::TempDir tmp;
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  fs::path db_dir = tmp / "phone/sdcard/WhatsApp/Databases";
  fs::create_directories(db_dir);
  fs::copy_file(dir / "msgstore.db.crypt15", db_dir / "msgstore.db.crypt15");
  auto key_bytes = read_bytes(dir / "encrypted_backup.key");
  const std::string hex_key = hex(key_bytes.data() + 27, 32);
  fs::path c = tmp / "case";
  std::string out;
  REQUIRE(test::run_cli("examiner init --name T", &out) == 0);
  REQUIRE(test::run_cli("case create --case " + q(c), &out) == 0);
  REQUIRE(test::run_cli("ingest " + q(tmp / "phone") + " --case " + q(c), &out) == 0);
  int rc = test::run_cli("--json decrypt whatsapp --case " + q(c) + " --item 1 --hex-key " + hex_key, &out);
  INFO(out);
  REQUIRE(rc == 0);
  auto j = json::parse(out);
  CHECK(j["sha256"] == test::file_sha256(dir / "msgstore.db"));
  CHECK(j["derivation"].get<std::string>().rfind("whatsapp-crypt15 decryption with key ", 0) == 0);
  REQUIRE(test::run_cli("process --case " + q(c), &out) == 0);
  for (const auto& f : fs::recursive_directory_iterator(c)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    INFO(f.path());
    CHECK(content.find(hex_key) == std::string::npos);
  }
}
