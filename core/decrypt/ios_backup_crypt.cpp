#include "core/decrypt/ios_backup_crypt.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <plist/plist.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <thread>

#include "core/error.h"
#include "core/sqlite_util.h"
#include "hashing/multi_hash.h"

namespace kanshiki::ios_backup_crypt {
namespace {

namespace fs = std::filesystem;

constexpr size_t kBlock = 16;
constexpr size_t kWrappedKeySize = 40;  // RFC 3394 of a 256-bit key: 8-byte integrity block + 32
constexpr uint64_t kMaxPlistBytes = 64ull << 20;
constexpr size_t kChunk = 1 << 20;

struct PlistDeleter {
  void operator()(plist_t p) const { plist_free(p); }
};
using PlistPtr = std::unique_ptr<void, PlistDeleter>;

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
uint32_t le32(const uint8_t* p) {
  return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | uint32_t{p[0]};
}

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}


std::optional<std::string> plist_data(plist_t dict, const char* key) {
  plist_t node = dict ? plist_dict_get_item(dict, key) : nullptr;
  if (!node || plist_get_node_type(node) != PLIST_DATA) return std::nullopt;
  char* raw = nullptr;
  uint64_t len = 0;
  plist_get_data_val(node, &raw, &len);
  std::string out(raw ? raw : "", raw ? len : 0);
  free(raw);
  return out;
}

std::optional<uint64_t> plist_uint(plist_t dict, const char* key) {
  plist_t node = dict ? plist_dict_get_item(dict, key) : nullptr;
  if (!node || plist_get_node_type(node) != PLIST_UINT) return std::nullopt;
  uint64_t v = 0;
  plist_get_uint_val(node, &v);
  return v;
}

PlistPtr load_manifest_plist(const fs::path& root) {
  fs::path path = root / "Manifest.plist";
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(ExitCode::evidence_unreadable,
                root.string() + " has no Manifest.plist: cannot tell whether or how the backup is encrypted");
  std::string data = read_small_file(path, kMaxPlistBytes);
  plist_t raw = nullptr;
  plist_from_memory(data.data(), static_cast<uint32_t>(data.size()), &raw);
  PlistPtr plist(raw);
  if (!raw || plist_get_node_type(raw) != PLIST_DICT)
    throw Error(ExitCode::corrupt_input, path.string() + " is not a readable property list (dictionary)");
  return plist;
}

// Output files of the decryption: O_EXCL so an existing file is never overwritten, errors named.
class OutFile {
 public:
  explicit OutFile(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw Error(errno == ENOSPC ? ExitCode::disk_full : ExitCode::case_error,
                  "cannot create " + path_.string() + ": " + std::strerror(errno));
  }
  ~OutFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  void write(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw Error(errno == ENOSPC ? ExitCode::disk_full : ExitCode::failure,
                    "cannot write " + path_.string() + ": " + std::strerror(errno));
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  void close() {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0)
      throw Error(errno == ENOSPC ? ExitCode::disk_full : ExitCode::failure,
                  "cannot write " + path_.string() + ": " + std::strerror(errno));
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

// Reads a whole evidence file through `fn(data, n)`, hashing it with SHA-256 on the way.
template <typename Fn>
std::string stream_file(const fs::path& path, std::vector<char>& buf, Fn&& fn) {
  FileByteReader reader(path);
  Digest sha(HashAlgo::sha256);
  for (size_t n; (n = reader.read(buf.data(), buf.size())) > 0;) {
    sha.update(buf.data(), n);
    fn(buf.data(), n);
  }
  return sha.hex_final();
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// An SQLite URI that opens our decrypted Manifest.db without any write (no journal, no -shm).
std::string immutable_uri(const fs::path& p) {
  std::string uri = "file:";
  for (char c : fs::absolute(p).string()) {
    if (c == '%' || c == '?' || c == '#')
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    else
      uri += c;
  }
  return uri + "?immutable=1";
}

}  // namespace

// ---------------------------------------------------------------------------------------------- keybag

const ClassKey* Keybag::find_class(uint32_t protection_class) const {
  for (const auto& c : classes)
    if (c.protection_class == protection_class) return &c;
  return nullptr;
}

Keybag parse_keybag(std::span<const uint8_t> data) {
  Keybag bag;
  ClassKey* current = nullptr;
  bool seen_bag_uuid = false;
  size_t pos = 0;
  auto int_value = [&](std::string_view tag, std::span<const uint8_t> v) -> uint32_t {
    if (v.size() != 4)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("backup keybag: tag {} should hold a 4-byte integer but holds {} bytes", tag,
                              v.size()));
    return be32(v.data());
  };
  while (pos < data.size()) {
    if (data.size() - pos < 8)
      throw Error(ExitCode::corrupt_input, fmt::format("backup keybag truncated at offset {}", pos));
    std::string tag(reinterpret_cast<const char*>(data.data() + pos), 4);
    uint32_t len = be32(data.data() + pos + 4);
    if (len > data.size() - pos - 8)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("backup keybag: tag {} at offset {} claims {} bytes, only {} remain", tag, pos,
                              len, data.size() - pos - 8));
    std::span<const uint8_t> v = data.subspan(pos + 8, len);
    std::string str(reinterpret_cast<const char*>(v.data()), v.size());
    pos += 8 + len;

    if (tag == "UUID") {
      if (!seen_bag_uuid) {
        bag.uuid = str;
        seen_bag_uuid = true;
      } else {
        bag.classes.emplace_back();
        current = &bag.classes.back();
        current->uuid = str;
      }
    } else if (current) {
      if (tag == "CLAS")
        current->protection_class = int_value(tag, v);
      else if (tag == "WRAP")
        current->wrap = int_value(tag, v);
      else if (tag == "KTYP")
        current->key_type = int_value(tag, v);
      else if (tag == "WPKY")
        current->wrapped = str;
      // PBKY (public key of asymmetric classes) and unknown tags are not needed for decryption.
    } else {
      if (tag == "VERS")
        bag.version = int_value(tag, v);
      else if (tag == "TYPE")
        bag.type = int_value(tag, v);
      else if (tag == "WRAP")
        bag.wrap = int_value(tag, v);
      else if (tag == "SALT")
        bag.salt = str;
      else if (tag == "ITER")
        bag.iterations = int_value(tag, v);
      else if (tag == "DPSL")
        bag.dp_salt = str;
      else if (tag == "DPIC")
        bag.dp_iterations = int_value(tag, v);
      else if (tag == "DPWT")
        bag.dp_wrap = int_value(tag, v);
      // HMCK (wrapped HMAC key) and unknown tags: not needed.
    }
  }
  if (bag.salt.empty() || bag.iterations == 0)
    throw Error(ExitCode::corrupt_input,
                "backup keybag has no SALT/ITER: not a password-protected backup keybag");
  if (!bag.dp_salt.empty() && bag.dp_iterations == 0)
    throw Error(ExitCode::corrupt_input, "backup keybag has DPSL but no DPIC");
  if (bag.classes.empty()) throw Error(ExitCode::corrupt_input, "backup keybag holds no class keys");
  return bag;
}

// ---------------------------------------------------------------------------------------------- keys

Key32 derive_passkey(const Keybag& bag, std::string_view password, const DerivationProgress& progress) {
  auto pbkdf2 = [](const EVP_MD* md, std::span<const uint8_t> pass, const std::string& salt,
                   uint32_t iterations) {
    Key32 out{};
    if (iterations == 0 || iterations > static_cast<uint32_t>(INT32_MAX))
      throw Error(ExitCode::corrupt_input,
                  fmt::format("backup keybag: unusable iteration count {}", iterations));
    if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(pass.data()), static_cast<int>(pass.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                          static_cast<int>(iterations), md, static_cast<int>(out.size()), out.data()) != 1)
      throw Error(ExitCode::failure, "OpenSSL PBKDF2 failed");
    return out;
  };
  auto both_rounds = [&] {
    if (!bag.has_dp()) return pbkdf2(EVP_sha1(), bytes_of(password), bag.salt, bag.iterations);
    Key32 k1 = pbkdf2(EVP_sha256(), bytes_of(password), bag.dp_salt, bag.dp_iterations);
    Key32 key = pbkdf2(EVP_sha1(), k1, bag.salt, bag.iterations);
    OPENSSL_cleanse(k1.data(), k1.size());
    return key;
  };

