// EWF through libewf (Debian libewf-dev 20140813). libewf verifies each chunk's Adler-32 as it reads; a chunk
// that fails is still handed out (so one bad chunk does not hide the rest of the disk) and listed as a
// "checksum error" with its sector range, which integrity_errors() turns into messages naming the offset.
#include "core/image/ewf_container.h"

#include <fmt/format.h>
#include <libewf.h>

#include <cstring>

#include "core/error.h"
#include "hashing/multi_hash.h"

namespace kanshiki::image {

namespace fs = std::filesystem;

namespace {

// libewf's error chain as one line, freed.
std::string take_error(libewf_error_t*& error) {
  if (!error) return "unknown libewf error";
  char buf[2048] = {};
  libewf_error_sprint(error, buf, sizeof buf - 1);
  libewf_error_free(&error);
  std::string s(buf);
  for (char& c : s)
    if (c == '\n') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string_view format_name(uint8_t f) {
  switch (f) {
    case LIBEWF_FORMAT_ENCASE1:
    case LIBEWF_FORMAT_ENCASE2:
    case LIBEWF_FORMAT_ENCASE3:
    case LIBEWF_FORMAT_ENCASE4:
    case LIBEWF_FORMAT_ENCASE5:
    case LIBEWF_FORMAT_ENCASE6:
    case LIBEWF_FORMAT_ENCASE7:
      return "EnCase E01";
    case LIBEWF_FORMAT_SMART:
      return "SMART S01";
    case LIBEWF_FORMAT_FTK_IMAGER:
      return "FTK Imager E01";
    case LIBEWF_FORMAT_LINEN5:
    case LIBEWF_FORMAT_LINEN6:
    case LIBEWF_FORMAT_LINEN7:
      return "linen E01";
    case LIBEWF_FORMAT_EWF:
    case LIBEWF_FORMAT_EWFX:
      return "libewf E01";
    case LIBEWF_FORMAT_LOGICAL_ENCASE5:
    case LIBEWF_FORMAT_LOGICAL_ENCASE6:
    case LIBEWF_FORMAT_LOGICAL_ENCASE7:
      return "logical evidence file (L01/Lx01)";
    default:
      return "EWF";
  }
}

class EwfContainer final : public ImageContainer {
 public:
  explicit EwfContainer(const fs::path& path) {
    libewf_error_t* error = nullptr;
    char** names = nullptr;
    int count = 0;
    std::string p = path.string();
    if (libewf_glob(p.c_str(), p.size(), LIBEWF_FORMAT_UNKNOWN, &names, &count, &error) != 1)
      throw Error(ExitCode::corrupt_input,
                  "cannot find the EWF segment files of " + p + ": " + take_error(error));
    for (int i = 0; i < count; ++i) files_.emplace_back(names[i]);
    if (libewf_handle_initialize(&handle_, &error) != 1) {
      libewf_glob_free(names, count, nullptr);
      throw Error(ExitCode::failure, "libewf: " + take_error(error));
    }
    int opened = libewf_handle_open(handle_, names, count, LIBEWF_OPEN_READ, &error);
    libewf_glob_free(names, count, nullptr);
    if (opened != 1) {
      std::string why = take_error(error);
      libewf_handle_free(&handle_, nullptr);
      throw Error(
          ExitCode::corrupt_input,
          fmt::format("cannot open EWF image {} ({} segment file(s)): {}; the image is truncated, damaged "
                      "or a segment is missing",
                      p, count, why));
    }
    size64_t size = 0;
    uint32_t bps = 512, chunk = 0;
    uint8_t fmt_code = 0;
    libewf_handle_get_media_size(handle_, &size, nullptr);
    libewf_handle_get_bytes_per_sector(handle_, &bps, nullptr);
    libewf_handle_get_chunk_size(handle_, &chunk, nullptr);
    libewf_handle_get_format(handle_, &fmt_code, nullptr);
    size_ = size;
    bytes_per_sector_ = bps ? bps : 512;
    description_ = fmt::format("EWF ({}), {} segment file(s), chunk {} bytes, {}-byte sectors",
                               format_name(fmt_code), files_.size(), chunk, bytes_per_sector_);
    uint8_t digest[20];
    if (libewf_handle_get_md5_hash(handle_, digest, 16, nullptr) == 1) stored_.md5 = to_hex(digest, 16);
    if (libewf_handle_get_sha1_hash(handle_, digest, 20, nullptr) == 1) stored_.sha1 = to_hex(digest, 20);
    // Older writers keep the hashes only as text in the xhash/hash sections.
    if (!stored_.md5) stored_.md5 = hash_value("MD5");
    if (!stored_.sha1) stored_.sha1 = hash_value("SHA1");
    // A missing or truncated segment does not stop libewf from opening the set: the sectors it lacks read as
    // zeros and show up as checksum errors. Say what is wrong with the set itself first.
    if (libewf_handle_segment_files_corrupted(handle_, nullptr) == 1) {
      std::string names;
      for (const fs::path& f : files_) names += (names.empty() ? "" : ", ") + f.filename().string();
      set_problems_.push_back(
          fmt::format("the EWF segment set is incomplete or damaged (a segment file is missing "
                      "or truncated; found {}: {})",
                      files_.size(), names));
    }
  }
  ~EwfContainer() override {
    if (handle_) {
      libewf_handle_close(handle_, nullptr);
      libewf_handle_free(&handle_, nullptr);
    }
  }
  ContainerFormat format() const override { return ContainerFormat::ewf; }
  std::string description() const override { return description_; }
  uint64_t media_size() const override { return size_; }
  uint32_t sector_size() const override { return bytes_per_sector_; }
  const std::vector<fs::path>& files() const override { return files_; }
  StoredHashes stored_hashes() const override { return stored_; }

  size_t read_at(uint64_t offset, void* buffer, size_t n) override {
    if (offset >= size_) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    libewf_error_t* error = nullptr;
    ssize_t r = libewf_handle_read_random(handle_, buffer, n, static_cast<off64_t>(offset), &error);
    if (r < 0)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("EWF image {}: cannot read media bytes {}..{}: {}", files_.front().string(),
                              offset, offset + n, take_error(error)));
    if (static_cast<size_t>(r) < n)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("EWF image {}: media ends early at byte {} (expected {} bytes)",
                              files_.front().string(), offset + static_cast<uint64_t>(r), size_));
    return static_cast<size_t>(r);
  }

