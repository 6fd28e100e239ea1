#pragma once
// KakaoTalk for Android's column encryption (KakaoTalk.db `chat_logs.message` / `.attachment`, KakaoTalk2.db
// `friends` fields): the scheme published by the open-source kakaodecrypt research (jiru/kakaodecrypt,
// kakaodecrypt.py + guess_user_id.py; the same facts in junhyukso/rhinoKakaoTalkDBDecrypter's README).
//
//   salt     = (prefix[enc] + decimal user_id), cut to 16 bytes and padded with NUL to 16; 16 NULs when
//              user_id <= 0. `enc` is the row's encryption type (chat_logs: `v` JSON field "enc"; friends:
//              the `enc` column); prefix[] is a fixed table of 32 strings (index 0..31).
//   key      = PKCS#12 key derivation (RFC 7292 appendix B, SHA-1, ID 1 = key material, 2 iterations,
//              32 bytes) of a fixed 16-byte password taken as a BMPString with its terminating NUL.
//   cipher   = AES-256-CBC (the derived key is 32 bytes), fixed IV, PKCS#7 padding; the column holds the
//              Base64 of the ciphertext.
//
// Everything here is a pure function of its inputs: no I/O, bounded memory (the output is at most the
// input's size). OpenSSL does the PKCS#12 derivation, the cipher and the Base64.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kanshiki::kakaotalk_crypt {

// The highest encryption type whose salt prefix is published; larger values cannot be decrypted.
constexpr int kMaxEncType = 31;

using Salt = std::array<uint8_t, 16>;
using Key = std::array<uint8_t, 32>;

// nullopt when `enc_type` is outside 0..kMaxEncType.
std::optional<Salt> make_salt(int64_t user_id, int enc_type);
Key derive_key(const Salt& salt);

struct Decrypted {
  bool ok = false;
  std::string plaintext;  // the bytes as decrypted (UTF-8 is checked by the caller)
  std::string error;      // why not, in words, when !ok
};

// Decrypts one Base64 column value with a derived key. An empty value decrypts to an empty string.
Decrypted decrypt(const Key& key, std::string_view base64_text);
// Convenience: salt + key + decrypt; an unsupported enc type is an error result, never an exception.
Decrypted decrypt(int64_t user_id, int enc_type, std::string_view base64_text);

}  // namespace kanshiki::kakaotalk_crypt