  // OpenSSL's PBKDF2 is one blocking call (and the fastest there is); progress is estimated from the time a
  // short calibration run takes, while the real derivation runs on a worker thread.
  constexpr uint32_t kCalibration = 20000;
  uint64_t total = uint64_t{bag.has_dp() ? bag.dp_iterations : 0} + bag.iterations;
  if (!progress || total < 10 * kCalibration) {
    Key32 key = both_rounds();
    if (progress) progress(1.0);
    return key;
  }
  auto t0 = std::chrono::steady_clock::now();
  pbkdf2(bag.has_dp() ? EVP_sha256() : EVP_sha1(), bytes_of(password), bag.salt, kCalibration);
  double per_iteration =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / kCalibration;
  double estimate = std::max(per_iteration * static_cast<double>(total), 1e-3);

  auto start = std::chrono::steady_clock::now();
  std::future<Key32> job = std::async(std::launch::async, both_rounds);
  progress(0.0);
  while (job.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress(std::min(0.99, elapsed / estimate));
  }
  Key32 key = job.get();
  progress(1.0);
  return key;
}

std::optional<std::vector<uint8_t>> aes_key_unwrap(const Key32& kek, std::span<const uint8_t> wrapped) {
  if (wrapped.size() < 24 || wrapped.size() % 8 != 0)
    throw Error(
        ExitCode::corrupt_input,
        fmt::format("wrapped key of {} bytes: RFC 3394 needs a multiple of 8, at least 24", wrapped.size()));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw Error(ExitCode::failure, "OpenSSL: out of memory");
  // OpenSSL refuses wrap modes unless the caller opts in explicitly.
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_wrap(), nullptr, kek.data(), nullptr) != 1)
    throw Error(ExitCode::failure, "OpenSSL: AES key wrap unavailable");
  std::vector<uint8_t> out(wrapped.size());
  int len = 0;
  if (EVP_DecryptUpdate(ctx.get(), out.data(), &len, wrapped.data(), static_cast<int>(wrapped.size())) != 1 ||
      len <= 0)
    return std::nullopt;  // integrity check value did not match
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1) return std::nullopt;
  out.resize(static_cast<size_t>(len + fin));
  return out;
}

