#include "engine/parse_sandbox.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/parse_protocol.h"

extern char** environ;

namespace kanshiki {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) reset(), fd_ = o.fd_, o.fd_ = -1;
    return *this;
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

void make_pipe(Fd& read_end, Fd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0)
    throw Error(ExitCode::failure, fmt::format("pipe: {}", std::strerror(errno)));
  read_end = Fd(p[0]);
  write_end = Fd(p[1]);
}

// Writes the whole request; a worker that dies before reading it must not kill us with SIGPIPE, so the
// signal is blocked on this thread for the call and a pending one is consumed.
bool write_all_nosigpipe(int fd, std::string_view data) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  bool ok = true;
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (!ok) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

std::string signal_description(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV (invalid memory access)";
    case SIGABRT:
      return "SIGABRT (aborted)";
    case SIGBUS:
      return "SIGBUS";
    case SIGILL:
      return "SIGILL";
    case SIGFPE:
      return "SIGFPE";
    case SIGSYS:
      return "SIGSYS (forbidden system call)";
    case SIGXCPU:
      return "SIGXCPU (CPU time limit)";
    case SIGXFSZ:
      return "SIGXFSZ (tried to write a file)";
    case SIGKILL:
      return "SIGKILL";
    default:
      return fmt::format("signal {}", sig);
  }
}

// The last lines a dying worker printed (sanitizer report, assertion), kept short for the warning.
std::string stderr_excerpt(const std::string& tail) {
  std::string s = tail;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.empty()) return "";
  if (s.size() > 600) s = "…" + s.substr(s.size() - 600);
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return "; worker stderr: " + s;
}

class Worker {
 public:
  Worker(const fs::path& exe, const SandboxOptions& opt) {
    Fd in_r, in_w, out_r, out_w, err_r, err_w;
    make_pipe(in_r, in_w);
    make_pipe(out_r, out_w);
    make_pipe(err_r, err_w);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
    posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
    std::vector<std::string> args{exe.string(), "--memory", std::to_string(opt.memory_bytes), "--cpu",
                                  std::to_string(opt.cpu_seconds)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
      throw Error(ExitCode::failure,
                  fmt::format("cannot start the parse worker {}: {}", exe.string(), std::strerror(rc)));
    in_ = std::move(in_w);
    out_ = std::move(out_r);
    err_ = std::move(err_r);
  }
  ~Worker() { kill_and_reap(); }

  int in() const { return in_.get(); }
  void close_in() { in_.reset(); }
  int out() const { return out_.get(); }
  int err() const { return err_.get(); }
  void close_out() { out_.reset(); }
  void close_err() { err_.reset(); }

  void kill_and_reap() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait();
  }
  int wait() {
    if (pid_ <= 0) return status_;
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  Fd in_, out_, err_;
};

}  // namespace

fs::path find_parse_worker() {
  std::vector<fs::path> tried;
  if (const char* env = std::getenv(kParseWorkerEnv); env && *env) {
    tried.emplace_back(env);
  } else {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) tried.push_back(self.parent_path() / "kanshiki-parse-worker");
#ifdef KANSHIKI_PARSE_WORKER_BUILD_PATH
    tried.emplace_back(KANSHIKI_PARSE_WORKER_BUILD_PATH);
#endif
  }
  for (const auto& p : tried)
    if (::access(p.c_str(), X_OK) == 0) return p;
  std::string where;
  for (const auto& p : tried) where += (where.empty() ? "" : ", ") + p.string();
  throw Error(
      ExitCode::failure,
      fmt::format("the sandboxed parse worker (kanshiki-parse-worker) was not found (tried {}); set {} or "
                  "run `process --no-sandbox`",
                  where.empty() ? "nothing" : where, kParseWorkerEnv));
}

