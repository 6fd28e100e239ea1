#include "engine/thumbnails.h"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/case_db.h"
#include "core/error.h"
#include "core/evidence/source.h"
#include "core/sqlite_util.h"
#include "engine/helper_executable.h"
#include "engine/progress.h"
#include "engine/thumb_protocol.h"
#include "hashing/multi_hash.h"

extern char** environ;

namespace kanshiki {
namespace fs = std::filesystem;
namespace tp = thumb_protocol;

namespace {

// The worker process: started on the first image, restarted after it fails. Talks over one AF_UNIX
// stream socket (send with MSG_NOSIGNAL: a dead worker is an error here, not a SIGPIPE).
class ThumbWorker {
 public:
  ThumbWorker(fs::path exe, const ThumbnailOptions& o) : exe_(std::move(exe)), options_(o) {}
  ~ThumbWorker() { stop(); }
  ThumbWorker(const ThumbWorker&) = delete;
  ThumbWorker& operator=(const ThumbWorker&) = delete;

  // One image in, one answer out. Throws Error(failure) when the worker itself failed (it is restarted for
  // the next image); a decoder that failed is an answer with status failed, not an exception.
  tp::Response thumbnail(std::string_view bytes) {
    if (pid_ < 0) start();
    try {
      std::string header;
      tp::put_u32(header, static_cast<uint32_t>(bytes.size()));
      send_all(header);
      send_all(bytes);
      // The worker answers within its own wall-clock limit; this margin covers fork and encoding.
      const auto deadline =
          std::chrono::steady_clock::now() + std::chrono::seconds(options_.wall_seconds + 30);
      std::string head = receive(tp::kResponseHeaderBytes, deadline);
      tp::Response r;
      uint32_t payload_length = 0;
      std::string why;
      if (!tp::decode_response_header(head, r, payload_length, why))
        throw Error(ExitCode::failure, "thumbnail worker sent a malformed answer: " + why);
      r.payload = receive(payload_length, deadline);
      const uint32_t note_length = tp::get_u32(receive(4, deadline).data());
      if (note_length > tp::kMaxReasonBytes)
        throw Error(ExitCode::failure, "thumbnail worker sent a malformed answer: note too long");
      r.note = receive(note_length, deadline);
      return r;
    } catch (...) {
      stop();
      throw;
    }
  }

 private:
  void start() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      throw Error(ExitCode::failure, fmt::format("socketpair: {}", std::strerror(errno)));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sv[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, sv[1], STDOUT_FILENO);
    const std::string memory = std::to_string(options_.memory_bytes),
                      cpu = std::to_string(options_.cpu_seconds),
                      wall = std::to_string(options_.wall_seconds), exe = exe_.string();
    std::vector<char*> argv{const_cast<char*>(exe.c_str()),    const_cast<char*>("--memory"),
                            const_cast<char*>(memory.c_str()), const_cast<char*>("--cpu"),
                            const_cast<char*>(cpu.c_str()),    const_cast<char*>("--wall"),
                            const_cast<char*>(wall.c_str()),   nullptr};
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(sv[1]);
    if (rc != 0) {
      ::close(sv[0]);
      throw Error(ExitCode::failure, fmt::format("cannot start {}: {}", exe, std::strerror(rc)));
    }
    fd_ = sv[0];
    pid_ = pid;
  }

  void stop() {
    if (fd_ >= 0) ::close(fd_);  // the worker sees end of input and exits
    fd_ = -1;
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);  // it may be stuck; its decoder children die with it (PR_SET_PDEATHSIG)
      int status;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    pid_ = -1;
  }

  void send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        throw Error(ExitCode::failure, fmt::format("thumbnail worker gone ({})", std::strerror(errno)));
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  std::string receive(size_t n, std::chrono::steady_clock::time_point deadline) {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw Error(ExitCode::failure, "thumbnail worker did not answer in time");
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
      if (ready < 0 && errno != EINTR) throw Error(ExitCode::failure, "poll on the thumbnail worker failed");
      if (ready <= 0) continue;
      const ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw Error(ExitCode::failure, "thumbnail worker ended unexpectedly");
      got += static_cast<size_t>(r);
    }
    return out;
  }

  fs::path exe_;
  ThumbnailOptions options_;
  int fd_ = -1;
  pid_t pid_ = -1;
};

// One distinct original still to thumbnail, and the item its bytes are read from.
struct Original {
  std::string sha256, mime;
  int64_t item_id = 0, evidence_id = 0;
  std::string item_path;
  uint64_t size = 0;
};

struct RowValues {
  std::string status, path, thumb_sha256, reason, note;
  std::optional<int64_t> item_id, width, height, source_width, source_height;
};

