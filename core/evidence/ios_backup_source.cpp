// An unencrypted iTunes/Finder backup folder (iOS 10+): Manifest.db maps each hashed file "ab/abcdef..." to
// "<domain>/<relativePath>". Manifest.db is only ever opened as a working copy in a temp folder.
#include <plist/plist.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/evidence/sources_impl.h"
#include "core/sqlite_util.h"
#include "hashing/multi_hash.h"

namespace kanshiki::evidence_detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEncryptedMessage =
    "encrypted iOS backup: give the backup password with `kanshiki ingest BACKUP --password P` (or "
    "--password-file F); it is then decrypted into derived evidence (暗号化バックアップ: パスワードが必要です)";
constexpr uint64_t kMaxPlistBytes = 64ull << 20;  // Manifest.plist is a few KB to a few MB

struct PlistDeleter {
  void operator()(plist_t p) const { plist_free(p); }
};
using PlistPtr = std::unique_ptr<void, PlistDeleter>;


std::optional<int64_t> plist_int(plist_t dict, const char* key) {
  plist_t node = plist_dict_get_item(dict, key);
  if (!node) return std::nullopt;
  if (plist_get_node_type(node) == PLIST_UINT) {
    uint64_t v = 0;
    plist_get_uint_val(node, &v);
    return static_cast<int64_t>(v);  // libplist 2.2 keeps signed integers in the same 64 bits
  }
  if (plist_get_node_type(node) == PLIST_REAL) {
    double v = 0;
    plist_get_real_val(node, &v);
    return static_cast<int64_t>(v);
  }
  return std::nullopt;
}

// The fields of an MBFile (NSKeyedArchiver binary plist in Files.file) that the entry uses.
struct MbFile {
  std::optional<int64_t> last_modified, last_status_change, birth, size;
  std::string target;  // symlinks
};

std::optional<MbFile> decode_mbfile(std::string_view blob) {
  if (blob.size() < 8 || blob.substr(0, 6) != "bplist") return std::nullopt;
  plist_t raw = nullptr;
  plist_from_bin(blob.data(), static_cast<uint32_t>(blob.size()), &raw);
  PlistPtr root(raw);
  if (!raw || plist_get_node_type(raw) != PLIST_DICT) return std::nullopt;
  plist_t objects = plist_dict_get_item(raw, "$objects");
  plist_t top = plist_dict_get_item(raw, "$top");
  if (!objects || plist_get_node_type(objects) != PLIST_ARRAY || !top) return std::nullopt;
  auto deref = [&](plist_t node) -> plist_t {
    if (!node || plist_get_node_type(node) != PLIST_UID) return node;
    uint64_t uid = 0;
    plist_get_uid_val(node, &uid);
    if (uid >= plist_array_get_size(objects)) return nullptr;
    return plist_array_get_item(objects, static_cast<uint32_t>(uid));
  };
  plist_t file = deref(plist_dict_get_item(top, "root"));
  if (!file || plist_get_node_type(file) != PLIST_DICT) return std::nullopt;
  MbFile out;
  out.last_modified = plist_int(file, "LastModified");
  out.last_status_change = plist_int(file, "LastStatusChange");
  out.birth = plist_int(file, "Birth");
  out.size = plist_int(file, "Size");
  plist_t target = deref(plist_dict_get_item(file, "Target"));
  if (target && plist_get_node_type(target) == PLIST_STRING) {
    char* s = nullptr;
    plist_get_string_val(target, &s);
    if (s) out.target = s;
    free(s);
  }
  return out;
}

