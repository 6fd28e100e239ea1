// Encrypted iOS backup decryption speed (issue 9 targets):
//   key derivation: derive_passkey <= 1.05 x OpenSSL's own PKCS5_PBKDF2_HMAC for the same parameters
//   file decryption: FileDecryptor (AES-256-CBC, padding, Size trimming) >= 500 MB/s
//
// usage: bench_ios_decrypt [DPIC (default 1000000)] [MiB of file data (default 128)]
// Real backups use DPIC 10,000,000; the ratio does not depend on the count, so a smaller one keeps the run
// short on shared machines. Key derivation: best of 5, alternating ours and OpenSSL's (shared machines are
// noisy: the minimum is the fair figure); file decryption: best of 3.
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/decrypt/ios_backup_crypt.h"

namespace ibc = kanshiki::ios_backup_crypt;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

ibc::Key32 openssl_reference(const std::string& password, const ibc::Keybag& bag) {
  ibc::Key32 k1{}, key{};
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(bag.dp_salt.data()),
                    static_cast<int>(bag.dp_salt.size()), static_cast<int>(bag.dp_iterations), EVP_sha256(),
                    32, k1.data());
  PKCS5_PBKDF2_HMAC(
      reinterpret_cast<const char*>(k1.data()), 32, reinterpret_cast<const unsigned char*>(bag.salt.data()),
      static_cast<int>(bag.salt.size()), static_cast<int>(bag.iterations), EVP_sha1(), 32, key.data());
  return key;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t dpic = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 1000000;
  size_t mib = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 128;

  ibc::Keybag bag;
  bag.salt = std::string(20, 's');
  bag.iterations = 10000;
  bag.dp_salt = std::string(20, 'd');
  bag.dp_iterations = dpic;
  const std::string password = "鑑識パスワード";

  double ours = 1e9, ours_progress = 1e9, reference = 1e9;
  for (int round = 0; round < 5; ++round) {
    auto t0 = Clock::now();
    ibc::Key32 a = ibc::derive_passkey(bag, password);
    ours = std::min(ours, seconds_since(t0));
    t0 = Clock::now();
    ibc::Key32 b = openssl_reference(password, bag);
    reference = std::min(reference, seconds_since(t0));
    t0 = Clock::now();
    ibc::Key32 c = ibc::derive_passkey(bag, password, [](double) {});
    ours_progress = std::min(ours_progress, seconds_since(t0));
    if (a != b || a != c) {
      std::fprintf(stderr, "derived keys differ\n");
      return 1;
    }
  }
  std::printf("key derivation (PBKDF2-SHA256 x%u + PBKDF2-SHA1 x%u):\n", dpic, bag.iterations);
  std::printf("  OpenSSL PKCS5_PBKDF2_HMAC        %.3f s\n", reference);
  std::printf("  derive_passkey                   %.3f s  (%.3fx)\n", ours, ours / reference);
  std::printf("  derive_passkey with progress     %.3f s  (%.3fx; calibration run + worker thread)\n",
              ours_progress, ours_progress / reference);

  // File decryption: encrypt MiB of data once with OpenSSL, then decrypt it through FileDecryptor in 1 MiB
  // feeds (the size the backup decryptor reads).
  const size_t size = mib << 20;
  std::vector<uint8_t> plain(size), cipher(size + 16);
  for (size_t i = 0; i < size; ++i) plain[i] = static_cast<uint8_t>(i * 2654435761u >> 24);
  ibc::Key32 key{};
  key.fill(0x5a);
  unsigned char iv[16] = {};
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n1 = 0, n2 = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key.data(), iv);
  EVP_EncryptUpdate(ctx, cipher.data(), &n1, plain.data(), static_cast<int>(size));
  EVP_EncryptFinal_ex(ctx, cipher.data() + n1, &n2);
  EVP_CIPHER_CTX_free(ctx);
  cipher.resize(static_cast<size_t>(n1 + n2));

  double best = 1e9;
  for (int round = 0; round < 3; ++round) {
    uint64_t out = 0, check = 0;
    auto t0 = Clock::now();
    ibc::FileDecryptor dec(key, size, [&](const void* p, size_t n) {
      out += n;
      check ^= static_cast<const uint8_t*>(p)[n - 1];  // touch the output so nothing is optimised away
    });
    for (size_t at = 0; at < cipher.size(); at += 1 << 20)
      dec.feed(cipher.data() + at, std::min<size_t>(1 << 20, cipher.size() - at));
    auto r = dec.finish();
    best = std::min(best, seconds_since(t0));
    if (out != size || !r.anomaly.empty() || !r.padding_ok) {
      std::fprintf(stderr, "decryption check failed\n");
      return 1;
    }
    (void)check;
  }
  std::printf("file decryption (AES-256-CBC + padding + Size trim), %zu MiB: %.0f MB/s\n", mib,
              static_cast<double>(size) / best / 1e6);
  return 0;
}
