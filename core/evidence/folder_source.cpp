// A folder on disk: a full-file-system dump or an extracted tree. Walked depth-first in byte order of
// names so two runs over the same folder visit files in the same order.
//
// The walk is iterative and descriptor-relative (openat/fstatat/readdir on the directory's own descriptor),
// so neither PATH_MAX nor the call stack nor the open-file limit bounds the depth: only the directory being
// read is open, the walk climbs back through ".." (checked against the device and inode recorded on the
// way down), and memory is the current path plus the sorted names of the directories on the way down.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
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
  ReportingFileReader(int dir_fd, const std::string& name, const fs::path& display, std::string logical,
                      const EvidenceSource::ProblemHandler& on_problem)
      : file_(dir_fd, name, display), logical_(std::move(logical)), on_problem_(on_problem) {}
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

// lstat semantics (never follows a link) on `name` inside the directory `dir_fd`, with the birth time where
// the kernel and file system give one.
bool stat_no_follow(int dir_fd, const std::string& name, FileStat& out, std::string& error) {
#ifdef STATX_BTIME
  struct statx sx;
  if (::statx(dir_fd, name.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx) == 0) {
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
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
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

std::string link_target(int dir_fd, const std::string& name) {
  std::vector<char> buf(4096);
  for (;;) {
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), buf.data(), buf.size());
    if (n < 0) return "?";
    if (static_cast<size_t>(n) < buf.size()) return std::string(buf.data(), static_cast<size_t>(n));
    buf.resize(buf.size() * 2);
  }
}

// An open directory descriptor, closed on every path out of the walk.
class DirFd {
 public:
  DirFd() = default;
  explicit DirFd(int fd) : fd_(fd) {}
  ~DirFd() { reset(); }
  DirFd(const DirFd&) = delete;
  DirFd& operator=(const DirFd&) = delete;
  DirFd(DirFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirFd& operator=(DirFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

DirFd open_directory(int dir_fd, const char* name) {
  // O_NOATIME as for files (FileByteReader); refused with EPERM unless we own the directory or are root.
  int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return DirFd(fd);
}

// The names in the directory open as `fd` (without "." and ".."), in byte order. `error` is set when the
// listing failed part-way; the names read until then are returned.
std::vector<std::string> list_directory(int fd, std::string& error) {
  std::vector<std::string> names;
  int own = ::dup(fd);  // closedir closes its descriptor; the walk keeps `fd`
  DIR* dir = own >= 0 ? ::fdopendir(own) : nullptr;
  if (!dir) {
    error = std::strerror(errno);
    if (own >= 0) ::close(own);
    return names;
  }
  ::rewinddir(dir);
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(dir);
    if (!e) {
      if (errno != 0) error = std::strerror(errno);
      break;
    }
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());  // byte order: deterministic, locale-independent
  return names;
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
    DirFd root_fd = open_directory(AT_FDCWD, root_.c_str());
    if (!root_fd.valid())
      throw Error(ExitCode::evidence_unreadable,
                  "cannot list evidence folder " + root_.string() + ": " + std::strerror(errno));
    walk(std::move(root_fd), filter, on_file, on_problem);
  }

 private:
  void problem(const ProblemHandler& on_problem, std::string path, std::string message) {
    if (on_problem) on_problem(SourceProblem{std::move(path), std::move(message), false});
  }

  // One directory on the way down from the root: its names, the next one to visit, and what identifies it
  // when the walk climbs back to it.
  struct Level {
    std::vector<std::string> names;
    size_t next = 0;
    size_t logical_length = 0;  // length of its logical path in `logical`
    dev_t dev = 0;
    ino_t ino = 0;
  };

  // Lists the directory open as `fd` (logical path `logical`) and pushes it; false if it cannot be listed.
  bool enter(std::vector<Level>& levels, int fd, const std::string& logical,
             const ProblemHandler& on_problem) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      problem(on_problem, logical, "cannot stat folder " + logical + ": " + std::strerror(errno));
      return false;
    }
    std::string error;
    std::vector<std::string> names = list_directory(fd, error);
    if (!error.empty()) {
      problem(on_problem, logical,
              "cannot list folder " + (logical.empty() ? std::string(".") : logical) + ": " + error +
                  " (its content is not visited)");
      if (names.empty()) return false;
    }
    levels.push_back(Level{std::move(names), 0, logical.size(), st.st_dev, st.st_ino});
    return true;
  }

  void walk(DirFd dir, const Filter& filter, const FileHandler& on_file, const ProblemHandler& on_problem) {
    std::string logical;  // logical path of the directory open as `dir`
    std::vector<Level> levels;
    if (!enter(levels, dir.get(), logical, on_problem)) return;
    while (!levels.empty()) {
      Level& level = levels.back();
      if (level.next == level.names.size()) {
        levels.pop_back();
        if (levels.empty()) break;
        // Climb back to the parent. A different device/inode there means the folder was moved or replaced
        // while we read it: the evidence changed under us, so the rest of the walk could not be trusted.
        DirFd up = open_directory(dir.get(), "..");
        struct stat st;
        if (!up.valid() || ::fstat(up.get(), &st) != 0 || st.st_dev != levels.back().dev ||
            st.st_ino != levels.back().ino)
          throw Error(ExitCode::evidence_unreadable, "evidence folder " + root_.string() +
                                                         " changed while it was read (at '" + logical +
                                                         "'); the walk cannot go on");
        dir = std::move(up);
        logical.resize(levels.back().logical_length);
        continue;
      }
      const std::string& name = level.names[level.next++];
      std::string path = logical.empty() ? name : logical + "/" + name;
      FileStat st;
      std::string error;
      if (!stat_no_follow(dir.get(), name, st, error)) {
        if (accepts(filter, path)) problem(on_problem, path, "cannot stat " + path + ": " + error);
        continue;
      }
      if (S_ISDIR(st.mode)) {
        DirFd child = open_directory(dir.get(), name.c_str());
        if (!child.valid()) {
          problem(
              on_problem, path,
              "cannot list folder " + path + ": " + std::strerror(errno) + " (its content is not visited)");
          continue;
        }
        if (!enter(levels, child.get(), path, on_problem)) continue;
        dir = std::move(child);
        logical = std::move(path);
        continue;
      }
      if (!accepts(filter, path)) continue;
      if (S_ISLNK(st.mode)) {
        problem(on_problem, path,
                "symbolic link " + path + " -> " + link_target(dir.get(), name) + " is not followed");
        continue;
      }
      if (!S_ISREG(st.mode)) {
        problem(on_problem, path,
                std::string(special_kind(st.mode)) + " " + path + " is not a regular file; not visited");
        continue;
      }
      EvidenceEntry entry;
      entry.path = path;
      entry.physical = path;
      entry.size = st.size;
      entry.mtime_unix_s = st.mtime;
      entry.ctime_unix_s = st.ctime;
      entry.atime_unix_s = st.atime;
      entry.btime_unix_s = st.btime;
      std::optional<ReportingFileReader> reader;
      try {
        reader.emplace(dir.get(), name, root_ / path, path, on_problem);
      } catch (const Error& e) {
        problem(on_problem, path, e.what());
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
