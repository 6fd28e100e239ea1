#include "cli/cli_common.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>
#include <iostream>

namespace kanshiki::cli {

Globals g;

std::string redacted_command_line(int argc, char** argv) {
  static constexpr std::string_view kSecret[] = {"--password", "--hex-key"};
  std::string line;
  bool hide_next = false;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg(argv[i]);
    std::string shown(arg);
    if (hide_next) {
      shown = "<redacted>";
      hide_next = false;
    } else {
      for (auto opt : kSecret) {
        if (arg == opt) hide_next = true;
        if (arg.size() > opt.size() && arg.substr(0, opt.size()) == opt && arg[opt.size()] == '=')
          shown = std::string(opt) + "=<redacted>";
      }
    }
    line += (i ? " " : "") + shown;
  }
  return line;
}

void say(const std::string& s) {
  // Flushed: the demo interleaves its own lines with those of the child commands it runs.
  if (!g.quiet && !g.json_out) std::cout << s << std::endl;
}

void emit_json(const json& j) {
  if (g.json_out) std::cout << j.dump(2) << "\n";
}

std::string human_bytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

CaseLock::CaseLock(const fs::path& case_dir) {
  fd_ = ::open((case_dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(ExitCode::case_error, "cannot open lock file in " + case_dir.string());
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw Error(ExitCode::case_error, "case " + case_dir.string() + " is in use by another Kanshiki process");
  }
}

CaseLock::~CaseLock() {
  if (fd_ >= 0) ::close(fd_);
}

Session open_session(const fs::path& case_dir, bool mutating) {
  Examiner ex = Examiner::load(examiner_home());
  auto lock = mutating && fs::exists(case_dir / "case.db") ? std::make_unique<CaseLock>(case_dir) : nullptr;
  CaseDb c = CaseDb::open(case_dir);
  return Session{std::move(c), std::move(ex), std::move(lock)};
}

CLI::App* shared_command_group(CLI::App& app, const std::string& name, const std::string& description) {
  try {
    return app.get_subcommand(name);
  } catch (const CLI::OptionNotFound&) {
    CLI::App* group = app.add_subcommand(name, description);
    group->require_subcommand(1);
    return group;
  }
}

}  // namespace kanshiki::cli
