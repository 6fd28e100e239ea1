#include "hashing/multi_hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"

namespace kanshiki {

std::string to_hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

Digest::Digest(HashAlgo algo) : ctx_(EVP_MD_CTX_new()) {
  const EVP_MD* md = algo == HashAlgo::md5 ? EVP_md5() : algo == HashAlgo::sha1 ? EVP_sha1() : EVP_sha256();
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), md, nullptr) != 1)
    throw Error(ExitCode::failure, "OpenSSL digest initialisation failed");
}

Digest::~Digest() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Digest::update(const void* data, size_t n) {
  if (n) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, n);
}

std::string Digest::hex_final() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return to_hex(out, len);
}

std::string sha256_hex(std::string_view data) {
  Digest d(HashAlgo::sha256);
  d.update(data.data(), data.size());
  return d.hex_final();
}

namespace {

// Ring of chunk buffers shared by the reader (this thread) and two hashing threads. Chunk c lives in slot
// c % kSlots; the reader may refill a slot once both hashers are past it.
class ParallelHasher {
 public:
  static constexpr size_t kSlots = 8;

  explicit ParallelHasher(size_t chunk) : chunk_(chunk), slots_(kSlots, std::vector<unsigned char>(chunk)), lens_(kSlots) {
    md5_thread_ = std::thread([this] { work(0); });
    sha_thread_ = std::thread([this] { work(1); });
  }
  ~ParallelHasher() {
    {
      std::lock_guard lk(mu_);
      eof_ = true;
      aborted_ = true;
    }
    cv_.notify_all();
    if (md5_thread_.joinable()) md5_thread_.join();
    if (sha_thread_.joinable()) sha_thread_.join();
  }

  // Returns the slot to fill for the next chunk, waiting for both hashers to release it.
  unsigned char* acquire() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return produced_ < std::min(done_[0], done_[1]) + kSlots; });
    return slots_[produced_ % kSlots].data();
  }
  void publish(size_t len) {
    {
      std::lock_guard lk(mu_);
      lens_[produced_ % kSlots] = len;
      ++produced_;
    }
    cv_.notify_all();
  }
  Digests finish(uint64_t size) {
    {
      std::lock_guard lk(mu_);
      eof_ = true;
    }
    cv_.notify_all();
    md5_thread_.join();
    sha_thread_.join();
    return Digests{md5_.hex_final(), sha1_.hex_final(), sha256_.hex_final(), size};
  }

 private:
  void work(int which) {
    for (uint64_t c = 0;; ++c) {
      size_t len;
      const unsigned char* data;
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return produced_ > c || eof_; });
        if (produced_ <= c) return;  // end of input (or aborted)
        len = lens_[c % kSlots];
        data = slots_[c % kSlots].data();
      }
      if (which == 0) {
        md5_.update(data, len);
      } else {
        sha1_.update(data, len);
        sha256_.update(data, len);
      }
      {
        std::lock_guard lk(mu_);
        done_[which] = c + 1;
      }
      cv_.notify_all();
    }
  }

  size_t chunk_;
  std::vector<std::vector<unsigned char>> slots_;
  std::vector<size_t> lens_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t produced_ = 0;
  uint64_t done_[2] = {0, 0};
  bool eof_ = false;
  bool aborted_ = false;
  Digest md5_{HashAlgo::md5}, sha1_{HashAlgo::sha1}, sha256_{HashAlgo::sha256};
  std::thread md5_thread_, sha_thread_;
};

// Fill the buffer as far as possible (readers may return short counts).
size_t read_full(ByteReader& in, unsigned char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    size_t r = in.read(buf + got, n - got);
    if (r == 0) break;
    got += r;
  }
  return got;
}

}  // namespace

Digests hash_stream(ByteReader& in, const HashOptions& opt) {
  std::vector<unsigned char> first(opt.chunk_size);
  size_t n = read_full(in, first.data(), first.size());
  uint64_t total = n;
  if (opt.tee && n) opt.tee(first.data(), n);
  if (opt.progress) opt.progress(total);
  if (n < first.size() || !opt.parallel) {
    MultiHasher h;
    h.update(first.data(), n);
    while (n == first.size()) {
      n = read_full(in, first.data(), first.size());
      if (!n) break;
      total += n;
      h.update(first.data(), n);
      if (opt.tee) opt.tee(first.data(), n);
      if (opt.progress) opt.progress(total);
    }
    return h.finish();
  }
  ParallelHasher ph(opt.chunk_size);
  std::memcpy(ph.acquire(), first.data(), n);
  ph.publish(n);
  first.clear();
  first.shrink_to_fit();
  for (;;) {
    unsigned char* slot = ph.acquire();
    size_t r = read_full(in, slot, opt.chunk_size);
    if (!r) break;
    if (opt.tee) opt.tee(slot, r);
    ph.publish(r);
    total += r;
    if (opt.progress) opt.progress(total);
    if (r < opt.chunk_size) break;
  }
  return ph.finish(total);
}

FileByteReader::FileByteReader(const std::filesystem::path& path)
    : FileByteReader(AT_FDCWD, path.string(), path) {}

FileByteReader::FileByteReader(int dir_fd, const std::string& name, std::filesystem::path display)
    : path_(std::move(display)) {
  // O_NOATIME: reading evidence must not even change its access times (allowed for the file's owner or
  // root; otherwise the kernel refuses it and we read without it).
  fd_ = ::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
  if (fd_ < 0 && errno == EPERM) fd_ = ::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd_ < 0)
    throw Error(ExitCode::evidence_unreadable,
                "cannot open " + path_.string() + " for reading: " + std::strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

FileByteReader::~FileByteReader() {
  if (fd_ >= 0) ::close(fd_);
}

size_t FileByteReader::read(void* buffer, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd_, buffer, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    throw Error(ExitCode::evidence_unreadable, "read error on " + path_.string() + ": " + std::strerror(errno));
  }
}

Digests hash_file(const std::filesystem::path& path, const HashOptions& options) {
  FileByteReader reader(path);
  return hash_stream(reader, options);
}

std::string read_small_file(const std::filesystem::path& path, uint64_t max_bytes) {
  FileByteReader reader(path);
  std::string data;
  char buf[64 * 1024];
  for (size_t n; (n = reader.read(buf, sizeof buf)) > 0;) {
    data.append(buf, n);
    if (data.size() > max_bytes)
      throw Error(ExitCode::corrupt_input,
                  path.string() + " is larger than " + std::to_string(max_bytes) + " bytes: not read whole");
  }
  return data;
}

}  // namespace kanshiki
