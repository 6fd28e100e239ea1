#include "core/evidence/source.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/evidence/android_backup.h"
#include "core/evidence/sources_impl.h"
#include "core/image/container.h"

namespace kanshiki {

namespace fs = std::filesystem;

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::folder:
      return "folder";
    case SourceKind::tar:
      return "tar";
    case SourceKind::zip:
      return "zip";
    case SourceKind::ios_backup:
      return "ios-backup";
    case SourceKind::android_backup:
      return "android-backup";
    case SourceKind::raw_image:
      return "raw";
    case SourceKind::ewf:
      return "e01";
    case SourceKind::android_sparse:
      return "simg";
  }
  return "unknown";
}

std::optional<SourceKind> source_kind_from_name(std::string_view name) {
  for (SourceKind k : {SourceKind::folder, SourceKind::tar, SourceKind::zip, SourceKind::ios_backup,
                       SourceKind::android_backup, SourceKind::raw_image, SourceKind::ewf,
                       SourceKind::android_sparse})
    if (source_kind_name(k) == name) return k;
  return std::nullopt;
}

namespace evidence_detail {
namespace {

bool is_drive_prefix(std::string_view segment) {
  return segment.size() == 2 && segment[1] == ':' &&
         ((segment[0] >= 'A' && segment[0] <= 'Z') || (segment[0] >= 'a' && segment[0] <= 'z'));
}

std::string escape_unsafe(std::string_view name) {
  if (name.empty()) return "%00empty";
  if (name == "." || name == "..") return name == "." ? "%2E" : "%2E%2E";
  std::string out;
  out.reserve(name.size() + 16);
  for (char c : name) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '/':
        out += "%2F";
        break;
      case '\\':
        out += "%5C";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

SanitisedPath sanitise_stored_name(std::string_view name) {
  SanitisedPath out;
  // Split on '/' for the logical path; check '\' separators too, because a member written on Windows
  // ("..\..\x") is a traversal there even if it is a plain (odd) file name on Linux.
  bool traversal = false, drive = false;
  {
    size_t start = 0;
    bool first = true;
    for (size_t i = 0; i <= name.size(); ++i) {
      if (i == name.size() || name[i] == '/' || name[i] == '\\') {
        std::string_view seg = name.substr(start, i - start);
        if (seg == "..") traversal = true;
        if (first && is_drive_prefix(seg)) drive = true;
        if (!seg.empty()) first = false;
        start = i + 1;
      }
    }
  }
  std::string path;
  size_t start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      std::string_view seg = name.substr(start, i - start);
      if (!seg.empty() && seg != ".") {
        if (!path.empty()) path += '/';
        path.append(seg);
      }
      start = i + 1;
    }
  }
  out.had_leading_slash = !name.empty() && name.front() == '/';
  if (traversal) {
    out.unsafe_reason = "path traversal ('..' segment)";
  } else if (drive) {
    out.unsafe_reason = "absolute Windows path (drive prefix)";
  } else if (path.empty()) {
    out.unsafe_reason = name.empty() ? "empty name" : "no name left after removing '/' and '.' segments";
  }
  if (out.unsafe_reason.empty()) {
    out.path = std::move(path);
  } else {
    out.path = std::string(kUnsafePrefix) + escape_unsafe(name);
    out.had_leading_slash = false;
  }
  return out;
}

}  // namespace evidence_detail

namespace {

constexpr const char* kCandidates = "folder, tar, zip, ios-backup, android-backup, raw, e01, simg";

// Asks libarchive (tar and zip readers, any compression filter) what the file is. Returns the base format
// code (ARCHIVE_FORMAT_TAR / ARCHIVE_FORMAT_ZIP) or 0 with libarchive's reason in `why`.
int probe_archive_format(const fs::path& path, std::string& why) {
  struct archive* a = archive_read_new();
  if (!a) throw Error(ExitCode::failure, "libarchive: out of memory");
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  archive_read_support_format_zip(a);
  int format = 0;
  if (archive_read_open_filename(a, path.c_str(), 64 * 1024) != ARCHIVE_OK) {
    why = archive_error_string(a) ? archive_error_string(a) : "cannot open";
  } else {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_OK || r == ARCHIVE_WARN || r == ARCHIVE_EOF) {
      format = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
      if (format != ARCHIVE_FORMAT_TAR && format != ARCHIVE_FORMAT_ZIP) {
        why = "libarchive found no tar or zip structure";
        format = 0;
      }
    } else {
      why = archive_error_string(a) ? archive_error_string(a) : "unrecognised data";
    }
  }
  archive_read_free(a);
  return format;
}