bool is_hex_id(std::string_view id) {
  if (id.size() != 40) return false;  // SHA-1 of "<domain>-<relativePath>"
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_hex_dir_name(std::string_view name) {
  return name.size() == 2 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Reports a read failure once as a non-fatal problem, then throws (see folder_source.cpp).
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

// A temp folder holding the Manifest.db working copy; removed with the source.
class WorkDir {
 public:
  WorkDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("kanshiki-manifest-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~WorkDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void copy_read_only(const fs::path& from, const fs::path& to) {
  FileByteReader reader(from);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ExitCode::failure, "cannot create working copy " + to.string());
  std::vector<char> buf(1 << 20);
  for (size_t n; (n = reader.read(buf.data(), buf.size())) > 0;)
    out.write(buf.data(), static_cast<std::streamsize>(n));
  out.flush();
  if (!out) throw Error(ExitCode::disk_full, "cannot write working copy " + to.string() + " (disk full?)");
}

bool lstat_file(const fs::path& path, struct stat& st) { return ::lstat(path.c_str(), &st) == 0; }

class IosBackupSource final : public EvidenceSource {
 public:
  explicit IosBackupSource(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    fs::path manifest = root_ / "Manifest.db";
    if (!fs::exists(manifest, ec)) {
      if (fs::exists(root_ / "Manifest.mbdb", ec))
        throw Error(ExitCode::unknown_format,
                    "iOS backup " + root_.string() +
                        " uses the pre-iOS 10 Manifest.mbdb index, which is not supported yet");
      throw Error(ExitCode::unknown_format, root_.string() + " is not an iOS backup: it has no Manifest.db");
    }
    check_not_encrypted(manifest);
    fs::path copy = work_.path() / "Manifest.db";
    copy_read_only(manifest, copy);
    for (const char* suffix : {"-wal", "-journal"}) {
      fs::path sibling = manifest;
      sibling += suffix;
      if (fs::exists(sibling, ec)) {
        fs::path to = copy;
        to += suffix;
        copy_read_only(sibling, to);
      }
    }
    // Read-write on our own copy so SQLite can apply a -wal or -journal that came with the original.
    db_ = sql::Db(copy, SQLITE_OPEN_READWRITE);
    std::vector<std::string> cols = db_.columns("Files");
    for (const char* needed : {"fileID", "domain", "relativePath", "flags", "file"}) {
      if (std::find(cols.begin(), cols.end(), needed) == cols.end())
        throw Error(ExitCode::corrupt_input, "Manifest.db of " + root_.string() + " has no Files." + needed +
                                                 " column (not an iOS 10+ backup index?)");
    }
  }

  SourceKind kind() const override { return SourceKind::ios_backup; }
  const fs::path& root() const override { return root_; }

  void for_each_file(const Filter& filter, const FileHandler& on_file,
                     const ProblemHandler& on_problem) override {
    auto problem = [&](std::string path, std::string message) {
      if (on_problem) on_problem(SourceProblem{std::move(path), std::move(message), false});
    };
    visit_top_level(filter, on_file, on_problem, problem);
    visit_manifest_files(filter, on_file, on_problem, problem);
    report_unlisted(filter, problem);
  }

 private:
  template <typename Problem>
  void visit_top_level(const Filter& filter, const FileHandler& on_file, const ProblemHandler& on_problem,
                       Problem& problem) {
    for (const char* name : {"Info.plist", "Manifest.db", "Manifest.db-wal", "Manifest.db-journal",
                             "Manifest.plist", "Status.plist"}) {
      if (!accepts(filter, name)) continue;
      fs::path full = root_ / name;
      struct stat st;
      if (!lstat_file(full, st)) {
        std::string n = name;
        if (n == "Manifest.plist" || n == "Status.plist")
          problem(n, n + " not found in the backup (incomplete or trimmed backup)");
        continue;
      }
      if (!S_ISREG(st.st_mode)) {
        problem(name, std::string(name) + " is not a regular file; not visited");
        continue;
      }
      EvidenceEntry entry;
      entry.path = name;
      entry.physical = name;
      entry.size = static_cast<uint64_t>(st.st_size);
      entry.mtime_unix_s = st.st_mtim.tv_sec;
      entry.ctime_unix_s = st.st_ctim.tv_sec;
      entry.atime_unix_s = st.st_atim.tv_sec;
      hand_out(full, entry, on_file, on_problem, problem);
    }
  }

  template <typename Problem>
  void visit_manifest_files(const Filter& filter, const FileHandler& on_file,
                            const ProblemHandler& on_problem, Problem& problem) {
    sql::Stmt st(
        db_,
        "SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY domain, relativePath, fileID");
    std::string previous;
    int repeat = 1;
    while (st.step()) {
      std::string file_id = st.is_null(0) ? std::string() : st.text(0);
      std::string domain = st.is_null(1) ? std::string() : st.text(1);
      std::string relative = st.is_null(2) ? std::string() : st.text(2);
      int64_t flags = st.is_null(3) ? -1 : st.i64(3);
      if (flags == 2) continue;  // directory: nothing to read

      std::string stored = domain + "/" + relative;
      SanitisedPath clean = sanitise_stored_name(stored);
      std::string logical = clean.path;
      std::string note;
      if (!clean.unsafe_reason.empty())
        note = "unsafe Manifest.db path '" + stored + "' (" + clean.unsafe_reason + "): visited as '" +
               logical + "'";
      if (logical == previous) {
        logical += "#" + std::to_string(++repeat);
        note += std::string(note.empty() ? "" : "; ") + "Manifest.db lists '" + stored + "' more than once";
      } else {
        previous = logical;
        repeat = 1;
      }
      if (!accepts(filter, logical)) continue;
      if (!note.empty()) problem(logical, note);

      std::optional<MbFile> mb = st.is_null(4) ? std::nullopt : decode_mbfile(st.blob(4));
      if (flags == 4) {
        problem(logical, "symbolic link " + logical + " -> " +
                             (mb && !mb->target.empty() ? mb->target : "?") +
                             " in the backup is not followed");
        continue;
      }
      if (flags != 1) {
        problem(logical, "Manifest.db row " + file_id + " for " + logical + " has unknown flags " +
                             std::to_string(flags) + "; not visited");
        continue;
      }
      if (!is_hex_id(file_id)) {
        problem(logical,
                "Manifest.db row for " + logical + " has a malformed fileID '" + file_id + "'; not visited");
        continue;
      }
      std::string physical = file_id.substr(0, 2) + "/" + file_id;
      fs::path full = root_ / physical;
      struct stat fst;
      if (!lstat_file(full, fst)) {
        problem(logical, logical + " is listed in Manifest.db but missing on disk (" + physical + ": " +
                             std::strerror(errno) + ")");
        continue;
      }
      if (!S_ISREG(fst.st_mode)) {
        problem(logical, physical + " (" + logical + ") is not a regular file; not visited");
        continue;
      }
      EvidenceEntry entry;
      entry.path = logical;
      entry.physical = physical;
      entry.size = static_cast<uint64_t>(fst.st_size);
      entry.note = note;
      if (mb) {
        // Device times from the manifest; the hashed file's own times are the backup computer's.
        entry.mtime_unix_s = mb->last_modified;
        entry.ctime_unix_s = mb->last_status_change;
        entry.btime_unix_s = mb->birth;
        if (mb->size && *mb->size != static_cast<int64_t>(entry.size)) {
          std::string msg = "size in Manifest.db (" + std::to_string(*mb->size) +
                            ") differs from the file on disk (" + std::to_string(entry.size) + " bytes)";
          entry.note += (entry.note.empty() ? "" : "; ") + msg;
          problem(logical, logical + ": " + msg);
        }
      } else {
        entry.mtime_unix_s = fst.st_mtim.tv_sec;
        entry.ctime_unix_s = fst.st_ctim.tv_sec;
        entry.note += std::string(entry.note.empty() ? "" : "; ") +
                      "no readable MBFile record: times are the backup folder's, not the device's";
      }
      hand_out(full, entry, on_file, on_problem, problem);
    }
  }

  // Files on disk that Manifest.db does not list, and anything else odd at the top level: reported, never
  // silently ignored. The filter sees their physical path ("ab/abcdef...").
  template <typename Problem>
  void report_unlisted(const Filter& filter, Problem& problem) {
    static const std::vector<std::string> known = {
        "Info.plist",      "Manifest.db",    "Manifest.db-wal", "Manifest.db-journal",
        "Manifest.db-shm", "Manifest.plist", "Status.plist"};
    sql::Stmt lookup(db_, "SELECT 1 FROM Files WHERE fileID = ?1");
    for (const std::string& name : sorted_names(root_)) {
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::error_code ec;
      if (!is_hex_dir_name(name) || !fs::is_directory(fs::symlink_status(root_ / name, ec))) {
        if (accepts(filter, name)) problem(name, name + " is not part of the iOS backup layout; not visited");
        continue;
      }
      for (const std::string& file : sorted_names(root_ / name)) {
        std::string physical = name + "/" + file;
        if (!accepts(filter, physical)) continue;
        lookup.bind(1, file);
        bool listed = lookup.step();
        lookup.reset();
        if (!listed) problem(physical, physical + " is on disk but not listed in Manifest.db; not visited");
      }
    }
  }

  static std::vector<std::string> sorted_names(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  template <typename Problem>
  void hand_out(const fs::path& full, const EvidenceEntry& entry, const FileHandler& on_file,
                const ProblemHandler& on_problem, Problem& problem) {
    std::optional<ReportingFileReader> reader;
    try {
      reader.emplace(full, entry.path, on_problem);
    } catch (const Error& e) {
      problem(entry.path, e.what());
      return;
    }
    try {
      on_file(entry, *reader);
    } catch (const Error&) {
      if (!reader->failed()) throw;  // the handler's own failure: not ours to swallow
    }
  }

  // iOS 10.2+ encrypts Manifest.db whenever IsEncrypted (Manifest.plist then has a ManifestKey), so such a
  // backup with a plain-SQLite Manifest.db is a decrypted copy (ours in CASE/derived/D<n>, or another tool's that
  // keeps Manifest.plist as it was): readable as is. Without a ManifestKey (iOS 10.0/10.1) Manifest.db stays plain
  // while the files are encrypted: refused like any encrypted backup.
  void check_not_encrypted(const fs::path& manifest) {
    bool plain_db = starts_with_sqlite_magic(manifest);
    std::error_code ec;
    fs::path plist_path = root_ / "Manifest.plist";
    if (fs::exists(plist_path, ec)) {
      std::string data = read_small_file(plist_path, kMaxPlistBytes);
      plist_t raw = nullptr;
      plist_from_memory(data.data(), static_cast<uint32_t>(data.size()), &raw);
      PlistPtr root(raw);
      plist_t enc =
          raw && plist_get_node_type(raw) == PLIST_DICT ? plist_dict_get_item(raw, "IsEncrypted") : nullptr;
      if (enc && plist_get_node_type(enc) == PLIST_BOOLEAN) {
        uint8_t v = 0;
        plist_get_bool_val(enc, &v);
        bool decrypted_copy = plain_db && plist_dict_get_item(raw, "ManifestKey") != nullptr;
        if (v && !decrypted_copy)
          throw Error(ExitCode::evidence_unreadable, std::string(kEncryptedMessage) + ": " + root_.string() +
                                                         " (Manifest.plist IsEncrypted = true)");
      }
    }
    FileByteReader reader(manifest);
    char header[16] = {};
    size_t got = 0;
    for (size_t n; got < sizeof header && (n = reader.read(header + got, sizeof header - got)) > 0;) got += n;
    if (got == 0)
      throw Error(ExitCode::corrupt_input,
                  "Manifest.db of iOS backup " + root_.string() + " is empty (0 bytes)");
    if (got < sizeof header || std::memcmp(header, "SQLite format 3\0", 16) != 0) {
      throw Error(ExitCode::evidence_unreadable, std::string(kEncryptedMessage) + ": " + root_.string() +
                                                     " (Manifest.db is not a plain SQLite file)");
    }
  }

  static bool starts_with_sqlite_magic(const fs::path& file) {
    try {
      FileByteReader reader(file);
      char header[16] = {};
      size_t got = 0;
      for (size_t n; got < sizeof header && (n = reader.read(header + got, sizeof header - got)) > 0;) got += n;
      return got == sizeof header && std::memcmp(header, "SQLite format 3\0", 16) == 0;
    } catch (const Error&) {
      return false;  // check_not_encrypted reports the read failure with its own message
    }
  }

  fs::path root_;
  WorkDir work_;
  sql::Db db_;
};

}  // namespace

std::unique_ptr<EvidenceSource> make_ios_backup_source(const std::filesystem::path& root) {
  return std::make_unique<IosBackupSource>(root);
}

}  // namespace kanshiki::evidence_detail
