#include "engine/parse_sandbox.h"

#include <fcntl.h>
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
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "core/error.h"
#include "engine/batch_queue.h"
#include "engine/helper_executable.h"
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

// An unanswered control message after this long means the zygote is stuck (it only forks and waits).
constexpr int kControlTimeoutMs = 60'000;

}  // namespace

// The zygote process and our end of its control socket (engine/parse_protocol.h `Control`).
class ParseSandbox::Zygote {
 public:
  Zygote(const fs::path& exe, const SandboxOptions& opt) : exe_(exe) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
      throw Error(ExitCode::failure, fmt::format("socketpair: {}", std::strerror(errno)));
    Fd mine(sv[0]), theirs(sv[1]);
    Fd err_r, err_w;
    make_pipe(err_r, err_w);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, theirs.get(), 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
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
    control_ = std::move(mine);
    err_ = std::move(err_r);
    ::fcntl(err_.get(), F_SETFL, O_NONBLOCK);  // read only to explain a failure, never waited on
  }
  ~Zygote() {
    control_.reset();  // the zygote exits on end-of-file; its children die with it (PR_SET_PDEATHSIG)
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }

  // Has a child forked for `request`, writing to `out` and `err`; returns its pid.
  pid_t start_child(std::string_view request, int out, int err) {
    std::string msg(1, static_cast<char>(parse_protocol::Control::parse));
    msg.append(request);
    int fds[2] = {out, err};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
    iovec iov{msg.data(), msg.size()};
    msghdr h{};
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    h.msg_control = control;
    h.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&h);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    std::memcpy(CMSG_DATA(c), fds, sizeof fds);
    ssize_t n;
    while ((n = ::sendmsg(control_.get(), &h, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(msg.size()))
      fail(fmt::format("cannot send a request: {}", std::strerror(errno)));
    auto [tag, value] = receive(Clock::now() + std::chrono::milliseconds(kControlTimeoutMs));
    if (tag == parse_protocol::Control::failed)
      throw Error(ExitCode::failure,
                  fmt::format("the parse fork server could not start a child: {}", std::strerror(value)));
    if (tag != parse_protocol::Control::started || value <= 0) fail("unexpected answer to a request");
    return value;
  }

  // Waits until `child` has ended and returns its wait status. A child still running at `deadline` (it
  // closed its output but did not exit) is killed then; `killed_at_deadline` says so.
  int reap(pid_t child, Clock::time_point deadline, bool& killed_at_deadline) {
    char msg[5];
    msg[0] = static_cast<char>(parse_protocol::Control::reap);
    const int32_t pid = child;
    std::memcpy(msg + 1, &pid, 4);
    ssize_t n;
    while ((n = ::send(control_.get(), msg, sizeof msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof msg))
      fail(fmt::format("cannot send a request: {}", std::strerror(errno)));
    killed_at_deadline = false;
    std::optional<std::pair<parse_protocol::Control, int32_t>> answer;
    if (!ready(deadline)) {
      // The zygote has not reaped the child, so its pid cannot have been reused: safe to signal.
      ::kill(child, SIGKILL);
      killed_at_deadline = true;
    }
    auto [tag, value] = receive(Clock::now() + std::chrono::milliseconds(kControlTimeoutMs));
    if (tag != parse_protocol::Control::exited) fail("unexpected answer to a reap request");
    return value;
  }

  // Only valid before reap(): the pid is still the child's (the zygote has not waited for it).
  static void kill_child(pid_t child) { ::kill(child, SIGKILL); }

 private:
  bool ready(Clock::time_point deadline) {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{control_.get(), POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) fail(fmt::format("poll: {}", std::strerror(errno)));
    }
  }
  std::pair<parse_protocol::Control, int32_t> receive(Clock::time_point deadline) {
    if (!ready(deadline)) fail("no answer");
    char msg[5];
    ssize_t n;
    while ((n = ::recv(control_.get(), msg, sizeof msg, 0)) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof msg)) fail(n == 0 ? "it ended" : "malformed answer");
    int32_t value;
    std::memcpy(&value, msg + 1, 4);
    return {static_cast<parse_protocol::Control>(msg[0]), value};
  }
  [[noreturn]] void fail(const std::string& why) {
    std::string tail;
    char b[4096];
    ssize_t n;
    while ((n = ::read(err_.get(), b, sizeof b)) > 0) tail.append(b, static_cast<size_t>(n));
    throw Error(ExitCode::failure, fmt::format("the parse fork server ({}) failed: {}{}", exe_.string(), why,
                                               stderr_excerpt(tail)));
  }

  fs::path exe_;
  pid_t pid_ = -1;
  Fd control_, err_;
};

