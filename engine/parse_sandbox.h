#pragma once
// Sandboxed parsing: each (parser, file) runs in a fresh process forked by the `kanshiki-parse-worker` fork
// server (see engine/parse_worker_main.cpp and docs/sandbox.md). The worker has no network, cannot open files
// for writing, cannot create, rename or delete files, runs under memory/CPU rlimits and a wall-clock timeout,
// and only ever sees the working copy. It streams framed records back (engine/parse_protocol.h); this side
// checks every frame and writes the case. A parser crafted into crashing, looping or exhausting memory
// costs one file, which is recorded as failed with the reason; the run goes on.
#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/artifact.h"
#include "parsers/parser.h"

namespace kanshiki {

struct SandboxOptions {
  std::filesystem::path worker;        // empty: find_parse_worker()
  uint64_t memory_bytes = 4ull << 30;  // RLIMIT_AS of each child (not applied in sanitizer builds)
  unsigned cpu_seconds = 900;          // RLIMIT_CPU of the worker
  unsigned wall_seconds = 1800;        // killed after this long, whatever it is doing
};

// Environment variable naming the worker executable; otherwise it is looked up beside the running
// executable, then where the build put it.
inline constexpr const char* kParseWorkerEnv = "KANSHIKI_PARSE_WORKER";
std::filesystem::path find_parse_worker();  // throws Error(failure) naming the places tried

// A fork server for sandboxed parsing. The first parse() starts one `kanshiki-parse-worker` zygote; every
// file is then parsed in a fresh child forked from it (about 1 ms instead of the ~20 ms an exec of the
// worker costs), confined before it reads anything. A child that crashes or is killed costs only its file;
// a zygote that dies is replaced on the next parse(). Use from one thread at a time.
class ParseSandbox {
 public:
  explicit ParseSandbox(SandboxOptions options);
  ~ParseSandbox();  // ends the zygote (and any child it still has)
  ParseSandbox(const ParseSandbox&) = delete;
  ParseSandbox& operator=(const ParseSandbox&) = delete;

  // Runs `info`'s parser over `in` in a confined child and forwards its records and warnings to `sink` (on
  // this thread, while the child keeps parsing). Throws kanshiki::Error:
  //  - with the parser's own code and message when the parser threw (as in-process parsing would);
  //  - ExitCode::corrupt_input when the child crashed, was killed for a limit, or sent something malformed
  //    or attributed to another item — the message says which, with the end of the child's stderr;
  //  - ExitCode::failure when the fork server could not start or run the child.
  // Whatever `sink` throws is propagated after the child has been killed and reaped.
  void parse(const ParserInfo& info, const ParseInput& in, ArtifactSink& sink);

 private:
  class Zygote;
  SandboxOptions options_;
  std::unique_ptr<Zygote> zygote_;
};

// One file in its own fork server (tests, single files); process_case keeps one ParseSandbox for the run.
void parse_in_sandbox(const ParserInfo& info, const ParseInput& in, ArtifactSink& sink,
                      const SandboxOptions& options);

}  // namespace kanshiki
