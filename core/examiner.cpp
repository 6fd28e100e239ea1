#include "core/examiner.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "hashing/multi_hash.h"

namespace kanshiki {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string public_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

PkeyPtr load_public(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
}

std::vector<unsigned char> from_hex(const std::string& hex) {
  std::vector<unsigned char> out;
  if (hex.size() % 2) return out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

std::filesystem::path examiner_home() {
  if (const char* env = std::getenv("KANSHIKI_HOME"); env && *env) return env;
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".kanshiki";
  return ".kanshiki";
}

std::string public_key_fingerprint(const std::string& pem) {
  PkeyPtr key = load_public(pem);
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) return {};
  unsigned char raw[32];
  size_t len = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key.get(), raw, &len) != 1) return {};
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(raw), len));
}

Examiner::~Examiner() { EVP_PKEY_free(static_cast<EVP_PKEY*>(key_)); }

Examiner::Examiner(Examiner&& o) noexcept
    : name_(std::move(o.name_)), fingerprint_(std::move(o.fingerprint_)), public_pem_(std::move(o.public_pem_)), key_(o.key_) {
  o.key_ = nullptr;
}

Examiner& Examiner::operator=(Examiner&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
    name_ = std::move(o.name_);
    fingerprint_ = std::move(o.fingerprint_);
    public_pem_ = std::move(o.public_pem_);
    key_ = o.key_;
    o.key_ = nullptr;
  }
  return *this;
}

Examiner Examiner::create(const std::string& name, const std::filesystem::path& home, bool replace) {
  auto key_path = home / "examiner_ed25519.pem";
  auto info_path = home / "examiner.json";
  if (!replace && std::filesystem::exists(key_path))
    throw Error(ExitCode::usage, "an examiner identity already exists in " + home.string() +
                                     " (use --force to replace it; cases signed with the old key still verify)");
  std::filesystem::create_directories(home);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr),
                                                                   EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
    throw Error(ExitCode::failure, "Ed25519 key generation failed");
  Examiner e;
  e.key_ = raw;
  e.name_ = name;
  e.public_pem_ = public_pem(raw);
  e.fingerprint_ = public_key_fingerprint(e.public_pem_);

  // Private key: created 0600 before any byte is written.
  int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(ExitCode::failure, "cannot write " + key_path.string());
  FILE* f = ::fdopen(fd, "w");
  bool ok = PEM_write_PrivateKey(f, raw, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  if (!ok) throw Error(ExitCode::failure, "cannot write private key " + key_path.string());
  nlohmann::json info{{"name", name}, {"fingerprint", e.fingerprint_}, {"public_key_pem", e.public_pem_}};
  std::ofstream(info_path) << info.dump(2) << "\n";
  return e;
}

Examiner Examiner::load(const std::filesystem::path& home) {
  auto key_path = home / "examiner_ed25519.pem";
  auto info_path = home / "examiner.json";
  if (!std::filesystem::exists(key_path) || !std::filesystem::exists(info_path))
    throw Error(ExitCode::no_examiner, "no examiner identity in " + home.string() +
                                           ": run `kanshiki examiner init --name \"Your Name\"` first");
  FILE* f = std::fopen(key_path.c_str(), "r");
  if (!f) throw Error(ExitCode::no_examiner, "cannot read examiner key " + key_path.string());
  EVP_PKEY* raw = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!raw || EVP_PKEY_id(raw) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(raw);
    throw Error(ExitCode::no_examiner, "examiner key " + key_path.string() + " is not an Ed25519 private key");
  }
  Examiner e;
  e.key_ = raw;
  auto info = nlohmann::json::parse(read_file(info_path), nullptr, false);
  e.name_ = info.is_object() ? info.value("name", "") : "";
  e.public_pem_ = public_pem(raw);
  e.fingerprint_ = public_key_fingerprint(e.public_pem_);
  return e;
}

std::string Examiner::sign_hex(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  size_t len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, static_cast<EVP_PKEY*>(key_)) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    throw Error(ExitCode::failure, "Ed25519 signing failed");
  return to_hex(sig, len);
}

bool verify_ed25519(const std::string& public_key_pem, std::string_view message, const std::string& signature_hex) {
  PkeyPtr key = load_public(public_key_pem);
  if (!key) return false;
  auto sig = from_hex(signature_hex);
  if (sig.size() != 64) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace kanshiki
