// Raw/dd containers (single file or split segments), container sniffing, and whole-media verification.
#include "core/image/container.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "core/image/ewf_container.h"
#include "core/image/simg_container.h"
#include "hashing/multi_hash.h"

namespace kanshiki::image {

namespace fs = std::filesystem;

std::string_view container_format_name(ContainerFormat f) {
  switch (f) {
    case ContainerFormat::raw:
      return "raw";
    case ContainerFormat::ewf:
      return "ewf";
    case ContainerFormat::android_sparse:
      return "android-sparse";
  }
  return "unknown";
}

namespace {

// Opens read-only; O_NOATIME where the kernel allows it (owner or CAP_FOWNER), so reading evidence does not
// even touch its access time.
int open_readonly(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  return fd;
}

// Reads up to n bytes at `offset` of a file, retrying short reads; returns bytes read (short only at EOF).
size_t pread_full(int fd, void* buffer, size_t n, uint64_t offset, const fs::path& path) {
  size_t done = 0;
  auto* out = static_cast<char*>(buffer);
  while (done < n) {
    ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(ExitCode::evidence_unreadable, fmt::format("cannot read {} at byte {}: {}", path.string(),
                                                             offset + done, std::strerror(errno)));
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

bool has_suffix_ci(std::string name, std::string_view suffix) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "disk.001" -> "disk.002", ...; keeps the digit count (".001" .. ".999", then ".1000").
fs::path split_segment_name(const fs::path& first, unsigned index) {
  std::string s = first.string();
  size_t dot = s.rfind('.');
  size_t width = s.size() - dot - 1;
  return fs::path(s.substr(0, dot + 1) + fmt::format("{:0{}}", index, width));
}

class RawContainer final : public ImageContainer {
 public:
  explicit RawContainer(const fs::path& path) {
    std::string ext = path.extension().string();
    bool split = ext.size() >= 4 && std::all_of(ext.begin() + 1, ext.end(), ::isdigit) &&
                 std::stoul(ext.substr(1)) == 1;
    files_.push_back(path);
    if (split) {
      for (unsigned i = 2;; ++i) {
        fs::path next = split_segment_name(path, i);
        std::error_code ec;
        if (!fs::is_regular_file(next, ec)) break;
        files_.push_back(next);
      }
    }
    uint64_t start = 0;
    for (const fs::path& f : files_) {
      Segment seg;
      seg.fd = open_readonly(f);
      if (seg.fd < 0)
        throw Error(ExitCode::evidence_unreadable,
                    fmt::format("cannot open image segment {}: {}", f.string(), std::strerror(errno)));
      struct stat st {};
      ::fstat(seg.fd, &st);
      seg.start = start;
      seg.size = static_cast<uint64_t>(st.st_size);
      start += seg.size;
      segments_.push_back(seg);
      if (seg.size == 0 && files_.size() > 1)
        throw Error(ExitCode::corrupt_input, "split image segment " + f.string() + " is empty (0 bytes)");
    }
    size_ = start;
  }
  ~RawContainer() override {
    for (const Segment& s : segments_)
      if (s.fd >= 0) ::close(s.fd);
  }
  ContainerFormat format() const override { return ContainerFormat::raw; }
  std::string description() const override {
    return files_.size() == 1 ? "raw (dd) image"
                              : fmt::format("raw (dd) image in {} split segments", files_.size());
  }
  uint64_t media_size() const override { return size_; }
  const std::vector<fs::path>& files() const override { return files_; }

  size_t read_at(uint64_t offset, void* buffer, size_t n) override {
    if (offset >= size_) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    size_t done = 0;
    auto* out = static_cast<char*>(buffer);
    // Segments are few; a linear search from the last hit is enough.
    while (done < n) {
      uint64_t at = offset + done;
      while (hint_ > 0 && segments_[hint_].start > at) --hint_;
      while (hint_ + 1 < segments_.size() && segments_[hint_].start + segments_[hint_].size <= at) ++hint_;
      const Segment& seg = segments_[hint_];
      size_t want = static_cast<size_t>(std::min<uint64_t>(n - done, seg.start + seg.size - at));
      size_t got = pread_full(seg.fd, out + done, want, at - seg.start, files_[hint_]);
      if (got < want)  // the file shrank since it was opened
        throw Error(ExitCode::corrupt_input, fmt::format("image segment {} ended early at media byte {}",
                                                         files_[hint_].string(), at + got));
      done += got;
    }
    return done;
  }

 private:
  struct Segment {
    int fd = -1;
    uint64_t start = 0, size = 0;
  };
  std::vector<fs::path> files_;
  std::vector<Segment> segments_;
  uint64_t size_ = 0;
  size_t hint_ = 0;
};

bool read_head(const fs::path& path, unsigned char* buf, size_t n, size_t& got) {
  int fd = open_readonly(path);
  if (fd < 0) return false;
  try {
    got = pread_full(fd, buf, n, 0, path);
  } catch (const Error&) {
    ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

uint16_t le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// A FAT or NTFS volume boot record: x86 jump (EB xx 90 or E9 xx xx) and a power-of-two sector size at 11.
bool looks_like_boot_sector(const unsigned char* s) {
  bool jump = (s[0] == 0xEB && s[2] == 0x90) || s[0] == 0xE9;
  uint16_t bytes_per_sector = le16(s + 11);
  return jump && (bytes_per_sector == 512 || bytes_per_sector == 1024 || bytes_per_sector == 2048 ||
                  bytes_per_sector == 4096);
}

// A DOS partition table: four 16-byte entries at 446 whose status is 00 or 80, at least one with a type, a
// start and a length.
bool looks_like_partition_table(const unsigned char* s) {
  bool any = false;
  for (int i = 0; i < 4; ++i) {
    const unsigned char* e = s + 446 + 16 * i;
    if (e[0] != 0x00 && e[0] != 0x80) return false;
    if (e[4] != 0 && le32(e + 8) != 0 && le32(e + 12) != 0) any = true;
  }
  return any;
}

}  // namespace

std::optional<ContainerFormat> sniff_container(const fs::path& path) {
  unsigned char head[16] = {};
  size_t got = 0;
  if (!read_head(path, head, sizeof head, got) || got < 8) return std::nullopt;
  // EWF version 1 ("EVF" E01, also "LVF" logical L01 which is not media) and EWF version 2 ("EVF2" Ex01).
  static const unsigned char kEvf1[8] = {'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00};
  static const unsigned char kEvf2[8] = {'E', 'V', 'F', '2', 0x0d, 0x0a, 0x81, 0x00};
  if (std::memcmp(head, kEvf1, 8) == 0 || std::memcmp(head, kEvf2, 8) == 0) return ContainerFormat::ewf;
  if (le32(head) == kSparseMagic) return ContainerFormat::android_sparse;
  return std::nullopt;
}

bool has_raw_image_name(const fs::path& path) {
  // Not ".bin": too generic (firmware blobs, anything); a .bin disk image is still found by its signature.
  for (std::string_view ext : {".img", ".dd", ".raw", ".001"})
    if (has_suffix_ci(path.filename().string(), ext)) return true;
  return false;
}

bool has_media_signature(const fs::path& path) {
  unsigned char head[4096] = {};
  size_t got = 0;
  if (!read_head(path, head, sizeof head, got) || got < 2048) return false;
  // Archives and compressed streams whose data might happen to hold 0x55AA at byte 510.
  static const char* kNotMedia[] = {"PK\x03\x04",
                                    "\x1f\x8b",
                                    "BZh",
                                    "\xfd"
                                    "7zXZ",
                                    "\x28\xb5\x2f\xfd",
                                    "7z\xbc\xaf"};
  for (const char* m : kNotMedia)
    if (std::memcmp(head, m, std::strlen(m)) == 0) return false;
  if (std::memcmp(head + 257, "ustar", 5) == 0) return false;    // a tar header
  if (std::memcmp(head + 512, "EFI PART", 8) == 0) return true;  // GPT header at LBA 1
  // ext2/3/4 superblock at 1024: magic 53 EF at 0x38, with a sane block-size exponent and non-zero counts.
  const unsigned char* sb = head + 1024;
  if (le16(sb + 0x38) == 0xEF53 && le32(sb + 0x18) <= 6 && le32(sb) != 0 && le32(sb + 0x20) != 0) return true;
  // HFS+ / HFSX volume header at 1024: signature and its version (4 or 5, big-endian).
  if ((std::memcmp(sb, "H+", 2) == 0 && sb[2] == 0 && sb[3] == 4) ||
      (std::memcmp(sb, "HX", 2) == 0 && sb[2] == 0 && sb[3] == 5))
    return true;
  if (std::memcmp(head + 32, "NXSB", 4) == 0) return true;     // APFS container superblock
  if (std::memcmp(head + 3, "EXFAT   ", 8) == 0) return true;  // exFAT boot sector
  // MBR or FAT/NTFS boot sector: the 0x55AA signature alone would match 1 in 65536 arbitrary files, so the
  // sector must also look like one of them.
  if (head[510] != 0x55 || head[511] != 0xAA) return false;
  return looks_like_boot_sector(head) || looks_like_partition_table(head);
}

std::unique_ptr<ImageContainer> open_container(const fs::path& path, ContainerFormat format) {
  switch (format) {
    case ContainerFormat::raw:
      return std::make_unique<RawContainer>(path);
    case ContainerFormat::ewf:
      return open_ewf_container(path);
    case ContainerFormat::android_sparse:
      return open_sparse_container(path);
  }
  throw Error(ExitCode::failure, "unhandled image container format");
}

MediaVerification verify_media(ImageContainer& c, const std::function<void(uint64_t)>& progress) {
  MediaVerification v;
  v.stored = c.stored_hashes();
  MediaReader reader(c);
  HashOptions ho;
  ho.progress = progress;
  Digests d;
  try {
    d = hash_stream(reader, ho);
  } catch (const Error& e) {
    v.complete = false;
    v.errors.push_back(std::string("the media could not be read to the end: ") + e.what());
    for (std::string& s : c.integrity_errors()) v.errors.push_back(std::move(s));
    return v;
  }
  v.size = d.size;
  v.md5 = d.md5;
  v.sha1 = d.sha1;
  v.sha256 = d.sha256;
  for (std::string& s : c.integrity_errors()) v.errors.push_back(std::move(s));
  if (v.stored.md5 && *v.stored.md5 != v.md5) {
    v.md5_matches = false;
    v.errors.push_back(
        fmt::format("MD5 stored in the container ({}) does not match the MD5 of the media read now "
                    "({}): the image is not what was acquired",
                    *v.stored.md5, v.md5));
  }
  if (v.stored.sha1 && *v.stored.sha1 != v.sha1) {
    v.sha1_matches = false;
    v.errors.push_back(
        fmt::format("SHA-1 stored in the container ({}) does not match the SHA-1 of the media read "
                    "now ({}): the image is not what was acquired",
                    *v.stored.sha1, v.sha1));
  }
  return v;
}

}  // namespace kanshiki::image
