#pragma once
// Volumes and file systems inside an image container, through The Sleuth Kit (Debian libtsk 4.11). TSK reads
// the media only through our container layer (a TSK "external" image), so raw, split, E01 and sparse images
// all get the same partition and file-system handling.
//
// Partitions are named as the phone names them: the GPT partition name (userdata, system, ...) when there is
// one, otherwise p1, p2, ... A bare file system (a userdata.img dump) is one volume with no name. Each
// volume's files appear under "<name>/" in logical paths (no prefix for a bare file system).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/evidence/source.h"
#include "core/image/container.h"

namespace kanshiki::image {

struct Volume {
  int number = 0;           // partition number as the table lists it (1-based); 0 for a bare file system
  std::string name;         // "userdata", "system", "p3"; empty for a bare file system
  std::string table_entry;  // TSK's description of the entry (GPT name / DOS type)
  uint64_t offset = 0;      // byte offset of the volume in the media
  uint64_t length = 0;      // bytes
  std::string file_system;  // TSK's name ("ext4", "fat16", "exfat", "hfs"); empty when none was recognised
  uint32_t block_size = 0;
  uint64_t fs_bytes = 0;   // size the file system declares (blocks x block size)
  bool encrypted = false;  // file-based (ext4 "encrypt" feature) or full-disk (crypt footer) encryption found
  std::vector<std::string> warnings;  // everything odd, in plain words: encryption, truncation, unsupported
};

struct ImageLayout {
  std::string volume_system;  // "gpt", "dos", ... or "none" (a bare file system or nothing recognised)
  std::vector<Volume> volumes;
  std::vector<std::string> warnings;  // about the image as a whole
};

// Opens the volume system and every file system TSK recognises. Throws kanshiki::Error only for internal
// failures; what cannot be recognised is described in the layout's warnings.
class ImageFileSystems {
 public:
  explicit ImageFileSystems(ImageContainer& container);
  ~ImageFileSystems();
  ImageFileSystems(const ImageFileSystems&) = delete;
  ImageFileSystems& operator=(const ImageFileSystems&) = delete;

  const ImageLayout& layout() const { return layout_; }

  // Visits every regular file of every file system, allocated and deleted, in directory order. Deleted
  // entries have entry.deleted set and the logical path "<path>#deleted-inode-<n>" (so a parser never takes
  // a deleted, possibly reused inode for the live file, and paths stay unique); their content is what TSK can
  // still recover (possibly nothing, noted). Same contract as EvidenceSource::for_each_file.
  void for_each_file(const EvidenceSource::Filter& filter, const EvidenceSource::FileHandler& on_file,
                     const EvidenceSource::ProblemHandler& on_problem);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  ImageLayout layout_;
};

}  // namespace kanshiki::image
