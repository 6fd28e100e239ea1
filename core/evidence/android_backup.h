#pragma once
// Android `adb backup` files (.ab): a text header ("ANDROID BACKUP", version, compressed flag, encryption)
// followed by a tar stream that may be AES-256-CBC encrypted and/or zlib compressed. The reader below turns
// the file into that tar stream on the fly (bounded memory: one read buffer each for cipher and inflate) and
// hashes the tar bytes as they pass, so the "decrypted view" can be recorded with its own hashes.
// Format note: docs/formats/android-backup.md.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "hashing/multi_hash.h"

namespace kanshiki::android_backup {

inline constexpr std::string_view kMagicLine = "ANDROID BACKUP\n";

struct Header {
  int version = 0;          // 1 (Android <= 4.3) .. 5
  bool compressed = false;  // payload (after decryption) is a zlib stream
  std::string encryption;   // "none" or "AES-256"
  // AES-256 only (hex in the file, raw bytes here):
  std::vector<unsigned char> user_salt, checksum_salt, user_iv, master_key_blob;
  int rounds = 0;
  uint64_t payload_offset = 0;  // first byte after the header lines
  bool encrypted() const { return encryption != "none"; }
};

// True when the file starts with the "ANDROID BACKUP\n" line (format detection).
bool has_magic(const std::filesystem::path& file);

// Parses the header lines. Throws Error(unknown_format) when it is not an Android backup, and
// Error(corrupt_input) for a damaged header (bad hex, unknown encryption, missing lines).
Header read_header(const std::filesystem::path& file);

// The master-key checksum input for format version >= 2: Java's `(char) byte` sign extension of every
// key byte followed by UTF-8 encoding (bytes >= 0x80 become EF BE xx / EF BF xx). Exposed for tests.
std::vector<unsigned char> java_utf8_of_signed_bytes(const std::vector<unsigned char>& key);

// The tar stream inside an .ab, decrypted and inflated while it is read. Opening an encrypted backup
// derives the keys and checks the master-key checksum, so a wrong password fails here, before any tar
// byte is produced: Error(evidence_unreadable, "wrong password ..."); a missing password is Error(usage).
// Damaged payloads (bad padding, truncated cipher or zlib stream) throw Error(corrupt_input) from read().
class TarStream final : public ByteReader {
 public:
  TarStream(const std::filesystem::path& file, const std::optional<std::string>& password);
  ~TarStream() override;
  TarStream(const TarStream&) = delete;
  TarStream& operator=(const TarStream&) = delete;

  size_t read(void* buffer, size_t n) override;

  const Header& header() const;
  // True once read() has returned 0 (the whole stream was produced and checked).
  bool finished() const;
  // Hashes of the tar bytes produced so far (all of them once finished()).
  Digests tar_digests() const;
  // "v1 (raw key)" or "v2+ (Java UTF-8)" for encrypted backups: which checksum encoding matched.
  std::string checksum_encoding() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kanshiki::android_backup
