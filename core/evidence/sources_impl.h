#pragma once
// Private to core/evidence: the concrete sources behind open_evidence() and the path helpers they share.
// Tests include this header to check the sanitising rules directly.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/evidence/source.h"

namespace kanshiki::evidence_detail {

std::unique_ptr<EvidenceSource> make_folder_source(const std::filesystem::path& root);
std::unique_ptr<EvidenceSource> make_archive_source(const std::filesystem::path& archive, SourceKind kind);
std::unique_ptr<EvidenceSource> make_ios_backup_source(const std::filesystem::path& root);
// Disk images (SourceKind::raw_image, ewf, android_sparse): core/evidence/image_source.cpp.
std::unique_ptr<EvidenceSource> make_image_source(const std::filesystem::path& image, SourceKind kind);

// A tar read from a decoded stream instead of a file (the tar inside an Android backup). The opener is called
// for every pass (construction probe, each for_each_file) and returns a fresh reader positioned at the start.
using StreamOpener = std::function<std::shared_ptr<ByteReader>()>;
std::unique_ptr<EvidenceSource> make_tar_stream_source(const std::filesystem::path& container, SourceKind kind,
                                                       StreamOpener opener);
std::unique_ptr<EvidenceSource> make_android_backup_source(const std::filesystem::path& file,
                                                           const std::optional<std::string>& password);

// Result of turning a stored name (archive member, Manifest.db relativePath) into a logical path.
struct SanitisedPath {
  std::string path;           // logical path: '/'-separated, no leading '/', no "." / ".." / empty segments
  std::string unsafe_reason;  // non-empty: the name was not trusted and `path` is "__unsafe__/<escaped name>"
  bool had_leading_slash = false;  // an absolute POSIX name whose leading '/' was removed (still trusted)
};

// Normalises a stored name. Leading "/" and "./" and empty or "." segments are dropped. A name with a ".."
// segment (with '/' or '\' separators), a Windows drive prefix ("C:"), or nothing left after normalising is
// unsafe: its logical path becomes "__unsafe__/" + the whole original name with '%', '/' and '\' percent-
// encoded (and "." / ".." fully encoded), so it stays one segment that can never climb out of anything.
SanitisedPath sanitise_stored_name(std::string_view name);

// The prefix under which unsafe names are placed.
inline constexpr std::string_view kUnsafePrefix = "__unsafe__/";

// Helper for sources: a filter that is empty accepts everything.
inline bool accepts(const EvidenceSource::Filter& filter, std::string_view path) {
  return !filter || filter(path);
}

}  // namespace kanshiki::evidence_detail
