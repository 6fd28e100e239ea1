#pragma once
// The examiner identity: a name and an Ed25519 key pair (OpenSSL). The private key never enters a case;
// the public key is registered in each case the examiner touches so custody entries can be verified.
//   $KANSHIKI_HOME (default ~/.kanshiki)/examiner.json   name, fingerprint, public key (PEM)
//   $KANSHIKI_HOME/examiner_ed25519.pem                  private key, mode 0600
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace kanshiki {

std::filesystem::path examiner_home();

class Examiner {
 public:
  ~Examiner();
  Examiner(Examiner&&) noexcept;
  Examiner& operator=(Examiner&&) noexcept;

  // Creates a new identity in `home`; refuses to overwrite an existing one unless `replace`.
  static Examiner create(const std::string& name, const std::filesystem::path& home, bool replace = false);
  // Loads the identity; throws Error(ExitCode::no_examiner) with the command to run when there is none.
  static Examiner load(const std::filesystem::path& home);

  const std::string& name() const { return name_; }
  const std::string& fingerprint() const { return fingerprint_; }  // sha256 of the raw public key, hex
  const std::string& public_key_pem() const { return public_pem_; }
  std::string sign_hex(std::string_view message) const;  // Ed25519 signature, hex

 private:
  Examiner() = default;
  std::string name_, fingerprint_, public_pem_;
  void* key_ = nullptr;  // EVP_PKEY*
};

// Verifies an Ed25519 signature (hex) over message with a PEM public key.
bool verify_ed25519(const std::string& public_key_pem, std::string_view message, const std::string& signature_hex);
// sha256 (hex) of the raw 32-byte public key in a PEM; "" when the PEM is not an Ed25519 key.
std::string public_key_fingerprint(const std::string& public_key_pem);

}  // namespace kanshiki
