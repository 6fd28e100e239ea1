// Tar (ustar, pax, GNU; any compression libarchive knows) and zip (incl. zip64) evidence, streamed member
// by member through libarchive. Nothing is extracted: each member is handed out as a reader over the
// archive stream, so memory stays bounded whatever the size of the archive.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <locale.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/evidence/sources_impl.h"

namespace kanshiki::evidence_detail {
namespace {

namespace fs = std::filesystem;

// libarchive converts member names between the name's charset and the *current* locale's. Under the
// default "C" locale a UTF-8 name (pax, zip with the UTF-8 flag) fails to convert: tar then warns and zip
// loses the name altogether. So every libarchive call that touches names runs with a UTF-8 LC_CTYPE on
// this thread only (uselocale), and names come out as the UTF-8 bytes stored. Handlers never run under it.
class Utf8Ctype {
 public:
  Utf8Ctype() {
    static locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (utf8) previous_ = uselocale(utf8);
  }
  ~Utf8Ctype() {
    if (previous_) uselocale(previous_);
  }
  Utf8Ctype(const Utf8Ctype&) = delete;
  Utf8Ctype& operator=(const Utf8Ctype&) = delete;

 private:
  locale_t previous_ = static_cast<locale_t>(0);
};

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

std::string archive_message(struct archive* a) {
  const char* s = archive_error_string(a);
  return s && *s ? s : "unknown libarchive error";
}

// Shared state of one pass, so the member reader can raise the same fatal error as the walk itself.
struct Pass {
  Pass(const fs::path& path, const EvidenceSource::ProblemHandler& problems, struct archive* archive)
      : archive_path(path), on_problem(problems), a(archive) {}
  const fs::path& archive_path;
  const EvidenceSource::ProblemHandler& on_problem;
  struct archive* a;
  std::string last_good;  // the last member read completely (as stored)
  uint64_t members = 0;
  std::string fatal_message;  // set once a fatal error was reported

  [[noreturn]] void fatal(const std::string& what) {
    std::string msg =
        "truncated or corrupt archive " + archive_path.string() + ": " + what +
        "; last good member: " + (last_good.empty() ? std::string("(none)") : "'" + last_good + "'") + " (" +
        std::to_string(members) + " members read)";
    if (fatal_message.empty()) {
      fatal_message = msg;
      if (on_problem) on_problem(SourceProblem{"", msg, true});
    }
    throw Error(ExitCode::corrupt_input, fatal_message);
  }
  void problem(std::string path, std::string message) {
    if (on_problem) on_problem(SourceProblem{std::move(path), std::move(message), false});
  }
};

// Reader over the data of the current member.
class MemberReader final : public ByteReader {
 public:
  MemberReader(Pass& pass, std::string logical, std::string stored)
      : pass_(pass), logical_(std::move(logical)), stored_(std::move(stored)) {}

