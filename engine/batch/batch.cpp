#include "engine/batch/batch.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/case_db.h"
#include "core/case_schema.h"
#include "core/error.h"
#include "engine/engine.h"
#include "hashing/multi_hash.h"

namespace kanshiki::batch {
namespace {

std::string normalised(const fs::path& p, const fs::path& base) {
  fs::path abs = p.is_absolute() ? p : base / p;
  return abs.lexically_normal().string();
}

std::string trim(std::string s) {
  auto ws = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && ws(s.back())) s.pop_back();
  size_t i = 0;
  while (i < s.size() && ws(s[i])) ++i;
  return s.substr(i);
}

// RFC 4180 rows (quoted fields may hold commas, quotes and newlines).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
      continue;
    }
    if (ch == '"') {
      quoted = any = true;
    } else if (ch == ',') {
      row.push_back(field);
      field.clear();
      any = true;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(field);
        rows.push_back(row);
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += ch;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

std::string column_key(std::string name) {
  name = trim(name);
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (name == "exhibit" || name == "exhibit_number" || name == "exhibit_no") return "exhibit";
  if (name == "evidence" || name == "path" || name == "evidence_path") return "evidence";
  if (name == "label" || name == "device_label" || name == "device") return "label";
  if (name == "secret_ref" || name == "password_ref" || name == "key_ref") return "secret_ref";
  if (name == "owner_ids" || name == "owner_id" || name == "identifiers") return "owner_ids";
  return name;
}

// Resolves a secret reference at the moment of use; the value never reaches the case or the custody log.
std::optional<std::string> resolve_secret(const std::string& ref) {
  if (ref.empty()) return std::nullopt;
  if (ref.starts_with("env:")) {
    const char* v = std::getenv(ref.substr(4).c_str());
    if (!v) throw Error(ExitCode::usage, "secret reference " + ref + ": environment variable not set");
    return std::string(v);
  }
  if (ref.starts_with("file:")) {
    std::ifstream in(ref.substr(5), std::ios::binary);
    if (!in) throw Error(ExitCode::usage, "secret reference " + ref + ": file not readable");
    std::string v((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    return v;
  }
  throw Error(ExitCode::usage, "secret reference " + ref + ": use env:NAME or file:PATH");
}

DeviceState read_state(sql::Stmt& st) {
  DeviceState d;
  d.id = st.i64(0);
  d.seq = st.i64(1);
  d.exhibit = st.text(2);
  d.evidence_path = st.text(3);
  d.label = st.text(4);
  d.state = st.text(5);
  d.reason = st.text(6);
  d.evidence_id = st.opt_i64(7);
  d.attempts = st.i64(8);
  d.worker = st.text(9);
  d.started_utc = st.is_null(10) ? "" : st.text(10);
  d.ended_utc = st.is_null(11) ? "" : st.text(11);
  d.seconds = st.is_null(12) ? 0 : st.real(12);
  d.artifacts = st.i64(13);
  return d;
}

constexpr const char* kStateColumns =
    "id, seq, exhibit, evidence_path, label, state, reason, evidence_id, attempts, worker, started_utc, "
    "ended_utc, "
    "seconds, artifacts";

// One device in its own SQLite connection; the outcome is written to the case. Returns the exit code.
int run_device_here(const fs::path& case_dir, const DeviceState& device, const RunOptions& opt) {
  int code = 0;
  try {
    CaseDb c = CaseDb::open(case_dir);
    // Workers queue for the single SQLite writer; an ingest holds it for a whole device, so wait long.
    sqlite3_busy_timeout(c.db().get(), 30 * 60 * 1000);
    auto started = std::chrono::steady_clock::now();
    int64_t run = c.begin_run("batch device", "batch device " + device.exhibit, opt.examiner);
    try {
      IngestOptions io;
      io.evidence = device.evidence_path;
      io.exhibit = device.exhibit;
      io.label = device.label;
      {
        // Scoped: a statement left stepping would pin an old WAL snapshot and make later writes fail busy.
        sql::Stmt ref(c.db(), "SELECT secret_ref FROM batch_devices WHERE id=?");
        ref.bind(1, device.id);
        std::string secret_ref = ref.step() ? ref.text(0) : "";
        ref.reset();
        io.password = resolve_secret(secret_ref);
      }
      IngestResult ir = ingest_evidence(c, run, io);
      {
        sql::Stmt st(c.db(), "UPDATE batch_devices SET evidence_id=? WHERE id=?");
        st.bind(1, ir.evidence_id).bind(2, device.id).run();
      }
      ProcessOptions po;
      po.only_evidence = ir.evidence_id;
      po.dedup = opt.dedup;
      ProcessResult pr = process_case(c, run, po);
      int64_t artifacts = 0;
      {
        sql::Stmt st(c.db(), "SELECT COUNT(*) FROM artifacts WHERE evidence_id=?");
        st.bind(1, ir.evidence_id);
        if (st.step()) artifacts = st.i64(0);
      }
      std::string reason;
      if (ir.status == "partial") reason = "evidence partially readable: " + ir.fatal_error;
      if (pr.failed_files)
        reason += (reason.empty() ? "" : "; ") + fmt::format("{} files could not be parsed", pr.failed_files);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      sql::Stmt st(
          c.db(),
          "UPDATE batch_devices SET state='done', reason=?, ended_utc=?, seconds=?, artifacts=? WHERE id=?");
      st.bind(1, reason).bind(2, now_utc_iso()).bind(3, seconds).bind(4, artifacts).bind(5, device.id).run();
      c.end_run(run, "done");
    } catch (const std::exception& e) {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      sql::Stmt st(c.db(),
                   "UPDATE batch_devices SET state='failed', reason=?, ended_utc=?, seconds=? WHERE id=?");
      st.bind(1, std::string(e.what())).bind(2, now_utc_iso()).bind(3, seconds).bind(4, device.id).run();
      c.end_run(run, "failed");
      code = 10;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "batch worker for {}: {}\n", device.exhibit, e.what());
    code = 1;
  }
  std::fflush(nullptr);
  return code;
}

}  // namespace

std::vector<Device> read_manifest(const fs::path& manifest) {
  std::ifstream in(manifest, std::ios::binary);
  if (!in) throw Error(ExitCode::usage, "cannot read manifest " + manifest.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  const fs::path base = fs::absolute(manifest).parent_path();
  std::vector<Device> devices;
  auto add = [&](std::map<std::string, std::string> fields, const std::string& where) {
    Device d;
    d.exhibit = trim(fields["exhibit"]);
    std::string path = trim(fields["evidence"]);
    if (d.exhibit.empty() || path.empty())
      throw Error(ExitCode::usage,
                  fmt::format("manifest {} {}: exhibit and evidence are required", manifest.string(), where));
    d.evidence_path = normalised(path, base);
    d.label = trim(fields["label"]);
    d.secret_ref = trim(fields["secret_ref"]);
    d.owner_ids = trim(fields["owner_ids"]);
    devices.push_back(std::move(d));
  };
  if (manifest.extension() == ".json") {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
      throw Error(ExitCode::usage, "manifest " + manifest.string() + " is not valid JSON: " + e.what());
    }
    if (j.is_object() && j.contains("devices")) j = j["devices"];
    if (!j.is_array())
      throw Error(ExitCode::usage, "manifest " + manifest.string() + ": expected an array of devices");
    for (size_t i = 0; i < j.size(); ++i) {
      std::map<std::string, std::string> fields;
      for (auto& [k, v] : j[i].items())
        fields[column_key(k)] = v.is_string() ? v.get<std::string>() : v.dump();
      add(fields, fmt::format("entry {}", i + 1));
    }
  } else {
    auto rows = parse_csv(text);
    if (rows.empty()) throw Error(ExitCode::usage, "manifest " + manifest.string() + " is empty");
    std::vector<std::string> header;
    for (auto& h : rows[0]) header.push_back(column_key(h));
    for (size_t r = 1; r < rows.size(); ++r) {
      std::map<std::string, std::string> fields;
      for (size_t i = 0; i < rows[r].size() && i < header.size(); ++i) fields[header[i]] = rows[r][i];
      add(fields, fmt::format("line {}", r + 1));
    }
  }
  return devices;
}

std::vector<Device> devices_from_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(ExitCode::usage, "not a folder: " + dir.string());
  std::vector<Device> devices;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(".")) continue;
    Device d;
    d.evidence_path = fs::absolute(entry.path()).lexically_normal().string();
    d.exhibit = entry.is_directory(ec) ? name : entry.path().stem().string();
    if (d.exhibit.ends_with(".tar")) d.exhibit.resize(d.exhibit.size() - 4);  // x.tar.gz
    devices.push_back(std::move(d));
  }
  std::sort(devices.begin(), devices.end(), [](auto& a, auto& b) { return a.exhibit < b.exhibit; });
  return devices;
}

