#pragma once
// The case: a folder holding case.db (SQLite, WAL), the custody anchor, evidence manifests, working
// copies and reports. CaseDb owns the database connection; one process works on a case at a time.
//
//   CASE/case.db              the case database (schema: core/case_schema.h)
//   CASE/search.db            its full-text index (derived; core/search_index.h)
//   CASE/custody.anchor       signed head of the custody chain (detects truncation of the log)
//   CASE/evidence/E<id>/      manifest.tsv of every item of evidence <id>
//   CASE/work/                working copies of SQLite files (disposable; never the originals)
//   CASE/reports/, exports/   generated outputs
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/artifact.h"
#include "core/case_schema.h"
#include "core/search_index.h"
#include "core/sqlite_util.h"

namespace kanshiki {

namespace fs = std::filesystem;

std::string now_utc_iso();   // current time, ISO 8601 UTC with milliseconds
std::string host_name();

class CaseDb {
 public:
  static constexpr int kSchemaVersion = static_cast<int>(kCaseMigrations.size());

  // Creates a new case folder; throws Error(case_error) if a case already exists there.
  static CaseDb create(const fs::path& case_dir, const std::string& case_number);
  // Opens an existing case, applying pending migrations; throws Error(case_error) when missing, not a
  // case, or written by a newer Kanshiki (schema_version greater than kSchemaVersion).
  static CaseDb open(const fs::path& case_dir);

  CaseDb(CaseDb&&) = default;
  CaseDb& operator=(CaseDb&&) = default;

  sql::Db& db() { return db_; }
  const fs::path& dir() const { return dir_; }
  fs::path db_path() const { return dir_ / "case.db"; }
  fs::path work_dir() const { return dir_ / "work"; }
  fs::path evidence_dir(int64_t evidence_id) const { return dir_ / "evidence" / ("E" + std::to_string(evidence_id)); }
  fs::path reports_dir() const { return dir_ / "reports"; }

  std::string meta(const std::string& key) const;  // "" when unset
  void set_meta(const std::string& key, const std::string& value);
  int schema_version() const;

  // A run is one command invocation that changes the case (ingest, process, ...).
  int64_t begin_run(const std::string& command, const std::string& command_line, const std::string& examiner);
  void end_run(int64_t run_id, const std::string& status);

  void add_warning(const Warning& w, std::optional<int64_t> run_id, std::optional<int64_t> parser_run_id = std::nullopt);

 private:
  CaseDb(fs::path dir, sql::Db db) : dir_(std::move(dir)), db_(std::move(db)) {}
  void migrate();
  fs::path dir_;
  sql::Db db_;
};

// Writes artifacts of one parser run into the case (inside the caller's transaction). Statements are
// prepared once. The searchable text of each artifact goes to a BackgroundIndexer (core/search_index.h),
// which builds the full-text index in search.db on another thread. Either the writer owns one (then call
// finish() before committing the case transaction), or the caller shares one across parser runs and calls
// its begin_run()/commit_run() itself (engine/process.cpp).
class ArtifactWriter final : public ArtifactSink {
 public:
  ArtifactWriter(CaseDb& c, int64_t run_id, int64_t parser_run_id);
  ArtifactWriter(CaseDb& c, int64_t run_id, int64_t parser_run_id, BackgroundIndexer& shared_index);
  ~ArtifactWriter() override;
  void emit(Record record) override;
  void warn(Warning warning) override;
  // Own index only: commits the index run; must come before the caller commits (core/search_index.h).
  void finish();
  size_t artifact_count() const { return artifacts_; }
  size_t warning_count() const { return warnings_; }

 private:
  struct Statements;
  CaseDb& case_;
  int64_t run_id_, parser_run_id_;
  std::unique_ptr<BackgroundIndexer> own_index_;  // declared before index_, which may refer to it
  BackgroundIndexer& index_;
  std::unique_ptr<Statements> st_;
  size_t artifacts_ = 0, warnings_ = 0;
};

}  // namespace kanshiki
