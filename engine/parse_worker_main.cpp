// kanshiki-parse-worker: a fork server. Started once by `process` (engine/parse_sandbox.cpp), never by
// hand, it waits on stdin (a SOCK_SEQPACKET socket, engine/parse_protocol.h `Control`) for requests; for
// each it forks a child that runs one parser over one working copy inside a sandbox and streams framed
// records to the pipe the parent sent with the request. The zygote itself never reads evidence, so every
// child starts from the same pristine state. Confinement of a child, in the order it is applied:
//   1. every descriptor except its stdin (/dev/null), stdout and stderr is closed, the zygote's control
//      socket included; the child dies with the zygote, the zygote with `process`;
//   2. rlimits: address space (memory), CPU seconds, file size 0 (no file can grow), no core dumps;
//   3. SQLite is told to keep temporary tables in memory (so it never needs a writable temp file) and to
//      refuse any single value over one protocol frame (64 MiB);
//   4. a seccomp filter (libseccomp): no sockets, no exec, no ptrace, no signals to other processes, no
//      open() for writing or creating, no unlink/rename/mkdir/chmod/truncate/link. Denied calls fail with
//      EACCES/EPERM, so a parser that merely tries gets an error rather than a kill.
// After that the request is decoded and the parser runs. The working copy is only ever opened read-only.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "engine/parse_protocol.h"
#include "engine/sandbox_confine.h"
#include "parsers/parser.h"

namespace {

using namespace kanshiki;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "kanshiki-parse-worker: %s\n", why.c_str());
  std::fflush(stderr);
  ::_exit(3);
}

void write_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(4);  // the parent is gone or stopped listening: nothing left to do
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Frames go out in ~256 KiB writes; the parent decodes while the parser goes on.
class FrameSink final : public ArtifactSink {
 public:
  void emit(Record r) override {
    parse_protocol::append_record(buf_, r);
    maybe_flush();
  }
  void warn(Warning w) override {
    parse_protocol::append_warning(buf_, w);
    maybe_flush();
  }
  void error(ExitCode code, std::string_view message) { parse_protocol::append_error(buf_, code, message); }
  void done() { parse_protocol::append_done(buf_); }
  void flush() {
    write_all(buf_);
    buf_.clear();
  }

 private:
  void maybe_flush() {
    if (buf_.size() >= (256u << 10)) flush();
  }
  std::string buf_;
};

int configure_connection(sqlite3* db, char**, const sqlite3_api_routines*) {
  sqlite3_exec(db, "PRAGMA temp_store=MEMORY", nullptr, nullptr, nullptr);
  // No value larger than one protocol frame could come back to `process` anyway. Refused here, SQLite fails
  // the row with SQLITE_TOOBIG before materialising it, instead of the parser first copying a ~1 GB message
  // body several times over (gigabytes of worker memory) only for the frame to be rejected.
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, static_cast<int>(parse_protocol::kMaxFrame));
  return SQLITE_OK;
}

// Test hook: with KANSHIKI_TEST_FAULTS=1 in the environment, a working copy containing the marker
// "KANSHIKI-FAULT:<kind>" in its first 1 MiB makes the *worker* misbehave the way a parser exploited by a
// crafted file might. Never honoured in-process (it lives only in this executable).
void maybe_inject_fault(const std::filesystem::path& file) {
  const char* on = std::getenv("KANSHIKI_TEST_FAULTS");
  if (!on || std::string_view(on) != "1") return;
  std::ifstream f(file, std::ios::binary);
  std::string head(1u << 20, '\0');
  f.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(f.gcount()));
  auto at = head.find("KANSHIKI-FAULT:");
  if (at == std::string::npos) return;
  std::string_view kind = std::string_view(head).substr(at + 15, 12);
  if (kind.starts_with("abort")) std::abort();
  if (kind.starts_with("segv")) std::raise(SIGSEGV);
  if (kind.starts_with("loop"))
    for (;;) asm volatile("" ::: "memory");  // a busy loop the compiler may not remove
  if (kind.starts_with("sleep")) std::this_thread::sleep_for(std::chrono::hours(1));
  if (kind.starts_with("memory")) {
    std::vector<std::string> hog;
    for (;;) hog.emplace_back(64u << 20, 'x');
  }
  if (kind.starts_with("write")) {
    // What an exploited parser would try: reach the case or the evidence, or the network.
    FILE* out = std::fopen((file.string() + ".pwned").c_str(), "w");
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    // ... or talk to the fork server, to get at the next file's child: stdin must not be its socket.
    const bool zygote_reachable = ::write(STDIN_FILENO, "W", 1) >= 0;
    std::fprintf(stderr, "write attempt: fopen %s, socket %s, fork server %s\n", out ? "SUCCEEDED" : "denied",
                 s >= 0 ? "SUCCEEDED" : "denied", zygote_reachable ? "REACHED" : "unreachable");
    if (out || s >= 0 || zygote_reachable) std::abort();
  }
}