namespace {}  // namespace

fs::path find_helper_executable(std::string_view name, const char* env_var, std::string_view build_path,
                                std::string_view hint) {
  std::vector<fs::path> tried;
  if (const char* env = std::getenv(env_var); env && *env) {
    tried.emplace_back(env);
  } else {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) tried.push_back(self.parent_path() / name);
    if (!build_path.empty()) tried.emplace_back(build_path);
  }
  for (const auto& p : tried)
    if (::access(p.c_str(), X_OK) == 0) return p;
  std::string where;
  for (const auto& p : tried) where += (where.empty() ? "" : ", ") + p.string();
  throw Error(ExitCode::failure, fmt::format("{} was not found (tried {}); set {}{}", name,
                                             where.empty() ? "nothing" : where, env_var, hint));
}

fs::path find_parse_worker() {
#ifdef KANSHIKI_PARSE_WORKER_BUILD_PATH
  const std::string_view build_path = KANSHIKI_PARSE_WORKER_BUILD_PATH;
#else
  const std::string_view build_path;
#endif
  return find_helper_executable("kanshiki-parse-worker", kParseWorkerEnv, build_path,
                                " or run `process --no-sandbox` (the sandboxed parse worker)");
}

ParseSandbox::ParseSandbox(SandboxOptions options) : options_(std::move(options)) {}
ParseSandbox::~ParseSandbox() = default;

void parse_in_sandbox(const ParserInfo& info, const ParseInput& in, ArtifactSink& sink,
                      const SandboxOptions& opt) {
  ParseSandbox(opt).parse(info, in, sink);
}

