#include "core/decrypt/sqlcipher.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/error.h"
#include "hashing/multi_hash.h"

namespace kanshiki::sqlcipher {
namespace {

constexpr size_t kSaltSize = 16;
constexpr size_t kIvSize = 16;
constexpr size_t kMaxPageSize = 65536;
constexpr char kSqliteMagic[] = "SQLite format 3";  // 16 bytes with its NUL
constexpr int kHmacKdfIterations = 2;               // SQLCipher's fast_kdf_iter for the HMAC key
constexpr uint8_t kHmacSaltMask = 0x3a;

const EVP_MD* digest(HmacAlgorithm a) { return a == HmacAlgorithm::sha1 ? EVP_sha1() : EVP_sha512(); }
size_t hmac_size(HmacAlgorithm a) { return a == HmacAlgorithm::sha1 ? 20 : 64; }
// IV + HMAC, rounded up to the AES block size (SQLCipher 3: 16 + 20 -> 48; 4: 16 + 64 = 80).
size_t reserve_size(const Params& p) { return (kIvSize + hmac_size(p.hmac) + 15) / 16 * 16; }

std::optional<std::vector<uint8_t>> decode_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// `x'…'` -> the hex inside; otherwise the text itself.
std::string_view strip_blob_literal(std::string_view s) {
  if (s.size() >= 3 && (s[0] == 'x' || s[0] == 'X') && s[1] == '\'' && s.back() == '\'')
    return s.substr(2, s.size() - 3);
  return s;
}

bool is_hex_of_length(std::string_view s, size_t n) { return s.size() == n && decode_hex(s).has_value(); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::array<uint8_t, 32> pbkdf2(HmacAlgorithm a, const void* secret, size_t secret_len, const uint8_t* salt,
                               int iterations) {
  std::array<uint8_t, 32> out{};
  if (PKCS5_PBKDF2_HMAC(static_cast<const char*>(secret), static_cast<int>(secret_len), salt,
                        static_cast<int>(kSaltSize), iterations, digest(a), static_cast<int>(out.size()),
                        out.data()) != 1)
    throw Error(ExitCode::failure, "PBKDF2 failed (OpenSSL)");
  return out;
}

}  // namespace

std::string Params::describe() const {
  return fmt::format("{}: SQLCipher {} parameters (HMAC-{}), {}-byte pages, {} KDF iteration{}{}", name,
                     hmac == HmacAlgorithm::sha1 ? 3 : 4, hmac == HmacAlgorithm::sha1 ? "SHA1" : "SHA512",
                     page_size, kdf_iter, kdf_iter == 1 ? "" : "s",
                     plaintext_header ? fmt::format(", {}-byte plaintext header", plaintext_header) : "");
}

Params signal_android_params() { return {"signal-android", 4096, 1, HmacAlgorithm::sha1, 0}; }
Params signal_ios_params() { return {"signal-ios", 4096, 256000, HmacAlgorithm::sha512, 32}; }
Params sqlcipher3_params() { return {"sqlcipher3", 1024, 64000, HmacAlgorithm::sha1, 0}; }
Params sqlcipher4_params() { return {"sqlcipher4", 4096, 256000, HmacAlgorithm::sha512, 0}; }

Key passphrase_key(std::string_view passphrase) {
  if (passphrase.empty()) throw Error(ExitCode::usage, "empty SQLCipher passphrase");
  Key k;
  k.kind = Key::Kind::passphrase;
  k.passphrase = std::string(passphrase);
  k.fingerprint = sha256_hex(passphrase);
  return k;
}

Key raw_key_from_hex(std::string_view text) {
  std::string hex = trim(strip_blob_literal(trim(text)));
  auto bytes = decode_hex(hex);
  if (!bytes || (bytes->size() != 32 && bytes->size() != 48))
    throw Error(ExitCode::usage,
                "a raw SQLCipher key is x'<64 hex digits>' (key) or x'<96 hex digits>' (key and salt)");
  Key k;
  k.kind = Key::Kind::raw;
  std::copy_n(bytes->begin(), 32, k.raw.begin());
  if (bytes->size() == 48) {
    std::array<uint8_t, 16> salt{};
    std::copy_n(bytes->begin() + 32, 16, salt.begin());
    k.salt = salt;
  }
  k.fingerprint = sha256_hex(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  return k;
}

std::vector<Candidate> signal_candidates(std::string_view key_text, std::string_view profile,
                                         std::string_view file_name) {
  std::string text = trim(key_text);
  std::string_view hex = strip_blob_literal(text);
  bool blob_literal = hex.size() != text.size();
  bool hex64 = is_hex_of_length(hex, 64), hex96 = is_hex_of_length(hex, 96);
  std::vector<Candidate> out;
  auto android = [&] {
    // Signal writes the secret with lower-case digits and keys SQLCipher with that text (a passphrase).
    if (hex64 && !blob_literal) out.push_back({signal_android_params(), passphrase_key(lower(hex))});
  };
  auto ios = [&] {
    if (hex96) out.push_back({signal_ios_params(), raw_key_from_hex(hex)});
  };
  auto generic = [&](Params p) {
    out.push_back({std::move(p), blob_literal || hex96 ? raw_key_from_hex(hex) : passphrase_key(text)});
  };
  if (profile == "android") {
    android();
    if (out.empty())
      throw Error(
          ExitCode::usage,
          "Signal for Android's key is the 64-hex databaseSecret (org.thoughtcrime.securesms_preferences"
          ".xml, unwrapped with the device keystore)");
  } else if (profile == "ios") {
    ios();
    if (out.empty())
      throw Error(
          ExitCode::usage,
          "Signal for iOS's key is the 96-hex GRDBDatabaseCipherKeySpec from the keychain (32-byte key "
          "and 16-byte salt; the salt is not in the file)");
  } else if (profile == "sqlcipher3") {
    generic(sqlcipher3_params());
  } else if (profile == "sqlcipher4") {
    generic(sqlcipher4_params());
  } else if (profile == "auto") {
    bool ios_name = file_name.ends_with(".sqlite");
    if (ios_name) ios();
    android();
    if (!ios_name) ios();
    if (!hex64 || blob_literal) {
      generic(sqlcipher4_params());
      generic(sqlcipher3_params());
    }
  } else {
    throw Error(
        ExitCode::usage,
        fmt::format("unknown SQLCipher profile '{}' (auto, android, ios, sqlcipher3, sqlcipher4)", profile));
  }
  if (out.empty()) throw Error(ExitCode::usage, "the key fits no SQLCipher profile");
  return out;
}

PageKeys derive_keys(const Params& params, const Key& key, std::span<const uint8_t, 16> salt) {
  PageKeys k;
  if (key.kind == Key::Kind::raw)
    k.cipher = key.raw;
  else
    k.cipher =
        pbkdf2(params.hmac, key.passphrase.data(), key.passphrase.size(), salt.data(), params.kdf_iter);
  std::array<uint8_t, kSaltSize> hmac_salt{};
  for (size_t i = 0; i < kSaltSize; ++i) hmac_salt[i] = salt[i] ^ kHmacSaltMask;
  k.hmac = pbkdf2(params.hmac, k.cipher.data(), k.cipher.size(), hmac_salt.data(), kHmacKdfIterations);
  return k;
}

struct Decryptor::Impl {
  std::vector<Candidate> candidates;
  Sink sink;
  std::vector<uint8_t> pending;  // bytes not yet decrypted (less than one page once the profile is known)
  std::optional<Params> chosen;
  PageKeys keys;
  uint64_t next_page = 1;
  Result result;
  std::vector<uint8_t> page_out, mac_input;
  EVP_CIPHER_CTX* cipher = EVP_CIPHER_CTX_new();
  EVP_MD_CTX* sha = EVP_MD_CTX_new();

  Impl(std::vector<Candidate> c, Sink s) : candidates(std::move(c)), sink(std::move(s)) {
    if (!cipher || !sha || EVP_DigestInit_ex(sha, EVP_sha256(), nullptr) != 1)
      throw Error(ExitCode::failure, "OpenSSL context allocation failed");
    if (candidates.empty()) throw Error(ExitCode::usage, "no SQLCipher key given");
  }
  ~Impl() {
    EVP_CIPHER_CTX_free(cipher);
    EVP_MD_CTX_free(sha);
  }

  // First byte of page `pgno` that is encrypted (page 1 starts with the salt or the plaintext header).
  static size_t page_offset(const Params& p, uint64_t pgno) {
    if (pgno != 1) return 0;
    return p.plaintext_header ? static_cast<size_t>(p.plaintext_header) : kSaltSize;
  }

  bool hmac_matches(const Params& p, const PageKeys& k, const uint8_t* page, uint64_t pgno) {
    size_t offset = page_offset(p, pgno);
    size_t end = static_cast<size_t>(p.page_size) - reserve_size(p);
    // HMAC over the ciphertext, the IV, and the page number as 4 little-endian bytes.
    mac_input.assign(page + offset, page + end + kIvSize);
    for (int i = 0; i < 4; ++i) mac_input.push_back(static_cast<uint8_t>((pgno >> (8 * i)) & 0xff));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(digest(p.hmac), k.hmac.data(), static_cast<int>(k.hmac.size()), mac_input.data(),
              mac_input.size(), mac, &mac_len))
      throw Error(ExitCode::failure, "HMAC failed (OpenSSL)");
    return mac_len == hmac_size(p.hmac) && CRYPTO_memcmp(mac, page + end + kIvSize, mac_len) == 0;
  }

  void choose_profile(bool at_end) {
    size_t largest = 0;
    for (const auto& c : candidates) largest = std::max(largest, static_cast<size_t>(c.params.page_size));
    if (pending.size() < largest && !at_end) return;
    if (pending.size() < 512)
      throw Error(
          ExitCode::corrupt_input,
          fmt::format("not a SQLCipher database: only {} bytes (less than one page)", pending.size()));
    bool plain_magic = std::memcmp(pending.data(), kSqliteMagic, sizeof kSqliteMagic) == 0;
    std::vector<std::string> tried;
    for (const auto& c : candidates) {
      const Params& p = c.params;
      if (pending.size() < static_cast<size_t>(p.page_size)) {
        tried.push_back(p.name + " (file shorter than one page)");
        continue;
      }
      std::array<uint8_t, kSaltSize> salt{};
      if (p.plaintext_header) {
        if (!c.key.salt) {
          tried.push_back(p.name + " (needs the salt: give the 96-hex key spec)");
          continue;
        }
        salt = *c.key.salt;
      } else {
        std::copy_n(pending.begin(), kSaltSize, salt.begin());
      }
      PageKeys k = derive_keys(p, c.key, salt);
      if (hmac_matches(p, k, pending.data(), 1)) {
        chosen = p;
        keys = k;
        result.params = p;
        result.key_fingerprint = c.key.fingerprint;
        return;
      }
      tried.push_back(p.name);
    }
    std::string list;
    for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
    if (plain_magic && std::none_of(candidates.begin(), candidates.end(),
                                    [](const Candidate& c) { return c.params.plaintext_header > 0; }))
      throw Error(
          ExitCode::usage,
          "not encrypted with SQLCipher: the file starts with the plain SQLite header (parse it directly)");
    throw Error(ExitCode::verification_failed,
                fmt::format("wrong key: the HMAC of page 1 matches none of the parameter sets tried ({}); "
                            "nothing was written",
                            list));
  }

  void decrypt_page(const uint8_t* in) {
    const Params& p = *chosen;
    const size_t size = static_cast<size_t>(p.page_size);
    const uint64_t pgno = next_page++;
    page_out.assign(size, 0);
    if (hmac_matches(p, keys, in, pgno)) {
      size_t offset = page_offset(p, pgno), end = size - reserve_size(p);
      int n1 = 0, n2 = 0;
      if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, keys.cipher.data(), in + end) != 1 ||
          EVP_CIPHER_CTX_set_padding(cipher, 0) != 1 ||
          EVP_DecryptUpdate(cipher, page_out.data() + offset, &n1, in + offset,
                            static_cast<int>(end - offset)) != 1 ||
          EVP_DecryptFinal_ex(cipher, page_out.data() + offset + n1, &n2) != 1)
        throw Error(ExitCode::failure, fmt::format("AES-256-CBC failed on page {} (OpenSSL)", pgno));
      if (pgno == 1) {
        if (p.plaintext_header)
          std::memcpy(page_out.data(), in, static_cast<size_t>(p.plaintext_header));
        else
          std::memcpy(page_out.data(), kSqliteMagic, sizeof kSqliteMagic);
      }
    } else {
      // Damaged page: zeros (an empty page to SQLite) rather than decrypted garbage; reported by number.
      result.bad_pages.push_back(pgno);
    }
    EVP_DigestUpdate(sha, page_out.data(), size);
    result.plaintext_bytes += size;
    ++result.pages;
    sink(page_out.data(), size);
  }

