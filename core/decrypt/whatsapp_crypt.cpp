#include "core/decrypt/whatsapp_crypt.h"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/error.h"
#include "hashing/multi_hash.h"

namespace kanshiki::whatsapp_crypt {
namespace {

// Java ObjectOutputStream serialisation of a byte[]: stream magic + version, TC_ARRAY, TC_CLASSDESC "[B",
// its serialVersionUID, flags, no fields, TC_ENDBLOCKDATA, no superclass. A u32 BE length follows.
constexpr uint8_t kJavaByteArrayPrefix[] = {0xAC, 0xED, 0x00, 0x05, 0x75, 0x72, 0x00, 0x02,
                                            0x5B, 0x42, 0xAC, 0xF3, 0x17, 0xF8, 0x06, 0x08,
                                            0x54, 0xE0, 0x02, 0x00, 0x00, 0x78, 0x70};
// Legacy `key` payload: cipher_version[2] key_version[1] server_salt[32] google_id[16] hashed_google_id[32]
// padding[16] aes_key[32].
constexpr size_t kLegacyKeySize = 131;
constexpr size_t kLegacyKeyVersionOffset = 2, kLegacySaltOffset = 3, kLegacyAesKeyOffset = 99;
constexpr size_t kRootKeySize = 32;

// crypt12 header: cipher_version[2] key_version[1] server_salt[32] google_id[16] iv[16].
constexpr size_t kCrypt12HeaderSize = 67;
constexpr size_t kTagSize = 16, kMd5Size = 16, kCrypt12JidSize = 4;

constexpr char kSqliteMagic[] = "SQLite format 3";  // + the terminating NUL: 16 bytes
constexpr size_t kSqliteMagicSize = 16;
constexpr size_t kChunk = 64 * 1024;

Error corrupt(const std::string& what) { return Error(ExitCode::corrupt_input, "WhatsApp backup: " + what); }
Error bad_header(const std::string& what) { return Error(ExitCode::corrupt_input, what); }
Error wrong_key(const std::string& what) {
  return Error(ExitCode::verification_failed, "WhatsApp backup: " + what);
}

// ---- minimal protobuf reader (the header is a few dozen bytes of known messages) -------------------------
struct ProtoReader {
  std::span<const uint8_t> data;
  size_t pos = 0;

  bool done() const { return pos >= data.size(); }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= data.size()) throw bad_header("header protobuf ends inside a varint");
      uint8_t b = data[pos++];
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    throw bad_header("header protobuf has an over-long varint");
  }
  std::span<const uint8_t> bytes() {
    uint64_t n = varint();
    if (n > data.size() - pos) throw bad_header("header protobuf field runs past the header");
    auto out = data.subspan(pos, n);
    pos += n;
    return out;
  }
  // Reads one field tag; skips nothing. Returns {field, wire type}.
  std::pair<uint32_t, uint32_t> tag() {
    uint64_t t = varint();
    uint32_t field = static_cast<uint32_t>(t >> 3);
    if (field == 0) throw bad_header("header protobuf has field number 0");
    return {field, static_cast<uint32_t>(t & 7)};
  }
  void skip(uint32_t wire) {
    switch (wire) {
      case 0:
        varint();
        break;
      case 1:
        advance(8);
        break;
      case 2:
        bytes();
        break;
      case 5:
        advance(4);
        break;
      default:
        throw bad_header(fmt::format("header protobuf uses unsupported wire type {}", wire));
    }
  }
  void advance(size_t n) {
    if (n > data.size() - pos) throw bad_header("header protobuf field runs past the header");
    pos += n;
  }
};

std::string as_string(std::span<const uint8_t> s) { return std::string(s.begin(), s.end()); }

void read_iv(std::span<const uint8_t> value, Header& h) {
  if (value.size() != h.iv.size()) throw bad_header(fmt::format("IV is {} bytes, expected 16", value.size()));
  std::copy(value.begin(), value.end(), h.iv.begin());
}

