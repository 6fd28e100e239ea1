// Android sparse image reader. The chunk index (one small record per chunk) is built once from the chunk
// headers; reads then binary-search it. Memory is proportional to the number of chunks, not to the media.
#include "core/image/simg_container.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace kanshiki::image {

namespace fs = std::filesystem;

namespace {

uint16_t le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

class SparseContainer final : public ImageContainer {
 public:
  explicit SparseContainer(const fs::path& path) : files_{path} {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (fd_ < 0 && errno == EPERM) fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      throw Error(ExitCode::evidence_unreadable,
                  "cannot open " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    ::fstat(fd_, &st);
    file_size_ = static_cast<uint64_t>(st.st_size);
    try {
      index();
    } catch (...) {
      ::close(fd_);
      throw;
    }
  }
  ~SparseContainer() override { ::close(fd_); }
  ContainerFormat format() const override { return ContainerFormat::android_sparse; }
  std::string description() const override {
    return fmt::format("Android sparse image (simg v{}.{}), {} chunks, {}-byte blocks, expanded on the fly",
                       major_, minor_, chunks_.size(), block_size_);
  }
  uint64_t media_size() const override { return media_size_; }
  const std::vector<fs::path>& files() const override { return files_; }

  size_t read_at(uint64_t offset, void* buffer, size_t n) override {
    if (offset >= media_size_) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, media_size_ - offset));
    auto* out = static_cast<unsigned char*>(buffer);
    size_t done = 0;
    while (done < n) {
      uint64_t at = offset + done;
      // Last chunk whose media start is <= at.
      auto it = std::upper_bound(chunks_.begin(), chunks_.end(), at,
                                 [](uint64_t v, const Chunk& c) { return v < c.media_start; });
      const Chunk& c = *(it - 1);
      uint64_t within = at - c.media_start;
      size_t want = static_cast<size_t>(std::min<uint64_t>(n - done, c.media_length - within));
      switch (c.type) {
        case kChunkRaw:
          pread_exact(out + done, want, c.file_offset + within, c);
          break;
        case kChunkFill:
          for (size_t i = 0; i < want; ++i) out[done + i] = c.fill[(within + i) % 4];
          break;
        default:  // DONT_CARE: unspecified blocks read back as zeros, as simg2img writes them
          std::memset(out + done, 0, want);
      }
      done += want;
    }
    return done;
  }

 private:
  struct Chunk {
    uint64_t media_start = 0, media_length = 0;
    uint64_t file_offset = 0;  // RAW: where the data starts in the file
    uint16_t type = 0;
    unsigned char fill[4] = {};
    uint32_t number = 0;
  };

  [[noreturn]] void corrupt(const std::string& what) const {
    throw Error(ExitCode::corrupt_input, "Android sparse image " + files_.front().string() + ": " + what);
  }

