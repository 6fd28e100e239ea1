// KakaoTalk column decryption (parsers/kakaotalk_crypt.cpp): Base64 + AES-256-CBC + padding check on hostile
// column values. Byte 0: encryption type (values past 31 exercise the unsupported path); bytes 1-8: user id
// (little-endian, so zero and negative ids come up); the rest: the column text.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "parsers/kakaotalk_crypt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki::kakaotalk_crypt;
  if (size < 9) return 0;
  int enc = data[0] % 40;
  int64_t user_id = 0;
  std::memcpy(&user_id, data + 1, sizeof(user_id));
  std::string_view text(reinterpret_cast<const char*>(data + 9), size - 9);
  Decrypted d = decrypt(user_id, enc, text);
  // Plaintext never outgrows the ciphertext, and a failure always says why.
  if (d.ok && d.plaintext.size() > text.size()) __builtin_trap();
  if (!d.ok && d.error.empty()) __builtin_trap();
  return 0;
}