  std::vector<std::string> integrity_errors() override {
    std::vector<std::string> out = set_problems_;
    uint32_t count = 0;
    if (libewf_handle_get_number_of_checksum_errors(handle_, &count, nullptr) != 1) return out;
    for (uint32_t i = 0; i < count; ++i) {
      uint64_t start = 0, sectors = 0;
      if (libewf_handle_get_checksum_error(handle_, i, &start, &sectors, nullptr) != 1) continue;
      uint64_t from = start * bytes_per_sector_, to = (start + sectors) * bytes_per_sector_;
      out.push_back(
          fmt::format("corrupted EWF chunk(s) at media offset {} (0x{:x}), bytes {}..{} (sectors {}..{}): "
                      "checksum mismatch or data missing; these bytes are not what was acquired",
                      from, from, from, to - 1, start, start + sectors - 1));
    }
    return out;
  }

 private:
  std::optional<std::string> hash_value(const char* name) {
    uint8_t value[128] = {};
    if (libewf_handle_get_utf8_hash_value(handle_, reinterpret_cast<const uint8_t*>(name), std::strlen(name),
                                          value, sizeof value, nullptr) != 1)
      return std::nullopt;
    std::string s(reinterpret_cast<const char*>(value));
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s.empty()) return std::nullopt;
    return s;
  }

  libewf_handle_t* handle_ = nullptr;
  std::vector<fs::path> files_;
  uint64_t size_ = 0;
  uint32_t bytes_per_sector_ = 512;
  std::string description_;
  StoredHashes stored_;
  std::vector<std::string> set_problems_;
};

}  // namespace

std::unique_ptr<ImageContainer> open_ewf_container(const fs::path& path) {
  return std::make_unique<EwfContainer>(path);
}

}  // namespace kanshiki::image