// BackupPrefix: 1 key_type, 2 c14_cipher {1 cipher_version, 2 key_version, 3 server_salt, 4 google_id, 5 iv},
// 3 c15_iv {1 iv}, 4 info {1 app_version, 3 jid suffix, 4.. feature flags}.
void parse_prefix(std::span<const uint8_t> proto, Header& h) {
  ProtoReader r{proto};
  bool c14_iv = false, c15_iv = false;
  while (!r.done()) {
    auto [field, wire] = r.tag();
    if (field == 1 && wire == 0) {
      h.key_type = static_cast<int>(r.varint());
    } else if (field == 2 && wire == 2) {
      ProtoReader c{r.bytes()};
      while (!c.done()) {
        auto [f, w] = c.tag();
        if (w != 2) {
          c.skip(w);
          continue;
        }
        auto v = c.bytes();
        if (f == 2)
          h.key_version = as_string(v);
        else if (f == 3)
          h.server_salt = as_string(v);
        else if (f == 4)
          h.google_id = as_string(v);
        else if (f == 5)
          read_iv(v, h), c14_iv = true;
      }
    } else if (field == 3 && wire == 2) {
      ProtoReader c{r.bytes()};
      while (!c.done()) {
        auto [f, w] = c.tag();
        if (f == 1 && w == 2)
          read_iv(c.bytes(), h), c15_iv = true;
        else
          c.skip(w);
      }
    } else if (field == 4 && wire == 2) {
      ProtoReader c{r.bytes()};
      while (!c.done()) {
        auto [f, w] = c.tag();
        if (f == 1 && w == 2)
          h.app_version = as_string(c.bytes());
        else if (f == 3 && w == 2)
          h.jid_suffix = as_string(c.bytes());
        else
          c.skip(w);
      }
    } else {
      r.skip(wire);
    }
  }
  if (h.key_type == 1) {
    if (!c15_iv) throw bad_header("crypt15 header (key type HSM_CONTROLLED) has no IV");
    h.format = CryptFormat::crypt15;
  } else if (h.key_type <= 0) {
    if (!c14_iv) throw bad_header("crypt14 header has no cipher block with an IV");
    h.format = CryptFormat::crypt14;
  } else {
    throw bad_header(fmt::format("unknown key type {} in the header", h.key_type));
  }
}

uint8_t hex_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<uint8_t>(c - 'A' + 10);
  return 0xFF;
}

std::optional<std::array<uint8_t, 32>> parse_hex32(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '\n' || c == '\r' || c == '\t') continue;
    if (hex_value(c) == 0xFF) return std::nullopt;
    digits += c;
  }
  if (digits.size() != 64) return std::nullopt;
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 32; ++i)
    out[i] = static_cast<uint8_t>(hex_value(digits[2 * i]) << 4 | hex_value(digits[2 * i + 1]));
  return out;
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

std::string_view format_name(CryptFormat f) {
  switch (f) {
    case CryptFormat::crypt12:
      return "crypt12";
    case CryptFormat::crypt14:
      return "crypt14";
    case CryptFormat::crypt15:
      return "crypt15";
  }
  return "?";
}

Key parse_key_bytes(std::span<const uint8_t> data) {
  std::span<const uint8_t> payload;
  constexpr size_t prefix = sizeof(kJavaByteArrayPrefix);
  if (data.size() >= prefix + 4 && std::memcmp(data.data(), kJavaByteArrayPrefix, prefix) == 0) {
    uint32_t n = static_cast<uint32_t>(data[prefix]) << 24 | static_cast<uint32_t>(data[prefix + 1]) << 16 |
                 static_cast<uint32_t>(data[prefix + 2]) << 8 | data[prefix + 3];
    if (n != data.size() - prefix - 4)
      throw Error(ExitCode::usage,
                  fmt::format("WhatsApp key file: serialised array says {} bytes but {} follow", n,
                              data.size() - prefix - 4));
    payload = data.subspan(prefix + 4);
  } else if (auto hex =
                 parse_hex32(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()))) {
    Key k;
    k.kind = Key::Kind::root;
    k.bytes = *hex;
    return k;
  } else {
    payload = data;  // a bare array (some tools store the 32-byte root key without serialisation)
  }
  Key k;
  if (payload.size() == kLegacyKeySize) {
    k.kind = Key::Kind::legacy;
    std::copy_n(payload.begin() + kLegacyAesKeyOffset, 32, k.bytes.begin());
    k.key_version = as_string(payload.subspan(kLegacyKeyVersionOffset, 1));
    k.server_salt = as_string(payload.subspan(kLegacySaltOffset, 32));
  } else if (payload.size() == kRootKeySize) {
    k.kind = Key::Kind::root;
    std::copy(payload.begin(), payload.end(), k.bytes.begin());
  } else {
    throw Error(
        ExitCode::usage,
        fmt::format(
            "not a WhatsApp key: {} key bytes (expected the 131-byte `key` file for crypt12/14, or the "
            "32-byte encrypted_backup.key / 64-hex key for crypt15)",
            payload.size()));
  }
  return k;
}

