// Android backup (.ab): the MVT real-data vectors, and vectors from an independent reference encoder
// (tests/fixtures/make_android_backup.py) covering v1/v2/v5, zlib, AES-256 with master keys whose bytes are
// >= 0x80 (the Java UTF-8 checksum quirk), wrong/missing passwords and truncation.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/evidence/android_backup.h"
#include "core/evidence/source.h"
#include "hashing/multi_hash.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Path -> SHA-256 of every item the source visits.
std::map<std::string, std::string> item_hashes(EvidenceSource& src,
                                               std::vector<std::string>* problems = nullptr) {
  std::map<std::string, std::string> out;
  src.for_each_file(
      nullptr, [&](const EvidenceEntry& e, ByteReader& r) { out[e.path] = hash_stream(r).sha256; },
      [&](const SourceProblem& p) {
        if (problems) problems->push_back(p.message);
      });
  return out;
}

json generate_vectors(const fs::path& dir) {
  std::string cmd = "/usr/bin/python3 " + q(test::source_dir() / "tests/fixtures/make_android_backup.py") +
                    " " + q(dir) + " > " + q(dir / "vectors.json");
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(dir / "vectors.json");
  return json::parse(in);
}

}  // namespace

TEST_CASE(".ab: Java UTF-8 of sign-extended bytes", "[android_backup]") {
  auto out = android_backup::java_utf8_of_signed_bytes({0x41, 0x80, 0xBF, 0xC0, 0xFF, 0x00});
  std::vector<unsigned char> want{0x41, 0xEF, 0xBE, 0x80, 0xEF, 0xBE, 0xBF,
                                  0xEF, 0xBF, 0x80, 0xEF, 0xBF, 0xBF, 0x00};
  CHECK(out == want);
}

TEST_CASE(".ab: MVT vectors decode (plain v1 zlib, v5 zlib, v5 AES-256)", "[android_backup][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(dir, "android_backup/mvt/android_backup");
  const std::string sms = "apps/com.android.providers.telephony/d_f/000000_sms_backup";
  const std::string sms_sha256 = test::file_sha256(dir / sms);
  {
    auto src = open_evidence(dir / "backup.ab");
    CHECK(src->kind() == SourceKind::android_backup);
    auto items = item_hashes(*src);
    CHECK(items.at(sms) == sms_sha256);
    CHECK(items.size() == 2);
  }
  {
    auto src = open_evidence(dir / "backup3.ab");
    CHECK(item_hashes(*src).at(sms) == sms_sha256);
  }
  {
    auto src = open_evidence(dir / "backup2.ab", std::nullopt, std::string("123456"));
    auto items = item_hashes(*src);
    CHECK(items.at(sms) == sms_sha256);
    auto d = json::parse(src->derivation());
    // The tar SHA-256 published with the vector (formats-and-protocols.md 1.11).
    CHECK(d["tar_sha256"] == "f365ace1effbc4902c6aeba241ca61544f8a96ad456c1861808ea87b7dd03896");
    CHECK(d["encryption"] == "AES-256");
  }
  // No password, wrong password: clear errors, and the wrong one is found fast (from the checksum).
  try {
    open_evidence(dir / "backup2.ab");
    FAIL("no error without a password");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    CHECK(std::string(e.what()).find("--password") != std::string::npos);
  }
  auto t0 = std::chrono::steady_clock::now();
  try {
    open_evidence(dir / "backup2.ab", std::nullopt, std::string("654321"));
    FAIL("no error with a wrong password");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::evidence_unreadable);
    CHECK(std::string(e.what()).find("wrong password") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}

TEST_CASE(".ab: reference-encoder vectors, every variant", "[android_backup]") {
  test::TempDir dir;
  json vectors = generate_vectors(dir.path());
  const std::string jp = "apps/com.example.chat/f/受け渡し.txt";
  for (auto& [name, v] : vectors.items()) {
    if (name == "truncated.ab") continue;
    INFO(name);
    std::optional<std::string> pw;
    if (!v["password"].is_null()) pw = v["password"].get<std::string>();
    REQUIRE(detect_source_kind(dir / name) == SourceKind::android_backup);
    auto src = open_evidence(dir / name, std::nullopt, pw);
    auto items = item_hashes(*src);
    CHECK(items.size() == 3);
    CHECK(items.at(jp) == sha256_hex("本日は即日即金\n"));
    CHECK(json::parse(src->derivation())["tar_sha256"] == v["tar_sha256"]);
    if (pw) CHECK_THROWS_AS(open_evidence(dir / name, std::nullopt, *pw + "x"), Error);
  }
}

TEST_CASE(".ab: a truncated encrypted backup is corrupt input after the good members", "[android_backup]") {
  test::TempDir dir;
  generate_vectors(dir.path());
  auto src = open_evidence(dir / "truncated.ab", std::nullopt, std::string("123456"));
  std::vector<std::string> problems;
  try {
    item_hashes(*src, &problems);
    FAIL("truncation not detected");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::corrupt_input);
    CHECK(std::string(e.what()).find("truncated") != std::string::npos);
  }
}

TEST_CASE(".ab: kanshiki ingest --password records the decrypted view", "[android_backup][cli]") {
  test::TempDir dir;
  generate_vectors(dir.path());
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  REQUIRE(test::run_cli("examiner init --name '鑑識 太郎'") == 0);
  fs::path c = dir / "case";
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  std::string out;
  CHECK(test::run_cli("ingest " + q(dir / "aes_v5_zlib.ab") + " --case " + q(c) + " --password nope", &out) ==
        3);
  CHECK(out.find("wrong password") != std::string::npos);
  std::ofstream(dir / "pw.txt") << "123456\n";
  REQUIRE(test::run_cli("--json ingest " + q(dir / "aes_v5_zlib.ab") + " --case " + q(c) +
                            " --password-file " + q(dir / "pw.txt"),
                        &out) == 0);
  auto j = json::parse(out.substr(out.find('{')));
  CHECK(j["kind"] == "android-backup");
  CHECK(j["items"] == 3);
  // The password never reaches the custody log.
  REQUIRE(test::run_cli("custody show --case " + q(c), &out) == 0);
  CHECK(out.find("123456") == std::string::npos);
  CHECK(test::run_cli("verify --case " + q(c)) == 0);
}

TEST_CASE(".ab: an empty but valid backup (Android 12+ without eligible apps) has no items and no error",
          "[android_backup]") {
  test::TempDir dir;
  const std::string head = "ANDROID BACKUP\n5\n0\nnone\n";
  for (const auto& [name, payload] : std::vector<std::pair<std::string, std::string>>{
           {"zero_blocks.ab", std::string(1024, '\0')}, {"no_payload.ab", std::string()}}) {
    INFO(name);
    std::ofstream(dir / name, std::ios::binary) << head << payload;
    auto src = open_evidence(dir / name);
    std::vector<std::string> problems;
    CHECK(item_hashes(*src, &problems).empty());
    CHECK(json::parse(src->derivation())["tar_size"] == payload.size());
  }
}
