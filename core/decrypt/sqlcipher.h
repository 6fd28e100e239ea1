#pragma once
// SQLCipher databases (Signal for Android `signal.db`, Signal for iOS `grdb/signal.sqlite`, other apps):
// page-by-page decryption with OpenSSL into a plaintext SQLite file of the same pages. Format and the
// parameters of each app: docs/formats/sqlcipher.md.
//
// Why not libsqlcipher: it exports the same sqlite3_* symbols as libsqlite3 (one binary cannot hold both),
// Debian's is 3.4.1 (SQLCipher 4 files are unreadable to it), and a logical export (sqlcipher_export) drops
// the freelist and unallocated space where deleted messages live. Page-level decryption keeps every page,
// so recovery (engine/recover) works on the plaintext exactly as on any SQLite file.
//
// Wrong key: page 1's HMAC is checked under every candidate parameter set before a single byte is written;
// when none matches the error is ExitCode::verification_failed naming what was tried. Later pages whose
// HMAC fails (damaged storage) are written as zeros and listed in Result::bad_pages, never as garbage.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kanshiki::sqlcipher {

enum class HmacAlgorithm { sha1, sha512 };  // SQLCipher 3 and 4 defaults; the KDF uses the same digest

// One SQLCipher parameter set ("profile").
struct Params {
  std::string name;  // "signal-android", "sqlcipher4", ...
  int page_size = 4096;
  int kdf_iter = 256000;  // PBKDF2 iterations for a passphrase (unused for raw keys)
  HmacAlgorithm hmac = HmacAlgorithm::sha512;
  int plaintext_header = 0;  // 0, or 32: the first 32 bytes of page 1 are the plain SQLite header (no salt)
  std::string describe() const;  // "SQLCipher 3 parameters, 4096-byte pages, 1 KDF iteration"
};

// Signal for Android: SQLCipher 3 compatibility (cipher_compatibility = 3), 4096-byte pages, kdf_iter 1;
// the passphrase is the 64-hex `databaseSecret` as text.
Params signal_android_params();
// Signal for iOS (GRDB): SQLCipher 4 defaults, 32-byte plaintext header; raw 32-byte key + 16-byte salt.
Params signal_ios_params();
Params sqlcipher3_params();  // SQLCipher 3.x defaults: 1024-byte pages, 64000 iterations, HMAC-SHA1
Params sqlcipher4_params();  // SQLCipher 4.x defaults: 4096-byte pages, 256000 iterations, HMAC-SHA512

// The key material: a passphrase (run through PBKDF2), or a raw 32-byte key (`x'<64 hex>'`), optionally
// with its 16-byte salt (`x'<96 hex>'`, needed when the salt is not in the file: plaintext header).
struct Key {
  enum class Kind { passphrase, raw };
  Kind kind = Kind::passphrase;
  std::string passphrase;         // bytes exactly as given
  std::array<uint8_t, 32> raw{};  // raw key
  std::optional<std::array<uint8_t, 16>> salt;
  std::string fingerprint;  // SHA-256 hex of the key material as given; safe to log, the key never is
};
Key passphrase_key(std::string_view passphrase);
// `x'…'` (64 or 96 hex digits) or bare 64/96 hex digits: a raw key (+ salt). Throws Error(usage).
Key raw_key_from_hex(std::string_view hex);

// One attempt: a key under a parameter set.
struct Candidate {
  Params params;
  Key key;
};

// What the examiner gives for Signal: `profile` is "auto", "android", "ios", "sqlcipher3" or "sqlcipher4";
// `file_name` (e.g. "signal.db", "signal.sqlite") narrows "auto". Android's 64-hex databaseSecret is tried
// as the passphrase (lower-case, as Signal writes it); iOS's 96-hex key spec as raw key + salt.
// Throws Error(usage) for key text that fits no profile asked for.
std::vector<Candidate> signal_candidates(std::string_view key_text, std::string_view profile,
                                         std::string_view file_name);

struct Result {
  Params params;       // the parameter set whose HMAC matched page 1
  uint64_t pages = 0;  // pages written
  uint64_t encrypted_bytes = 0, plaintext_bytes = 0;
  std::string plaintext_sha256;
  std::vector<uint64_t> bad_pages;  // 1-based page numbers whose HMAC failed (written as zeros)
  std::string key_fingerprint;
};

// Push-style streaming decryptor: feed the encrypted file in chunks of any size; `sink` receives whole
// plaintext pages in order. At most one maximal page (64 KiB) is held back. The first sink call happens
// only after page 1 authenticated under one of the candidates.
class Decryptor {
 public:
  using Sink = std::function<void(const void* data, size_t n)>;
  Decryptor(std::vector<Candidate> candidates, Sink sink);
  ~Decryptor();
  Decryptor(const Decryptor&) = delete;
  Decryptor& operator=(const Decryptor&) = delete;

  void feed(const void* data, size_t n);  // throws verification_failed (wrong key) / corrupt_input
  Result finish();                        // throws corrupt_input on a truncated last page

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Key derivation as SQLCipher does it, exposed for the known-answer tests: the page key (PBKDF2 of the
// passphrase, or the raw key) and the HMAC key (PBKDF2 of the page key, salt XOR 0x3a, 2 iterations).
struct PageKeys {
  std::array<uint8_t, 32> cipher{}, hmac{};
};
PageKeys derive_keys(const Params& params, const Key& key, std::span<const uint8_t, 16> salt);

}  // namespace kanshiki::sqlcipher