void store_row(sql::Db& db, int64_t run_id, const std::string& sha256, const std::string& mime,
               const RowValues& v) {
  sql::Stmt st(
      db,
      "INSERT OR REPLACE INTO thumbnails(sha256, status, item_id, mime_type, path, thumb_sha256, width, "
      "height, source_width, source_height, generator, generator_version, reason, note, run_id, "
      "created_utc) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)");
  st.bind(1, sha256)
      .bind(2, v.status)
      .bind(3, v.item_id)
      .bind(4, mime)
      .bind(5, v.path)
      .bind(6, v.thumb_sha256);
  st.bind(7, v.width).bind(8, v.height).bind(9, v.source_width).bind(10, v.source_height);
  st.bind(11, kThumbnailGenerator).bind(12, kThumbnailGeneratorVersion).bind(13, v.reason).bind(14, v.note);
  st.bind(15, run_id).bind(16, now_utc_iso()).run();
}

bool is_audio_or_video(std::string_view mime) {
  return mime.starts_with("video") || mime.starts_with("audio");
}

// Written under a temporary name and renamed: a killed run never leaves a half-written thumbnail under the
// real name (the row, committed after, is what marks it done).
void write_file_atomically(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out)
      throw Error(ExitCode::disk_full,
                  fmt::format("cannot write thumbnail {}: {}", tmp.string(), std::strerror(errno)));
  }
  fs::rename(tmp, path);
}

}  // namespace

std::string thumbnail_relative_path(std::string_view sha256) {
  return fmt::format("thumbnails/{}/{}.jpg", sha256.substr(0, 2), sha256);
}

fs::path find_thumb_worker() {
#ifdef KANSHIKI_THUMB_WORKER_BUILD_PATH
  const std::string_view build_path = KANSHIKI_THUMB_WORKER_BUILD_PATH;
#else
  const std::string_view build_path;
#endif
  return find_helper_executable("kanshiki-thumb-worker", kThumbWorkerEnv, build_path, "");
}

