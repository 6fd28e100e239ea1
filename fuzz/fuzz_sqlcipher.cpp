// SQLCipher page decryptor (core/decrypt/sqlcipher.cpp): profile detection on page 1, page-by-page
// decryption, damaged-page and truncation handling. With a random input every HMAC fails and only the
// wrong-key path would run, so for half the inputs the harness first makes page 1 authentic (salt or
// plaintext header, then the right HMAC over whatever ciphertext the input holds): the decryptor then
// decrypts arbitrary ciphertext and meets arbitrary later pages. Keys are raw (or 1 PBKDF2 iteration) to keep
// runs fast.
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/decrypt/sqlcipher.h"
#include "core/error.h"

namespace {

using namespace kanshiki::sqlcipher;

Candidate candidate_for(uint8_t selector) {
  Key raw = raw_key_from_hex(
      "x'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
      "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'");
  switch (selector % 4) {
    case 0:
      return {signal_android_params(), passphrase_key("00112233445566778899aabbccddeeff")};
    case 1:
      return {signal_ios_params(), raw};
    case 2:
      return {sqlcipher3_params(), raw};
    default:
      return {sqlcipher4_params(), raw};
  }
}

void authenticate_page1(const Candidate& c, std::vector<uint8_t>& file) {
  const Params& p = c.params;
  const size_t page = static_cast<size_t>(p.page_size);
  if (file.size() < page) file.resize(page, 0);
  const bool sha1 = p.hmac == HmacAlgorithm::sha1;
  const size_t mac_len = sha1 ? 20 : 64, reserve = (16 + mac_len + 15) / 16 * 16;
  std::array<uint8_t, 16> salt{};
  size_t offset = 16;
  if (p.plaintext_header) {
    salt = *c.key.salt;
    std::memcpy(file.data(), "SQLite format 3", 16);
    offset = static_cast<size_t>(p.plaintext_header);
  } else {
    std::copy_n(file.begin(), 16, salt.begin());
  }
  PageKeys keys = derive_keys(p, c.key, salt);
  const size_t end = page - reserve;
  std::vector<uint8_t> input(file.begin() + static_cast<std::ptrdiff_t>(offset),
                             file.begin() + static_cast<std::ptrdiff_t>(end + 16));
  input.insert(input.end(), {1, 0, 0, 0});
  unsigned int len = 0;
  HMAC(sha1 ? EVP_sha1() : EVP_sha512(), keys.hmac.data(), static_cast<int>(keys.hmac.size()), input.data(),
       input.size(), file.data() + end + 16, &len);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Candidate c = candidate_for(data[0]);
  std::vector<uint8_t> file(data + 2, data + size);
  if (data[1] & 1) authenticate_page1(c, file);
  try {
    Decryptor d({c}, [](const void*, size_t) {});
    size_t pos = 0, step = 1 + (data[1] >> 1);
    while (pos < file.size()) {
      size_t n = std::min(step, file.size() - pos);
      d.feed(file.data() + pos, n);
      pos += n;
      step = step * 3 + 1;
    }
    (void)d.finish();
  } catch (const kanshiki::Error&) {
  }
  return 0;
}
