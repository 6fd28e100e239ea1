// Encrypted iTunes/Finder backups (core/decrypt/ios_backup_crypt.h, engine/ios_backup_decrypt.h).
// Vectors: RFC 3394 §4.3/4.5/4.6, and backups encrypted by an independent implementation
// (tests/make_encrypted_ios_backup.py on python3-cryptography) from the bundled samples' plain backup.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/case_db.h"
#include "core/decrypt/ios_backup_crypt.h"
#include "core/error.h"
#include "core/evidence/source.h"
#include "core/sqlite_util.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace ibc = kanshiki::ios_backup_crypt;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kPassword = "鑑識パスワード-2024";

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::vector<uint8_t> unhex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool python_crypto_available() {
  return fs::exists(kPython) &&
         std::system((std::string(kPython) + " -c 'import cryptography' 2>/dev/null").c_str()) == 0;
}

// The samples' plain backup and its encryption by the Python implementation; once per test process.
struct Vector {
  fs::path plain, encrypted, encrypted_no_dp;
  json summary;
};

const Vector* vector_or_skip() {
  static std::unique_ptr<test::TempDir> dir;
  static std::optional<Vector> v;
  if (v) return &*v;
  if (!python_crypto_available()) {
    std::cout << "KANSHIKI-SKIP: " << kPython << " with python3-cryptography not found (scripts/install-deps)"
              << std::endl;
    return nullptr;
  }
  dir = std::make_unique<test::TempDir>();
  Vector out;
  auto samples = test::source_dir() / "samples" / "generate_samples.py";
  auto maker = test::source_dir() / "tests" / "make_encrypted_ios_backup.py";
  REQUIRE(std::system((std::string(kPython) + " " + q(samples) + " --out " + q(*dir / "s") + " > /dev/null")
                          .c_str()) == 0);
  out.plain = *dir / "s/ios_backup";
  out.encrypted = *dir / "enc";
  out.encrypted_no_dp = *dir / "enc-old";
  REQUIRE(std::system((std::string(kPython) + " " + q(maker) + " --src " + q(out.plain) + " --out " +
                       q(out.encrypted) + " --password '" + kPassword + "' > " + q(*dir / "summary.json"))
                          .c_str()) == 0);
  REQUIRE(std::system((std::string(kPython) + " " + q(maker) + " --no-dp --iter 50 --src " + q(out.plain) +
                       " --out " + q(out.encrypted_no_dp) + " --password '" + kPassword + "' > /dev/null")
                          .c_str()) == 0);
  out.summary = json::parse(slurp(*dir / "summary.json"));
  v = std::move(out);
  return &*v;
}

ibc::Secret password(std::string p) {
  ibc::Secret s;
  s.password = std::move(p);
  return s;
}

}  // namespace

TEST_CASE("AES key unwrap: RFC 3394 vectors with a 256-bit KEK — a flipped bit fails the integrity check",
          "[ios][crypto]") {
  ibc::Key32 kek{};
  for (int i = 0; i < 32; ++i) kek[i] = static_cast<uint8_t>(i);
  struct Case {
    const char *wrapped, *plain;
  } cases[] = {
      {"64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7", "00112233445566778899aabbccddeeff"},  // §4.3
      {"a8f9bc1612c68b3ff6e6f4fbe30e71e4769c8b80a32cb8958cd5d17d6b254da1",
       "00112233445566778899aabbccddeeff0001020304050607"},  // §4.5
      {"28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21",
       "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f"},  // §4.6
  };
  for (const auto& c : cases) {
    auto wrapped = unhex(c.wrapped);
    auto plain = ibc::aes_key_unwrap(kek, wrapped);
    REQUIRE(plain);
    CHECK(ibc::to_hex(*plain) == c.plain);
    wrapped[5] ^= 0x01;
    CHECK_FALSE(ibc::aes_key_unwrap(kek, wrapped));
  }
  CHECK_THROWS_AS(ibc::aes_key_unwrap(kek, unhex("0011223344556677")), Error);
}