int register_devices(CaseDb& c, const std::vector<Device>& devices) {
  sql::Db& db = c.db();
  sql::Transaction tx(db);
  int added = 0;
  int64_t next_seq = 0;
  {
    sql::Stmt st(db, "SELECT COALESCE(MAX(seq) + 1, 0) FROM batch_devices");
    if (st.step()) next_seq = st.i64(0);
  }
  sql::Stmt find(db, "SELECT evidence_path FROM batch_devices WHERE exhibit=?");
  sql::Stmt insert(db,
                   "INSERT INTO batch_devices(seq, exhibit, evidence_path, label, secret_ref, state, "
                   "queued_utc, owner_ids) "
                   "VALUES(?,?,?,?,?,'queued',?,?)");
  for (const auto& d : devices) {
    find.bind(1, d.exhibit);
    if (find.step()) {
      std::string existing = find.text(0);
      find.reset();
      if (existing != d.evidence_path)
        throw Error(ExitCode::usage,
                    fmt::format("exhibit {} is already in this batch with another evidence path ({})",
                                d.exhibit, existing));
      continue;
    }
    find.reset();
    insert.bind(1, next_seq++)
        .bind(2, d.exhibit)
        .bind(3, d.evidence_path)
        .bind(4, d.label)
        .bind(5, d.secret_ref);
    insert.bind(6, now_utc_iso()).bind(7, d.owner_ids);
    insert.run();
    ++added;
  }
  tx.commit();
  return added;
}