void unlock(Keybag& bag, const Key32& passkey) {
  bool first = true;
  for (auto& c : bag.classes) {
    if (!(c.wrap & 2)) continue;  // WRAP 1 alone: wrapped with the device's UID key, never in a backup
    if (c.wrapped.size() != kWrappedKeySize)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("backup keybag: class {} has a {}-byte WPKY (expected 40)", c.protection_class,
                              c.wrapped.size()));
    auto key = aes_key_unwrap(passkey, bytes_of(c.wrapped));
    if (!key || key->size() != 32) {
      if (first)
        throw Error(ExitCode::verification_failed,
                    "wrong backup password: the key derived from it does not unlock the backup keybag "
                    "(バックアップのパスワードが違います)");
      throw Error(ExitCode::corrupt_input,
                  fmt::format("backup keybag damaged: class {} key does not unwrap although earlier ones did",
                              c.protection_class));
    }
    Key32 k{};
    std::copy(key->begin(), key->end(), k.begin());
    OPENSSL_cleanse(key->data(), key->size());
    c.key = k;
    first = false;
  }
  if (first)
    throw Error(ExitCode::corrupt_input, "backup keybag has no password-wrapped class key (WRAP & 2)");
}

Key32 unwrap_with_class(const Keybag& bag, std::span<const uint8_t> blob, std::string_view what) {
  if (blob.size() != 4 + kWrappedKeySize)
    throw Error(ExitCode::corrupt_input,
                fmt::format("{}: {} bytes, expected 44 (u32 protection class + 40-byte wrapped key)", what,
                            blob.size()));
  uint32_t clas = le32(blob.data());
  const ClassKey* c = bag.find_class(clas);
  if (!c)
    throw Error(ExitCode::corrupt_input,
                fmt::format("{}: protection class {} is not in the keybag", what, clas));
  if (!c->key)
    throw Error(
        ExitCode::corrupt_input,
        fmt::format("{}: the key of protection class {} is not available (WRAP {})", what, clas, c->wrap));
  Key32 kek = *c->key;
  auto key = aes_key_unwrap(kek, blob.subspan(4));
  if (!key || key->size() != 32)
    throw Error(ExitCode::corrupt_input,
                fmt::format("{}: wrapped key fails the integrity check (damaged)", what));
  Key32 out{};
  std::copy(key->begin(), key->end(), out.begin());
  OPENSSL_cleanse(key->data(), key->size());
  return out;
}

