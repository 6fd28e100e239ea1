// `kanshiki batch run|resume|status|digest`: many devices into one case with parallel worker processes,
// per-device state in the case, resume after a kill, a live status board, and a canonical artifact digest
// (docs/batch.md). Every device's outcome and every rollback is a custody entry.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/batch/batch.h"
#include "engine/graph/links.h"
#include "engine/pgstore/pg_store.h"
#include "engine/progress.h"
#include "hashing/multi_hash.h"

namespace kanshiki::cli {
namespace {

json state_json(const batch::DeviceState& d) {
  return {{"seq", d.seq},
          {"exhibit", d.exhibit},
          {"evidence_path", d.evidence_path},
          {"label", d.label},
          {"state", d.state},
          {"reason", d.reason},
          {"evidence_id", d.evidence_id ? json(*d.evidence_id) : json(nullptr)},
          {"attempts", d.attempts},
          {"worker", d.worker},
          {"started_utc", d.started_utc},
          {"ended_utc", d.ended_utc},
          {"seconds", d.seconds},
          {"artifacts", d.artifacts}};
}

std::map<std::string, int> count_states(const std::vector<batch::DeviceState>& states) {
  std::map<std::string, int> counts{{"queued", 0}, {"running", 0}, {"done", 0}, {"failed", 0}};
  for (const auto& d : states) ++counts[d.state];
  return counts;
}

// The live board: one summary line and one line per running device, redrawn in place on a terminal.
class StatusBoard {
 public:
  explicit StatusBoard(bool enabled) : enabled_(enabled) {}
  void draw(const std::vector<batch::DeviceState>& states) {
    if (!enabled_) return;
    std::string out;
    for (int i = 0; i < lines_; ++i) out += "\x1b[1A\x1b[2K";
    auto c = count_states(states);
    out += fmt::format("batch: 完了/done {}  失敗/failed {}  実行中/running {}  待機/queued {}  (全 {} 台)\n",
                       c["done"], c["failed"], c["running"], c["queued"], states.size());
    lines_ = 1;
    for (const auto& d : states) {
      if (d.state != "running") continue;
      out += fmt::format("  ▶ {:<16} {:<24} {}\n", d.exhibit, d.label, d.worker);
      ++lines_;
    }
    std::cerr << out << std::flush;
  }