void parse_in_sandbox(const ParserInfo& info, const ParseInput& in, ArtifactSink& sink,
                      const SandboxOptions& opt) {
  const fs::path exe = opt.worker.empty() ? find_parse_worker() : opt.worker;
  Worker worker(exe, opt);

  parse_protocol::Request request{info.id, info.version, in};
  write_all_nosigpipe(worker.in(), parse_protocol::encode_request(request));  // a dead worker shows below
  worker.close_in();

  const auto deadline = Clock::now() + std::chrono::seconds(opt.wall_seconds);
  std::string buf;        // undecoded bytes from the worker's stdout
  std::string err_tail;   // last bytes of its stderr
  std::string violation;  // why its output cannot be accepted
  std::optional<std::pair<ExitCode, std::string>> parser_error;
  bool done = false, timed_out = false;
  uint64_t records = 0;
  std::vector<char> chunk(256 * 1024);

  // Decodes every complete frame in `buf`; stops at the first violation.
  auto drain = [&] {
    size_t pos = 0;
    while (violation.empty() && buf.size() - pos >= parse_protocol::kFrameHeader) {
      const auto kind = static_cast<parse_protocol::FrameKind>(buf[pos]);
      uint32_t len;
      std::memcpy(&len, buf.data() + pos + 1, 4);
      if (len > parse_protocol::kMaxFrame) {
        violation =
            fmt::format("frame of {} bytes exceeds the {} MiB limit", len, parse_protocol::kMaxFrame >> 20);
        break;
      }
      if (buf.size() - pos - parse_protocol::kFrameHeader < len) break;
      std::string_view payload(buf.data() + pos + parse_protocol::kFrameHeader, len);
      pos += parse_protocol::kFrameHeader + len;
      if (done || parser_error) {
        violation = "data after the end of the parse";
        break;
      }
      try {
        switch (kind) {
          case parse_protocol::FrameKind::record: {
            Record r = parse_protocol::decode_record(payload);
            const auto& p = r.provenance;
            if (p.evidence_id != in.evidence_id || p.item_id != in.item_id || p.item_path != in.item_path ||
                p.item_sha256 != in.item_sha256 || p.parser_id != info.id ||
                p.parser_version != info.version) {
              violation = fmt::format("record {} is attributed to another item or parser ({} {} {})",
                                      records + 1, p.item_path, p.parser_id, p.parser_version);
              break;
            }
            ++records;
            sink.emit(std::move(r));
            break;
          }
          case parse_protocol::FrameKind::warning: {
            Warning w = parse_protocol::decode_warning(payload);
            // Warnings always concern this item: that part is not the worker's to say.
            w.evidence_id = in.evidence_id;
            w.item_id = in.item_id;
            w.item_path = in.item_path;
            w.parser_id = info.id;
            sink.warn(std::move(w));
            break;
          }
          case parse_protocol::FrameKind::error:
            parser_error = parse_protocol::decode_error(payload);
            break;
          case parse_protocol::FrameKind::done:
            if (!payload.empty()) violation = "malformed end frame";
            done = true;
            break;
          default:
            violation = fmt::format("unknown frame kind 0x{:02x}", static_cast<uint8_t>(kind));
        }
      } catch (const Error& e) {
        if (e.code() != ExitCode::corrupt_input) throw;  // the case writer failed: not the worker's fault
        violation = e.what();
      }
    }
    buf.erase(0, pos);
  };

  try {
    while ((worker.out() >= 0 || worker.err() >= 0) && violation.empty()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      pollfd fds[2];
      nfds_t n = 0;
      if (worker.out() >= 0) fds[n++] = {worker.out(), POLLIN, 0};
      if (worker.err() >= 0) fds[n++] = {worker.err(), POLLIN, 0};
      int r = ::poll(fds, n, static_cast<int>(std::min<long long>(left, 1000)));
      if (r < 0 && errno != EINTR)
        throw Error(ExitCode::failure, fmt::format("poll: {}", std::strerror(errno)));
      for (nfds_t i = 0; i < n && r > 0; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t got = ::read(fds[i].fd, chunk.data(), chunk.size());
        if (got < 0 && errno == EINTR) continue;
        const bool is_out = fds[i].fd == worker.out();
        if (got <= 0) {
          is_out ? worker.close_out() : worker.close_err();
          continue;
        }
        if (is_out) {
          buf.append(chunk.data(), static_cast<size_t>(got));
          drain();
        } else {
          err_tail.append(chunk.data(), static_cast<size_t>(got));
          if (err_tail.size() > 8192) err_tail.erase(0, err_tail.size() - 4096);
        }
      }
    }
  } catch (...) {
    worker.kill_and_reap();
    throw;
  }

  if (timed_out || !violation.empty()) worker.kill_and_reap();
  const int status = worker.wait();
  const std::string tail = stderr_excerpt(err_tail);
  if (timed_out)
    throw Error(
        ExitCode::corrupt_input,
        fmt::format("parser worker killed after the wall-clock limit of {} s ({} records received before){}",
                    opt.wall_seconds, records, tail));
  if (!violation.empty())
    throw Error(
        ExitCode::corrupt_input,
        fmt::format("parser worker output rejected: {} ({} records accepted before)", violation, records));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    std::string why = signal_description(sig);
    if (sig == SIGKILL || sig == SIGXCPU)
      why += fmt::format(" — CPU limit {} s or memory exhausted", opt.cpu_seconds);
    throw Error(ExitCode::corrupt_input,
                fmt::format("parser worker crashed: {} ({} records received before){}", why, records, tail));
  }
  if (parser_error) throw Error(parser_error->first, parser_error->second);
  if (!done || !buf.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(ExitCode::corrupt_input,
                fmt::format("parser worker ended without finishing (exit status {}, {} records received){}",
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1, records, tail));
}

}  // namespace kanshiki