TEST_CASE("keybag TLV: damaged bags are clear errors, never crashes", "[ios][crypto]") {
  auto tlv = [](std::string tag, std::string value) {
    uint32_t n = static_cast<uint32_t>(value.size());
    std::string len{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                    static_cast<char>(n)};
    return tag + len + value;
  };
  auto u32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  std::string bag = tlv("VERS", u32(3)) + tlv("TYPE", u32(1)) + tlv("UUID", std::string(16, 'u')) +
                    tlv("SALT", std::string(20, 's')) + tlv("ITER", u32(10)) + tlv("DPIC", u32(100)) +
                    tlv("DPSL", std::string(20, 'd'));
  std::string classes = tlv("UUID", std::string(16, 'a')) + tlv("CLAS", u32(7)) + tlv("WRAP", u32(2)) +
                        tlv("KTYP", u32(0)) + tlv("WPKY", std::string(40, 'w')) +
                        tlv("UUID", std::string(16, 'b')) + tlv("CLAS", u32(3)) + tlv("WRAP", u32(3)) +
                        tlv("WPKY", std::string(40, 'x'));
  auto span = [](const std::string& s) {
    return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  ibc::Keybag k = ibc::parse_keybag(span(bag + classes));
  CHECK(k.version == 3);
  CHECK(k.iterations == 10);
  CHECK(k.dp_iterations == 100);
  CHECK(k.has_dp());
  REQUIRE(k.classes.size() == 2);
  REQUIRE(k.find_class(3));
  CHECK(k.find_class(3)->wrap == 3);
  CHECK(k.find_class(7)->wrapped == std::string(40, 'w'));
  CHECK_FALSE(k.find_class(4));

  std::string whole = bag + classes;
  for (size_t cut : {size_t{3}, size_t{10}, whole.size() - 1}) {
    INFO("cut at " << cut);
    CHECK_THROWS_AS(ibc::parse_keybag(span(whole.substr(0, cut))), Error);
  }
  CHECK_THROWS_AS(ibc::parse_keybag(span(bag)), Error);                             // no class keys
  CHECK_THROWS_AS(ibc::parse_keybag(span(tlv("ITER", "12345") + classes)), Error);  // 5-byte integer
  std::string huge = "UUID" + u32(0xFFFFFFF0u) + "x";
  CHECK_THROWS_AS(ibc::parse_keybag(span(huge)), Error);
  // Every prefix and a byte flip at every position: errors or a parse, never a crash.
  for (size_t i = 0; i < whole.size(); ++i) {
    std::string damaged = whole;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x80);
    try {
      ibc::parse_keybag(span(damaged));
      ibc::parse_keybag(span(whole.substr(0, i)));
    } catch (const Error&) {
    }
  }
}

TEST_CASE("file decryption streams in any chunking, strips padding, trims to Size, flags oddities",
          "[ios][crypto]") {
  if (!python_crypto_available()) {
    std::cout << "KANSHIKI-SKIP: python3-cryptography not found" << std::endl;
    return;
  }
  // Ciphertext from python3-cryptography: AES-256-CBC, zero IV, PKCS#7, key = 32 × 0x11.
  test::TempDir dir;
  std::string plain;
  for (int i = 0; i < 1000; ++i) plain += "証拠データ" + std::to_string(i);
  std::ofstream(dir / "plain.bin", std::ios::binary) << plain;
  std::string py =
      std::string(kPython) +
      " -c \"import sys; from cryptography.hazmat.primitives import padding; "
      "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes; "
      "d=open(sys.argv[1],'rb').read(); p=padding.PKCS7(128).padder(); d=p.update(d)+p.finalize(); "
      "e=Cipher(algorithms.AES(bytes([0x11]*32)), modes.CBC(bytes(16))).encryptor(); "
      "open(sys.argv[2],'wb').write(e.update(d)+e.finalize())\" " +
      q(dir / "plain.bin") + " " + q(dir / "enc.bin");
  REQUIRE(std::system(py.c_str()) == 0);
  std::string enc = slurp(dir / "enc.bin");
  ibc::Key32 key;
  key.fill(0x11);

  for (size_t chunk : {size_t{1}, size_t{15}, size_t{16}, size_t{4097}, enc.size()}) {
    std::string out;
    ibc::FileDecryptor d(key, plain.size(),
                         [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); });
    for (size_t at = 0; at < enc.size(); at += chunk)
      d.feed(enc.data() + at, std::min(chunk, enc.size() - at));
    auto r = d.finish();
    INFO("chunk " << chunk);
    CHECK(out == plain);
    CHECK(r.padding_ok);
    CHECK(r.anomaly.empty());
    CHECK(r.plaintext_bytes == plain.size());
  }
  {  // no recorded size (Manifest.db): padding stripped
    std::string out;
    ibc::FileDecryptor d(key, std::nullopt,
                         [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); });
    d.feed(enc.data(), enc.size());
    CHECK(d.finish().anomaly.empty());
    CHECK(out == plain);
  }
  {  // the manifest says fewer bytes than the padding leaves: trimmed to Size, said so
    std::string out;
    ibc::FileDecryptor d(key, plain.size() - 3,
                         [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); });
    d.feed(enc.data(), enc.size());
    auto r = d.finish();
    CHECK(out == plain.substr(0, plain.size() - 3));
    CHECK_FALSE(r.anomaly.empty());
  }
  {  // truncated: a partial block, then a whole block short of Size
    ibc::FileDecryptor d(key, plain.size(), [](const void*, size_t) {});
    d.feed(enc.data(), enc.size() - 5);
    CHECK_THROWS_AS(d.finish(), Error);
    ibc::FileDecryptor d2(key, plain.size(), [](const void*, size_t) {});
    d2.feed(enc.data(), enc.size() - 32);
    CHECK_THROWS_AS(d2.finish(), Error);
  }
  {  // wrong key: padding garbage, reported (a wrong key is caught earlier, at the keybag, in real use)
    ibc::Key32 other;
    other.fill(0x22);
    ibc::FileDecryptor d(other, plain.size(), [](const void*, size_t) {});
    d.feed(enc.data(), enc.size());
    auto r = d.finish();
    CHECK_FALSE(r.padding_ok);
    CHECK_FALSE(r.anomaly.empty());
  }
}

