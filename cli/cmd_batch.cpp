// `kanshiki batch run|resume|status|digest`: many devices into one case with parallel worker processes,
// per-device state in the case, resume after a kill, a live status board, and a canonical artifact digest
// (docs/batch.md). Every device's outcome and every rollback is a custody entry.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/batch/batch.h"
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

int cmd_status(const fs::path& case_dir) {
  Session s = open_session(case_dir, false);
  auto states = batch::device_states(s.db);
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

  auto* status =
      batch->add_subcommand("status", "Per-device state (queued/running/done/failed, reason, timings)");
  status->add_option("--case", o->case_dir, "Case folder")->required();
  status->callback([o, &action] { action = [o] { return cmd_status(o->case_dir); }; });

  auto* digest = batch->add_subcommand("digest", "Canonical SHA-256 of all artifacts (compare two runs)");
  digest->add_option("--case", o->case_dir, "Case folder")->required();
  digest->callback([o, &action] { action = [o] { return cmd_digest(o->case_dir); }; });
}

}  // namespace kanshiki::cli
