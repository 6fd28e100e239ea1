#pragma once
// WhatsApp for Android encrypted backups: msgstore.db.crypt12 / .crypt14 / .crypt15 (and the same containers
// for wa.db etc.). Layouts and key files: docs/formats/whatsapp-crypt.md.
//
// All three are AES-256-GCM with a 16-byte IV over a zlib stream. Decryption is streamed (bounded memory
// whatever the size): the caller pushes the encrypted bytes in chunks and receives inflated plaintext in
// chunks. A wrong key is detected after the first chunk (the zlib header and, by default, the SQLite magic
// of the first inflated bytes), long before the GCM tag at the end; the tag and the MD5 trailer are checked
// at the end. Every failure is a kanshiki::Error naming the cause:
//   ExitCode::verification_failed  wrong key / key of another account / authentication tag mismatch
//   ExitCode::corrupt_input        not a WhatsApp backup, truncated, damaged
//   ExitCode::usage                key material unusable (bad hex, unknown key file)
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace kanshiki::whatsapp_crypt {

enum class CryptFormat { crypt12, crypt14, crypt15 };
std::string_view format_name(CryptFormat f);  // "crypt12", ...

// The key material an examiner supplies.
struct Key {
  enum class Kind {
    legacy,  // the `key` file (crypt12/crypt14): the AES key itself, plus the account's server salt
    root,    // crypt15: the 32-byte end-to-end backup root key (encrypted_backup.key or the 64-hex key)
  };
  Kind kind = Kind::legacy;
  std::array<uint8_t, 32> bytes{};  // legacy: AES key; root: root key (the AES key is derived from it)
  std::string server_salt;          // legacy only: 32 bytes, must match the backup header
  std::string key_version;          // legacy only: one byte
  std::string fingerprint;          // SHA-256 hex of the key file as given (of the 32 bytes for a hex key);
                                    // safe to log — the key itself never is
};

// Reads a key file: Java-serialised byte[] (legacy 131-byte `key`, or 32-byte `encrypted_backup.key`), or a
// text file holding the 64-hex end-to-end key. Throws Error(usage) when it is none of these.
Key load_key_file(const std::filesystem::path& path);
// The 64-hex end-to-end backup key (spaces and dashes between groups are ignored).
Key key_from_hex(std::string_view hex);
// Parses the contents of a key file (the bytes of load_key_file); `fingerprint` is left for the caller.
Key parse_key_bytes(std::span<const uint8_t> data);

// crypt15: AES key = HKDF-SHA256(ikm = root, salt = 32 zero bytes, info = "backup encryption", 32 bytes).
std::array<uint8_t, 32> derive_crypt15_aes_key(const std::array<uint8_t, 32>& root);

// The header in front of the ciphertext.
struct Header {
  CryptFormat format = CryptFormat::crypt12;
  size_t size = 0;            // bytes before the ciphertext
  bool feature_byte = false;  // crypt14/15: the optional 0x01 after the length byte
  int key_type = -1;          // crypt14/15 protobuf field 1 (0 WA_PROVIDED, 1 HSM_CONTROLLED)
  std::array<uint8_t, 16> iv{};
  std::string key_version, server_salt, google_id;  // crypt12/crypt14
  std::string app_version, jid_suffix;              // crypt14/15 `info` (empty when absent)
};

// Longest header we accept: crypt12 is 67 bytes; the protobuf prefix is at most 2 + 255 bytes.
inline constexpr size_t kMaxHeaderSize = 257;

// Parses a header from the first bytes of a backup. Returns nullopt when more bytes are needed;
// throws Error(corrupt_input) when they are not a WhatsApp crypt12/14/15 header.
std::optional<Header> parse_header(std::span<const uint8_t> first_bytes);

struct Options {
  // Check that the plaintext starts with "SQLite format 3\0" (msgstore.db, wa.db, ...): the fastest and
  // surest wrong-key test. Turn off only for non-SQLite multifile backups.
  bool expect_sqlite = true;
};

struct Result {
  Header header;
  uint64_t encrypted_bytes = 0;  // whole input
  uint64_t plaintext_bytes = 0;  // inflated output
  std::string plaintext_sha256;  // of the inflated output
  bool md5_trailer = false;      // the file ends with an MD5 of what precedes it (false: "multifile" layout)
  uint64_t trailing_plaintext = 0;  // decrypted bytes after the end of the zlib stream (normally 0)
};

// Push-style streaming decryptor. `sink` receives inflated plaintext as it is produced (it may throw).
class Decryptor {
 public:
  using Sink = std::function<void(const void* data, size_t n)>;
  Decryptor(const Key& key, Sink sink, Options options = {});
  ~Decryptor();
  Decryptor(const Decryptor&) = delete;
  Decryptor& operator=(const Decryptor&) = delete;

  void feed(const void* data, size_t n);  // throws at the first sign of a wrong key or a bad header
  Result finish();                        // checks the trailer, the GCM tag and the end of the zlib stream

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decrypts `input` into `output`. The plaintext is written to "<output>.partial" and renamed only when
// everything (tag, trailer, zlib end) checked out; on any failure nothing is left at `output`.
Result decrypt_file(const std::filesystem::path& input, const Key& key, const std::filesystem::path& output,
                    Options options = {});

// "msgstore.db.crypt14" -> "msgstore.db"; names without a .cryptNN suffix get ".decrypted" appended.
std::string plaintext_name(std::string_view encrypted_name);

}  // namespace kanshiki::whatsapp_crypt