  size_t read(void* buffer, size_t n) override {
    if (n == 0) return 0;
    la_ssize_t r = archive_read_data(pass_.a, buffer, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (r == ARCHIVE_FATAL) pass_.fatal("error in member '" + stored_ + "': " + archive_message(pass_.a));
    // ARCHIVE_FAILED / WARN / RETRY: this member cannot be read (unsupported compression, bad CRC, ...),
    // but the archive can go on.
    std::string msg = "cannot read member '" + stored_ + "' of " + pass_.archive_path.string() + ": " +
                      archive_message(pass_.a);
    if (!member_failed_) {
      member_failed_ = true;
      pass_.problem(logical_, msg);
    }
    throw Error(ExitCode::corrupt_input, msg);
  }
  bool member_failed() const { return member_failed_; }

 private:
  Pass& pass_;
  std::string logical_, stored_;
  bool member_failed_ = false;
};

// libarchive read callback over a ByteReader (a decoded stream such as the tar inside an Android backup).
// Exceptions must not cross libarchive's C frames: they become an archive error with the same message.
struct StreamContext {
  std::shared_ptr<ByteReader> reader;
  std::vector<char> buffer = std::vector<char>(64 * 1024);
};

la_ssize_t stream_read(struct archive* a, void* client, const void** out) {
  auto* ctx = static_cast<StreamContext*>(client);
  try {
    size_t n = ctx->reader->read(ctx->buffer.data(), ctx->buffer.size());
    *out = ctx->buffer.data();
    return static_cast<la_ssize_t>(n);
  } catch (const std::exception& e) {
    archive_set_error(a, EIO, "%s", e.what());
    return -1;
  }
}

uint64_t little_endian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// The number of entries a zip's central directory declares (end-of-central-directory record, or its zip64
// version), read from the file's tail; nullopt when no such record is found (libarchive then reports the
// archive's own problem). libarchive reads one member per distinct local header: central-directory entries
// that share one (the "overlapping" zip bomb shape, or a crafted archive hiding names) are otherwise dropped
// without a word.
std::optional<uint64_t> zip_declared_entries(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  off_t size = ::lseek(fd, 0, SEEK_END);
  const off_t kEocd = 22, kMaxComment = 0xFFFF;
  if (size < kEocd) return std::nullopt;
  off_t start = std::max<off_t>(0, size - kEocd - kMaxComment);
  std::vector<unsigned char> tail(static_cast<size_t>(size - start));
  if (::pread(fd, tail.data(), tail.size(), start) != static_cast<ssize_t>(tail.size())) return std::nullopt;
  for (size_t i = tail.size() - kEocd + 1; i-- > 0;) {
    const unsigned char* e = tail.data() + i;
    if (little_endian(e, 4) != 0x06054B50) continue;
    uint64_t entries = little_endian(e + 10, 2);
    if (entries != 0xFFFF) return entries;
    // zip64: the locator sits just before the record and points at the zip64 end record.
    off_t locator = start + static_cast<off_t>(i) - 20;
    unsigned char loc[20], rec[56];
    if (locator < 0 || ::pread(fd, loc, sizeof loc, locator) != sizeof loc ||
        little_endian(loc, 4) != 0x07064B50)
      return entries;
    off_t record = static_cast<off_t>(little_endian(loc + 8, 8));
    if (::pread(fd, rec, sizeof rec, record) != sizeof rec || little_endian(rec, 4) != 0x06064B50)
      return entries;
    return little_endian(rec + 32, 8);
  }
  return std::nullopt;
}

class ArchiveSource final : public EvidenceSource {
 public:
  ArchiveSource(fs::path path, SourceKind kind, StreamOpener opener = nullptr)
      : path_(std::move(path)), kind_(kind), opener_(std::move(opener)) {
    // Fail early (at open) when the file is not the forced/detected format at all.
    ArchivePtr a = open();
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(a.get(), &entry);
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN && r != ARCHIVE_EOF) {
      if (archive_format(a.get()) == 0)
        throw Error(ExitCode::unknown_format, path_.string() + " is not a " +
                                                  std::string(source_kind_name(kind_)) +
                                                  " archive: " + archive_message(a.get()));
    }
  }
  SourceKind kind() const override { return kind_; }
  const fs::path& root() const override { return path_; }

