#pragma once
// Encrypted iTunes/Finder backups (iOS 10.2+, also older ones without DPSL/DPIC). Format and key chain:
// docs/formats/ios-backup-encryption.md.
//
//   password --PBKDF2-HMAC-SHA256(DPSL, DPIC)--> k1 --PBKDF2-HMAC-SHA1(SALT, ITER)--> passkey
//   passkey --AES key unwrap (RFC 3394)--> class keys (Manifest.plist BackupKeyBag, WRAP & 2)
//   class key --unwrap ManifestKey--> Manifest.db key;  class key --unwrap MBFile EncryptionKey--> file key
//   AES-256-CBC, zero IV, PKCS#7 padding, plaintext length = MBFile Size
//
// The password is checked right after the key derivation: the unwrap integrity check of the first class key
// fails for a wrong password, long before any file is touched. Everything is streamed (bounded memory). The
// password and the derived keys are never logged; only the SHA-256 of the passkey (a fingerprint: safe, the
// passkey itself is 32 bytes of PBKDF2 output) is, so a repeat run can recognise the same key.
//
// Errors are kanshiki::Error:
//   ExitCode::verification_failed  wrong backup password (or wrong derived key)
//   ExitCode::corrupt_input        damaged keybag, Manifest.db that does not decrypt to SQLite, ...
//   ExitCode::evidence_unreadable  not an encrypted backup, files missing
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kanshiki::ios_backup_crypt {

using Key32 = std::array<uint8_t, 32>;

// One class-key record of the keybag (starts at the second and every later UUID tag).
struct ClassKey {
  uint32_t protection_class = 0;  // CLAS (1..11; looked up by value, never by position)
  uint32_t wrap = 0;              // WRAP: 1 = device key (UID, not in a backup), 2 = passcode/passkey
  uint32_t key_type = 0;          // KTYP: 0 = AES, 1 = Curve25519
  std::string uuid;               // 16 bytes
  std::string wrapped;            // WPKY (40 bytes for a wrapped 256-bit key)
  std::optional<Key32> key;       // filled by unlock() when WRAP & 2 and the unwrap succeeded
};

struct Keybag {
  uint32_t version = 0, type = 0, wrap = 0;
  std::string uuid;            // bag UUID (16 bytes)
  std::string salt;            // SALT, for the PBKDF2-HMAC-SHA1 round
  uint32_t iterations = 0;     // ITER
  std::string dp_salt;         // DPSL, for the PBKDF2-HMAC-SHA256 round (iOS 10.2+)
  uint32_t dp_iterations = 0;  // DPIC
  uint32_t dp_wrap = 0;        // DPWT
  bool has_dp() const { return !dp_salt.empty() && dp_iterations > 0; }
  std::vector<ClassKey> classes;

  const ClassKey* find_class(uint32_t protection_class) const;
};

// Parses the TLV list `char tag[4], u32 BE length, value`. Throws Error(corrupt_input) on a truncated or
// inconsistent bag (length past the end, 4-byte integer tags of another size, no SALT/ITER, no class keys).
Keybag parse_keybag(std::span<const uint8_t> data);

// Progress of the (long) key derivation: fraction 0..1, estimated from a short timed calibration run.
using DerivationProgress = std::function<void(double fraction)>;

// PBKDF2-HMAC-SHA256(password, DPSL, DPIC) then PBKDF2-HMAC-SHA1(that, SALT, ITER), or only the second round
// over the raw password for backups without DPSL/DPIC. Passwords are UTF-8 bytes as given.
Key32 derive_passkey(const Keybag& bag, std::string_view password, const DerivationProgress& progress = {});

// RFC 3394 AES key unwrap (default IV A6A6A6A6A6A6A6A6) with a 256-bit KEK. nullopt when the integrity
// check fails (wrong KEK or damaged data); throws Error(corrupt_input) for a length that cannot be wrapped.
std::optional<std::vector<uint8_t>> aes_key_unwrap(const Key32& kek, std::span<const uint8_t> wrapped);

// Unwraps every class key with WRAP & 2. Throws Error(verification_failed, "wrong backup password") when the
// first of them does not unwrap, Error(corrupt_input) when a later one does not (the bag is damaged).
void unlock(Keybag& bag, const Key32& passkey);

// `u32 LE protection class` + 40-byte wrapped key (ManifestKey, MBFile EncryptionKey NS.data) -> the 32-byte
// key, using the unlocked bag. Throws Error(corrupt_input) naming the problem (unknown or locked class,
// integrity check failed, bad length).
Key32 unwrap_with_class(const Keybag& bag, std::span<const uint8_t> class_and_wrapped_key,
                        std::string_view what);

// The fields of an MBFile (NSKeyedArchiver binary plist in Manifest.db Files.file) decryption needs.
struct MbFileCrypto {
  std::optional<uint64_t> size;               // Size
  std::optional<uint32_t> protection_class;   // ProtectionClass
  std::optional<std::string> encryption_key;  // EncryptionKey -> NS.data: u32 LE class + 40-byte wrapped key
};
// nullopt when the blob is not a readable NSKeyedArchiver MBFile.
std::optional<MbFileCrypto> parse_mbfile(std::span<const uint8_t> blob);

// Streaming AES-256-CBC (zero IV) decryption of one file with PKCS#7 padding and trimming to the size the
// manifest records. Plaintext goes to `sink` as it is produced; never more than `expected_size` bytes.
class FileDecryptor {
 public:
  using Sink = std::function<void(const void* data, size_t n)>;
  FileDecryptor(const Key32& key, std::optional<uint64_t> expected_size, Sink sink);
  ~FileDecryptor();
  FileDecryptor(const FileDecryptor&) = delete;
  FileDecryptor& operator=(const FileDecryptor&) = delete;

  void feed(const void* data, size_t n);

  struct Result {
    uint64_t ciphertext_bytes = 0, plaintext_bytes = 0;  // plaintext_bytes = what went to the sink
    bool padding_ok = false;                             // last block carried valid PKCS#7 padding
    std::string anomaly;  // empty when padding and size agree; otherwise what was odd (and done)
  };
  // Throws Error(corrupt_input) when the ciphertext is not a whole number of blocks or shorter than the
  // expected size (truncated file); other oddities are reported in Result::anomaly.
  Result finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The secret an examiner supplies: the backup password, or the 32-byte derived passkey (hex) from an earlier
// run or another tool (skips the 10M-round derivation).
struct Secret {
  std::optional<std::string> password;
  std::optional<Key32> passkey;
};
// 64 hex digits -> key; Error(usage) otherwise.
Key32 key_from_hex(std::string_view hex);
std::string to_hex(std::span<const uint8_t> bytes);

// Facts about an encrypted backup folder read from its Manifest.plist.
struct BackupKeys {
  Keybag bag;
  std::string manifest_key;  // Manifest.plist ManifestKey (u32 LE class + 40 bytes); empty before iOS 10
};
// Reads Manifest.plist of `root`. Throws Error(evidence_unreadable) when the backup is not encrypted or the
// plist is missing, Error(corrupt_input) when it is damaged.
BackupKeys read_backup_keys(const std::filesystem::path& root);
// True when root/Manifest.plist says IsEncrypted = true (false when absent or unreadable).
bool is_encrypted_backup(const std::filesystem::path& root);

// Whole-backup decryption into `out_dir` (created; must not exist or be empty): Info.plist, Status.plist and
// Manifest.plist copied as they are, Manifest.db decrypted, every file of Manifest.db decrypted into its
// original xx/<fileID> place. The result is a plain backup folder that the ordinary iOS backup source reads.
struct DecryptOptions {
  DerivationProgress derivation_progress;
  // Bytes of ciphertext done / total, files done; for a progress line.
  std::function<void(uint64_t bytes_done, uint64_t bytes_total, uint64_t files_done)> progress;
  // Called with the SHA-256 of every file of the backup as it was read (physical path "ab/abcd…",
  // "Manifest.db", ...); it may throw (e.g. evidence changed since ingest). Files are read once.
  std::function<void(const std::string& physical, const std::string& sha256)> on_source_read;
};

struct FileProblem {
  std::string physical, logical;  // "ab/abcd…", "<domain>/<relativePath>"
  std::string message;
  bool written = false;  // the decrypted file was still written (e.g. odd padding, trimmed)
};

struct DecryptReport {
  std::string keybag_uuid;  // hex
  uint32_t dp_iterations = 0, iterations = 0;
  bool two_round_derivation = false;
  std::string passkey_sha256;  // fingerprint of the derived key (never the key)
  uint32_t manifest_key_class = 0;
  uint64_t files_decrypted = 0, files_copied_plain = 0, bytes_in = 0, bytes_out = 0;
  std::vector<FileProblem> problems;
  double derivation_seconds = 0;
};

DecryptReport decrypt_backup(const std::filesystem::path& root, const std::filesystem::path& out_dir,
                             const Secret& secret, const DecryptOptions& options = {});

}  // namespace kanshiki::ios_backup_crypt
