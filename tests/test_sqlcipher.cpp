// SQLCipher page decryption (core/decrypt/sqlcipher.h) against two independent implementations:
//   - tests/make_sqlcipher.py (python3-cryptography, written from the published design) for the four
//   parameter
//     sets: Signal Android (v3, 4096-byte pages, kdf_iter 1), Signal iOS (v4, plaintext header, raw key +
//     salt), SQLCipher 3 and 4 defaults: decrypted byte-exact to the plaintext;
//   - Debian's `sqlcipher` 3.4.1 CLI (the real implementation) with Signal Android's settings, both ways:
//   files it
//     writes decrypt, and files the Python encryptor writes open in it.
// Plus the failure behaviour: wrong key fast with nothing written, truncation, a damaged page.
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "core/decrypt/sqlcipher.h"
#include "core/error.h"
#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kSqlcipherCli = "/usr/bin/sqlcipher";
// A Signal Android databaseSecret as the app stores it (64 lower-case hex digits), and an iOS key spec.
constexpr const char* kAndroidSecret = "6b616e7368696b692d7369676e616c2d616e64726f69642d7365637265742121";
constexpr const char* kIosKeySpec =
    "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"
    "a1a2a3a4a5a6a7a8a9aaabacadaeafb0";
constexpr const char* kJapanese = "受け子は明日の10時に渋谷駅で。報酬は即日即金です";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

}  // namespace

// Shared with tests/test_parser_signal.cpp.
namespace test_signal {

bool python_crypto_available() {
  return fs::exists(kPython) &&
         std::system((std::string(kPython) + " -c 'import cryptography' 2>/dev/null").c_str()) == 0;
}

// A plaintext database laid out as SQLCipher writes one: the profile's page size and reserved bytes per page
// (SQLITE_FCNTL_RESERVE_BYTES before the first write), so that its encryption decrypts back byte for byte.
void make_db_with_reserve(const fs::path& path, int page_size, int reserve, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  auto exec = [&](const std::string& statement) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  };
  exec("PRAGMA page_size=" + std::to_string(page_size));
  int reserve_arg = reserve;  // SQLite writes the previous value back into the argument
  REQUIRE(sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve_arg) == SQLITE_OK);
  exec("PRAGMA journal_mode=DELETE");
  exec(sql);
  sqlite3_close(db);
  REQUIRE(static_cast<uint8_t>(slurp(path)[20]) == reserve);
}