// Everything after fork, in the child: take the descriptors the parent sent, confine, parse one file, exit.
// Nothing here returns; the child never goes back into the zygote's loop.
[[noreturn]] void run_child(std::string_view request, int out_fd, int err_fd, pid_t zygote, uint64_t memory,
                            unsigned cpu) {
  if (::dup2(out_fd, STDOUT_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0) ::_exit(5);
  // stdin was the zygote's control socket: a compromised child must not be able to talk to the zygote.
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0) ::_exit(5);
  ::close_range(3, ~0U, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != zygote) ::_exit(6);  // the zygote died between fork and prctl

  // Decoded before confinement so a malformed request is reported plainly.
  parse_protocol::Request req;
  FrameSink sink;
  try {
    req = parse_protocol::decode_request(request);
  } catch (const Error& e) {
    die(e.what());
  }
  // A read-only SQLite connection to a WAL-mode database wants a -wal and a -shm it can open read-only (it
  // then rebuilds the WAL index in its own memory); it would otherwise try to create them, which the filter
  // refuses. Empty ones mean exactly "no WAL content". Created now, in the working-copy folder, while we may.
  {
    char header[20] = {};
    std::ifstream(req.input.working_copy, std::ios::binary).read(header, sizeof header);
    const bool wal_mode = std::string_view(header, 16) == std::string_view("SQLite format 3\0", 16) &&
                          (header[18] == 2 || header[19] == 2);
    std::filesystem::path wal = req.input.working_copy, shm = req.input.working_copy;
    wal += "-wal";
    shm += "-shm";
    std::error_code ec;
    const bool has_wal = std::filesystem::exists(wal, ec);
    if (wal_mode && !has_wal) std::ofstream(wal).close();
    if ((wal_mode || has_wal) && !std::filesystem::exists(shm, ec)) std::ofstream(shm).close();
  }

  // Rlimits and the seccomp filter (engine/sandbox_confine.h, shared with the thumbnail worker).
  if (std::string why = sandbox::confine_process(memory, cpu); !why.empty()) die(why);

  try {
    const ParserEntry* entry = find_parser(req.parser_id);
    if (!entry)
      throw Error(ExitCode::failure, "parser " + req.parser_id + " is not available in the parse worker");
    if (entry->info().version != req.parser_version)
      throw Error(ExitCode::failure, fmt::format("parse worker has {} {}, but {} was asked for",
                                                 req.parser_id, entry->info().version, req.parser_version));
    maybe_inject_fault(req.input.working_copy);
    auto parser = entry->make();
    if (!parser)
      throw Error(ExitCode::failure, "parser " + req.parser_id + " is not available in this build");
    parser->parse(req.input, sink);
    sink.done();
  } catch (const Error& e) {
    sink.error(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    sink.error(ExitCode::failure,
               fmt::format("parser ran out of memory (worker limit {} MiB)", memory >> 20));
  } catch (const std::exception& e) {
    sink.error(ExitCode::failure, fmt::format("parser failed: {}", e.what()));
  }
  sink.flush();
  // _exit: no static destructors or leak checks after the filter is in place (LeakSanitizer needs ptrace).
  ::_exit(0);
}

void reply(parse_protocol::Control tag, int32_t value) {
  char msg[5];
  msg[0] = static_cast<char>(tag);
  std::memcpy(msg + 1, &value, 4);
  while (::send(STDIN_FILENO, msg, sizeof msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) ::_exit(0);  // the parent is gone
}

// One control message and the descriptors that came with it (at most two are accepted; any others are
// closed at once).
struct ControlMessage {
  std::string bytes;
  std::vector<int> fds;
};

bool receive(ControlMessage& m) {
  m.bytes.resize(parse_protocol::kMaxControl + 1);
  m.fds.clear();
  alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))];
  iovec iov{m.bytes.data(), m.bytes.size()};
  msghdr h{};
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  h.msg_control = control;
  h.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(STDIN_FILENO, &h, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return false;  // the parent closed the socket (or is gone): the zygote's work is over
  m.bytes.resize(static_cast<size_t>(n));
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      m.fds.push_back(fd);
    }
  }
  if (h.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) m.bytes.clear();  // refused below as malformed
  return true;
}

// The zygote: initialised once (libraries loaded and relocated, parser registry built, SQLite set up), it
// never opens evidence itself; each file gets a fresh fork of this pristine state.
[[noreturn]] void serve(uint64_t memory, unsigned cpu) {
  const pid_t self = ::getpid();
  (void)parser_registry();
  sqlite3_initialize();
  sqlite3_auto_extension(reinterpret_cast<void (*)()>(configure_connection));
  ControlMessage m;
  while (receive(m)) {
    using parse_protocol::Control;
    const Control tag = m.bytes.empty() ? Control{0} : static_cast<Control>(m.bytes[0]);
    if (tag == Control::parse && m.fds.size() == 2) {
      const pid_t child = ::fork();
      if (child == 0) run_child(std::string_view(m.bytes).substr(1), m.fds[0], m.fds[1], self, memory, cpu);
      for (int fd : m.fds) ::close(fd);
      child < 0 ? reply(Control::failed, errno) : reply(Control::started, child);
    } else if (tag == Control::reap && m.bytes.size() == 5) {
      int32_t pid;
      std::memcpy(&pid, m.bytes.data() + 1, 4);
      int status = 0;
      pid_t r;
      while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
      }
      r < 0 ? reply(Control::failed, errno) : reply(Control::exited, status);
    } else {
      for (int fd : m.fds) ::close(fd);
      reply(Control::failed, EINVAL);
    }
  }
  ::_exit(0);  // children still running die with us (PR_SET_PDEATHSIG)
}

}  // namespace

int main(int argc, char** argv) {
  if (!sandbox::enter_worker_process()) die("parent already gone");

  uint64_t memory = 4ull << 30;
  unsigned cpu = 900;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view a = argv[i];
    if (a == "--memory")
      memory = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--cpu")
      cpu = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    else
      die(fmt::format("unknown argument {}", a));
  }
  serve(memory, cpu);
}