 private:
  bool enabled_;
  int lines_ = 0;
};

int run_or_resume(const fs::path& case_dir, const std::string& manifest, const std::string& folder,
                  int workers, bool retry_failed, bool no_dedup, bool is_resume) {
  Session s = open_session(case_dir);
  json params{{"manifest", manifest},
              {"folder", folder},
              {"workers", workers},
              {"retry_failed", retry_failed},
              {"dedup", !no_dedup}};
  const std::string action = is_resume ? "batch resume" : "batch run";
  int rc = 0;
  logged(s, action, params, [&] {
    json inputs = json::array();
    std::vector<batch::Device> devices;
    if (!manifest.empty() && !folder.empty())
      throw Error(ExitCode::usage, "give --manifest or --folder, not both");
    if (!manifest.empty()) {
      devices = batch::read_manifest(manifest);
      inputs.push_back({{"path", fs::absolute(manifest).string()}, {"sha256", hash_file(manifest).sha256}});
    } else if (!folder.empty()) {
      devices = batch::devices_from_folder(folder);
    } else if (!is_resume) {
      throw Error(ExitCode::usage, "batch run needs --manifest FILE or --folder DIR");
    }
    s.log({action, "started", params, inputs});
    int added = batch::register_devices(s.db, devices);
    if (added) say(fmt::format("{} 台を登録 / {} devices queued", added, added));
    for (const auto& rb : batch::roll_back_unfinished(s.db, retry_failed)) {
      s.log(
          {"batch rollback",
           "ok",
           {{"exhibit", rb.exhibit}, {"evidence_ids", rb.evidence_ids}, {"rows_deleted", rb.rows_deleted}}});
      say(fmt::format("中断された処理を巻き戻し / rolled back {} ({} rows)", rb.exhibit, rb.rows_deleted));
    }
    StatusBoard board(Progress::wanted(g.quiet));
    batch::RunOptions opt;
    opt.workers = workers;
    opt.examiner = s.examiner.name();
    opt.dedup = !no_dedup;
    opt.on_tick = [&](const std::vector<batch::DeviceState>& states) { board.draw(states); };
    opt.on_device_end = [&](const batch::DeviceState& d, int64_t rss_kb) {
      s.log({"batch device",
             d.state == "done" ? "ok" : "failed",
             {{"exhibit", d.exhibit},
              {"evidence_path", d.evidence_path},
              {"evidence_id", d.evidence_id ? json(*d.evidence_id) : json(nullptr)},
              {"seconds", d.seconds},
              {"artifacts", d.artifacts},
              {"worker_max_rss_kb", rss_kb},
              {"reason", d.reason}}});
      if (!Progress::wanted(g.quiet))
        say(fmt::format("  {} {} ({:.1f} s, {} artifacts){}", d.state == "done" ? "✓" : "✗", d.exhibit,
                        d.seconds, d.artifacts, d.reason.empty() ? "" : " — " + d.reason));
    };
    batch::RunResult r = batch::run_batch(s.db, opt);
    auto states = batch::device_states(s.db);
    board.draw(states);
    auto counts = count_states(states);
    json summary{{"workers", r.workers},   {"done_now", r.done},
                 {"failed_now", r.failed}, {"skipped_finished", r.skipped},
                 {"seconds", r.seconds},   {"max_worker_rss_kb", r.max_worker_rss_kb},
                 {"states", counts}};
    s.log({action, counts["failed"] ? "warnings" : "ok", params, inputs, json::array({summary})});
    say(
        fmt::format("batch: {} done, {} failed, {} skipped (already finished); {} workers, {:.1f} s, max "
                    "worker RSS {} MiB",
                    r.done, r.failed, r.skipped, r.workers, r.seconds, r.max_worker_rss_kb / 1024));
    emit_json(summary);
    if (counts["failed"]) rc = static_cast<int>(ExitCode::completed_with_warnings);
  });
  return rc;
}

int cmd_status(const fs::path& case_dir, const std::string& store_option) {
  Session s = open_session(case_dir, false);
  // With a case store the tasks' states live there; the case catches up at `batch finish` / `case pull`.
  const std::string url = pgstore::store_url(store_option);
  auto states = url.empty() ? batch::device_states(s.db) : pgstore::PgStore::connect(url).device_states();
  auto counts = count_states(states);
  json devices = json::array();
  for (const auto& d : states) devices.push_back(state_json(d));
  emit_json({{"counts", counts}, {"devices", devices}});
  say(fmt::format("完了/done {}  失敗/failed {}  実行中/running {}  待機/queued {}", counts["done"],
                  counts["failed"], counts["running"], counts["queued"]));
  for (const auto& d : states)
    say(fmt::format("{:>4} {:<16} {:<8} {:>7.1f}s {:>7} {}{}", d.seq, d.exhibit, d.state, d.seconds,
                    d.artifacts, d.label, d.reason.empty() ? "" : "  — " + d.reason));
  return 0;
}

int cmd_digest(const fs::path& case_dir) {
  Session s = open_session(case_dir, false);
  auto d = batch::artifact_digest(s.db);
  emit_json({{"sha256", d.sha256}, {"artifacts", d.artifacts}});
  say(fmt::format("{}  {} artifacts", d.sha256, d.artifacts));
  return 0;
}

// Runs a command, returning its stdout (trimmed); throws with its output when it fails.
std::string run_command(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) throw Error(ExitCode::failure, "cannot run " + command);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (status != 0) throw Error(ExitCode::failure, command + " failed: " + out);
  return out;
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw Error(ExitCode::failure, "cannot write " + p.string());
}

// `batch submit --slurm`: one array task per queued device (at most K at once) and the cross-device step as a
// job that starts after all of them, whatever their outcome (afterany; afterok would wait forever on a
// failure).
int cmd_submit(const fs::path& case_dir, const std::string& manifest, const std::string& folder,
               int max_parallel, const std::string& sbatch_args, const std::string& store_option) {
  Session s = open_session(case_dir);
  const std::string url = pgstore::store_url(store_option);
  json params{{"manifest", manifest},
              {"folder", folder},
              {"max_parallel", max_parallel},
              {"sbatch_args", sbatch_args},
              {"store", pgstore::redact_url(url)}};
  logged(s, "batch submit", params, [&] {
    std::vector<batch::Device> devices;
    json inputs = json::array();
    if (!manifest.empty()) {
      devices = batch::read_manifest(manifest);
      inputs.push_back({{"path", fs::absolute(manifest).string()}, {"sha256", hash_file(manifest).sha256}});
    } else if (!folder.empty()) {
      devices = batch::devices_from_folder(folder);
    }
    s.log({"batch submit", "started", params, inputs});
    batch::register_devices(s.db, devices);
    for (const auto& rb : batch::roll_back_unfinished(s.db, false))
      s.log(
          {"batch rollback",
           "ok",
           {{"exhibit", rb.exhibit}, {"evidence_ids", rb.evidence_ids}, {"rows_deleted", rb.rows_deleted}}});
    std::vector<std::string> queued;
    std::string store_arg;
    if (url.empty()) {
      for (const auto& d : batch::device_states(s.db))
        if (d.state == "queued") queued.push_back(d.exhibit);
    } else {
      // The store coordinates the tasks: devices go there (same ids and seq), and what is queued there runs.
      pgstore::PgStore store = pgstore::PgStore::connect(url);
      int added = store.register_devices(s.db);
      s.log({"store register", "ok", {{"store", pgstore::redact_url(url)}, {"added", added}}});
      for (const auto& d : store.device_states())
        if (d.state == "queued") queued.push_back(d.exhibit);
      // A URL with a password stays out of the script: the tasks read it from the environment sbatch exports.
      if (pgstore::redact_url(url) == url)
        store_arg = " --store " + sh_quote(url);
      else
        ::setenv("KANSHIKI_STORE", url.c_str(), 1);
    }
    if (queued.empty()) {
      say("待機中の端末はありません / no queued devices");
      emit_json({{"queued", 0}});
      return;
    }
    const fs::path abs_case = fs::absolute(case_dir);
    std::string stamp = now_utc_iso();
    for (char& ch : stamp)
      if (ch == ':' || ch == '.') ch = '-';
    const fs::path dir = abs_case / "batch" / "slurm" / stamp;
    fs::create_directories(dir);
    std::string tasks;
    for (const auto& e : queued) tasks += e + "\n";
    write_file(dir / "tasks.txt", tasks);
    const std::string exe = fs::read_symlink("/proc/self/exe").string();
    const int k = max_parallel > 0 ? max_parallel : static_cast<int>(queued.size());
    std::string array_script = fmt::format(
        "#!/bin/bash\n"
        "#SBATCH --job-name=kanshiki-batch\n"
        "#SBATCH --array=0-{}%{}\n"
        "#SBATCH --output={}/task-%a.log\n"
        "# One device per array task (written by `kanshiki batch submit`; tasks.txt lists the exhibits).\n"
        "set -euo pipefail\n"
        "EXHIBIT=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {})\n"
        "exec {} --quiet batch worker --case {} --exhibit \"$EXHIBIT\"{}\n",
        queued.size() - 1, k, dir.string(), sh_quote((dir / "tasks.txt").string()), sh_quote(exe),
        sh_quote(abs_case.string()), store_arg);
    std::string finish_script = fmt::format(
        "#!/bin/bash\n"
        "#SBATCH --job-name=kanshiki-batch-finish\n"
        "#SBATCH --output={}/finish.log\n"
        "# Cross-device step: records every device's outcome, then the identity graph.\n"
        "exec {} batch finish --case {} --graphml {}{}\n",
        dir.string(), sh_quote(exe), sh_quote(abs_case.string()), sh_quote((dir / "links.graphml").string()),
        store_arg);
    write_file(dir / "array.sbatch", array_script);
    write_file(dir / "finish.sbatch", finish_script);
    std::string extra = sbatch_args.empty() ? "" : " " + sbatch_args;
    std::string array_job =
        run_command("sbatch --parsable" + extra + " " + sh_quote((dir / "array.sbatch").string()));
    array_job = array_job.substr(0, array_job.find(';'));
    std::string finish_job = run_command("sbatch --parsable" + extra + " --dependency=afterany:" + array_job +
                                         " " + sh_quote((dir / "finish.sbatch").string()));
    finish_job = finish_job.substr(0, finish_job.find(';'));
    json outputs = json::array(
        {{{"path", (dir / "array.sbatch").string()}, {"sha256", hash_file(dir / "array.sbatch").sha256}},
         {{"path", (dir / "finish.sbatch").string()}, {"sha256", hash_file(dir / "finish.sbatch").sha256}},
         {{"array_job", array_job}, {"finish_job", finish_job}, {"tasks", queued.size()}}});
    s.log({"batch submit", "ok", params, inputs, outputs});
    say(fmt::format(
        "Slurm: array job {} ({} tasks, at most {} at once), finish job {} (afterany); scripts in {}",
        array_job, queued.size(), k, finish_job, dir.string()));
    emit_json({{"array_job", array_job},
               {"finish_job", finish_job},
               {"tasks", queued.size()},
               {"max_parallel", k},
               {"dir", dir.string()}});
  });
  return 0;
}

// One Slurm array task. It takes no case lock (its siblings work on the same case) and writes no custody
// entry (one writer of the chain: `batch finish` records every device's outcome).
// With a case store, the task works in a node-local SQLite case ($KANSHIKI_SCRATCH, else $TMPDIR) and loads
// the device into the store; the shared case folder is not written (it may be on NFS).
int cmd_worker(const fs::path& case_dir, const std::string& exhibit, const std::string& store_option) {
  batch::RunOptions opt;
  Examiner examiner = Examiner::load(examiner_home());
  opt.examiner = examiner.name();
  const std::string url = pgstore::store_url(store_option);
  if (url.empty()) return batch::run_one_device(case_dir, exhibit, opt);
  const char* scratch = std::getenv("KANSHIKI_SCRATCH");
  return pgstore::run_device_to_store(url, exhibit, scratch ? fs::path(scratch) : fs::temp_directory_path(),
                                      examiner, opt);
}

// Brings the store's finished devices into the case; one custody entry names each device, its rows and the
// head of its own (verified) custody chain.
void pull_from_store(Session& s, pgstore::PgStore& store, const std::string& url) {
  pgstore::PullResult pulled = store.pull(s.db);
  json devices = json::array();
  bool chains_ok = true;
  for (const auto& d : pulled.devices) {
    chains_ok = chains_ok && d.custody_ok;
    devices.push_back({{"exhibit", d.exhibit},
                       {"state", d.state},
                       {"rows", d.rows},
                       {"custody_chain", fs::relative(d.custody_dir, s.db.dir()).string()},
                       {"custody_entries", d.custody_entries},
                       {"custody_head", d.custody_head},
                       {"custody_verified", d.custody_ok}});
    if (!d.custody_ok) say(fmt::format("✗ {}: {}", d.exhibit, d.custody_summary));
  }
  s.log({"case pull",
         chains_ok ? "ok" : "warnings",
         {{"store", pgstore::redact_url(url)}},
         json::array(),
         json::array({{{"devices", devices}, {"unchanged", pulled.unchanged}}})});
  say(fmt::format("ストアから取得 / pulled {} devices from the case store ({} unchanged)",
                  pulled.devices.size(), pulled.unchanged));
  if (!chains_ok)
    throw Error(ExitCode::verification_failed, "a device's custody chain from the case store did not verify");
}

int cmd_pull(const fs::path& case_dir, const std::string& store_option) {
  const std::string url = pgstore::store_url(store_option);
  pgstore::PgStore store = pgstore::PgStore::connect(url);
  if (!fs::exists(case_dir / "case.db")) {
    CaseDb::create(case_dir, case_dir.filename().string());
    Session s = open_session(case_dir);
    s.log({"case create", "ok", {{"case_dir", fs::absolute(case_dir).string()}, {"for", "case pull"}}});
  }
  Session s = open_session(case_dir);
  logged(s, "case pull", {{"store", pgstore::redact_url(url)}}, [&] { pull_from_store(s, store, url); });
  return 0;
}

int cmd_finish(const fs::path& case_dir, const std::string& graphml, const std::string& store_option) {
  Session s = open_session(case_dir);
  const std::string url = pgstore::store_url(store_option);
  json params{{"graphml", graphml}, {"store", pgstore::redact_url(url)}};
  int rc = 0;
  logged(s, "batch finish", params, [&] {
    if (!url.empty()) {
      // The states are read from the store: a task that died there is failed (its rows dropped), then every
      // finished device comes into the case, where the digest and the graph are computed as for a local run.
      pgstore::PgStore store = pgstore::PgStore::connect(url);
      for (const auto& exhibit : store.fail_unfinished())
        s.log({"batch rollback", "ok", {{"exhibit", exhibit}, {"store", pgstore::redact_url(url)}}});
      pull_from_store(s, store, url);
    }
    // A task that died without an outcome (node failure, time limit, kill) is rolled back and marked failed.
    for (const auto& rb : batch::roll_back_unfinished(s.db, false)) {
      sql::Stmt st(s.db.db(), "UPDATE batch_devices SET state='failed', reason=? WHERE exhibit=?");
      st.bind(1, fmt::format("task ended without an outcome; rolled back ({} rows)", rb.rows_deleted));
      st.bind(2, rb.exhibit).run();
      s.log(
          {"batch rollback",
           "ok",
           {{"exhibit", rb.exhibit}, {"evidence_ids", rb.evidence_ids}, {"rows_deleted", rb.rows_deleted}}});
    }
    auto states = batch::device_states(s.db);
    json devices = json::array();
    for (const auto& d : states) devices.push_back(state_json(d));
    auto counts = count_states(states);
    auto digest = batch::artifact_digest(s.db);
    json outputs = json::array(
        {{{"states", counts}, {"artifact_digest", digest.sha256}, {"artifacts", digest.artifacts}}});
    if (!graphml.empty()) {
      graph::Graph g = graph::build_identity_graph(s.db);
      {
        std::ofstream out(graphml, std::ios::binary | std::ios::trunc);
        graph::write_graphml(g, out);
      }
      outputs.push_back({{"path", fs::absolute(graphml).string()}, {"sha256", hash_file(graphml).sha256}});
    }
    s.log({"batch finish",
           counts["failed"] ? "warnings" : "ok",
           {{"devices", devices}},
           json::array(),
           outputs});
    say(fmt::format("batch finish: {} done, {} failed; artifacts {} ({})", counts["done"], counts["failed"],
                    digest.artifacts, digest.sha256));
    emit_json({{"counts", counts}, {"artifact_digest", digest.sha256}, {"artifacts", digest.artifacts}});
    if (counts["failed"]) rc = static_cast<int>(ExitCode::completed_with_warnings);
  });
  return rc;
}

}  // namespace

