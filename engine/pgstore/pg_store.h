#pragma once
// The PostgreSQL case store (docs/batch.md, "PostgreSQL case store"): the shared part of a seizure-scale case
// when the devices are processed on many hosts (Slurm). SQLite stays the working store of each device and the
// embedded default on one workstation; the store holds, for every device, the rows its SQLite case produced —
// evidence, items, parser runs, artifacts and their type rows, warnings, hits, dedup references — plus the
// batch state of every device and each device's own signed custody chain.
//
// Schema: the store's tables are made from the SQLite case schema itself (core/case_schema.h): same table
// and column names, types mapped (INTEGER → bigint, REAL → double precision, BLOB → bytea, else text), one
// extra column `store_device` (the exhibit) in every device table; `batch_devices` is the same table as in
// the case. A new migration's columns are added to the store the next time a worker connects.
//
// Ids: device seq s owns the row ids id_base(s) .. id_base(s) + kIdsPerDevice - 1 in every table. A device's
// task-local SQLite case numbers its rows from 1; loading adds id_base(s) to every row id and every reference
// to one (`id`, `*_id` and `derived_from_item` columns), so the devices' rows fit together in the store and
// in a pulled case without renumbering anything else.
//
// Loading a device is one transaction: delete whatever the store holds for it, COPY every table FROM STDIN,
// write its outcome into batch_devices. A killed task leaves nothing half-loaded, and loading again (a re-run
// task) replaces the device's rows instead of duplicating them.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/batch/batch.h"

namespace kanshiki {
class CaseDb;
class Examiner;
}  // namespace kanshiki

namespace kanshiki::pgstore {

namespace fs = std::filesystem;

// The store to use: `option` (from --store) when given, else $KANSHIKI_STORE, else "" (SQLite only).
std::string store_url(const std::string& option);
// The URL as it may be written to a log: any password replaced by "<redacted>".
std::string redact_url(const std::string& url);

inline constexpr int64_t kIdsPerDevice = 1'000'000'000;
inline int64_t id_base(int64_t seq) { return (seq + 1) * kIdsPerDevice; }

struct LoadResult {
  int64_t rows = 0;                       // rows copied into the store (all tables)
  std::map<std::string, int64_t> tables;  // per table
};

struct PulledDevice {
  std::string exhibit, state;
  int64_t rows = 0;
  fs::path custody_dir;  // the device's own custody chain, as a verifiable case folder
  bool custody_ok = false;
  std::string custody_summary;
  int64_t custody_entries = 0;
  std::string custody_head;  // entry_hash of the chain's last entry (recorded in the case's own chain)
};

struct PullResult {
  std::vector<PulledDevice> devices;  // devices whose rows were (re)written into the case
  int64_t unchanged = 0;              // devices the case already held with the same outcome
};

// What a task needs to process the device it claimed.
struct Claim {
  batch::DeviceState state;
  std::string secret_ref, owner_ids;
};

class PgStore {
 public:
  // Connects and makes sure the store's schema matches this build (creating or extending it under an
  // advisory lock, so concurrent tasks do not race). Throws Error(usage) for a bad URL, Error(case_error)
  // when the store cannot be reached or was written by a newer Kanshiki.
  static PgStore connect(const std::string& url);
  ~PgStore();
  PgStore(PgStore&&) noexcept;
  PgStore& operator=(PgStore&&) noexcept;

  // Copies the case's batch_devices rows to the store (new exhibits only; same ids and seq). An exhibit the
  // store holds with another evidence path is a usage error. Returns the number added.
  int register_devices(CaseDb& c);
  std::vector<batch::DeviceState> device_states();
  // queued → running for this task, atomically; nullopt when the device is not queued (done, or another task
  // has it). Throws Error(usage) for an exhibit the store does not know.
  std::optional<Claim> claim(const std::string& exhibit, const std::string& worker);
  // Replaces the device's rows with those of its task-local case `local` and records the outcome (taken from
  // the local case's batch_devices row), all in one transaction.
  LoadResult load_device(CaseDb& local, const std::string& exhibit);
  // Marks a claimed device failed when its task could not even build a local case.
  void mark_failed(const std::string& exhibit, const std::string& reason);
  // After the array: every device a dead task left 'running' loses its rows and is marked failed.
  std::vector<std::string> fail_unfinished();
  // Writes into the case every device whose outcome in the store differs from the case's batch_devices row
  // (the case's rows of that device are rolled back first), each device in one SQLite transaction, and
  // materialises each device's custody chain under CASE/custody/devices/ (verified).
  PullResult pull(CaseDb& target);

  struct Impl;  // libpq connection (pg_store.cpp)

 private:
  explicit PgStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One Slurm array task with the store: claims `exhibit`, processes it into a task-local SQLite case under
// `scratch` (node-local; removed afterwards), appends the device's outcome to that case's custody chain and
// loads everything into the store. Returns 0 done, 10 failed (including "not queued": 0 when done already).
int run_device_to_store(const std::string& url, const std::string& exhibit, const fs::path& scratch,
                        const Examiner& examiner, const batch::RunOptions& options);

// Where a device's custody chain is materialised in a pulled case.
fs::path device_custody_dir(const fs::path& case_dir, const std::string& exhibit);

}  // namespace kanshiki::pgstore
