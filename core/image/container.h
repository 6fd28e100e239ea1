#pragma once
// Image containers: the byte-addressed "media" of a physical or chip-off acquisition, whatever file format
// holds it. Raw/dd (one file or split .001, .002, ...), EWF (E01 via libewf) and Android sparse images
// (simg, expanded on the fly) all present the same interface: a media size and random reads. The volume
// and file-system layer (core/image/file_systems.h) reads through this and never sees the container format.
//
// Containers are opened read-only (O_RDONLY, or libewf's read access) and never write anywhere.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"

namespace kanshiki::image {

enum class ContainerFormat { raw, ewf, android_sparse };
std::string_view container_format_name(ContainerFormat f);

// Hashes the container itself says the media had at acquisition (EWF hash section); lower-case hex.
struct StoredHashes {
  std::optional<std::string> md5, sha1;
};

class ImageContainer {
 public:
  virtual ~ImageContainer() = default;
  virtual ContainerFormat format() const = 0;
  // Human-readable format detail, e.g. "raw (3 split segments)", "EWF E01 (EnCase 6), chunk 32768 bytes".
  virtual std::string description() const = 0;
  virtual uint64_t media_size() const = 0;
  virtual uint32_t sector_size() const { return 512; }
  // The files that make up the container, in order.
  virtual const std::vector<std::filesystem::path>& files() const = 0;
  virtual StoredHashes stored_hashes() const { return {}; }

  // Reads up to n bytes at media offset `offset`; returns fewer only at the end of the media. Throws
  // kanshiki::Error(ExitCode::corrupt_input) naming the media offset when the container is damaged there
  // (missing segment data, corrupted EWF chunk, truncated sparse chunk).
  virtual size_t read_at(uint64_t offset, void* buffer, size_t n) = 0;

  // Damage found while reading so far that did not stop the read (EWF chunks whose checksum failed: libewf
  // hands out their bytes anyway). Each message names the media byte offset.
  virtual std::vector<std::string> integrity_errors() { return {}; }
};

// Which container a file is, from its first bytes and name; nullopt when it is none of them (it may still
// be a raw image: see looks_like_raw_media). Never throws for unreadable files (returns nullopt).
std::optional<ContainerFormat> sniff_container(const std::filesystem::path& path);
// True when the first sectors hold a partition table (MBR, GPT) or a file-system superblock (ext2/3/4, FAT,
// exFAT, HFS+, APFS): checked before the archive probe, because a disk image starting with zero sectors reads
// as an empty tar.
bool has_media_signature(const std::filesystem::path& path);
// True for the usual raw-image names (.img .dd .raw .001): such a file that is no archive is taken as a raw
// image (an FDE-encrypted userdata.img has no signature), and the volume layer says clearly when nothing
// inside is recognised.
bool has_raw_image_name(const std::filesystem::path& path);

// Opens the container read-only. For raw images named *.001 the following segments (.002, ...) are found
// beside it. Throws kanshiki::Error (corrupt_input / evidence_unreadable / unknown_format) with a clear
// reason.
std::unique_ptr<ImageContainer> open_container(const std::filesystem::path& path, ContainerFormat format);

// A sequential ByteReader over the whole media (for hashing it).
class MediaReader final : public ByteReader {
 public:
  explicit MediaReader(ImageContainer& c) : c_(c) {}
  size_t read(void* buffer, size_t n) override {
    size_t got = c_.read_at(offset_, buffer, n);
    offset_ += got;
    return got;
  }

 private:
  ImageContainer& c_;
  uint64_t offset_ = 0;
};

// Result of hashing the whole media and comparing it with what the container stored.
struct MediaVerification {
  uint64_t size = 0;
  std::string md5, sha1, sha256;  // computed now
  StoredHashes stored;
  bool md5_matches = true, sha1_matches = true;  // true when nothing was stored to compare with
  bool complete = true;                          // false: reading stopped at damage (see errors)
  std::vector<std::string> errors;               // mismatches, corrupted chunks, read failures
  bool ok() const { return errors.empty(); }
};
MediaVerification verify_media(ImageContainer& c, const std::function<void(uint64_t)>& progress = {});

}  // namespace kanshiki::image
