#pragma once
// Seizure-scale batch (docs/batch.md): many devices into one case, in parallel worker processes, with the
// state of every device kept in the case (batch_devices) so a killed or crashed batch resumes: finished
// devices are skipped, a half-done device is rolled back (its partial rows deleted in one transaction) and
// redone. Nothing is duplicated or lost, which `artifact_digest` lets a test (or a court) check.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kanshiki {
class CaseDb;
}

namespace kanshiki::batch {

namespace fs = std::filesystem;

struct Device {
  std::string exhibit;        // exhibit number (unique in the case)
  std::string evidence_path;  // absolute, normalised (the same string ingest stores as evidence.source_path)
  std::string label;          // device label, e.g. "佐藤 iPhone"
  std::string secret_ref;  // where the password/key is: "env:NAME" or "file:PATH"; the secret is never stored
  std::string
      owner_ids;  // examiner-recorded identifiers of the device (SIM number, IMEI, ...), ';'-separated
};

// Manifest: CSV with a header (exhibit, evidence, label, secret_ref, owner_ids; aliases) or a JSON array of
// objects with those keys. Relative evidence paths are relative to the manifest. Throws Error(usage) naming
// the line/entry of a bad row.
std::vector<Device> read_manifest(const fs::path& manifest);
// Every file or folder directly inside `dir` is one device; the exhibit number is its name without extension.
std::vector<Device> devices_from_folder(const fs::path& dir);

// Adds devices as 'queued' (idempotent by exhibit). The same exhibit with a different path is a usage error.
int register_devices(CaseDb& c, const std::vector<Device>& devices);

struct DeviceState {
  int64_t id = 0, seq = 0;
  std::string exhibit, evidence_path, label, state, reason, worker, started_utc, ended_utc;
  std::optional<int64_t> evidence_id;
  int64_t attempts = 0, artifacts = 0;
  double seconds = 0;
};
std::vector<DeviceState> device_states(CaseDb& c);

struct Rollback {
  std::string exhibit;
  std::vector<int64_t> evidence_ids;
  int64_t rows_deleted = 0;
};
// Deletes one device's rows (its evidence, evidence derived from it, and every row keyed by them, full-text
// entries included) in one transaction and puts the device back to 'queued'.
Rollback roll_back_device(CaseDb& c, const DeviceState& device);
// Devices left 'running' by a killed batch (and 'failed' ones when retry_failed) lose their partial rows, one
// transaction per device, and go back to 'queued'.
std::vector<Rollback> roll_back_unfinished(CaseDb& c, bool retry_failed);

struct RunOptions {
  int workers = 0;                          // 0: automatic (cores, and memory / memory_per_worker)
  uint64_t memory_per_worker = 1ull << 30;  // budget used to bound the number of workers
  std::string examiner;                     // recorded in each device's run
  bool dedup = true;
  // Called about once a second with the current states (status board), and when a device ends.
  std::function<void(const std::vector<DeviceState>&)> on_tick;
  std::function<void(const DeviceState&, int64_t max_rss_kb)> on_device_end;
};

struct RunResult {
  int workers = 0, done = 0, failed = 0, skipped = 0;
  int64_t max_worker_rss_kb = 0;
  double seconds = 0;
};

// Runs every queued device. `case_dir` is reopened by each worker process (one SQLite connection each).
RunResult run_batch(CaseDb& c, const RunOptions& options);
int automatic_workers(uint64_t memory_per_worker);
// One queued device, in this process (a Slurm array task). Returns 0 done, 10 failed; a device that is not
// queued (already done, or taken by another task) is left alone.
int run_one_device(const fs::path& case_dir, const std::string& exhibit, const RunOptions& options);

// Canonical SHA-256 over every artifact as a device sees it (exhibit, item path, provenance, type row;
// database ids left out; deduplicated files expanded to the artifacts they reference), so an interrupted and
// resumed batch can be compared with an uninterrupted one.
struct Digest {
  std::string sha256;
  int64_t artifacts = 0;
};
Digest artifact_digest(CaseDb& c);

}  // namespace kanshiki::batch
