#pragma once
// The engine: the same steps run from the CLI, the GUI and batch. Each step is idempotent and commits per
// unit of work (per evidence item for ingest, per parser run for process), so a kill at any point leaves the
// case consistent and a re-run finishes the job without duplicating or losing anything.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/evidence/source.h"
#include "engine/parse_sandbox.h"
#include "hashing/multi_hash.h"

namespace kanshiki {

class CaseDb;

struct IngestOptions {
  std::filesystem::path evidence;
  std::string exhibit;                  // exhibit number; defaults to E<id>
  std::string label;
  std::optional<SourceKind> format;     // --format overrides detection
  std::optional<std::string> password;  // opens encrypted evidence (e.g. an AES-256 .ab); never stored
  // Set when the evidence was made from an item of other evidence (decryption, extraction): stored with
  // the evidence row in the same transaction, so a crash can never leave derived evidence unlinked.
  std::optional<int64_t> derived_from_item;
  std::string derivation;
  bool progress = false;
};

struct IngestResult {
  int64_t evidence_id = 0;
  bool already_ingested = false;
  std::string status;                   // "complete" or "partial" (container unreadable past some point)
  SourceKind kind = SourceKind::folder;
  uint64_t items = 0, bytes = 0, problems = 0;
  std::optional<Digests> container;     // for file containers (tar/zip)
  std::filesystem::path manifest;
  std::string manifest_sha256;
  std::string fatal_error;              // set when status == "partial"
  // Encrypted Android backup: the decrypted tar written under CASE/derived/ and ingested in its place.
  std::filesystem::path derived_file;
  std::string derived_sha256;
};

IngestResult ingest_evidence(CaseDb& c, int64_t run_id, const IngestOptions& options);
// Used by ingest_evidence for an AES-256 .ab (engine/android_backup_ingest.cpp).
IngestResult ingest_encrypted_android_backup(CaseDb& c, int64_t run_id, const IngestOptions& options,
                                             const std::filesystem::path& source);

struct ProcessOptions {
  std::vector<std::string> only_parsers;  // empty: all registered parsers
  bool progress = false;
  // Run each parser in the confined kanshiki-parse-worker (engine/parse_sandbox.h). `kanshiki process`
  // turns this on unless --no-sandbox; in-process parsing stays the library default for tests and tools.
  bool sandbox = false;
  SandboxOptions sandbox_options;
  // Batch (engine/batch/): only this evidence item; and content-addressed dedup: a file whose SHA-256 was
  // already parsed by the same parser version on a finished device is referenced (dedup_refs), not re-parsed.
  std::optional<int64_t> only_evidence;
  bool dedup = false;
};

struct ProcessResult {
  uint64_t parser_runs = 0, already_done = 0, artifacts = 0, warnings = 0, failed_files = 0;
  std::vector<std::string> outputs;       // human summary lines per parser
};

ProcessResult process_case(CaseDb& c, int64_t run_id, const ProcessOptions& options);

struct VerifyIssue {
  int64_t evidence_id = 0;
  std::string kind;                       // "mismatch", "missing", "extra", "container", "unreadable"
  std::string path;
  std::string detail;
};

struct VerifyResult {
  uint64_t items_checked = 0;
  std::vector<VerifyIssue> issues;
  bool ok() const { return issues.empty(); }
};

VerifyResult verify_evidence(CaseDb& c, bool progress = false);

struct SearchHit {
  int64_t artifact_id = 0;
  std::string type, text, time_utc, item_path, parser_id;
  std::optional<int64_t> source_rowid;
  bool recovered = false;
};

// Substring search (FTS5 trigram; queries under 3 characters fall back to a scan with instr()).
std::vector<SearchHit> search_case(CaseDb& c, const std::string& query, size_t limit = 1000);

}  // namespace kanshiki