void register_batch(CLI::App& app, Action& action) {
  struct Options {
    std::string case_dir, manifest, folder;
    int workers = 0;
    bool retry_failed = false, no_dedup = false;
  };
  auto o = std::make_shared<Options>();
  auto* batch = app.add_subcommand("batch", "Many devices into one case: run, resume, status / 一括処理");
  batch->require_subcommand(1);

  auto* run =
      batch->add_subcommand("run", "Queue the devices of a manifest or folder and process them in parallel");
  run->add_option("--case", o->case_dir, "Case folder")->required();
  run->add_option("--manifest", o->manifest, "CSV or JSON: exhibit, evidence, label, secret_ref");
  run->add_option("--folder", o->folder, "Every file or folder inside is one device");
  run->add_option("--workers", o->workers, "Parallel worker processes (default: cores, bounded by memory)");
  run->add_flag("--no-dedup", o->no_dedup, "Parse every file even when the same bytes were parsed already");
  run->callback([o, &action] {
    action = [o] {
      return run_or_resume(o->case_dir, o->manifest, o->folder, o->workers, false, o->no_dedup, false);
    };
  });

  auto* resume =
      batch->add_subcommand("resume", "Continue an interrupted batch (finished devices are skipped)");
  resume->add_option("--case", o->case_dir, "Case folder")->required();
  resume->add_option("--workers", o->workers, "Parallel worker processes");
  resume->add_flag("--retry-failed", o->retry_failed, "Also redo devices that failed");
  resume->add_flag("--no-dedup", o->no_dedup,
                   "Parse every file even when the same bytes were parsed already");
  resume->callback([o, &action] {
    action = [o] {
      return run_or_resume(o->case_dir, "", "", o->workers, o->retry_failed, o->no_dedup, true);
    };
  });

  struct SlurmOptions {
    std::string exhibit, graphml, sbatch_args, store;
    int max_parallel = 0;
    bool slurm = false;
  };
  auto so = std::make_shared<SlurmOptions>();
  const std::string store_help =
      "PostgreSQL case store, e.g. postgresql://user@host/db (default: $KANSHIKI_STORE; none: SQLite only)";
  auto* status =
      batch->add_subcommand("status", "Per-device state (queued/running/done/failed, reason, timings)");
  status->add_option("--case", o->case_dir, "Case folder")->required();
  status->add_option("--store", so->store, store_help);
  status->callback([o, so, &action] { action = [o, so] { return cmd_status(o->case_dir, so->store); }; });
  auto* submit =
      batch->add_subcommand("submit", "Submit the queued devices as a Slurm job array (docs/batch.md)");
  submit->add_option("--case", o->case_dir, "Case folder (on storage every node sees)")->required();
  submit->add_option("--manifest", o->manifest, "CSV or JSON manifest (devices are queued first)");
  submit->add_option("--folder", o->folder, "Every file or folder inside is one device");
  submit->add_flag("--slurm", so->slurm, "Use Slurm (the only scheduler supported)")->required();
  submit->add_option("--max-parallel", so->max_parallel, "At most K tasks at once (--array=0-(N-1)%K)");
  submit->add_option("--sbatch-args", so->sbatch_args,
                     "Extra sbatch arguments, e.g. \"--partition=forensic\"");
  submit->add_option("--store", so->store, store_help);
  submit->callback([o, so, &action] {
    action = [o, so] {
      return cmd_submit(o->case_dir, o->manifest, o->folder, so->max_parallel, so->sbatch_args, so->store);
    };
  });
  auto* worker = batch->add_subcommand("worker", "One device (a Slurm array task; not for interactive use)");
  worker->add_option("--case", o->case_dir, "Case folder")->required();
  worker->add_option("--exhibit", so->exhibit, "Exhibit number of the device")->required();
  worker->add_option("--store", so->store, store_help);
  worker->callback(
      [o, so, &action] { action = [o, so] { return cmd_worker(o->case_dir, so->exhibit, so->store); }; });
  auto* finish =
      batch->add_subcommand("finish", "After the array: record outcomes, roll back dead tasks, graph");
  finish->add_option("--case", o->case_dir, "Case folder")->required();
  finish->add_option("--graphml", so->graphml, "Write the identity graph here");
  finish->add_option("--store", so->store, store_help);
  finish->callback(
      [o, so, &action] { action = [o, so] { return cmd_finish(o->case_dir, so->graphml, so->store); }; });

  auto* kase = shared_command_group(app, "case", "Case management");
  auto* pull =
      kase->add_subcommand("pull", "Materialise the case from a PostgreSQL case store / ストアから取得");
  pull->add_option("--case", o->case_dir, "Case folder (created when missing)")->required();
  pull->add_option("--store", so->store, store_help);
  pull->callback([o, so, &action] { action = [o, so] { return cmd_pull(o->case_dir, so->store); }; });

  auto* digest = batch->add_subcommand("digest", "Canonical SHA-256 of all artifacts (compare two runs)");
  digest->add_option("--case", o->case_dir, "Case folder")->required();
  digest->callback([o, &action] { action = [o] { return cmd_digest(o->case_dir); }; });
}

}  // namespace kanshiki::cli