std::vector<DeviceState> device_states(CaseDb& c) {
  std::vector<DeviceState> out;
  sql::Stmt st(c.db(), fmt::format("SELECT {} FROM batch_devices ORDER BY seq", kStateColumns));
  while (st.step()) out.push_back(read_state(st));
  return out;
}

namespace {
// Tables holding per-evidence rows, found from the schema so tables added by later migrations are covered.
struct Owned {
  std::string table, column;
};
std::vector<Owned> evidence_owned_tables(sql::Db& db) {
  std::vector<Owned> owned;
  {
    sql::Stmt st(
        db,
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE "
        "'CREATE VIRTUAL%' AND name NOT LIKE 'search_index%'");
    std::vector<std::string> tables;
    while (st.step()) tables.push_back(st.text(0));
    for (const auto& t : tables) {
      if (t == "evidence" || t == "items" || t == "artifacts" || t == "parser_runs" || t == "custody" ||
          t == "runs" || t == "batch_devices" || t == "examiners" || t == "meta")
        continue;
      auto cols = db.columns(t);
      auto has = [&](const char* name) { return std::find(cols.begin(), cols.end(), name) != cols.end(); };
      if (has("artifact_id"))
        owned.push_back({t, "artifact_id"});
      else if (has("parser_run_id"))
        owned.push_back({t, "parser_run_id"});
      else if (has("item_id"))
        owned.push_back({t, "item_id"});
      else if (has("evidence_id"))
        owned.push_back({t, "evidence_id"});
    }
  }
  return owned;
}
}  // namespace