ThumbnailResult make_thumbnails(CaseDb& c, int64_t run_id, const ThumbnailOptions& opt) {
  ThumbnailResult res;
  auto& db = c.db();
  {
    sql::Stmt st(db, "SELECT COUNT(*), COALESCE(SUM(sha256 IS NULL OR sha256 = ''), 0) FROM media");
    st.step();
    res.media = static_cast<uint64_t>(st.i64(0));
    res.without_hash = static_cast<uint64_t>(st.i64(1));
  }

  // 1. Distinct originals: what is done already, what is not an image, what has no file in the evidence.
  // Read whole first (a few strings per distinct photo), since deciding writes thumbnails rows.
  struct Known {
    Original original;
    std::string status, path, generator_version;
    std::optional<int64_t> item_id;
  };
  std::vector<Known> known;
  {
    sql::Stmt st(
        db,
        "SELECT m.sha256, MAX(COALESCE(m.mime_type, '')), t.status, t.path, t.generator_version, "
        "(SELECT i.id FROM items i JOIN evidence e ON e.id = i.evidence_id WHERE i.sha256 = m.sha256 "
        "AND e.status IN ('complete', 'partial') ORDER BY i.id LIMIT 1) "
        "FROM media m LEFT JOIN thumbnails t ON t.sha256 = m.sha256 "
        "WHERE m.sha256 IS NOT NULL AND m.sha256 != '' GROUP BY m.sha256 ORDER BY m.sha256");
    while (st.step())
      known.push_back({Original{st.text(0), st.text(1)}, st.is_null(2) ? "" : st.text(2),
                       st.is_null(3) ? "" : st.text(3), st.is_null(4) ? "" : st.text(4), st.opt_i64(5)});
  }
  std::vector<Original> todo;
  {
    sql::Stmt item(db, "SELECT evidence_id, path, size FROM items WHERE id = ?1");
    sql::Transaction tx(db);
    for (auto& k : known) {
      ++res.distinct;
      Original& o = k.original;
      const bool same_generator = k.generator_version == kThumbnailGeneratorVersion;
      if (same_generator && (k.status == "failed" || k.status == "not_image" ||
                             (k.status == "ok" && fs::exists(c.dir() / k.path)))) {
        ++res.already_done;
        continue;
      }
      if (is_audio_or_video(o.mime)) {
        if (k.status != "not_image" || !same_generator)
          store_row(db, run_id, o.sha256, o.mime,
                    {"not_image", "", "", "video or audio: no thumbnail is made (frames are not decoded)"});
        ++res.not_image;
        continue;
      }
      if (!k.item_id) {
        // Looked at again on every run: evidence ingested later may hold the file.
        store_row(
            db, run_id, o.sha256, o.mime,
            {"no_source", "", "",
             "no file with this SHA-256 in the evidence (e.g. an image stored inside a database record)"});
        ++res.no_source;
        continue;
      }
      o.item_id = *k.item_id;
      item.bind(1, o.item_id);
      if (item.step()) {
        o.evidence_id = item.i64(0);
        o.item_path = item.text(1);
        o.size = static_cast<uint64_t>(item.i64(2));
      }
      item.reset();
      todo.push_back(std::move(o));
    }
    tx.commit();
  }
  known.clear();
  if (todo.empty()) return res;

  // 2. Read each original through the evidence VFS, decode it in the confined worker, store the JPEG.
  std::map<int64_t, std::unordered_map<std::string, size_t>> by_evidence;  // evidence -> item path -> todo
  uint64_t total_bytes = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    by_evidence[todo[i].evidence_id][todo[i].item_path] = i;
    total_bytes += todo[i].size;
  }
  ThumbWorker worker(opt.worker.empty() ? find_thumb_worker() : opt.worker, opt);
  Progress progress("thumbnails", total_bytes, opt.progress);
  uint64_t images_done = 0;
  std::vector<bool> handled(todo.size(), false);

  auto finish = [&](const Original& o, RowValues v) {
    sql::Transaction tx(db);
    v.item_id = o.item_id;
    store_row(db, run_id, o.sha256, o.mime, v);
    if (v.status != "ok" || !v.note.empty()) {
      Warning w;
      w.evidence_id = o.evidence_id;
      w.item_id = o.item_id;
      w.item_path = o.item_path;
      w.parser_id = "thumbnails";
      w.message = v.status == "ok" ? "thumbnail made, but the image decoder reported: " + v.note
                                   : "no thumbnail: " + v.reason;
      c.add_warning(w, run_id);
    }
    tx.commit();
    if (v.status == "ok")
      ++res.made;
    else
      ++res.failed;
  };

  for (const auto& [evidence_id, paths] : by_evidence) {
    std::string source_path, kind_name;
    {
      sql::Stmt st(db, "SELECT source_path, source_kind FROM evidence WHERE id = ?1");
      st.bind(1, evidence_id);
      if (st.step()) {
        source_path = st.text(0);
        kind_name = st.text(1);
      }
    }
    const auto kind = source_kind_from_name(kind_name);
    if (!kind)
      throw Error(ExitCode::case_error,
                  fmt::format("evidence {} has unknown kind {}", evidence_id, kind_name));
    std::unordered_map<std::string, std::string> problems;
    try {
      auto source = open_evidence(source_path, *kind);
      source->for_each_file(
          [&](std::string_view p) { return paths.count(std::string(p)) != 0; },
          [&](const EvidenceEntry& e, ByteReader& reader) {
            const size_t index = paths.at(e.path);
            if (handled[index]) return;
            handled[index] = true;
            const Original& o = todo[index];
            if (e.size > tp::kMaxImageBytes) {
              finish(o, {"failed", "", "",
                         fmt::format("original is {} bytes, over the {} MiB limit for decoding", e.size,
                                     tp::kMaxImageBytes >> 20)});
              return;
            }
            std::string bytes;
            bytes.reserve(static_cast<size_t>(e.size));
            char chunk[1 << 16];
            for (size_t n; (n = reader.read(chunk, sizeof chunk)) > 0;) {
              bytes.append(chunk, n);
              if (bytes.size() > tp::kMaxImageBytes) break;
            }
            res.bytes_read += bytes.size();
            progress.update(res.bytes_read, ++images_done);
            if (sha256_hex(bytes) != o.sha256) {
              finish(o, {"failed", "", "",
                         "the bytes read from the evidence do not match the SHA-256 recorded at ingest (run "
                         "`kanshiki verify`)"});
              return;
            }
            tp::Response r;
            try {
              r = worker.thumbnail(bytes);
            } catch (const Error& err) {
              finish(o, {"failed", "", "", err.what()});
              return;
            }
            if (r.status != tp::Status::thumbnail) {
              finish(o, {"failed", "", "", r.payload});
              return;
            }
            const std::string relative = thumbnail_relative_path(o.sha256);
            write_file_atomically(c.dir() / relative, r.payload);
            RowValues v{"ok", relative, sha256_hex(r.payload), "", r.note};
            v.width = r.width;
            v.height = r.height;
            v.source_width = r.source_width;
            v.source_height = r.source_height;
            finish(o, v);
          },
          [&](const SourceProblem& p) { problems[p.path] = p.message; });
    } catch (const Error& e) {
      // A container unreadable past some point: what was read is done, the rest is reported below.
      if (e.code() != ExitCode::corrupt_input && e.code() != ExitCode::evidence_unreadable) throw;
      problems[""] = e.what();
    }
    for (const auto& [path, index] : paths) {
      if (handled[index]) continue;
      handled[index] = true;
      std::string why = "the item was not found in the evidence when read again";
      if (auto p = problems.find(path); p != problems.end())
        why = "the item could not be read: " + p->second;
      else if (auto all = problems.find(""); all != problems.end())
        why = "the evidence could not be read: " + all->second;
      finish(todo[index], {"failed", "", "", why});
    }
  }
  progress.finish();
  return res;
}

}  // namespace kanshiki