  void pread_exact(void* buf, size_t n, uint64_t offset, const Chunk& c) {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, static_cast<char*>(buf) + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0)
        corrupt(fmt::format("chunk {} (media offset {}): cannot read its data at file offset {}: {}",
                            c.number, c.media_start, offset + done,
                            r < 0 ? std::strerror(errno) : "the file ends there"));
      done += static_cast<size_t>(r);
    }
  }

  void read_header_bytes(unsigned char* buf, size_t n, uint64_t offset, const char* what) {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, buf + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0)
        corrupt(fmt::format("truncated: the {} at file offset {} is incomplete (file is {} bytes)", what,
                            offset, file_size_));
      done += static_cast<size_t>(r);
    }
  }

  void index() {
    unsigned char h[SparseFileHeader::size_v1];
    read_header_bytes(h, sizeof h, 0, "file header");
    if (le32(h + SparseFileHeader::magic) != kSparseMagic) corrupt("not a sparse image (bad magic)");
    major_ = le16(h + SparseFileHeader::major_version);
    minor_ = le16(h + SparseFileHeader::minor_version);
    uint16_t file_header_size = le16(h + SparseFileHeader::file_header_size);
    uint16_t chunk_header_size = le16(h + SparseFileHeader::chunk_header_size);
    block_size_ = le32(h + SparseFileHeader::block_size);
    uint32_t total_blocks = le32(h + SparseFileHeader::total_blocks);
    uint32_t total_chunks = le32(h + SparseFileHeader::total_chunks);
    if (major_ != 1) corrupt(fmt::format("unsupported major version {} (only 1 is defined)", major_));
    if (file_header_size < SparseFileHeader::size_v1 || chunk_header_size < SparseChunkHeader::size_v1)
      corrupt(fmt::format("header sizes {}/{} are smaller than the format's 28/12", file_header_size,
                          chunk_header_size));
    if (block_size_ == 0 || block_size_ % 4 != 0)
      corrupt(fmt::format("block size {} is not a positive multiple of 4", block_size_));
    media_size_ = static_cast<uint64_t>(total_blocks) * block_size_;
    uint64_t file_offset = file_header_size;
    uint64_t media = 0;
    chunks_.reserve(std::min<uint32_t>(total_chunks, 1u << 20));
    for (uint32_t i = 0; i < total_chunks; ++i) {
      unsigned char ch[SparseChunkHeader::size_v1];
      read_header_bytes(ch, sizeof ch, file_offset,
                        fmt::format("header of chunk {} of {}", i, total_chunks).c_str());
      Chunk c;
      c.number = i;
      c.type = le16(ch + SparseChunkHeader::chunk_type);
      uint32_t blocks = le32(ch + SparseChunkHeader::chunk_blocks);
      uint32_t total_size = le32(ch + SparseChunkHeader::total_size);
      c.media_start = media;
      c.media_length = static_cast<uint64_t>(blocks) * block_size_;
      uint64_t data_size = total_size >= chunk_header_size ? total_size - chunk_header_size : 0;
      if (total_size < chunk_header_size)
        corrupt(fmt::format("chunk {} at file offset {}: size {} is smaller than its header", i, file_offset,
                            total_size));
      switch (c.type) {
        case kChunkRaw:
          if (data_size != c.media_length)
            corrupt(fmt::format("RAW chunk {} at file offset {}: holds {} bytes for {} blocks of {}", i,
                                file_offset, data_size, blocks, block_size_));
          c.file_offset = file_offset + chunk_header_size;
          if (c.file_offset + data_size > file_size_)
            corrupt(fmt::format(
                "truncated: RAW chunk {} (media offset {}) needs file bytes {}..{} but the file is "
                "{} bytes",
                i, media, c.file_offset, c.file_offset + data_size, file_size_));
          break;
        case kChunkFill:
          if (data_size != 4)
            corrupt(fmt::format("FILL chunk {} at file offset {}: {} data bytes, not 4", i, file_offset,
                                data_size));
          read_header_bytes(c.fill, 4, file_offset + chunk_header_size, "fill value");
          break;
        case kChunkDontCare:
          break;
        case kChunkCrc32:
          if (blocks != 0)
            corrupt(fmt::format("CRC32 chunk {} at file offset {} claims {} blocks", i, file_offset, blocks));
          break;
        default:
          corrupt(
              fmt::format("chunk {} at file offset {}: unknown chunk type 0x{:04X}", i, file_offset, c.type));
      }
      file_offset += total_size;
      if (c.media_length > 0) chunks_.push_back(c);
      media += c.media_length;
      if (media > media_size_)
        corrupt(fmt::format("chunks cover {} bytes, more than the {} blocks the header declares", media,
                            total_blocks));
    }
    if (media != media_size_)
      corrupt(fmt::format("chunks cover {} bytes but the header declares {} ({} blocks)", media, media_size_,
                          total_blocks));
  }

  std::vector<fs::path> files_;
  int fd_ = -1;
  uint64_t file_size_ = 0, media_size_ = 0;
  uint32_t block_size_ = 0;
  uint16_t major_ = 0, minor_ = 0;
  std::vector<Chunk> chunks_;
};

}  // namespace

std::unique_ptr<ImageContainer> open_sparse_container(const fs::path& path) {
  return std::make_unique<SparseContainer>(path);
}

}  // namespace kanshiki::image
