#include "parsers/kakaotalk_crypt.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>

#include <memory>
#include <string>
#include <vector>

namespace kanshiki::kakaotalk_crypt {
namespace {

// The salt prefixes by encryption type, as published (kakaodecrypt). Index 30 is the value the app's
// native libdream.so computes (Projector.incept(830819)); the research lists it as "extr.ursra".
constexpr std::string_view kPrefixes[kMaxEncType + 1] = {
    "",       "",     "12",     "24",   "18",     "30",      "36",    "12",   "48",         "7",    "35",
    "40",     "17",   "23",     "29",   "isabel", "kale",    "sulli", "van",  "merry",      "kyle", "james",
    "maddux", "tony", "hayden", "paul", "elijah", "dorothy", "sally", "bran", "extr.ursra", "veil"};

// The fixed password (16 bytes) and IV of the scheme.
constexpr uint8_t kPassword[16] = {0x16, 0x08, 0x09, 0x6f, 0x02, 0x17, 0x2b, 0x08,
                                   0x21, 0x21, 0x0a, 0x10, 0x03, 0x03, 0x07, 0x06};
constexpr uint8_t kIv[16] = {0x0f, 0x08, 0x01, 0x00, 0x19, 0x47, 0x25, 0xdc,
                             0x15, 0xf5, 0x17, 0xe0, 0xe1, 0x15, 0x0c, 0x35};
constexpr int kIterations = 2;
constexpr int kKeyMaterialId = 1;  // RFC 7292 B.3: ID 1 derives key material

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

Decrypted failure(std::string why) {
  Decrypted d;
  d.error = std::move(why);
  return d;
}

}  // namespace

std::optional<Salt> make_salt(int64_t user_id, int enc_type) {
  if (enc_type < 0 || enc_type > kMaxEncType) return std::nullopt;
  Salt salt{};
  if (user_id <= 0) return salt;  // the app's rule: no user, all-zero salt
  std::string text = std::string(kPrefixes[enc_type]) + std::to_string(user_id);
  for (size_t i = 0; i < salt.size() && i < text.size(); ++i) salt[i] = static_cast<uint8_t>(text[i]);
  return salt;
}

Key derive_key(const Salt& salt) {
  // The password as a BMPString (UTF-16BE) with its terminating NUL, as Java's PKCS12 generator takes it.
  uint8_t bmp[2 * (sizeof(kPassword) + 1)] = {};
  for (size_t i = 0; i < sizeof(kPassword); ++i) bmp[2 * i + 1] = kPassword[i];
  Salt salt_copy = salt;  // OpenSSL's signature is not const-correct
  Key key{};
  if (PKCS12_key_gen_uni(bmp, sizeof(bmp), salt_copy.data(), static_cast<int>(salt_copy.size()),
                         kKeyMaterialId, kIterations, static_cast<int>(key.size()), key.data(),
                         EVP_sha1()) != 1)
    throw std::runtime_error("OpenSSL PKCS12_key_gen_uni failed");
  return key;
}

Decrypted decrypt(const Key& key, std::string_view base64_text) {
  // Android's Base64 may wrap lines; whitespace is not part of the data.
  std::string b64;
  b64.reserve(base64_text.size());
  for (char c : base64_text)
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') b64.push_back(c);
  if (b64.empty()) return Decrypted{true, "", ""};
  if (b64.size() % 4 != 0)
    return failure(fmt::format("not Base64: length {} is not a multiple of 4", b64.size()));
  std::vector<uint8_t> cipher(b64.size() / 4 * 3);
  int n = EVP_DecodeBlock(cipher.data(), reinterpret_cast<const uint8_t*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return failure("not Base64: invalid characters");
  size_t pad = 0;
  if (b64.back() == '=') ++pad;
  if (b64.size() >= 2 && b64[b64.size() - 2] == '=') ++pad;
  size_t len = static_cast<size_t>(n) - pad;
  if (len == 0 || len % 16 != 0)
    return failure(fmt::format("ciphertext of {} bytes is not a whole number of AES blocks", len));

  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), kIv) != 1)
    return failure("OpenSSL could not set up AES-256-CBC");
  std::string plain(len + 16, '\0');
  int out1 = 0, out2 = 0;
  if (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()), &out1, cipher.data(),
                        static_cast<int>(len)) != 1)
    return failure("AES-256-CBC decryption failed");
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()) + out1, &out2) != 1)
    return failure("padding is wrong after decryption (wrong user id or encryption type)");
  plain.resize(static_cast<size_t>(out1 + out2));
  return Decrypted{true, std::move(plain), ""};
}

Decrypted decrypt(int64_t user_id, int enc_type, std::string_view base64_text) {
  auto salt = make_salt(user_id, enc_type);
  if (!salt)
    return failure(
        fmt::format("encryption type {} is not supported (published types: 0 to {})", enc_type, kMaxEncType));
  return decrypt(derive_key(*salt), base64_text);
}

}  // namespace kanshiki::kakaotalk_crypt
