// Shared pieces of the command-line front end: output helpers, the case lock, the examiner session and
// the "logged action" wrapper. Every command group (cli/cmd_*.cpp) builds on these.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/case_db.h"
#include "core/custody.h"
#include "core/error.h"
#include "core/examiner.h"

namespace kanshiki::cli {
using json = nlohmann::json;

// What a parsed subcommand runs; set by the subcommand's CLI11 callback, run by main() afterwards.
using Action = std::function<int()>;

// The command line as recorded in the runs table and custody log, with the values of secret options
// (--password, --hex-key) replaced by "<redacted>": a case folder never holds a password or key.
std::string redacted_command_line(int argc, char** argv);

struct Globals {
  bool quiet = false;
  bool json_out = false;
  std::string command_line;
};
extern Globals g;

// One line of chatter on stdout (suppressed by --quiet and --json); flushed.
void say(const std::string& s);
// Prints `j` on stdout when --json is set.
void emit_json(const json& j);
std::string human_bytes(uint64_t b);

// Exclusive lock on the case folder for the lifetime of a mutating command: one writer per case.
class CaseLock {
 public:
  explicit CaseLock(const fs::path& case_dir);
  ~CaseLock();
  CaseLock(const CaseLock&) = delete;
  CaseLock& operator=(const CaseLock&) = delete;

 private:
  int fd_ = -1;
};

// An open case with its examiner; every action is logged through it.
struct Session {
  CaseDb db;
  Examiner examiner;
  std::unique_ptr<CaseLock> lock;

  int64_t log(const CustodyAction& a) { return append_custody(db, examiner, a); }
};

Session open_session(const fs::path& case_dir, bool mutating = true);

// A subcommand group that several command files extend (e.g. `acquire android` and `acquire ios`): returns it
// when another file added it first, otherwise adds it (requiring one of its subcommands).
CLI::App* shared_command_group(CLI::App& app, const std::string& name, const std::string& description);

// Runs `body` as one logged action: failures are written to the custody log before they propagate.
template <typename F>
void logged(Session& s, const std::string& action, json parameters, F&& body) {
  auto record_failure = [&](const char* what) {
    CustodyAction a{action, "failed", parameters};
    a.error = what;
    try {
      s.log(a);
    } catch (...) {
      // The original error is the one to report; a failing log write must not mask it.
    }
  };
  try {
    body();
  } catch (const std::exception& e) {
    record_failure(e.what());
    throw;
  }
}

}  // namespace kanshiki::cli
