#pragma once
// Errors that reach the user. Exceptions are for real failures only (DuckDB style); a bad row inside an
// otherwise readable file is a stored Warning, never an exception.
#include <stdexcept>
#include <string>

namespace kanshiki {

// Process exit codes, documented in docs/cli.md. Stable: batch scripts depend on them.
enum class ExitCode : int {
  ok = 0,
  failure = 1,               // unexpected internal failure
  usage = 2,                 // bad command line
  evidence_unreadable = 3,   // missing or unreadable evidence
  unknown_format = 4,        // unknown or ambiguous evidence format
  corrupt_input = 5,         // truncated archive, corrupt SQLite, ...
  verification_failed = 6,   // hash mismatch, custody chain broken
  case_error = 7,            // case missing, newer schema, locked
  disk_full = 8,             // no space left on the case volume
  no_examiner = 9,           // no examiner identity: run `kanshiki examiner init`
  completed_with_warnings = 10,  // finished, but some items failed or were skipped (see warnings)
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

}  // namespace kanshiki