Key load_key_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ExitCode::usage, "cannot read key file " + path.string());
  std::vector<uint8_t> data;
  char buf[512];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.insert(data.end(), buf, buf + in.gcount());
    if (data.size() > 4096)
      throw Error(ExitCode::usage, "not a WhatsApp key file (larger than 4 KiB): " + path.string());
  }
  Key k = parse_key_bytes(data);
  k.fingerprint = sha256_hex(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  return k;
}

Key key_from_hex(std::string_view hex) {
  auto bytes = parse_hex32(hex);
  if (!bytes) throw Error(ExitCode::usage, "the end-to-end backup key must be 64 hexadecimal digits");
  Key k;
  k.kind = Key::Kind::root;
  k.bytes = *bytes;
  k.fingerprint = sha256_hex(std::string_view(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()));
  return k;
}

std::array<uint8_t, 32> derive_crypt15_aes_key(const std::array<uint8_t, 32>& root) {
  std::array<uint8_t, 32> out{};
  std::array<uint8_t, 32> salt{};
  static const char kInfo[] = "backup encryption";
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
  EVP_KDF_free(kdf);
  if (!ctx) throw Error(ExitCode::failure, "OpenSSL HKDF is not available");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(root.data()), root.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(kInfo), sizeof(kInfo) - 1),
      OSSL_PARAM_construct_end()};
  int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) throw Error(ExitCode::failure, "OpenSSL HKDF derivation failed");
  return out;
}

std::optional<Header> parse_header(std::span<const uint8_t> b) {
  if (b.size() < 2) return std::nullopt;
  Header h;
  if (b[0] == 0x00 && b[1] == 0x01) {
    // crypt12 (a protobuf prefix cannot have length 0 followed by more header).
    if (b.size() < kCrypt12HeaderSize) return std::nullopt;
    h.format = CryptFormat::crypt12;
    h.size = kCrypt12HeaderSize;
    h.key_version = as_string(b.subspan(2, 1));
    h.server_salt = as_string(b.subspan(3, 32));
    h.google_id = as_string(b.subspan(35, 16));
    std::copy_n(b.begin() + 51, 16, h.iv.begin());
    return h;
  }
  // crypt14/15: u8 length, optional 0x01 "feature table present", then the protobuf. A protobuf cannot begin
  // with 0x01 (it would be field number 0), so that byte is unambiguous.
  size_t proto_len = b[0];
  h.feature_byte = b[1] == 0x01;
  size_t start = h.feature_byte ? 2 : 1;
  if (proto_len == 0) throw corrupt("not a crypt12/14/15 file (empty header)");
  if (b.size() < start + proto_len) return std::nullopt;
  h.size = start + proto_len;
  try {
    parse_prefix(b.subspan(start, proto_len), h);
  } catch (const Error& e) {
    throw corrupt(fmt::format("not a crypt12/14/15 file, or its header is damaged ({})", e.what()));
  }
  return h;
}