Rollback roll_back_device(CaseDb& c, const DeviceState& d) {
  sql::Db& db = c.db();
  const std::vector<Owned> owned = evidence_owned_tables(db);
  Rollback rb;
  rb.exhibit = d.exhibit;
  sql::Transaction tx(db);
  db.exec(
      "CREATE TEMP TABLE IF NOT EXISTS rollback_evidence(id INTEGER PRIMARY KEY); DELETE FROM "
      "rollback_evidence;");
  {
    sql::Stmt st(
        db, "INSERT OR IGNORE INTO rollback_evidence SELECT id FROM evidence WHERE source_path=? OR id=?");
    st.bind(1, d.evidence_path).bind(2, d.evidence_id.value_or(-1)).run();
    // Evidence derived from this device's items (a decrypted backup) goes with it.
    db.exec(
        "INSERT OR IGNORE INTO rollback_evidence SELECT id FROM evidence WHERE derived_from_item IN "
        "(SELECT id FROM items WHERE evidence_id IN (SELECT id FROM rollback_evidence))");
  }
  {
    sql::Stmt st(db, "SELECT id FROM rollback_evidence ORDER BY id");
    while (st.step()) rb.evidence_ids.push_back(st.i64(0));
  }
  const std::string ev = "(SELECT id FROM rollback_evidence)";
  const std::string arts = "(SELECT id FROM artifacts WHERE evidence_id IN " + ev + ")";
  auto del = [&](const std::string& sql) {
    db.exec(sql);
    rb.rows_deleted += sqlite3_changes(db.get());
  };
  // The full-text index (search.db) is told what it indexed while the text is still here; it commits after
  // the case does, so a crash in between leaves only harmless extra index entries (core/search_index.h).
  SearchIndexWriter index(c.dir());
  index.begin();
  index.remove_from_case(db, arts.substr(1, arts.size() - 2));
  for (const auto& o : owned) {
    if (o.column == "artifact_id")
      del("DELETE FROM " + o.table + " WHERE artifact_id IN " + arts);
    else if (o.column == "parser_run_id")
      del("DELETE FROM " + o.table +
          " WHERE parser_run_id IN (SELECT id FROM parser_runs WHERE evidence_id IN " + ev + ")");
    else if (o.column == "item_id")
      del("DELETE FROM " + o.table + " WHERE item_id IN (SELECT id FROM items WHERE evidence_id IN " + ev +
          ")");
    else
      del("DELETE FROM " + o.table + " WHERE evidence_id IN " + ev);
  }
  del("DELETE FROM artifacts WHERE evidence_id IN " + ev);
  del("DELETE FROM parser_runs WHERE evidence_id IN " + ev);
  del("DELETE FROM items WHERE evidence_id IN " + ev);
  del("DELETE FROM evidence WHERE id IN " + ev);
  {
    sql::Stmt st(db,
                 "UPDATE batch_devices SET state='queued', evidence_id=NULL, worker='', started_utc=NULL, "
                 "ended_utc=NULL, seconds=NULL, artifacts=0, reason=? WHERE id=?");
    st.bind(1, fmt::format("rolled back after an interrupted attempt ({} rows)", rb.rows_deleted))
        .bind(2, d.id)
        .run();
  }
  tx.commit();
  index.commit();
  std::error_code ec;
  for (int64_t id : rb.evidence_ids) {
    fs::remove_all(c.evidence_dir(id), ec);
    fs::remove_all(c.work_dir() / fmt::format("E{}", id), ec);
  }
  return rb;
}

std::vector<Rollback> roll_back_unfinished(CaseDb& c, bool retry_failed) {
  std::vector<Rollback> done;
  for (auto& d : device_states(c))
    if (d.state == "running" || (retry_failed && d.state == "failed")) done.push_back(roll_back_device(c, d));
  return done;
}

