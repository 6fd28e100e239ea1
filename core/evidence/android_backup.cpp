#include "core/evidence/android_backup.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace kanshiki::android_backup {
namespace fs = std::filesystem;
namespace {

constexpr size_t kChunk = 64 * 1024;
constexpr size_t kMaxHeaderLine = 4096;  // the longest real line is the hex master-key blob (~300 chars)

// Reads the header lines with plain read(2) so the payload offset is exact.
class LineReader {
 public:
  LineReader(int fd, const fs::path& path) : fd_(fd), path_(path) {}
  std::optional<std::string> line() {
    std::string s;
    for (;;) {
      if (pos_ == len_) {
        ssize_t r = ::read(fd_, buf_, sizeof buf_);
        if (r < 0)
          throw Error(ExitCode::evidence_unreadable,
                      "cannot read " + path_.string() + ": " + std::strerror(errno));
        if (r == 0) return std::nullopt;
        len_ = static_cast<size_t>(r);
        pos_ = 0;
      }
      char c = buf_[pos_++];
      ++consumed_;
      if (c == '\n') return s;
      s += c;
      if (s.size() > kMaxHeaderLine) return std::nullopt;
    }
  }
  uint64_t consumed() const { return consumed_; }

 private:
  int fd_;
  const fs::path& path_;
  char buf_[512];
  size_t pos_ = 0, len_ = 0;
  uint64_t consumed_ = 0;
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int open_read_only(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Error(ExitCode::evidence_unreadable, "cannot open " + file.string() + ": " + std::strerror(errno));
  return fd;
}

std::vector<unsigned char> from_hex(const std::string& hex, const fs::path& file, const char* field) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2)
    throw Error(ExitCode::corrupt_input,
                "damaged Android backup header in " + file.string() + ": " + field + " is not hex");
  std::vector<unsigned char> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      throw Error(ExitCode::corrupt_input,
                  "damaged Android backup header in " + file.string() + ": " + field + " is not hex");
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return out;
}

std::vector<unsigned char> pbkdf2_sha1(const unsigned char* pass, size_t pass_len,
                                       const std::vector<unsigned char>& salt, int rounds) {
  std::vector<unsigned char> key(32);
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(pass), static_cast<int>(pass_len), salt.data(),
                        static_cast<int>(salt.size()), rounds, EVP_sha1(), 32, key.data()) != 1)
    throw Error(ExitCode::failure, "OpenSSL PBKDF2 failed");
  return key;
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

// AES-256-CBC with PKCS#5 padding over a small buffer; nullopt when the padding is wrong (wrong key).
std::optional<std::vector<unsigned char>> aes_cbc_decrypt_small(const std::vector<unsigned char>& key,
                                                                const std::vector<unsigned char>& iv,
                                                                const std::vector<unsigned char>& data) {
  CipherCtx c;
  if (!c.ctx || iv.size() != 16 || key.size() != 32) return std::nullopt;
  std::vector<unsigned char> out(data.size() + 32);
  int n1 = 0, n2 = 0;
  if (EVP_DecryptInit_ex(c.ctx, EVP_aes_256_cbc(), nullptr, key.data(), iv.data()) != 1) return std::nullopt;
  if (EVP_DecryptUpdate(c.ctx, out.data(), &n1, data.data(), static_cast<int>(data.size())) != 1)
    return std::nullopt;
  if (EVP_DecryptFinal_ex(c.ctx, out.data() + n1, &n2) != 1) return std::nullopt;
  out.resize(static_cast<size_t>(n1 + n2));
  return out;
}

}  // namespace

