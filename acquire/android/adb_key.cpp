// The examiner's ADB RSA key in the standard adbkey / adbkey.pub files (compatible with `adb keygen`), token
// signing, and the Android public-key blob (libcrypto_utils android_pubkey.cpp layout).
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "acquire/android/adb_protocol.h"
#include "hashing/multi_hash.h"

namespace kanshiki::adb {
namespace fs = std::filesystem;
namespace {

constexpr int kModulusBytes = 256;

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;
struct CtxDeleter {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string unbase64(const std::string& in) {
  std::string out(3 * (in.size() / 4) + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return {};
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}

// Little-endian fixed-width bytes of a bignum.
std::string bn_le(const BIGNUM* b, int width) {
  std::string out(static_cast<size_t>(width), '\0');
  BN_bn2lebinpad(b, reinterpret_cast<unsigned char*>(out.data()), width);
  return out;
}

}  // namespace

std::string android_pubkey_blob(const void* evp_pkey) {
  const EVP_PKEY* pkey = static_cast<const EVP_PKEY*>(evp_pkey);
  BIGNUM *n_raw = nullptr, *e_raw = nullptr;
  if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw) ||
      !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw))
    throw Error(ExitCode::failure, "ADB key: not an RSA key");
  Bn n(n_raw), e(e_raw);
  std::unique_ptr<BN_CTX, CtxDeleter> ctx(BN_CTX_new());
  // n0inv = -1 / n[0] mod 2^32
  Bn r32(BN_new()), n0(BN_new()), n0inv(BN_new()), rr(BN_new());
  BN_set_bit(r32.get(), 32);
  BN_mod(n0.get(), n.get(), r32.get(), ctx.get());
  BN_mod_inverse(n0inv.get(), n0.get(), r32.get(), ctx.get());
  BN_sub(n0inv.get(), r32.get(), n0inv.get());
  // rr = (2^2048)^2 mod n
  BN_set_bit(rr.get(), kModulusBytes * 8 * 2);
  BN_mod(rr.get(), rr.get(), n.get(), ctx.get());
  std::string blob;
  put_u32(blob, kModulusBytes / 4);
  put_u32(blob, static_cast<uint32_t>(BN_get_word(n0inv.get())));
  blob += bn_le(n.get(), kModulusBytes);
  blob += bn_le(rr.get(), kModulusBytes);
  put_u32(blob, static_cast<uint32_t>(BN_get_word(e.get())));
  return blob;
}

AdbKey::AdbKey(AdbKey&& o) noexcept : pkey_(o.pkey_), comment_(std::move(o.comment_)) { o.pkey_ = nullptr; }
AdbKey& AdbKey::operator=(AdbKey&& o) noexcept {
  std::swap(pkey_, o.pkey_);
  std::swap(comment_, o.comment_);
  return *this;
}
AdbKey::~AdbKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

AdbKey AdbKey::load(const fs::path& private_pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(private_pem.c_str(), "r"));
  if (!bio) throw Error(ExitCode::no_examiner, "cannot read the ADB key " + private_pem.string());
  // PEM_read_bio_PrivateKey reads both PKCS#8 (adb 29+) and PKCS#1 "RSA PRIVATE KEY" (older adb).
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    throw Error(ExitCode::no_examiner,
                "the ADB key " + private_pem.string() + " is not an RSA private key in PEM");
  }
  AdbKey k;
  k.pkey_ = pkey;
  std::ifstream pub(private_pem.string() + ".pub");
  std::string line;
  if (pub && std::getline(pub, line) && line.find(' ') != std::string::npos)
    k.comment_ = line.substr(line.find(' ') + 1);
  if (k.comment_.empty()) k.comment_ = "kanshiki@examiner";
  return k;
}

AdbKey AdbKey::load_or_create(const fs::path& dir, const std::string& comment) {
  fs::path priv = dir / "adbkey";
  if (fs::exists(priv)) return load(priv);
  fs::create_directories(dir);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) <= 0 || EVP_PKEY_keygen(ctx.get(), &pkey) <= 0)
    throw Error(ExitCode::failure, "cannot generate the ADB RSA key");
  AdbKey k;
  k.pkey_ = pkey;
  k.comment_ = comment;
  {
    int fd = ::open(priv.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw Error(ExitCode::failure, "cannot create " + priv.string());
    FILE* f = ::fdopen(fd, "w");
    bool ok = f && PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (f) std::fclose(f);
    if (!ok) throw Error(ExitCode::failure, "cannot write " + priv.string());
  }
  std::ofstream(dir / "adbkey.pub") << k.public_key_line() << "\n";
  return k;
}

std::string AdbKey::sign_token(std::string_view token) const {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new(static_cast<EVP_PKEY*>(pkey_), nullptr));
  // The token is used as the SHA-1 digest itself (not hashed again): EVP_PKEY_sign, not EVP_DigestSign.
  size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha1()) <= 0 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(token.data()),
                    token.size()) <= 0)
    throw AdbError(Failure::protocol, "cannot sign the device's AUTH token (it must be 20 bytes)");
  std::string sig(len, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                    reinterpret_cast<const unsigned char*>(token.data()), token.size()) <= 0)
    throw AdbError(Failure::protocol, "cannot sign the device's AUTH token");
  sig.resize(len);
  return sig;
}

std::string AdbKey::public_key_line() const { return base64(android_pubkey_blob(pkey_)) + " " + comment_; }

std::string AdbKey::fingerprint() const { return sha256_hex(android_pubkey_blob(pkey_)); }

bool verify_token_signature(const std::string& public_key_line, std::string_view token,
                            std::string_view signature) {
  std::string b64 = public_key_line.substr(0, public_key_line.find_first_of(" \0", 0, 2));
  std::string blob = unbase64(b64);
  if (blob.size() != 12 + 2 * kModulusBytes) return false;
  auto u32 = [&](size_t off) {
    return uint32_t(uint8_t(blob[off])) | uint32_t(uint8_t(blob[off + 1])) << 8 |
           uint32_t(uint8_t(blob[off + 2])) << 16 | uint32_t(uint8_t(blob[off + 3])) << 24;
  };
  if (u32(0) != kModulusBytes / 4) return false;
  Bn n(BN_lebin2bn(reinterpret_cast<const unsigned char*>(blob.data() + 8), kModulusBytes, nullptr));
  Bn e(BN_new());
  BN_set_word(e.get(), u32(8 + 2 * kModulusBytes));
  // Build an EVP_PKEY from n, e.
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> fctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* pkey = nullptr;
  bool ok = fctx && EVP_PKEY_fromdata_init(fctx.get()) > 0 &&
            EVP_PKEY_fromdata(fctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) > 0;
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  if (!ok) return false;
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> vctx(EVP_PKEY_CTX_new(pkey, nullptr));
  ok = vctx && EVP_PKEY_verify_init(vctx.get()) > 0 &&
       EVP_PKEY_CTX_set_rsa_padding(vctx.get(), RSA_PKCS1_PADDING) > 0 &&
       EVP_PKEY_CTX_set_signature_md(vctx.get(), EVP_sha1()) > 0 &&
       EVP_PKEY_verify(vctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(token.data()), token.size()) == 1;
  EVP_PKEY_free(pkey);
  return ok;
}

}  // namespace kanshiki::adb