  void drain() {
    const size_t size = static_cast<size_t>(chosen->page_size);
    size_t pos = 0;
    while (pending.size() - pos >= size) {
      decrypt_page(pending.data() + pos);
      pos += size;
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(pos));
  }

  void feed(const uint8_t* data, size_t n) {
    result.encrypted_bytes += n;
    while (n > 0) {
      // Take at most one maximal page at a time so `pending` stays bounded whatever the chunk size.
      size_t take = std::min(n, kMaxPageSize);
      pending.insert(pending.end(), data, data + take);
      data += take;
      n -= take;
      if (!chosen) choose_profile(false);
      if (chosen) drain();
    }
  }

  Result finish() {
    if (!chosen) choose_profile(true);
    drain();
    if (!pending.empty())
      throw Error(ExitCode::corrupt_input,
                  fmt::format("truncated SQLCipher database: {} bytes after the last whole {}-byte page",
                              pending.size(), chosen->page_size));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_DigestFinal_ex(sha, md, &md_len);
    result.plaintext_sha256 = to_hex(md, md_len);
    return result;
  }
};

Decryptor::Decryptor(std::vector<Candidate> candidates, Sink sink)
    : impl_(std::make_unique<Impl>(std::move(candidates), std::move(sink))) {}
Decryptor::~Decryptor() = default;
void Decryptor::feed(const void* data, size_t n) { impl_->feed(static_cast<const uint8_t*>(data), n); }
Result Decryptor::finish() { return impl_->finish(); }

}  // namespace kanshiki::sqlcipher
