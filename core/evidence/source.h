#pragma once
// Read-only evidence sources: a folder (full-file-system dump), a tar, a zip, an iTunes/Finder backup.
// Sources never open anything for writing. Everything is streamed: for_each_file hands out one reader
// at a time and memory stays bounded whatever the size of the evidence.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"

namespace kanshiki {

// raw_image: raw/dd (single or split .001...), ewf: E01 via libewf, android_sparse: simg; all three are
// physical or chip-off images read through The Sleuth Kit (core/image/).
enum class SourceKind { folder, tar, zip, ios_backup, android_backup, raw_image, ewf, android_sparse };
std::string_view source_kind_name(SourceKind kind);
std::optional<SourceKind> source_kind_from_name(std::string_view name);

struct EvidenceEntry {
  std::string path;      // logical path: '/'-separated, no leading '/', no "." or ".." segments.
                         // iOS backups: "<Domain>/<relativePath>", e.g. "HomeDomain/Library/SMS/sms.db".
  std::string physical;  // where the bytes live: folder/backup: path relative to the root
                         // (backup: "ab/abcdef..."); archives: the member name exactly as stored.
  uint64_t size = 0;
  std::optional<int64_t> mtime_unix_s, ctime_unix_s, atime_unix_s, btime_unix_s;
  std::string note;      // anything odd about this entry (e.g. unsafe member name that was sanitised)
  // Disk images only: the entry's place in the image, so a finding traces to a byte offset.
  bool deleted = false;                  // a deleted (unallocated) directory entry
  std::string partition;                 // volume name ("userdata", "p1"); empty for a bare file system
  std::optional<uint64_t> inode;         // file-system inode / metadata address
  std::optional<uint64_t> image_offset;  // byte offset in the media of the first data block
};

// A problem with one entry or with the container (unreadable file, unsafe name, truncated member, ...).
struct SourceProblem {
  std::string path;      // logical or physical path concerned; empty for the container itself
  std::string message;
  bool fatal = false;    // true: the container could not be read past this point (e.g. truncated archive)
};

class EvidenceSource {
 public:
  virtual ~EvidenceSource() = default;
  virtual SourceKind kind() const = 0;
  virtual const std::filesystem::path& root() const = 0;

  using Filter = std::function<bool(std::string_view logical_path)>;
  using FileHandler = std::function<void(const EvidenceEntry&, ByteReader&)>;
  using ProblemHandler = std::function<void(const SourceProblem&)>;

  // Visits every regular file (or only those the filter accepts) in a deterministic order, handing a
  // reader for its content. Directories, symlinks and special files are not visited (symlinks are
  // reported as problems with fatal=false so nothing is silently skipped). A handler need not read the
  // whole content. Problems go to on_problem; a fatal problem (truncated archive) is reported and then
  // thrown as kanshiki::Error(ExitCode::corrupt_input).
  virtual void for_each_file(const Filter& filter, const FileHandler& on_file, const ProblemHandler& on_problem) = 0;

  // For sources whose items come from a decoded view of the container (the decrypted/inflated tar inside an
  // Android backup): JSON describing that view and its hashes, complete after a full for_each_file pass;
  // stored in evidence.derivation. Empty for sources that read their container directly.
  virtual std::string derivation() const { return {}; }
};

// Recognises the evidence format. Throws kanshiki::Error:
//  - ExitCode::evidence_unreadable when the path is missing or unreadable, or is a 0-byte file;
//  - ExitCode::unknown_format naming the candidates tried ("folder, tar, zip, ios-backup") when nothing fits,
//    or naming both candidates when ambiguous (e.g. a folder with Manifest.db but no Info.plist).
SourceKind detect_source_kind(const std::filesystem::path& path);

// Opens the evidence read-only; `forced` overrides detection (--format). `password` opens encrypted
// containers (an AES-256 Android backup); it is never stored or logged.
std::unique_ptr<EvidenceSource> open_evidence(const std::filesystem::path& path,
                                              std::optional<SourceKind> forced = std::nullopt,
                                              const std::optional<std::string>& password = std::nullopt);

}  // namespace kanshiki