int run_one_device(const fs::path& case_dir, const std::string& exhibit, const RunOptions& opt) {
  DeviceState device;
  {
    CaseDb c = CaseDb::open(case_dir);
    sqlite3_busy_timeout(c.db().get(), 30 * 60 * 1000);
    sql::Transaction tx(c.db());
    {
      sql::Stmt st(c.db(), fmt::format("SELECT {} FROM batch_devices WHERE exhibit=?", kStateColumns));
      st.bind(1, exhibit);
      if (!st.step()) throw Error(ExitCode::usage, "no device " + exhibit + " in this batch");
      device = read_state(st);
    }
    // A re-run task (requeue, retry) must not redo a finished device nor race a live one.
    if (device.state != "queued") return device.state == "done" ? 0 : 10;
    sql::Stmt st(
        c.db(),
        "UPDATE batch_devices SET state='running', attempts=attempts+1, started_utc=?, reason='', worker=? "
        "WHERE id=?");
    st.bind(1, now_utc_iso()).bind(2, fmt::format("{}:{}", host_name(), getpid())).bind(3, device.id).run();
    tx.commit();
  }
  return run_device_here(case_dir, device, opt);
}

int automatic_workers(uint64_t memory_per_worker) {
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  uint64_t available = 0;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (meminfo >> key >> kb >> unit)
    if (key == "MemAvailable:") available = kb * 1024;
  int by_memory = available && memory_per_worker
                      ? static_cast<int>(std::max<uint64_t>(1, available / memory_per_worker))
                      : cores;
  return std::max(1, std::min(cores, by_memory));
}