std::string plaintext_name(std::string_view name) {
  auto dot = name.rfind(".crypt");
  if (dot != std::string_view::npos && dot > 0 && name.size() > dot + 6 &&
      std::all_of(name.begin() + dot + 6, name.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::string(name.substr(0, dot));
  return std::string(name) + ".decrypted";
}

// ---- streaming decryptor ------------------------------------------------------------------------------
struct Decryptor::Impl {
  Key key;
  Sink sink;
  Options options;

  std::vector<uint8_t> header_bytes;  // until the header is parsed
  std::optional<Header> header;
  size_t holdback = 0;  // trailer bytes kept back until the end (they may be tag/MD5)
  std::vector<uint8_t> tail;

  CipherCtx cipher;
  z_stream zs{};
  bool zs_open = false, z_ended = false;
  Digest md5{HashAlgo::md5};
  Digest sha256{HashAlgo::sha256};
  std::vector<uint8_t> plain, inflated;
  std::string first_bytes;  // plaintext held back until the SQLite magic is confirmed
  bool magic_ok = false;
  Result result;

  ~Impl() {
    if (zs_open) inflateEnd(&zs);
  }

  std::string salt_hint() const {
    if (key.kind == Key::Kind::legacy && !header->server_salt.empty() &&
        key.server_salt != header->server_salt)
      return " (the key file's server salt also differs from the backup's: the key belongs to another "
             "account "
             "or another key generation)";
    return "";
  }

  void start(const Header& h) {
    header = h;
    result.header = h;
    bool needs_root = h.format == CryptFormat::crypt15;
    if (needs_root && key.kind != Key::Kind::root)
      throw wrong_key(
          "this crypt15 backup needs the end-to-end backup key (encrypted_backup.key or the 64-hex key), but "
          "a "
          "legacy `key` file was given");
    if (!needs_root && key.kind != Key::Kind::legacy)
      throw wrong_key(
          fmt::format("this {} backup needs the `key` file (from /data/data/com.whatsapp/files/key), but "
                      "an end-to-end (crypt15) key was given",
                      format_name(h.format)));
    std::array<uint8_t, 32> aes = needs_root ? derive_crypt15_aes_key(key.bytes) : key.bytes;
    holdback = kTagSize + kMd5Size + (h.format == CryptFormat::crypt12 ? kCrypt12JidSize : 0);
    if (EVP_DecryptInit_ex(cipher.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(cipher.ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(h.iv.size()), nullptr) !=
            1 ||
        EVP_DecryptInit_ex(cipher.ctx, nullptr, nullptr, aes.data(), h.iv.data()) != 1)
      throw Error(ExitCode::failure, "OpenSSL AES-256-GCM initialisation failed");
    OPENSSL_cleanse(aes.data(), aes.size());
    if (inflateInit(&zs) != Z_OK) throw Error(ExitCode::failure, "zlib initialisation failed");
    zs_open = true;
    md5.update(header_bytes.data(), h.size);
    plain.resize(kChunk);
    inflated.resize(4 * kChunk);
  }

  void deliver(const uint8_t* d, size_t n) {
    if (n == 0) return;
    if (!magic_ok && options.expect_sqlite) {
      size_t take = std::min(n, kSqliteMagicSize - first_bytes.size());
      first_bytes.append(reinterpret_cast<const char*>(d), take);
      if (first_bytes.size() < kSqliteMagicSize) return;
      if (std::memcmp(first_bytes.data(), kSqliteMagic, kSqliteMagicSize) != 0)
        throw wrong_key(
            "the decrypted data is not a SQLite database: wrong key, or a backup that holds no database" +
            salt_hint() + "; nothing was kept");
      magic_ok = true;
      emit(reinterpret_cast<const uint8_t*>(first_bytes.data()), first_bytes.size());
      d += take;
      n -= take;
    }
    emit(d, n);
  }
  void emit(const uint8_t* d, size_t n) {
    if (n == 0) return;
    sha256.update(d, n);
    result.plaintext_bytes += n;
    sink(d, n);
  }

  void inflate_plain(const uint8_t* d, size_t n) {
    if (z_ended) {
      result.trailing_plaintext += n;
      return;
    }
    zs.next_in = const_cast<Bytef*>(d);
    zs.avail_in = static_cast<uInt>(n);
    while (zs.avail_in > 0 && !z_ended) {
      zs.next_out = inflated.data();
      zs.avail_out = static_cast<uInt>(inflated.size());
      int rc = inflate(&zs, Z_NO_FLUSH);
      size_t produced = inflated.size() - zs.avail_out;
      if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
        if (zs.total_out == 0)
          throw wrong_key("wrong key: the decrypted data is not a zlib stream" + salt_hint() +
                          "; nothing was kept");
        throw corrupt(fmt::format("compressed data damaged at plaintext offset {} ({})", zs.total_out,
                                  zs.msg ? zs.msg : "zlib error"));
      }
      if (rc == Z_MEM_ERROR) throw Error(ExitCode::failure, "zlib: out of memory");
      deliver(inflated.data(), produced);
      if (rc == Z_STREAM_END) {
        z_ended = true;
        result.trailing_plaintext += zs.avail_in;
      } else if (rc == Z_BUF_ERROR && produced == 0) {
        break;
      }
    }
  }

  void decrypt(const uint8_t* d, size_t n, bool covered_by_md5 = true) {
    if (covered_by_md5) md5.update(d, n);
    while (n > 0) {
      size_t part = std::min(n, kChunk);
      int out_len = 0;
      if (EVP_DecryptUpdate(cipher.ctx, plain.data(), &out_len, d, static_cast<int>(part)) != 1)
        throw Error(ExitCode::failure, "OpenSSL AES-256-GCM decryption failed");
      inflate_plain(plain.data(), static_cast<size_t>(out_len));
      d += part;
      n -= part;
    }
  }

  void body(const uint8_t* d, size_t n) {
    size_t total = tail.size() + n;
    if (total <= holdback) {
      tail.insert(tail.end(), d, d + n);
      return;
    }
    size_t emit_count = total - holdback;
    size_t from_tail = std::min(emit_count, tail.size());
    decrypt(tail.data(), from_tail);
    tail.erase(tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(from_tail));
    size_t from_data = emit_count - from_tail;
    decrypt(d, from_data);
    tail.insert(tail.end(), d + from_data, d + n);
  }

  void feed(const uint8_t* d, size_t n) {
    result.encrypted_bytes += n;
    if (!header) {
      size_t take = std::min(n, kMaxHeaderSize - header_bytes.size());
      header_bytes.insert(header_bytes.end(), d, d + take);
      auto h = parse_header(header_bytes);
      if (!h) {
        if (header_bytes.size() >= kMaxHeaderSize)
          throw corrupt("not a crypt12/14/15 file (no header found)");
        return;
      }
      start(*h);
      // Bytes after the header that arrived with it are the start of the ciphertext.
      std::vector<uint8_t> rest(header_bytes.begin() + static_cast<std::ptrdiff_t>(h->size),
                                header_bytes.end());
      body(rest.data(), rest.size());
      body(d + take, n - take);
      return;
    }
    body(d, n);
  }

  Result finish() {
    if (!header)
      throw corrupt(fmt::format("truncated: {} bytes, not even a complete header", result.encrypted_bytes));
    if (tail.size() < holdback)
      throw corrupt(fmt::format(
          "truncated: {} bytes after the header, too short for the authentication trailer", tail.size()));
    // The MD5 (when present) covers everything before it: tail = [tag][MD5](jid) in the normal layout.
    md5.update(tail.data(), kTagSize);
    result.md5_trailer = md5.hex_final() == to_hex(tail.data() + kTagSize, kMd5Size);
    const uint8_t* tag = tail.data();
    if (!result.md5_trailer && header->format != CryptFormat::crypt12) {
      // "Multifile" layout: no MD5; the last 16 bytes are the tag and the 16 before are ciphertext.
      decrypt(tail.data(), kTagSize, /*covered_by_md5=*/false);
      tag = tail.data() + kTagSize;
    }
    if (EVP_CIPHER_CTX_ctrl(cipher.ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                            const_cast<uint8_t*>(tag)) != 1)
      throw Error(ExitCode::failure, "OpenSSL: cannot set the GCM tag");
    int out_len = 0;
    if (EVP_DecryptFinal_ex(cipher.ctx, plain.data(), &out_len) != 1) {
      if (result.md5_trailer)
        throw wrong_key(
            "authentication failed although the file's MD5 trailer is intact: wrong key, or the backup "
            "was altered before its MD5 was written" +
            salt_hint());
      throw corrupt("authentication tag mismatch and no valid MD5 trailer: the file is truncated or damaged");
    }
    if (!z_ended) throw corrupt("the compressed stream ends early: the backup is truncated");
    if (options.expect_sqlite && !magic_ok)
      throw wrong_key("the decrypted data is too short to be a SQLite database");
    result.plaintext_sha256 = sha256.hex_final();
    return result;
  }
};

Decryptor::Decryptor(const Key& key, Sink sink, Options options) : impl_(std::make_unique<Impl>()) {
  impl_->key = key;
  impl_->sink = std::move(sink);
  impl_->options = options;
}
Decryptor::~Decryptor() = default;
void Decryptor::feed(const void* data, size_t n) { impl_->feed(static_cast<const uint8_t*>(data), n); }
Result Decryptor::finish() { return impl_->finish(); }

Result decrypt_file(const std::filesystem::path& input, const Key& key, const std::filesystem::path& output,
                    Options options) {
  std::filesystem::path partial = output;
  partial += ".partial";
  std::error_code ec;
  try {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ExitCode::case_error, "cannot create " + partial.string());
    Decryptor dec(
        key,
        [&](const void* d, size_t n) {
          out.write(static_cast<const char*>(d), static_cast<std::streamsize>(n));
          if (!out) throw Error(ExitCode::disk_full, "cannot write " + partial.string() + " (disk full?)");
        },
        options);
    FileByteReader in(input);
    std::vector<char> buf(1 << 20);
    while (size_t n = in.read(buf.data(), buf.size())) dec.feed(buf.data(), n);
    Result r = dec.finish();
    out.close();
    if (out.fail()) throw Error(ExitCode::disk_full, "cannot write " + partial.string());
    std::filesystem::rename(partial, output);
    return r;
  } catch (...) {
    std::filesystem::remove(partial, ec);
    throw;
  }
}

}  // namespace kanshiki::whatsapp_crypt