TEST_CASE("encrypted backup from an independent implementation decrypts byte-exact", "[ios][crypto]") {
  const Vector* v = vector_or_skip();
  if (!v) return;
  ibc::BackupKeys keys = ibc::read_backup_keys(v->encrypted);
  CHECK(keys.bag.has_dp());
  CHECK(keys.bag.dp_iterations == 1000);
  CHECK(keys.bag.iterations == 10);
  CHECK(keys.bag.classes.size() == 11);
  CHECK(ibc::is_encrypted_backup(v->encrypted));
  CHECK_FALSE(ibc::is_encrypted_backup(v->plain));

  ibc::Key32 passkey = ibc::derive_passkey(keys.bag, kPassword);
  CHECK(ibc::to_hex(passkey) == v->summary["passkey_hex"].get<std::string>());

  test::TempDir out;
  std::map<std::string, std::string> read_hashes;
  ibc::DecryptOptions opt;
  opt.on_source_read = [&](const std::string& physical, const std::string& sha) {
    read_hashes[physical] = sha;
  };
  ibc::DecryptReport r = ibc::decrypt_backup(v->encrypted, out / "d", password(kPassword), opt);
  CHECK(r.problems.empty());
  CHECK(r.files_decrypted == v->summary["files"].size());
  CHECK(r.manifest_key_class == 4);
  CHECK(r.two_round_derivation);
  CHECK(test::file_sha256(out / "d/Manifest.db") == v->summary["manifest_db_sha256"].get<std::string>());
  for (const auto& [file_id, f] : v->summary["files"].items()) {
    std::string physical = file_id.substr(0, 2) + "/" + file_id;
    INFO(physical);
    CHECK(test::file_sha256(out / "d" / physical) == f["sha256"].get<std::string>());
    CHECK(slurp(out / "d" / physical) == slurp(v->plain / physical));  // byte-exact against the samples
    CHECK(read_hashes.at(physical) == test::file_sha256(v->encrypted / physical));
  }
  CHECK(read_hashes.count("Manifest.plist"));
  CHECK(slurp(out / "d/Info.plist") == slurp(v->encrypted / "Info.plist"));

  // The decrypted folder is an ordinary backup for the evidence layer (Manifest.plist still says
  // IsEncrypted).
  auto src = open_evidence(out / "d");
  CHECK(src->kind() == SourceKind::ios_backup);
  std::vector<std::string> paths;
  src->for_each_file({}, [&](const EvidenceEntry& e, ByteReader&) { paths.push_back(e.path); }, {});
  CHECK(std::find(paths.begin(), paths.end(), "HomeDomain/Library/SMS/sms.db") != paths.end());

  // The derived key (hex) from an earlier run opens it without the derivation.
  ibc::Secret by_key;
  by_key.passkey = ibc::key_from_hex(v->summary["passkey_hex"].get<std::string>());
  CHECK(ibc::decrypt_backup(v->encrypted, out / "d2", by_key).problems.empty());
  CHECK(slurp(out / "d2/Manifest.db") == slurp(out / "d/Manifest.db"));

  // Pre-iOS 10.2 keybag (no DPSL/DPIC): one SHA-1 round over the password.
  auto old = ibc::decrypt_backup(v->encrypted_no_dp, out / "d3", password(kPassword));
  CHECK_FALSE(old.two_round_derivation);
  CHECK(old.problems.empty());
  CHECK(slurp(out / "d3/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28") ==
        slurp(v->plain / "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28"));
}

