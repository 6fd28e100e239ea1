#pragma once
// Shared helpers for tests: temp folders, real-data lookup with a clear skip, running one parser on a file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "core/artifact.h"
#include "core/case_db.h"

namespace kanshiki::test {

namespace fs = std::filesystem;

// A fresh folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(std::string_view rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

fs::path source_dir();
// ../shared/realdata (or $KANSHIKI_REALDATA); nullopt when it is not there (a user's clone).
std::optional<fs::path> realdata_root();
std::optional<fs::path> realdata(std::string_view relative);

// Copies a SQLite file with its -wal/-shm/-journal siblings into dir; returns the copy's path.
fs::path copy_sqlite_to(const fs::path& source, const fs::path& dir);

// Runs the registered parser `parser_id` on a copy of `file` (originals are never opened by the parser).
// Parser tests check live parsing, so the deleted-record recovery pass is off unless asked for; the
// recovery tests (test_sqlite_recovery.cpp) cover it.
CollectingSink run_parser(std::string_view parser_id, const fs::path& file, std::string item_path = "",
                          bool recover_deleted = false);

// Path of the built CLI, and a helper that runs it, returning the exit code (stdout+stderr to `output`).
fs::path cli_path();
int run_cli(const std::string& args, std::string* output = nullptr);
// Runs a shell command (poppler tools, ...), stdout+stderr to `output`; returns its exit code.
int run_command(const std::string& command, std::string* output = nullptr);

// The rows one parser run's artifacts hang on, for tests that write artifacts directly with ArtifactWriter:
// run 1, evidence 1 (exhibit A), item `item_id` at `item_path` (SHA-256 "abc"), parser run 1 of `parser_id`.
void seed_parser_run(CaseDb& c, int64_t item_id, std::string_view item_path, std::string_view parser_id);

// sha256 of a file (hex).
std::string file_sha256(const fs::path& p);

}  // namespace kanshiki::test

// Skips the current test case with a message CTest recognises, when real data is not available.
#define KANSHIKI_REALDATA_OR_SKIP(var, rel)                                                               \
  auto var##_opt = ::kanshiki::test::realdata(rel);                                                       \
  if (!var##_opt) {                                                                                       \
    std::cout << "KANSHIKI-SKIP: " << (rel) << " not found: ../shared/realdata is only present in CI and" \
              << " on developer machines" << std::endl;                                                   \
    return;                                                                                               \
  }                                                                                                       \
  const ::std::filesystem::path var = *var##_opt