RunResult run_batch(CaseDb& c, const RunOptions& opt) {
  RunResult res;
  auto started = std::chrono::steady_clock::now();
  res.workers = opt.workers > 0 ? opt.workers : automatic_workers(opt.memory_per_worker);
  // Workers hold the single SQLite writer for a whole device ingest; the coordinator waits its turn.
  sqlite3_busy_timeout(c.db().get(), 30 * 60 * 1000);
  const pid_t parent = getpid();
  std::map<pid_t, DeviceState> running;
  auto last_tick = std::chrono::steady_clock::now() - std::chrono::seconds(2);

  auto next_queued = [&]() -> std::optional<DeviceState> {
    sql::Stmt st(c.db(), fmt::format("SELECT {} FROM batch_devices WHERE state='queued' ORDER BY seq LIMIT 1",
                                     kStateColumns));
    std::optional<DeviceState> d;
    if (st.step()) d = read_state(st);
    st.reset();
    return d;
  };
  for (auto& d : device_states(c))
    if (d.state == "done" || d.state == "failed") ++res.skipped;

  for (;;) {
    while (static_cast<int>(running.size()) < res.workers) {
      auto device = next_queued();
      if (!device) break;
      // 'running' is written before the fork: a kill at any later point leaves a state resume can see.
      {
        sql::Stmt st(c.db(),
                     "UPDATE batch_devices SET state='running', attempts=attempts+1, started_utc=?, "
                     "reason='' WHERE id=?");
        st.bind(1, now_utc_iso()).bind(2, device->id).run();
      }
      std::fflush(nullptr);
      pid_t pid = fork();
      if (pid < 0)
        throw Error(ExitCode::failure, std::string("cannot start a batch worker: ") + std::strerror(errno));
      if (pid == 0) {
        // A worker must not outlive the batch: if the parent is killed, so is the worker.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        _exit(run_device_here(c.dir(), *device, opt));
      }
      {
        sql::Stmt st(c.db(), "UPDATE batch_devices SET worker=? WHERE id=?");
        st.bind(1, fmt::format("{}:{}", host_name(), pid)).bind(2, device->id).run();
      }
      running[pid] = *device;
    }
    if (running.empty()) break;
    int status = 0;
    struct rusage usage {};
    pid_t pid = wait4(-1, &status, WNOHANG, &usage);
    if (pid > 0) {
      auto it = running.find(pid);
      if (it != running.end()) {
        res.max_worker_rss_kb = std::max<int64_t>(res.max_worker_rss_kb, usage.ru_maxrss);
        DeviceState d = it->second;
        running.erase(it);
        {
          sql::Stmt st(c.db(), fmt::format("SELECT {} FROM batch_devices WHERE id=?", kStateColumns));
          st.bind(1, d.id);
          if (st.step()) d = read_state(st);
        }
        if (d.state == "running") {
          // The worker died without recording an outcome (crash, OOM kill): roll back now, mark failed.
          std::string why = WIFSIGNALED(status)
                                ? fmt::format("worker killed by signal {}", WTERMSIG(status))
                                : fmt::format("worker exited with code {}", WEXITSTATUS(status));
          roll_back_unfinished(c, false);
          sql::Stmt f(c.db(), "UPDATE batch_devices SET state='failed', reason=?, ended_utc=? WHERE id=?");
          f.bind(1, why).bind(2, now_utc_iso()).bind(3, d.id).run();
          d.state = "failed";
          d.reason = why;
        }
        if (d.state == "done")
          ++res.done;
        else
          ++res.failed;
        if (opt.on_device_end) opt.on_device_end(d, usage.ru_maxrss);
      }
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (opt.on_tick && now - last_tick >= std::chrono::seconds(1)) {
      last_tick = now;
      opt.on_tick(device_states(c));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return res;
}

Digest artifact_digest(CaseDb& c) {
  sql::Db& db = c.db();
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  Digest out;
  for (const auto& [type, table] : kArtifactTables) {
    auto cols = db.columns(table);
    // Type-table values equal to the artifact's own item path are rewritten to the referencing item's path,
    // so a deduplicated media file reads as the device that holds it.
    std::string row_expr = "''";
    for (const auto& col : cols) {
      if (col == "artifact_id") continue;
      row_expr += fmt::format(
          " || char(31) || CASE WHEN t.{0} = a.item_path THEN quote(@path) ELSE quote(t.{0}) END", col);
    }
    const std::string common =
        "quote(a.type) || char(31) || quote(a.item_sha256) || char(31) || quote(a.source_table) || char(31) "
        "|| "
        "quote(a.source_rowid) || char(31) || quote(a.source_offset) || char(31) || quote(a.source_detail) "
        "|| char(31) || "
        "quote(a.parser_id) || char(31) || quote(a.parser_version) || char(31) || quote(a.recovered) || "
        "char(31) || "
        "quote(a.time_utc_us)";
    auto with_path = [&](const std::string& path_expr) {
      std::string r = row_expr;
      size_t pos;
      while ((pos = r.find("@path")) != std::string::npos) r.replace(pos, 5, path_expr);
      return r;
    };
    std::string sql = fmt::format(
        "SELECT line FROM ("
        " SELECT quote(e.exhibit) || char(31) || quote(a.item_path) || char(31) || {0} || {1} AS line"
        " FROM artifacts a JOIN evidence e ON e.id = a.evidence_id LEFT JOIN {3} t ON t.artifact_id = a.id"
        " WHERE a.type = ?1"
        " UNION ALL"
        " SELECT quote(e.exhibit) || char(31) || quote(i.path) || char(31) || {0} || {2} AS line"
        " FROM dedup_refs r JOIN parser_runs p ON p.id = r.parser_run_id JOIN evidence e ON e.id = "
        "p.evidence_id"
        " JOIN items i ON i.id = r.item_id JOIN artifacts a ON a.parser_run_id = r.original_parser_run_id"
        " LEFT JOIN {3} t ON t.artifact_id = a.id WHERE a.type = ?1"
        ") ORDER BY line",
        common, with_path("a.item_path"), with_path("i.path"), table);
    sql::Stmt st(db, sql);
    st.bind(1, std::string(type));
    while (st.step()) {
      auto line = st.text_view(0);
      EVP_DigestUpdate(md.get(), line.data(), line.size());
      EVP_DigestUpdate(md.get(), "\n", 1);
      ++out.artifacts;
    }
  }
  unsigned char digest[32];
  unsigned int n = 0;
  EVP_DigestFinal_ex(md.get(), digest, &n);
  out.sha256 = to_hex(digest, n);
  return out;
}

}  // namespace kanshiki::batch