void ParseSandbox::parse(const ParserInfo& info, const ParseInput& in, ArtifactSink& sink) {
  const SandboxOptions& opt = options_;
  const std::string request = parse_protocol::encode_request({info.id, info.version, in});
  if (request.size() >= parse_protocol::kMaxControl)
    throw Error(ExitCode::failure, fmt::format("parse request of {} bytes is too large for the fork server "
                                               "(paths of this item are unusually long)",
                                               request.size()));
  if (!zygote_)
    zygote_ = std::make_unique<Zygote>(opt.worker.empty() ? find_parse_worker() : opt.worker, opt);
  Fd out, out_w, err, err_w;
  make_pipe(out, out_w);
  make_pipe(err, err_w);
  pid_t child;
  try {
    child = zygote_->start_child(request, out_w.get(), err_w.get());
  } catch (...) {
    zygote_.reset();  // replaced on the next file
    throw;
  }
  out_w.reset();  // the child holds the write ends now: end-of-file means it is done or dead
  err_w.reset();
  bool child_alive = true;  // until reaped
  auto reap = [&](Clock::time_point deadline, bool& killed_at_deadline) {
    child_alive = false;
    try {
      return zygote_->reap(child, deadline, killed_at_deadline);
    } catch (...) {
      zygote_.reset();
      throw;
    }
  };
  auto kill_and_reap = [&] {
    if (!child_alive) return;
    Zygote::kill_child(child);
    bool ignored;
    try {
      reap(Clock::now() + std::chrono::seconds(10), ignored);
    } catch (const Error&) {
      // the zygote is gone, and with it the child
    }
  };

  // A reader thread takes the child's output off the pipes and decodes and checks it; this thread only
  // writes the case. Decoding a million records is a second or more that then overlaps with storing them.
  using Item = std::variant<Record, Warning>;
  constexpr size_t kBatch = 512;
  BatchQueue<std::vector<Item>> decoded;
  const auto deadline = Clock::now() + std::chrono::seconds(opt.wall_seconds);
  // Written by the reader thread only, read here after it has been joined.
  std::string err_tail;   // last bytes of the child's stderr
  std::string violation;  // why its output cannot be accepted
  std::optional<std::pair<ExitCode, std::string>> parser_error;
  bool done = false, timed_out = false, output_cut_short = false;  // cut short: ends inside a frame
  uint64_t records = 0;
  std::exception_ptr reader_failure;

  std::thread reader([&] {
    std::string buf;  // undecoded bytes from the child's stdout
    std::vector<char> chunk(256 * 1024);
    std::vector<Item> batch;
    bool writer_stopped = false;
    auto flush = [&] {
      if (batch.empty()) return;
      if (!decoded.push(std::move(batch))) writer_stopped = true;
      batch = {};
      batch.reserve(kBatch);
    };
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
              batch.emplace_back(std::move(r));
              break;
            }
            case parse_protocol::FrameKind::warning: {
              Warning w = parse_protocol::decode_warning(payload);
              // Warnings always concern this item: that part is not the worker's to say.
              w.evidence_id = in.evidence_id;
              w.item_id = in.item_id;
              w.item_path = in.item_path;
              w.parser_id = info.id;
              batch.emplace_back(std::move(w));
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
          violation = e.what();  // decoding errors: the child's output is malformed
        }
        if (batch.size() >= kBatch) flush();
      }
      buf.erase(0, pos);
    };

    try {
      while ((out.get() >= 0 || err.get() >= 0) && violation.empty() && !writer_stopped) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
          timed_out = true;
          break;
        }
        pollfd fds[2];
        nfds_t n = 0;
        if (out.get() >= 0) fds[n++] = {out.get(), POLLIN, 0};
        if (err.get() >= 0) fds[n++] = {err.get(), POLLIN, 0};
        int r = ::poll(fds, n, static_cast<int>(std::min<long long>(left, 1000)));
        if (r < 0 && errno != EINTR)
          throw Error(ExitCode::failure, fmt::format("poll: {}", std::strerror(errno)));
        for (nfds_t i = 0; i < n && r > 0; ++i) {
          if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
          ssize_t got = ::read(fds[i].fd, chunk.data(), chunk.size());
          if (got < 0 && errno == EINTR) continue;
          const bool is_out = fds[i].fd == out.get();
          if (got <= 0) {
            is_out ? out.reset() : err.reset();
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
      flush();
      output_cut_short = !buf.empty();
    } catch (...) {
      reader_failure = std::current_exception();
    }
    decoded.close();
  });

  try {
    std::vector<Item> batch;
    while (decoded.pop(batch)) {
      for (auto& item : batch) {
        if (auto* r = std::get_if<Record>(&item))
          sink.emit(std::move(*r));
        else
          sink.warn(std::move(std::get<Warning>(item)));
      }
    }
  } catch (...) {
    decoded.abandon();          // the reader stops at its next batch...
    Zygote::kill_child(child);  // ...or at the end of the output, which comes now
    reader.join();
    kill_and_reap();
    throw;
  }
  reader.join();
  if (reader_failure) {
    kill_and_reap();
    std::rethrow_exception(reader_failure);
  }

  if (timed_out || !violation.empty()) Zygote::kill_child(child);
  bool killed_at_deadline = false;
  const int status = reap(deadline, killed_at_deadline);
  timed_out = timed_out || killed_at_deadline;
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
  if (!done || output_cut_short || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(ExitCode::corrupt_input,
                fmt::format("parser worker ended without finishing (exit status {}, {} records received){}",
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1, records, tail));
}

}  // namespace kanshiki