  void for_each_file(const Filter& filter, const FileHandler& on_file,
                     const ProblemHandler& on_problem) override {
    ArchivePtr archive = open();
    Pass pass{path_, on_problem, archive.get()};
    struct archive* a = archive.get();
    std::unordered_set<std::string> seen;            // logical paths of regular-file members so far
    std::unordered_map<std::string, int> dup_count;  // next "#n" suffix per duplicated path
    bool absolute_reported = false;
    for (;;) {
      struct archive_entry* e = nullptr;
      int r;
      std::string stored, hardlink_target, symlink_target;
      bool has_hardlink = false;
      {
        Utf8Ctype utf8;
        r = archive_read_next_header(a, &e);
        if (r >= ARCHIVE_WARN && r != ARCHIVE_EOF) {
          // The UTF-8 form when there is one; otherwise the bytes as stored (e.g. a CP932 zip name).
          const char* name = archive_entry_pathname_utf8(e);
          if (!name) name = archive_entry_pathname(e);
          stored = name ? name : "";
          const char* hard = archive_entry_hardlink_utf8(e);
          if (!hard) hard = archive_entry_hardlink(e);
          has_hardlink = hard != nullptr;
          hardlink_target = hard ? hard : "";
          const char* sym = archive_entry_symlink_utf8(e);
          if (!sym) sym = archive_entry_symlink(e);
          symlink_target = sym ? sym : "?";
        }
      }
      if (r == ARCHIVE_EOF) {
        if (kind_ == SourceKind::zip && !opener_) {
          std::optional<uint64_t> declared = zip_declared_entries(path_);
          if (declared && *declared > pass.members)
            pass.problem(
                "", "the central directory of " + path_.string() + " lists " + std::to_string(*declared) +
                        " entries but only " + std::to_string(pass.members) +
                        " distinct members could be read: entries that share one local file (an "
                        "overlapping zip bomb or a crafted archive) are read once; their other names "
                        "are not items");
        }
        break;
      }
      if (r < ARCHIVE_WARN) pass.fatal("cannot read the next member header: " + archive_message(a));
      if (r == ARCHIVE_WARN)
        pass.problem(stored, "warning reading member '" + stored + "': " + archive_message(a));

      mode_t type = archive_entry_filetype(e);
      if (type == AE_IFDIR) {
        skip(pass, stored);
        continue;
      }
      SanitisedPath clean = sanitise_stored_name(stored);
      std::string logical = clean.path;
      std::string note;
      std::vector<std::string> pending;  // problems about this member, reported only if the filter wants it
      if (!clean.unsafe_reason.empty()) {
        note =
            "unsafe member name '" + stored + "' (" + clean.unsafe_reason + "): visited as '" + logical + "'";
        pending.push_back("unsafe member name '" + stored + "': " + clean.unsafe_reason +
                          "; not trusted, visited as '" + logical + "'");
      } else if (clean.had_leading_slash) {
        note = "absolute member name: leading '/' removed";
        if (!absolute_reported) {
          absolute_reported = true;
          pass.problem(logical, "archive " + path_.string() + " has absolute member names (first: '" +
                                    stored + "'); the leading '/' is removed from logical paths");
        }
      }
      bool regular = type == AE_IFREG && !has_hardlink;
      if (regular) {
        if (!seen.insert(logical).second) {
          int& n = dup_count[logical];
          if (n == 0) n = 1;
          std::string unique;
          do unique = logical + "#" + std::to_string(++n);
          while (!seen.insert(unique).second);
          std::string msg = "duplicate member name '" + stored +
                            "': an earlier member has the same path; this one is visited as '" + unique + "'";
          pending.push_back(msg);
          note += (note.empty() ? "" : "; ") + msg;
          logical = unique;
        }
      }
      if (!accepts(filter, logical)) {
        skip(pass, stored);
        continue;
      }
      for (std::string& msg : pending) pass.problem(logical, std::move(msg));
      if (!regular) {
        if (has_hardlink) {
          pass.problem(logical, "hard link member '" + stored + "' -> '" + hardlink_target +
                                    "': its content is that member's; not visited separately");
        } else if (type == AE_IFLNK) {
          pass.problem(logical,
                       "symbolic link member '" + stored + "' -> '" + symlink_target + "' is not followed");
        } else {
          pass.problem(logical, "member '" + stored + "' is not a regular file (type " +
                                    std::to_string(type >> 12) + "); not visited");
        }
        skip(pass, stored);
        continue;
      }
      if (archive_entry_is_data_encrypted(e)) {
        pass.problem(logical,
                     "member '" + stored + "' is encrypted (needs the archive password); not visited");
        skip(pass, stored);
        continue;
      }
      EvidenceEntry entry;
      entry.path = logical;
      entry.physical = stored;
      entry.size = archive_entry_size_is_set(e) ? static_cast<uint64_t>(archive_entry_size(e)) : 0;
      if (archive_entry_mtime_is_set(e)) entry.mtime_unix_s = archive_entry_mtime(e);
      if (archive_entry_ctime_is_set(e)) entry.ctime_unix_s = archive_entry_ctime(e);
      if (archive_entry_atime_is_set(e)) entry.atime_unix_s = archive_entry_atime(e);
      if (archive_entry_birthtime_is_set(e)) entry.btime_unix_s = archive_entry_birthtime(e);
      entry.note = std::move(note);
      MemberReader reader(pass, logical, stored);
      try {
        on_file(entry, reader);
      } catch (const Error&) {
        if (!pass.fatal_message.empty()) throw;
        if (!reader.member_failed()) throw;  // the handler's own failure: not ours to swallow
      }
      // A handler that swallowed the fatal error must not make us read on past it.
      if (!pass.fatal_message.empty()) throw Error(ExitCode::corrupt_input, pass.fatal_message);
      skip(pass, stored, /*report_failure=*/!reader.member_failed());
    }
  }