bool encrypt_with_python(const fs::path& plain, const fs::path& out, const std::string& profile,
                         const std::string& key_args) {
  fs::path maker = test::source_dir() / "tests" / "make_sqlcipher.py";
  std::string cmd = std::string(kPython) + " " + q(maker) + " " + q(plain) + " " + q(out) + " --profile " +
                    profile + " " + key_args + " > /dev/null";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace test_signal

namespace {

using test_signal::python_crypto_available;

// A few pages of messages with Japanese text.
void make_plain_db(const fs::path& path, int page_size, int reserve, int rows = 60) {
  std::string sql = "CREATE TABLE message (_id INTEGER PRIMARY KEY, body TEXT, date_sent INTEGER); BEGIN;";
  for (int i = 1; i <= rows; ++i)
    sql +=
        fmt::format("INSERT INTO message VALUES ({}, '{} #{}', {});", i, kJapanese, i, 1700000000000LL + i);
  test_signal::make_db_with_reserve(path, page_size, reserve, sql + "COMMIT;");
}

// Whole-file decryption for the tests (the product streams items through engine/derive.cpp): `out` is written
// only when the decryptor finished without an error.
sqlcipher::Result decrypt_to(const fs::path& in, std::vector<sqlcipher::Candidate> candidates,
                             const fs::path& out) {
  std::string plain, encrypted = slurp(in);
  sqlcipher::Decryptor d(std::move(candidates),
                         [&](const void* p, size_t n) { plain.append(static_cast<const char*>(p), n); });
  d.feed(encrypted.data(), encrypted.size());
  auto r = d.finish();
  std::ofstream(out, std::ios::binary) << plain;
  return r;
}

void encrypt_with_python(const fs::path& plain, const fs::path& out, const std::string& profile,
                         const std::string& key_args) {
  REQUIRE(test_signal::encrypt_with_python(plain, out, profile, key_args));
}

struct Vector {
  std::string profile;  // make_sqlcipher.py profile
  int page_size, reserve;
  std::string key_args;   // for the encryptor
  std::string key_text;   // what the examiner types
  std::string file_name;  // drives "auto"
  std::string expect_params;
};

std::vector<Vector> vectors() {
  return {
      {"signal-android", 4096, 48, std::string("--passphrase ") + kAndroidSecret, kAndroidSecret, "signal.db",
       "signal-android"},
      {"signal-ios", 4096, 80,
       fmt::format("--raw-key {} --salt {}", std::string(kIosKeySpec).substr(0, 64),
                   std::string(kIosKeySpec).substr(64)),
       fmt::format("x'{}'", kIosKeySpec), "signal.sqlite", "signal-ios"},
      {"sqlcipher3", 1024, 48, "--passphrase 'correct horse 鑑識'", "correct horse 鑑識", "app.db",
       "sqlcipher3"},
      {"sqlcipher4", 4096, 80, "--passphrase 'correct horse 鑑識'", "correct horse 鑑識", "app.db",
       "sqlcipher4"},
  };
}

}  // namespace

TEST_CASE("sqlcipher: independent encryptor vectors decrypt byte-exact", "[sqlcipher]") {
  if (!python_crypto_available()) {
    std::cout << "KANSHIKI-SKIP: /usr/bin/python3 with python3-cryptography not found (scripts/install-deps)"
              << std::endl;
    return;
  }
  test::TempDir tmp;
  for (const auto& v : vectors()) {
    SECTION(v.profile) {
      fs::path plain = tmp / (v.profile + ".plain"), enc = tmp / v.file_name,
               out = tmp / (v.profile + ".out");
      make_plain_db(plain, v.page_size, v.reserve);
      encrypt_with_python(plain, enc, v.profile, v.key_args);
      const bool header_encrypted = slurp(enc).substr(0, 16) != slurp(plain).substr(0, 16);
      CHECK(header_encrypted == (v.profile != "signal-ios"));  // iOS keeps the plain header
      auto candidates = sqlcipher::signal_candidates(v.key_text, "auto", v.file_name);
      auto r = decrypt_to(enc, candidates, out);
      CHECK(r.params.name == v.expect_params);
      CHECK(r.bad_pages.empty());
      CHECK(r.pages == fs::file_size(plain) / static_cast<uint64_t>(v.page_size));
      CHECK(r.plaintext_sha256 == test::file_sha256(plain));
      CHECK(test::file_sha256(out) == test::file_sha256(plain));
      sql::Db db(out, SQLITE_OPEN_READONLY);
      sql::Stmt st(db, "SELECT body FROM message WHERE _id = 7");
      REQUIRE(st.step());
      CHECK(st.text(0) == std::string(kJapanese) + " #7");
    }
  }
}

TEST_CASE("sqlcipher: wrong key fails fast with nothing written, damage is reported", "[sqlcipher]") {
  if (!python_crypto_available()) {
    std::cout << "KANSHIKI-SKIP: /usr/bin/python3 with python3-cryptography not found" << std::endl;
    return;
  }
  test::TempDir tmp;
  fs::path plain = tmp / "plain.db", enc = tmp / "signal.db", out = tmp / "out.db";
  make_plain_db(plain, 4096, 48);
  encrypt_with_python(plain, enc, "signal-android", std::string("--passphrase ") + kAndroidSecret);

  std::string wrong = kAndroidSecret;
  wrong[10] = wrong[10] == '0' ? '1' : '0';
  auto started = std::chrono::steady_clock::now();
  try {
    decrypt_to(enc, sqlcipher::signal_candidates(wrong, "auto", "signal.db"), out);
    FAIL("wrong key accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::verification_failed);
    CHECK(std::string(e.what()).find("wrong key") != std::string::npos);
  }
  // auto tries Android's 1-iteration KDF only for a 64-hex key: well under a second.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  CHECK_FALSE(fs::exists(out));

  // Keys that fit no profile are usage errors before any work.
  CHECK_THROWS_AS(sqlcipher::signal_candidates("abc", "android", "signal.db"), Error);
  CHECK_THROWS_AS(sqlcipher::signal_candidates(kAndroidSecret, "ios", "signal.sqlite"), Error);
  CHECK_THROWS_AS(sqlcipher::signal_candidates(kAndroidSecret, "nonsense", "signal.db"), Error);

  // Truncated: a clear corrupt_input, nothing left.
  std::string bytes = slurp(enc);
  {
    std::ofstream(tmp / "truncated.db", std::ios::binary) << bytes.substr(0, bytes.size() - 100);
    try {
      decrypt_to(tmp / "truncated.db", sqlcipher::signal_candidates(kAndroidSecret, "android", ""), out);
      FAIL("truncated file accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::corrupt_input);
    }
    CHECK_FALSE(fs::exists(out));
  }
  // One flipped bit on page 3: that page is zeros and reported, every other page is exact.
  {
    std::string damaged = bytes;
    damaged[2 * 4096 + 100] ^= 0x01;
    std::ofstream(tmp / "damaged.db", std::ios::binary) << damaged;
    auto r = decrypt_to(tmp / "damaged.db", sqlcipher::signal_candidates(kAndroidSecret, "android", ""), out);
    CHECK(r.bad_pages == std::vector<uint64_t>{3});
    std::string got = slurp(out), want = slurp(plain);
    REQUIRE(got.size() == want.size());
    CHECK(got.substr(2 * 4096, 4096) == std::string(4096, '\0'));
    CHECK(got.substr(0, 2 * 4096) == want.substr(0, 2 * 4096));
    CHECK(got.substr(3 * 4096) == want.substr(3 * 4096));
    fs::remove(out);
  }
  // A plain SQLite file is not mistaken for an encrypted one.
  try {
    decrypt_to(plain, sqlcipher::signal_candidates(kAndroidSecret, "android", ""), out);
    FAIL("plain file accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    CHECK(std::string(e.what()).find("not encrypted") != std::string::npos);
  }
  // Streaming in odd chunk sizes gives the same bytes.
  std::string streamed;
  sqlcipher::Decryptor d(sqlcipher::signal_candidates(kAndroidSecret, "android", ""),
                         [&](const void* p, size_t n) { streamed.append(static_cast<const char*>(p), n); });
  for (size_t pos = 0; pos < bytes.size(); pos += 777)
    d.feed(bytes.data() + pos, std::min<size_t>(777, bytes.size() - pos));
  d.finish();
  CHECK(streamed == slurp(plain));
}

TEST_CASE("sqlcipher: Debian's sqlcipher 3.4.1 with Signal Android's settings, both ways", "[sqlcipher]") {
  if (!fs::exists(kSqlcipherCli) || !python_crypto_available()) {
    std::cout << "KANSHIKI-SKIP: " << kSqlcipherCli
              << " (apt-get install sqlcipher) or python3-cryptography missing" << std::endl;
    return;
  }
  test::TempDir tmp;
  const std::string pragmas = fmt::format(
      "PRAGMA key = '{}';\nPRAGMA cipher_page_size = 4096;\nPRAGMA kdf_iter = 1;\n", kAndroidSecret);
  // 1. The real implementation writes signal.db; we decrypt it.
  fs::path enc = tmp / "signal.db", out = tmp / "signal.plain.db";
  {
    std::ofstream sql(tmp / "make.sql");
    sql << pragmas << "CREATE TABLE message (_id INTEGER PRIMARY KEY, body TEXT);\nBEGIN;\n";
    for (int i = 1; i <= 200; ++i)
      sql << "INSERT INTO message VALUES (" << i << ", '" << kJapanese << "');\n";
    sql << "COMMIT;\n";
  }
  REQUIRE(
      std::system((std::string(kSqlcipherCli) + " " + q(enc) + " < " + q(tmp / "make.sql") + " > /dev/null")
                      .c_str()) == 0);
  auto r = decrypt_to(enc, sqlcipher::signal_candidates(kAndroidSecret, "auto", "signal.db"), out);
  CHECK(r.params.name == "signal-android");
  CHECK(r.bad_pages.empty());
  CHECK(r.pages == fs::file_size(enc) / 4096);
  {
    sql::Db db(out, SQLITE_OPEN_READONLY);
    sql::Stmt ic(db, "PRAGMA integrity_check");
    REQUIRE(ic.step());
    CHECK(ic.text(0) == "ok");
    sql::Stmt st(db, "SELECT count(*), min(body), max(body) FROM message");
    REQUIRE(st.step());
    CHECK(st.i64(0) == 200);
    CHECK(st.text(1) == kJapanese);
    CHECK(st.text(2) == kJapanese);
  }
  // 2. The Python encryptor's output opens in the real implementation (so the vectors above are real ones).
  fs::path plain = tmp / "plain.db", py_enc = tmp / "py-signal.db";
  make_plain_db(plain, 4096, 48);
  encrypt_with_python(plain, py_enc, "signal-android", std::string("--passphrase ") + kAndroidSecret);
  {
    std::ofstream sql(tmp / "read.sql");
    sql << pragmas << "SELECT body FROM message WHERE _id = 7;\n";
  }
  std::string cmd = std::string(kSqlcipherCli) + " " + q(py_enc) + " < " + q(tmp / "read.sql") + " > " +
                    q(tmp / "read.out") + " 2>&1";
  CHECK(std::system(cmd.c_str()) == 0);
  CHECK(slurp(tmp / "read.out").find(std::string(kJapanese) + " #7") != std::string::npos);
}

}  // namespace kanshiki
