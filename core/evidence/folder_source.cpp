// A folder on disk: a full-file-system dump or an extracted tree. Walked depth-first in byte order of
// names so two runs over the same folder visit files in the same order.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/evidence/sources_impl.h"
#include "hashing/multi_hash.h"

namespace kanshiki::evidence_detail {
namespace {

namespace fs = std::filesystem;

// Reports a read failure as a non-fatal problem once, then throws it, so the walk can tell a failure of the
// evidence (caught, go on with the next file) from a failure of the handler (propagated).
class ReportingFileReader final : public ByteReader {
 public:
  ReportingFileReader(const fs::path& path, std::string logical,
                      const EvidenceSource::ProblemHandler& on_problem)
      : file_(path), logical_(std::move(logical)), on_problem_(on_problem) {}
  size_t read(void* buffer, size_t n) override {
    try {
      return file_.read(buffer, n);
    } catch (const Error& e) {
      if (!failed_) {
        failed_ = true;
        if (on_problem_) on_problem_(SourceProblem{logical_, e.what(), false});
      }
      throw;
    }
  }
  bool failed() const { return failed_; }

 private:
  FileByteReader file_;
  std::string logical_;
  const EvidenceSource::ProblemHandler& on_problem_;
  bool failed_ = false;
};

struct FileStat {
  mode_t mode = 0;
  uint64_t size = 0;
  std::optional<int64_t> mtime, ctime, atime, btime;
};

// lstat semantics (never follows a link), with the birth time where the kernel and file system give one.
bool stat_no_follow(const fs::path& path, FileStat& out, std::string& error) {
#ifdef STATX_BTIME
  struct statx sx;
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx) == 0) {
    out.mode = sx.stx_mode;
    out.size = sx.stx_size;
    if (sx.stx_mask & STATX_MTIME) out.mtime = sx.stx_mtime.tv_sec;
    if (sx.stx_mask & STATX_CTIME) out.ctime = sx.stx_ctime.tv_sec;
    if (sx.stx_mask & STATX_ATIME) out.atime = sx.stx_atime.tv_sec;
    if (sx.stx_mask & STATX_BTIME) out.btime = sx.stx_btime.tv_sec;
    return true;
  }
  if (errno != ENOSYS) {
    error = std::strerror(errno);
    return false;
  }
#endif
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    error = std::strerror(errno);
    return false;
  }
  out.mode = st.st_mode;
  out.size = static_cast<uint64_t>(st.st_size);
  out.mtime = st.st_mtim.tv_sec;
  out.ctime = st.st_ctim.tv_sec;
  out.atime = st.st_atim.tv_sec;
  return true;
}

std::string link_target(const fs::path& path) {
  std::error_code ec;
  fs::path target = fs::read_symlink(path, ec);
  return ec ? std::string("?") : target.string();
}

const char* special_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "named pipe";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  return "special file";
}

class FolderSource final : public EvidenceSource {
 public:
  explicit FolderSource(fs::path root) : root_(std::move(root)) {}
  SourceKind kind() const override { return SourceKind::folder; }
  const fs::path& root() const override { return root_; }

  void for_each_file(const Filter& filter, const FileHandler& on_file,
                     const ProblemHandler& on_problem) override {
    std::error_code ec;
    fs::directory_iterator probe(root_, ec);
    if (ec)
      throw Error(ExitCode::evidence_unreadable,
                  "cannot list evidence folder " + root_.string() + ": " + ec.message());
    walk(root_, "", filter, on_file, on_problem);
  }

 private:
  void problem(const ProblemHandler& on_problem, std::string path, std::string message) {
    if (on_problem) on_problem(SourceProblem{std::move(path), std::move(message), false});
  }

  void walk(const fs::path& dir, const std::string& prefix, const Filter& filter, const FileHandler& on_file,
            const ProblemHandler& on_problem) {
    std::vector<std::string> names;
    {
      std::error_code ec;
      fs::directory_iterator it(dir, ec), end;
      for (; !ec && it != end; it.increment(ec)) names.push_back(it->path().filename().string());
      if (ec) {
        problem(on_problem, prefix,
                "cannot list folder " + (prefix.empty() ? std::string(".") : prefix) + ": " + ec.message() +
                    " (its content is not visited)");
        if (names.empty()) return;
      }
    }
    std::sort(names.begin(), names.end());  // byte order: deterministic, locale-independent
    for (const std::string& name : names) {
      fs::path full = dir / name;
      std::string logical = prefix.empty() ? name : prefix + "/" + name;
      FileStat st;
      std::string error;
      if (!stat_no_follow(full, st, error)) {
        if (accepts(filter, logical)) problem(on_problem, logical, "cannot stat " + logical + ": " + error);
        continue;
      }
      if (S_ISDIR(st.mode)) {
        walk(full, logical, filter, on_file, on_problem);
        continue;
      }
      if (!accepts(filter, logical)) continue;
      if (S_ISLNK(st.mode)) {
        problem(on_problem, logical,
                "symbolic link " + logical + " -> " + link_target(full) + " is not followed");
        continue;
      }
      if (!S_ISREG(st.mode)) {
        problem(on_problem, logical,
                std::string(special_kind(st.mode)) + " " + logical + " is not a regular file; not visited");
        continue;
      }
      EvidenceEntry entry;
      entry.path = logical;
      entry.physical = logical;
      entry.size = st.size;
      entry.mtime_unix_s = st.mtime;
      entry.ctime_unix_s = st.ctime;
      entry.atime_unix_s = st.atime;
      entry.btime_unix_s = st.btime;
      std::optional<ReportingFileReader> reader;
      try {
        reader.emplace(full, logical, on_problem);
      } catch (const Error& e) {
        problem(on_problem, logical, e.what());
        continue;
      }
      try {
        on_file(entry, *reader);
      } catch (const Error&) {
        if (!reader->failed()) throw;  // the handler's own failure (disk full, ...): not ours to swallow
      }
    }
  }

  fs::path root_;
};

}  // namespace

std::unique_ptr<EvidenceSource> make_folder_source(const std::filesystem::path& root) {
  return std::make_unique<FolderSource>(root);
}

}  // namespace kanshiki::evidence_detail