[[noreturn]] void throw_unreadable(const fs::path& path, const std::string& what) {
  throw Error(ExitCode::evidence_unreadable, "evidence " + path.string() + " is unreadable: " + what);
}

// Existence and basic readability, shared by detection and forced formats.
fs::file_status checked_status(const fs::path& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    if (ec && ec != std::errc::no_such_file_or_directory) throw_unreadable(path, ec.message());
    throw Error(ExitCode::evidence_unreadable, "evidence not found: " + path.string());
  }
  if (fs::is_directory(st)) {
    fs::directory_iterator it(path, ec);
    if (ec) throw_unreadable(path, "cannot list the folder: " + ec.message());
  } else if (fs::is_regular_file(st)) {
    uintmax_t size = fs::file_size(path, ec);
    if (ec) throw_unreadable(path, ec.message());
    if (size == 0)
      throw Error(ExitCode::evidence_unreadable, "evidence file is empty (0 bytes): " + path.string());
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_unreadable(path, std::strerror(errno));
    ::close(fd);
  }
  return st;
}

}  // namespace

SourceKind detect_source_kind(const fs::path& path) {
  fs::file_status st = checked_status(path);
  if (fs::is_directory(st)) {
    std::error_code ec;
    bool manifest = fs::exists(path / "Manifest.db", ec);
    bool info = fs::exists(path / "Info.plist", ec);
    if (manifest && info) return SourceKind::ios_backup;
    if (manifest || info) {
      throw Error(ExitCode::unknown_format,
                  "ambiguous evidence " + path.string() + ": it has " +
                      (manifest ? "Manifest.db" : "Info.plist") + " but no " +
                      (manifest ? "Info.plist" : "Manifest.db") +
                      ", so it could be an incomplete ios-backup or a plain folder; "
                      "use --format ios-backup or --format folder");
    }
    return SourceKind::folder;
  }
  if (!fs::is_regular_file(st)) {
    throw Error(ExitCode::unknown_format, "cannot recognise " + path.string() + ": tried " + kCandidates +
                                              "; it is neither a folder nor a regular file; use --format");
  }
  if (android_backup::has_magic(path)) return SourceKind::android_backup;
  // Disk images before the archive probe: an image starting with zero sectors reads as an empty tar.
  if (auto container = image::sniff_container(path))
    return *container == image::ContainerFormat::ewf ? SourceKind::ewf : SourceKind::android_sparse;
  if (image::has_media_signature(path)) return SourceKind::raw_image;
  std::string why;
  int format = probe_archive_format(path, why);
  if (format == ARCHIVE_FORMAT_TAR) return SourceKind::tar;
  if (format == ARCHIVE_FORMAT_ZIP) return SourceKind::zip;
  if (image::has_raw_image_name(path)) return SourceKind::raw_image;
  throw Error(ExitCode::unknown_format, "cannot recognise " + path.string() + ": tried " + kCandidates +
                                            " (" + why + "); if you know what it is, use --format");
}

std::unique_ptr<EvidenceSource> open_evidence(const fs::path& path, std::optional<SourceKind> forced,
                                              const std::optional<std::string>& password) {
  SourceKind kind;
  if (forced) {
    fs::file_status st = checked_status(path);
    bool wants_folder = *forced == SourceKind::folder || *forced == SourceKind::ios_backup;
    if (wants_folder != fs::is_directory(st) || (!wants_folder && !fs::is_regular_file(st))) {
      throw Error(ExitCode::unknown_format, "--format " + std::string(source_kind_name(*forced)) +
                                                " does not fit " + path.string() + ": it is " +
                                                (fs::is_directory(st) ? "a folder" : "not a folder"));
    }
    kind = *forced;
  } else {
    kind = detect_source_kind(path);
  }
  switch (kind) {
    case SourceKind::folder:
      return evidence_detail::make_folder_source(path);
    case SourceKind::tar:
    case SourceKind::zip:
      return evidence_detail::make_archive_source(path, kind);
    case SourceKind::ios_backup:
      return evidence_detail::make_ios_backup_source(path);
    case SourceKind::android_backup:
      return evidence_detail::make_android_backup_source(path, password);
    case SourceKind::raw_image:
    case SourceKind::ewf:
    case SourceKind::android_sparse:
      return evidence_detail::make_image_source(path, kind);
  }
  throw Error(ExitCode::failure, "unhandled evidence kind");
}

}  // namespace kanshiki