TEST_CASE("wrong password: clear error right after the key derivation, nothing written", "[ios][crypto]") {
  const Vector* v = vector_or_skip();
  if (!v) return;
  test::TempDir out;
  bool touched = false;
  ibc::DecryptOptions opt;
  opt.on_source_read = [&](const std::string&, const std::string&) { touched = true; };
  try {
    ibc::decrypt_backup(v->encrypted, out / "d", password("wrong"), opt);
    FAIL("a wrong password decrypted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::verification_failed);
    CHECK(std::string(e.what()).find("wrong backup password") != std::string::npos);
  }
  CHECK_FALSE(touched);
  CHECK_FALSE(fs::exists(out / "d"));
  ibc::Secret bad_key;
  bad_key.passkey = ibc::Key32{};
  CHECK_THROWS_AS(ibc::decrypt_backup(v->encrypted, out / "d", bad_key), Error);
  CHECK_THROWS_AS(ibc::key_from_hex("abcd"), Error);
}

TEST_CASE("damaged files inside an encrypted backup are named problems — the rest decrypts",
          "[ios][crypto]") {
  const Vector* v = vector_or_skip();
  if (!v) return;
  test::TempDir dir;
  fs::copy(v->encrypted, dir / "enc", fs::copy_options::recursive);
  const std::string sms = "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28";
  const std::string chat = "7c/7c7fba66680ef796b916b067077cc246adacf01d";
  fs::resize_file(dir / "enc" / sms, fs::file_size(dir / "enc" / sms) - 48);  // truncated by whole blocks
  fs::remove(dir / "enc" / chat);                                             // missing
  std::ofstream(dir / "enc/7c/7c00000000000000000000000000000000000000") << "stray";  // not in the manifest
  auto r = ibc::decrypt_backup(dir / "enc", dir / "d", password(kPassword));
  REQUIRE(r.problems.size() == 3);
  auto has = [&](const std::string& physical, const std::string& words) {
    for (const auto& p : r.problems)
      if (p.physical == physical && p.message.find(words) != std::string::npos) return true;
    return false;
  };
  CHECK(has(sms, "truncated"));
  CHECK(has(chat, "missing on disk"));
  CHECK(has("7c/7c00000000000000000000000000000000000000", "not listed"));
  CHECK(r.files_decrypted == 2);  // sms.db (partial, flagged) and the attachment
  CHECK(slurp(dir / "d/3c/3c98dc5a603c78d530327f76b987cee397e665d6") ==
        slurp(v->plain / "3c/3c98dc5a603c78d530327f76b987cee397e665d6"));

  // A damaged keybag entry (WPKY of the first class) reads as a wrong password; a damaged Manifest.db is
  // named.
  fs::copy(v->encrypted, dir / "enc2", fs::copy_options::recursive);
  {
    std::fstream f(dir / "enc2/Manifest.db", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f.put('\x42');
  }
  try {
    ibc::decrypt_backup(dir / "enc2", dir / "d2", password(kPassword));
    FAIL("damaged Manifest.db decrypted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::corrupt_input);
    CHECK(std::string(e.what()).find("Manifest.db") != std::string::npos);
  }
}

TEST_CASE("MBFile records of a real backup: EncryptionKey, class and Size decode",
          "[ios][crypto][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(manifest, "ios_backup/mvt_ios_backup/Manifest.db");
  test::TempDir dir;
  fs::path copy = test::copy_sqlite_to(manifest, dir.path());
  sql::Db db(copy, SQLITE_OPEN_READONLY);
  sql::Stmt st(db, "SELECT file FROM Files WHERE flags = 1");
  int files = 0, with_key = 0;
  while (st.step()) {
    ++files;
    auto blob = st.blob(0);
    auto mb = ibc::parse_mbfile(std::span(reinterpret_cast<const uint8_t*>(blob.data()), blob.size()));
    REQUIRE(mb);
    REQUIRE(mb->size);
    if (mb->encryption_key) {
      ++with_key;
      REQUIRE(mb->encryption_key->size() == 44);  // u32 LE class + 40-byte wrapped key
      uint32_t clas = static_cast<uint8_t>((*mb->encryption_key)[0]);
      CHECK(clas >= 1);
      CHECK(clas <= 11);
      if (mb->protection_class) CHECK(clas == *mb->protection_class);
    }
  }
  CHECK(files > 1000);
  CHECK(with_key > 1000);  // MVT's tree was decrypted by a tool that kept the keys in the records
}

TEST_CASE("kanshiki ingest --password: stored + decrypted evidence, custody, wrong password refused",
          "[ios][crypto][cli]") {
  const Vector* v = vector_or_skip();
  if (!v) return;
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  std::string out;
  REQUIRE(test::run_cli("examiner init --name '鑑識 次郎'") == 0);
  fs::path case_dir = dir / "case";
  REQUIRE(test::run_cli("case create --case " + q(case_dir)) == 0);
  fs::copy(v->encrypted, dir / "evidence", fs::copy_options::recursive);
  std::map<std::string, std::string> before;
  for (const auto& e : fs::recursive_directory_iterator(dir / "evidence"))
    if (e.is_regular_file()) before[e.path().string()] = test::file_sha256(e.path());

  // Without a password: a clear error, and the custody log says so.
  CHECK(test::run_cli("ingest " + q(dir / "evidence") + " --case " + q(case_dir), &out) != 0);
  CHECK(out.find("--password") != std::string::npos);

  // Wrong password: verification failure (exit 6), nothing derived.
  CHECK(test::run_cli("ingest " + q(dir / "evidence") + " --case " + q(case_dir) + " --password nope",
                      &out) == 6);
  CHECK(out.find("wrong backup password") != std::string::npos);
  CHECK((!fs::exists(case_dir / "derived") || fs::is_empty(case_dir / "derived")));

  std::ofstream(dir / "pw.txt") << kPassword << "\n";
  int rc = test::run_cli("--json ingest " + q(dir / "evidence") + " --case " + q(case_dir) +
                             " --exhibit B-1 --password-file " + q(dir / "pw.txt"),
                         &out);
  INFO(out);
  REQUIRE(rc == 0);
  auto j = json::parse(out.substr(out.find('{')));
  int64_t stored = j["evidence_id"], derived = j["derived_evidence_id"];
  CHECK(stored != derived);
  fs::path output = j["output"].get<std::string>();
  CHECK(output.parent_path() == fs::absolute(case_dir / "derived"));

  {
    CaseDb c = CaseDb::open(case_dir);
    sql::Stmt st(c.db(),
                 "SELECT source_kind, exhibit, derived_from_item, derivation FROM evidence WHERE id = ?1");
    st.bind(1, derived);
    REQUIRE(st.step());
    CHECK(st.text(0) == "ios-backup");
    CHECK(st.text(1) == "B-1-" + output.filename().string());
    CHECK(st.text(3).find("PBKDF2-HMAC-SHA256 x1000") != std::string::npos);
    sql::Stmt it(c.db(), "SELECT path, evidence_id FROM items WHERE id = ?1");
    it.bind(1, st.i64(2));
    REQUIRE(it.step());
    CHECK(it.text(0) == "Manifest.plist");
    CHECK(it.i64(1) == stored);
    sql::Stmt sms(
        c.db(), "SELECT sha256 FROM items WHERE evidence_id = ?1 AND path = 'HomeDomain/Library/SMS/sms.db'");
    sms.bind(1, derived);
    REQUIRE(sms.step());
    CHECK(sms.text(0) == test::file_sha256(v->plain / "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28"));
  }

  // The password is nowhere in the case.
  for (const auto& e : fs::recursive_directory_iterator(case_dir))
    if (e.is_regular_file()) CHECK(slurp(e.path()).find(kPassword) == std::string::npos);

  // Again: nothing new; process reads the decrypted messages; verify and custody pass; evidence untouched.
  REQUIRE(test::run_cli("--json ingest " + q(dir / "evidence") + " --case " + q(case_dir) +
                            " --password-file " + q(dir / "pw.txt"),
                        &out) == 0);
  CHECK(json::parse(out.substr(out.find('{')))["already_derived"] == true);
  CHECK(test::run_cli("process --case " + q(case_dir), &out) == 0);
  REQUIRE(test::run_cli("--json search --case " + q(case_dir) + " ホワイト案件", &out) == 0);
  CHECK(out.find("sms.db") != std::string::npos);
  CHECK(test::run_cli("verify --case " + q(case_dir), &out) == 0);
  CHECK(test::run_cli("custody verify --case " + q(case_dir), &out) == 0);
  REQUIRE(test::run_cli("--json custody show --case " + q(case_dir), &out) == 0);
  CHECK(out.find("decrypt ios-backup") != std::string::npos);
  for (const auto& [path, sha] : before) CHECK(test::file_sha256(path) == sha);
  size_t files_after = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "evidence")) files_after += e.is_regular_file();
  CHECK(files_after == before.size());
}