bool has_magic(const fs::path& file) {
  Fd f{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return false;
  char buf[kMagicLine.size()];
  size_t got = 0;
  while (got < sizeof buf) {
    ssize_t r = ::read(f.fd, buf + got, sizeof buf - got);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return std::string_view(buf, sizeof buf) == kMagicLine;
}

static Header parse_header(int fd, const fs::path& file) {
  LineReader lines(fd, file);
  auto need = [&](const char* what) {
    auto l = lines.line();
    if (!l)
      throw Error(ExitCode::corrupt_input,
                  "damaged Android backup header in " + file.string() + ": missing line '" + what + "'");
    return *l;
  };
  auto magic = lines.line();
  if (!magic || *magic != "ANDROID BACKUP")
    throw Error(ExitCode::unknown_format,
                file.string() + " is not an Android backup (no 'ANDROID BACKUP' line)");
  Header h;
  std::string version = need("format version");
  try {
    h.version = std::stoi(version);
  } catch (...) {
    h.version = 0;
  }
  if (h.version < 1 || h.version > 5)
    throw Error(ExitCode::unknown_format, "Android backup " + file.string() + " has format version '" +
                                              version + "'; versions 1-5 are known");
  std::string compressed = need("compressed flag");
  if (compressed != "0" && compressed != "1")
    throw Error(ExitCode::corrupt_input, "damaged Android backup header in " + file.string() +
                                             ": compressed flag is '" + compressed + "' (expected 0 or 1)");
  h.compressed = compressed == "1";
  h.encryption = need("encryption");
  if (h.encryption == "AES-256") {
    h.user_salt = from_hex(need("user password salt"), file, "user password salt");
    h.checksum_salt = from_hex(need("master key checksum salt"), file, "master key checksum salt");
    std::string rounds = need("PBKDF2 rounds");
    try {
      h.rounds = std::stoi(rounds);
    } catch (...) {
      h.rounds = 0;
    }
    if (h.rounds <= 0 || h.rounds > 10'000'000)
      throw Error(ExitCode::corrupt_input,
                  "damaged Android backup header in " + file.string() + ": PBKDF2 rounds '" + rounds + "'");
    h.user_iv = from_hex(need("user key IV"), file, "user key IV");
    h.master_key_blob = from_hex(need("master key blob"), file, "master key blob");
    if (h.user_iv.size() != 16)
      throw Error(ExitCode::corrupt_input,
                  "damaged Android backup header in " + file.string() + ": IV is not 16 bytes");
  } else if (h.encryption != "none") {
    throw Error(ExitCode::unknown_format, "Android backup " + file.string() + " uses encryption '" +
                                              h.encryption + "'; only 'none' and 'AES-256' are known");
  }
  h.payload_offset = lines.consumed();
  return h;
}

Header read_header(const fs::path& file) {
  Fd f{open_read_only(file)};
  return parse_header(f.fd, file);
}

std::vector<unsigned char> java_utf8_of_signed_bytes(const std::vector<unsigned char>& key) {
  std::vector<unsigned char> out;
  out.reserve(key.size() * 3);
  for (unsigned char b : key) {
    if (b < 0x80) {
      out.push_back(b);
    } else {
      // (char)(byte)b == 0xFF00 | b: a 3-byte UTF-8 sequence.
      unsigned cp = 0xFF00u | b;
      out.push_back(static_cast<unsigned char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

struct TarStream::Impl {
  fs::path file;
  Fd fd;
  Header header;
  std::string checksum_encoding;
  CipherCtx cipher;
  bool cipher_done = false;  // EVP_DecryptFinal_ex ran
  bool file_eof = false;
  z_stream z{};
  bool z_init = false, z_end = false;
  std::vector<unsigned char> raw = std::vector<unsigned char>(kChunk);         // bytes from the file
  std::vector<unsigned char> plain = std::vector<unsigned char>(kChunk + 32);  // decrypted, not yet used
  size_t plain_pos = 0, plain_len = 0;
  MultiHasher tar_hash;
  bool finished = false;
  Digests final_digests;

  ~Impl() {
    if (z_init) inflateEnd(&z);
  }

  [[noreturn]] void corrupt(const std::string& what) {
    throw Error(ExitCode::corrupt_input,
                "damaged or truncated Android backup " + file.string() + ": " + what);
  }

  // Refills `plain` from the file (decrypting when needed). Returns false at the end of the payload.
  bool refill_plain() {
    plain_pos = plain_len = 0;
    while (plain_len == 0) {
      if (file_eof) {
        if (header.encrypted() && !cipher_done) {
          int n = 0;
          cipher_done = true;
          if (EVP_DecryptFinal_ex(cipher.ctx, plain.data(), &n) != 1)
            corrupt("the encrypted payload ends with bad padding (truncated, or not written completely)");
          plain_len = static_cast<size_t>(n);
          continue;
        }
        return false;
      }
      ssize_t r = ::read(fd.fd, raw.data(), raw.size());
      if (r < 0)
        throw Error(ExitCode::evidence_unreadable,
                    "cannot read " + file.string() + ": " + std::strerror(errno));
      if (r == 0) {
        file_eof = true;
        continue;
      }
      if (!header.encrypted()) {
        std::memcpy(plain.data(), raw.data(), static_cast<size_t>(r));
        plain_len = static_cast<size_t>(r);
      } else {
        int n = 0;
        if (EVP_DecryptUpdate(cipher.ctx, plain.data(), &n, raw.data(), static_cast<int>(r)) != 1)
          corrupt("AES decryption failed");
        plain_len = static_cast<size_t>(n);
      }
    }
    return true;
  }

  size_t read_plain(unsigned char* out, size_t n) {
    if (plain_pos == plain_len && !refill_plain()) return 0;
    size_t k = std::min(n, plain_len - plain_pos);
    std::memcpy(out, plain.data() + plain_pos, k);
    plain_pos += k;
    return k;
  }

  size_t read_inflated(unsigned char* out, size_t n) {
    if (z_end) return 0;
    z.next_out = out;
    z.avail_out = static_cast<uInt>(n);
    while (z.avail_out == n) {
      if (z.avail_in == 0) {
        if (plain_pos == plain_len && !refill_plain())
          corrupt("the zlib stream ends early (no end-of-stream marker)");
        z.next_in = plain.data() + plain_pos;
        z.avail_in = static_cast<uInt>(plain_len - plain_pos);
        plain_pos = plain_len;
      }
      int rc = inflate(&z, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        z_end = true;
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        corrupt(std::string("zlib: ") + (z.msg ? z.msg : "inflate failed"));
    }
    return n - z.avail_out;
  }
};

TarStream::TarStream(const fs::path& file, const std::optional<std::string>& password)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.file = file;
  m.fd.fd = open_read_only(file);
  m.header = parse_header(m.fd.fd, file);
  if (::lseek(m.fd.fd, static_cast<off_t>(m.header.payload_offset), SEEK_SET) < 0)
    throw Error(ExitCode::evidence_unreadable,
                "cannot seek in " + file.string() + ": " + std::strerror(errno));
  const Header& h = m.header;
  if (h.encrypted()) {
    if (!password)
      throw Error(ExitCode::usage,
                  "Android backup " + file.string() +
                      " is encrypted (AES-256): give the backup password with --password or "
                      "--password-file / 暗号化されたバックアップです。パスワードを指定してください");
    auto user_key = pbkdf2_sha1(reinterpret_cast<const unsigned char*>(password->data()), password->size(),
                                h.user_salt, h.rounds);
    auto blob = aes_cbc_decrypt_small(user_key, h.user_iv, h.master_key_blob);
    std::vector<unsigned char> mk_iv, mk, ck;
    bool parsed = false;
    if (blob) {
      // u8 ivLen, iv, u8 mkLen, mk, u8 ckLen, ck
      const auto& b = *blob;
      size_t p = 0;
      auto take = [&](std::vector<unsigned char>& out) {
        if (p >= b.size()) return false;
        size_t len = b[p++];
        if (p + len > b.size()) return false;
        out.assign(b.begin() + static_cast<long>(p), b.begin() + static_cast<long>(p + len));
        p += len;
        return true;
      };
      parsed = take(mk_iv) && take(mk) && take(ck) && mk_iv.size() == 16 && mk.size() == 32;
    }
    auto wrong_password = [&] {
      throw Error(ExitCode::evidence_unreadable,
                  "wrong password for the encrypted Android backup " + file.string() +
                      " (the master-key checksum does not match) / "
                      "パスワードが違います（マスターキーの検査値が一致しません）");
    };
    if (!parsed) wrong_password();
    // Version 1 hashes the raw key bytes; version >= 2 the Java UTF-8 form. Try the expected one first and
    // the other after it, as some tools wrote the "wrong" one for their version.
    auto raw_ck = [&] { return pbkdf2_sha1(mk.data(), mk.size(), h.checksum_salt, h.rounds); };
    auto java_ck = [&] {
      auto utf8 = java_utf8_of_signed_bytes(mk);
      return pbkdf2_sha1(utf8.data(), utf8.size(), h.checksum_salt, h.rounds);
    };
    bool v1 = h.version == 1;
    if ((v1 ? raw_ck() : java_ck()) == ck) {
      m.checksum_encoding = v1 ? "raw key bytes (v1)" : "Java UTF-8 of sign-extended key bytes (v2+)";
    } else if ((v1 ? java_ck() : raw_ck()) == ck) {
      m.checksum_encoding = v1 ? "Java UTF-8 of sign-extended key bytes (unexpected for v1)"
                               : "raw key bytes (unexpected for v2+)";
    } else {
      wrong_password();
    }
    if (!m.cipher.ctx ||
        EVP_DecryptInit_ex(m.cipher.ctx, EVP_aes_256_cbc(), nullptr, mk.data(), mk_iv.data()) != 1)
      throw Error(ExitCode::failure, "OpenSSL AES init failed");
    OPENSSL_cleanse(mk.data(), mk.size());
    OPENSSL_cleanse(user_key.data(), user_key.size());
  }
  if (h.compressed) {
    if (inflateInit(&m.z) != Z_OK) throw Error(ExitCode::failure, "zlib init failed");
    m.z_init = true;
  }
}

TarStream::~TarStream() = default;

size_t TarStream::read(void* buffer, size_t n) {
  Impl& m = *impl_;
  if (m.finished || n == 0) return 0;
  auto* out = static_cast<unsigned char*>(buffer);
  size_t got = m.header.compressed ? m.read_inflated(out, n) : m.read_plain(out, n);
  if (got == 0) {
    if (m.header.compressed) {
      // Drain the cipher so its padding is checked even when the zlib stream ended first.
      while (m.plain_pos < m.plain_len || m.refill_plain()) m.plain_pos = m.plain_len;
    }
    m.finished = true;
    m.final_digests = m.tar_hash.finish();
    return 0;
  }
  m.tar_hash.update(out, got);
  return got;
}

const Header& TarStream::header() const { return impl_->header; }
bool TarStream::finished() const { return impl_->finished; }
Digests TarStream::tar_digests() const { return impl_->final_digests; }
std::string TarStream::checksum_encoding() const { return impl_->checksum_encoding; }

}  // namespace kanshiki::android_backup
