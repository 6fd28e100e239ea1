#pragma once
// MD5 + SHA-1 + SHA-256 of a stream in one read pass (OpenSSL EVP behind RAII). MD5 is the slowest of the
// three, so large inputs are hashed on two threads: one runs MD5, the other SHA-1 and SHA-256, over the
// same buffers, which brings the combined rate close to MD5 alone.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/byte_reader.h"

namespace kanshiki {

struct Digests {
  std::string md5, sha1, sha256;  // lower-case hex
  uint64_t size = 0;
};

enum class HashAlgo { md5, sha1, sha256 };

// One incremental EVP digest, RAII.
class Digest {
 public:
  explicit Digest(HashAlgo algo);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void update(const void* data, size_t n);
  std::string hex_final();

 private:
  void* ctx_;  // EVP_MD_CTX*
};

// All three, single-threaded; for small inputs and for incremental use.
class MultiHasher {
 public:
  MultiHasher() : md5_(HashAlgo::md5), sha1_(HashAlgo::sha1), sha256_(HashAlgo::sha256) {}
  void update(const void* data, size_t n) {
    md5_.update(data, n);
    sha1_.update(data, n);
    sha256_.update(data, n);
    size_ += n;
  }
  Digests finish() { return Digests{md5_.hex_final(), sha1_.hex_final(), sha256_.hex_final(), size_}; }

 private:
  Digest md5_, sha1_, sha256_;
  uint64_t size_ = 0;
};

struct HashOptions {
  // Called with every chunk as it is read (e.g. to write a working copy while hashing). May throw.
  std::function<void(const void*, size_t)> tee;
  // Called after each chunk with the running byte count (progress bars).
  std::function<void(uint64_t)> progress;
  size_t chunk_size = 1 << 20;
  bool parallel = true;  // two hashing threads once the input exceeds one chunk
};

Digests hash_stream(ByteReader& in, const HashOptions& options = {});
Digests hash_file(const std::filesystem::path& path, const HashOptions& options = {});
std::string sha256_hex(std::string_view data);
std::string to_hex(const unsigned char* data, size_t n);
inline std::string to_hex(std::string_view bytes) {
  return to_hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

// Reads a regular file with O_RDONLY (never anything else: evidence is never opened for writing).
class FileByteReader final : public ByteReader {
 public:
  explicit FileByteReader(const std::filesystem::path& path);
  // Opens `name` in the directory open as `dir_fd` (openat): a file below PATH_MAX-deep folders stays
  // readable. `display` names the file in errors.
  FileByteReader(int dir_fd, const std::string& name, std::filesystem::path display);
  ~FileByteReader() override;
  FileByteReader(const FileByteReader&) = delete;
  FileByteReader& operator=(const FileByteReader&) = delete;
  size_t read(void* buffer, size_t n) override;

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

// Reads a small file (a plist, a key file) whole through FileByteReader; throws Error(corrupt_input) naming
// the file once it exceeds max_bytes, so a crafted giant file cannot exhaust memory.
std::string read_small_file(const std::filesystem::path& path, uint64_t max_bytes);

}  // namespace kanshiki