 private:
  ArchivePtr open() const {
    Utf8Ctype utf8;
    ArchivePtr a(archive_read_new());
    if (!a) throw Error(ExitCode::failure, "libarchive: out of memory");
    archive_read_support_filter_all(a.get());
    if (kind_ != SourceKind::zip) {
      archive_read_support_format_tar(a.get());
      archive_read_support_format_gnutar(a.get());
    } else {
      archive_read_support_format_zip(a.get());
    }
    if (opener_) {
      // A decoded stream (the opener throws its own clear error, e.g. a wrong backup password). An empty
      // stream is a valid, empty archive here (an Android backup with no eligible app may carry no tar at all).
      archive_read_support_format_empty(a.get());
      stream_ = std::make_unique<StreamContext>();
      stream_->reader = opener_();
      if (archive_read_open(a.get(), stream_.get(), nullptr, stream_read, nullptr) != ARCHIVE_OK)
        throw Error(ExitCode::corrupt_input,
                    "the tar stream inside " + path_.string() + " is not readable: " + archive_message(a.get()));
      return a;
    }
    // libarchive opens the file O_RDONLY; it never writes to the archive it reads.
    if (archive_read_open_filename(a.get(), path_.c_str(), 64 * 1024) != ARCHIVE_OK) {
      // The file itself opens: then libarchive did not recognise its content.
      int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) ::close(fd);
      if (fd >= 0)
        throw Error(ExitCode::unknown_format, path_.string() + " is not a " +
                                                  std::string(source_kind_name(kind_)) +
                                                  " archive: " + archive_message(a.get()));
      throw Error(ExitCode::evidence_unreadable,
                  "cannot open archive " + path_.string() + ": " + archive_message(a.get()));
    }
    return a;
  }

  // Skips the rest of the current member's data (a failure here is a truncated archive) and records the
  // member as the last good one.
  static void skip(Pass& pass, const std::string& stored, bool report_failure = true) {
    int r = archive_read_data_skip(pass.a);
    if (r == ARCHIVE_FATAL) pass.fatal("error in member '" + stored + "': " + archive_message(pass.a));
    if (r < ARCHIVE_WARN && report_failure)
      pass.problem(stored, "cannot skip member '" + stored + "': " + archive_message(pass.a));
    pass.last_good = stored;
    ++pass.members;
  }

  fs::path path_;
  SourceKind kind_;
  StreamOpener opener_;
  // The stream of the archive handle open last; it must outlive that handle (declared after nothing that
  // uses it, and only replaced when a new handle is opened).
  mutable std::unique_ptr<StreamContext> stream_;
};

}  // namespace

std::unique_ptr<EvidenceSource> make_archive_source(const std::filesystem::path& archive, SourceKind kind) {
  return std::make_unique<ArchiveSource>(archive, kind);
}

std::unique_ptr<EvidenceSource> make_tar_stream_source(const std::filesystem::path& container, SourceKind kind,
                                                       StreamOpener opener) {
  return std::make_unique<ArchiveSource>(container, kind, std::move(opener));
}

}  // namespace kanshiki::evidence_detail