Key32 key_from_hex(std::string_view hex) {
  std::string clean;
  for (char c : hex)
    if (c != ' ' && c != '-' && c != ':' && c != '\n' && c != '\r')
      clean += static_cast<char>(std::tolower(c));
  if (clean.size() != 64 || !is_hex(clean))
    throw Error(ExitCode::usage, "a derived backup key must be 64 hex digits (32 bytes)");
  Key32 k{};
  for (size_t i = 0; i < 32; ++i) k[i] = static_cast<uint8_t>(std::stoi(clean.substr(2 * i, 2), nullptr, 16));
  return k;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- MBFile

std::optional<MbFileCrypto> parse_mbfile(std::span<const uint8_t> blob) {
  if (blob.size() < 8 || std::memcmp(blob.data(), "bplist", 6) != 0) return std::nullopt;
  plist_t raw = nullptr;
  plist_from_bin(reinterpret_cast<const char*>(blob.data()), static_cast<uint32_t>(blob.size()), &raw);
  PlistPtr root(raw);
  if (!raw || plist_get_node_type(raw) != PLIST_DICT) return std::nullopt;
  plist_t objects = plist_dict_get_item(raw, "$objects");
  plist_t top = plist_dict_get_item(raw, "$top");
  if (!objects || plist_get_node_type(objects) != PLIST_ARRAY || !top ||
      plist_get_node_type(top) != PLIST_DICT)
    return std::nullopt;
  auto deref = [&](plist_t node) -> plist_t {
    if (!node || plist_get_node_type(node) != PLIST_UID) return node;
    uint64_t uid = 0;
    plist_get_uid_val(node, &uid);
    if (uid >= plist_array_get_size(objects)) return nullptr;
    return plist_array_get_item(objects, static_cast<uint32_t>(uid));
  };
  plist_t file = deref(plist_dict_get_item(top, "root"));
  if (!file || plist_get_node_type(file) != PLIST_DICT) return std::nullopt;
  MbFileCrypto out;
  out.size = plist_uint(file, "Size");
  if (auto pc = plist_uint(file, "ProtectionClass")) out.protection_class = static_cast<uint32_t>(*pc);
  plist_t key = deref(plist_dict_get_item(file, "EncryptionKey"));
  if (key && plist_get_node_type(key) == PLIST_DICT)
    out.encryption_key = plist_data(key, "NS.data");
  else if (key && plist_get_node_type(key) == PLIST_DATA) {  // tolerate an inline NSData
    char* d = nullptr;
    uint64_t len = 0;
    plist_get_data_val(key, &d, &len);
    out.encryption_key = std::string(d ? d : "", d ? len : 0);
    free(d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- files

struct FileDecryptor::Impl {
  CipherCtx ctx;
  std::optional<uint64_t> expected;
  Sink sink;
  uint64_t in = 0, out = 0;
  // The newest decrypted block is held back until the next one arrives: only the last block carries padding.
  std::array<uint8_t, kBlock> held{};
  bool has_held = false;
  std::vector<uint8_t> buf;

  // Emits plaintext, never past the expected size.
  void emit(const uint8_t* p, size_t n) {
    if (expected) {
      if (out >= *expected) return;
      n = static_cast<size_t>(std::min<uint64_t>(n, *expected - out));
    }
    if (n == 0) return;
    sink(p, n);
    out += n;
  }
};

FileDecryptor::FileDecryptor(const Key32& key, std::optional<uint64_t> expected_size, Sink sink)
    : impl_(std::make_unique<Impl>()) {
  impl_->ctx.reset(EVP_CIPHER_CTX_new());
  impl_->expected = expected_size;
  impl_->sink = std::move(sink);
  std::array<uint8_t, kBlock> iv{};  // a zero IV is what the format uses (each file has its own key)
  if (!impl_->ctx ||
      EVP_DecryptInit_ex(impl_->ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data()) != 1)
    throw Error(ExitCode::failure, "OpenSSL: AES-256-CBC unavailable");
  EVP_CIPHER_CTX_set_padding(impl_->ctx.get(), 0);  // padding is checked here, against the manifest's Size
}

FileDecryptor::~FileDecryptor() = default;

void FileDecryptor::feed(const void* data, size_t n) {
  auto& d = *impl_;
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    size_t take = std::min<size_t>(n, kChunk);
    if (d.buf.size() < take + kBlock) d.buf.resize(take + kBlock);
    int len = 0;
    if (EVP_DecryptUpdate(d.ctx.get(), d.buf.data(), &len, p, static_cast<int>(take)) != 1)
      throw Error(ExitCode::failure, "OpenSSL: AES-256-CBC decryption failed");
    d.in += take;
    p += take;
    n -= take;
    if (len <= 0) continue;
    size_t got = static_cast<size_t>(len);  // whole blocks (padding off)
    if (d.has_held) d.emit(d.held.data(), kBlock);
    d.emit(d.buf.data(), got - kBlock);
    std::memcpy(d.held.data(), d.buf.data() + got - kBlock, kBlock);
    d.has_held = true;
  }
}

FileDecryptor::Result FileDecryptor::finish() {
  auto& d = *impl_;
  Result r;
  r.ciphertext_bytes = d.in;
  if (d.in % kBlock != 0)
    throw Error(
        ExitCode::corrupt_input,
        fmt::format("ciphertext of {} bytes is not a whole number of 16-byte AES blocks (truncated?)", d.in));
  uint64_t decrypted = d.in;
  size_t pad = 0;
  if (d.has_held) {
    uint8_t last = d.held[kBlock - 1];
    if (last >= 1 && last <= kBlock &&
        std::all_of(d.held.end() - last, d.held.end(), [&](uint8_t b) { return b == last; })) {
      r.padding_ok = true;
      pad = last;
    }
  }
  if (!d.expected) {
    // No recorded size (Manifest.db): strip valid padding, keep everything otherwise.
    if (d.has_held) d.emit(d.held.data(), kBlock - pad);
    if (!r.padding_ok && d.has_held) r.anomaly = "last block carries no valid PKCS#7 padding; kept whole";
    r.plaintext_bytes = d.out;
    return r;
  }
  uint64_t want = *d.expected;
  if (decrypted < want)
    throw Error(
        ExitCode::corrupt_input,
        fmt::format("encrypted file holds {} bytes, fewer than the {} bytes the manifest records (truncated)",
                    decrypted, want));
  if (d.has_held) d.emit(d.held.data(), kBlock);  // emit() stops at the expected size
  r.plaintext_bytes = d.out;
  uint64_t extra = decrypted - want;
  if (!r.padding_ok)
    r.anomaly = fmt::format(
        "last block carries no valid PKCS#7 padding; trimmed to the manifest Size ({} bytes)", want);
  else if (extra != pad)
    r.anomaly = fmt::format(
        "PKCS#7 padding says {} bytes but the manifest Size leaves {} after the data; trimmed to Size ({} "
        "bytes)",
        pad, extra, want);
  return r;
}

// ---------------------------------------------------------------------------------------------- backup

bool is_encrypted_backup(const fs::path& root) {
  try {
    PlistPtr plist = load_manifest_plist(root);
    plist_t enc = plist_dict_get_item(plist.get(), "IsEncrypted");
    if (!enc || plist_get_node_type(enc) != PLIST_BOOLEAN) return false;
    uint8_t v = 0;
    plist_get_bool_val(enc, &v);
    return v != 0;
  } catch (const Error&) {
    return false;
  }
}

BackupKeys read_backup_keys(const fs::path& root) {
  PlistPtr plist = load_manifest_plist(root);
  plist_t enc = plist_dict_get_item(plist.get(), "IsEncrypted");
  uint8_t encrypted = 0;
  if (enc && plist_get_node_type(enc) == PLIST_BOOLEAN) plist_get_bool_val(enc, &encrypted);
  if (!encrypted)
    throw Error(ExitCode::evidence_unreadable,
                root.string() + " is not an encrypted backup (Manifest.plist IsEncrypted is not true)");
  auto bag = plist_data(plist.get(), "BackupKeyBag");
  if (!bag)
    throw Error(ExitCode::corrupt_input, "Manifest.plist of " + root.string() + " has no BackupKeyBag");
  BackupKeys keys;
  keys.bag = parse_keybag(bytes_of(*bag));
  keys.manifest_key = plist_data(plist.get(), "ManifestKey").value_or("");
  return keys;
}

DecryptReport decrypt_backup(const fs::path& root, const fs::path& out_dir, const Secret& secret,
                             const DecryptOptions& opt) {
  DecryptReport report;
  BackupKeys keys = read_backup_keys(root);
  report.keybag_uuid = to_hex(bytes_of(keys.bag.uuid));
  report.dp_iterations = keys.bag.dp_iterations;
  report.iterations = keys.bag.iterations;
  report.two_round_derivation = keys.bag.has_dp();

  fs::path manifest_db = root / "Manifest.db";
  std::error_code ec;
  if (!fs::is_regular_file(manifest_db, ec))
    throw Error(ExitCode::evidence_unreadable, root.string() + " has no Manifest.db");

  // 1. The key: derived (slow) or given; checked against the keybag before anything else is read.
  Key32 passkey{};
  auto t0 = std::chrono::steady_clock::now();
  if (secret.passkey)
    passkey = *secret.passkey;
  else if (secret.password)
    passkey = derive_passkey(keys.bag, *secret.password, opt.derivation_progress);
  else
    throw Error(ExitCode::usage, "decrypting an iOS backup needs its password or derived key");
  report.derivation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  {
    Digest fp(HashAlgo::sha256);
    fp.update(passkey.data(), passkey.size());
    report.passkey_sha256 = fp.hex_final();
  }
  try {
    unlock(keys.bag, passkey);
  } catch (const Error& e) {
    OPENSSL_cleanse(passkey.data(), passkey.size());
    if (e.code() == ExitCode::verification_failed && secret.passkey && !secret.password)
      throw Error(ExitCode::verification_failed,
                  "wrong derived key: it does not unlock the backup keybag (導出鍵が違います)");
    throw;
  }
  OPENSSL_cleanse(passkey.data(), passkey.size());

  fs::create_directories(out_dir);
  std::vector<char> buf(kChunk);
  auto source_read = [&](const std::string& physical, const std::string& sha256) {
    if (opt.on_source_read) opt.on_source_read(physical, sha256);
  };

  // 2. Total for progress: every regular file under the hashed folders plus Manifest.db.
  uint64_t total = fs::file_size(manifest_db, ec);
  uint64_t done = 0, files_done = 0;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() != 2 || !is_hex(name) || !it->is_directory()) continue;
    std::error_code ec2;
    for (fs::directory_iterator f(it->path(), ec2), fe; !ec2 && f != fe; f.increment(ec2))
      if (f->is_regular_file()) total += f->file_size(ec2);
  }
  auto tick = [&](uint64_t n) {
    done += n;
    if (opt.progress) opt.progress(done, total, files_done);
  };

  // 3. Manifest.db with the ManifestKey (iOS 10.2+); older backups keep Manifest.db in the clear.
  fs::path plain_db = out_dir / "Manifest.db";
  {
    OutFile out(plain_db);
    std::string sha;
    if (keys.manifest_key.empty()) {
      sha = stream_file(manifest_db, buf, [&](const char* d, size_t n) {
        out.write(d, n);
        tick(n);
      });
    } else {
      report.manifest_key_class =
          keys.manifest_key.size() >= 4 ? le32(bytes_of(keys.manifest_key).data()) : 0;
      Key32 mkey = unwrap_with_class(keys.bag, bytes_of(keys.manifest_key), "Manifest.plist ManifestKey");
      FileDecryptor dec(mkey, std::nullopt, [&](const void* d, size_t n) { out.write(d, n); });
      OPENSSL_cleanse(mkey.data(), mkey.size());
      sha = stream_file(manifest_db, buf, [&](const char* d, size_t n) {
        dec.feed(d, n);
        tick(n);
      });
      auto r = dec.finish();
      if (!r.anomaly.empty()) report.problems.push_back({"Manifest.db", "Manifest.db", r.anomaly, true});
      report.bytes_in += r.ciphertext_bytes;
      report.bytes_out += r.plaintext_bytes;
    }
    out.close();
    source_read("Manifest.db", sha);
  }
  {
    char header[16] = {};
    FileByteReader check(plain_db);
    size_t got = 0;
    for (size_t n; got < sizeof header && (n = check.read(header + got, sizeof header - got)) > 0;) got += n;
    if (got < sizeof header || std::memcmp(header, "SQLite format 3\0", 16) != 0)
      throw Error(ExitCode::corrupt_input,
                  "Manifest.db did not decrypt to an SQLite database (damaged Manifest.db or ManifestKey)");
  }

  // 4. The plists, as they are (Manifest.plist keeps the keybag: the derivation can be repeated from the
  // copy).
  for (const char* name : {"Info.plist", "Status.plist", "Manifest.plist"}) {
    fs::path from = root / name;
    if (!fs::is_regular_file(from, ec)) continue;
    OutFile out(out_dir / name);
    std::string sha = stream_file(from, buf, [&](const char* d, size_t n) { out.write(d, n); });
    out.close();
    source_read(name, sha);
  }

  // 5. Every file of the manifest into its xx/<fileID> place.
  sql::Db db(immutable_uri(plain_db), SQLITE_OPEN_READONLY);
  const auto cols = db.columns("Files");
  for (const char* col : {"fileID", "domain", "relativePath", "flags", "file"}) {
    if (std::find(cols.begin(), cols.end(), col) == cols.end())
      throw Error(ExitCode::corrupt_input,
                  std::string("decrypted Manifest.db has no Files.") + col + " column");
  }
  sql::Stmt rows(
      db, "SELECT fileID, domain, relativePath, flags, file FROM Files WHERE flags = 1 ORDER BY fileID");
  while (rows.step()) {
    std::string file_id = rows.is_null(0) ? "" : rows.text(0);
    std::string logical = (rows.is_null(1) ? "" : rows.text(1)) + "/" + (rows.is_null(2) ? "" : rows.text(2));
    if (file_id.size() != 40 || !is_hex(file_id)) {
      report.problems.push_back(
          {file_id, logical, "malformed fileID '" + file_id + "'; not decrypted", false});
      continue;
    }
    std::string physical = file_id.substr(0, 2) + "/" + file_id;
    fs::path from = root / physical;
    if (!fs::is_regular_file(from, ec)) {
      report.problems.push_back(
          {physical, logical, "listed in Manifest.db but missing on disk; not decrypted", false});
      continue;
    }
    std::string_view blob = rows.is_null(4) ? std::string_view() : rows.blob(4);
    auto mb = parse_mbfile(bytes_of(blob));
    fs::create_directories(out_dir / file_id.substr(0, 2));
    fs::path to = out_dir / physical;

    if (!mb || !mb->encryption_key) {
      // Empty files carry no key; anything else without one is copied as stored and said so.
      OutFile out(to);
      std::string sha;
      uint64_t bytes = 0;
      sha = stream_file(from, buf, [&](const char* d, size_t n) {
        out.write(d, n);
        bytes += n;
        tick(n);
      });
      out.close();
      source_read(physical, sha);
      ++report.files_copied_plain;
      if (bytes > 0)
        report.problems.push_back({physical, logical,
                                   !mb ? "no readable MBFile record: copied as stored (not decrypted)"
                                       : "MBFile has no EncryptionKey: copied as stored (not decrypted)",
                                   true});
      continue;
    }
    Key32 fkey{};
    try {
      fkey = unwrap_with_class(keys.bag, bytes_of(*mb->encryption_key), "EncryptionKey of " + logical);
    } catch (const Error& e) {
      // The ciphertext is still hashed for the record, but there is nothing readable to write.
      std::string sha = stream_file(from, buf, [&](const char*, size_t n) { tick(n); });
      source_read(physical, sha);
      report.problems.push_back({physical, logical, std::string(e.what()) + "; not decrypted", false});
      std::filesystem::remove(to, ec);
      continue;
    }
    OutFile out(to);
    FileDecryptor dec(fkey, mb->size, [&](const void* d, size_t n) { out.write(d, n); });
    OPENSSL_cleanse(fkey.data(), fkey.size());
    std::string sha = stream_file(from, buf, [&](const char* d, size_t n) {
      dec.feed(d, n);
      tick(n);
    });
    source_read(physical, sha);
    try {
      auto r = dec.finish();
      report.bytes_in += r.ciphertext_bytes;
      report.bytes_out += r.plaintext_bytes;
      if (!r.anomaly.empty()) report.problems.push_back({physical, logical, r.anomaly, true});
    } catch (const Error& e) {
      report.problems.push_back(
          {physical, logical, std::string(e.what()) + "; the blocks that decrypted were written", true});
    }
    out.close();
    ++report.files_decrypted;
    ++files_done;
  }

  // 6. Files on disk that the manifest does not list: hashed in the original evidence, named here.
  sql::Stmt lookup(db, "SELECT 1 FROM Files WHERE fileID = ?1");
  std::vector<fs::path> dirs;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() == 2 && is_hex(name) && it->is_directory()) dirs.push_back(it->path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    std::vector<std::string> names;
    std::error_code ec2;
    for (fs::directory_iterator f(dir, ec2), fe; !ec2 && f != fe; f.increment(ec2))
      names.push_back(f->path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      lookup.bind(1, name);
      bool listed = lookup.step();
      lookup.reset();
      if (!listed) {
        std::string physical = dir.filename().string() + "/" + name;
        report.problems.push_back(
            {physical, "", "on disk but not listed in Manifest.db; not decrypted", false});
      }
    }
  }
  if (opt.progress) opt.progress(total, total, files_done);
  return report;
}

}  // namespace kanshiki::ios_backup_crypt
