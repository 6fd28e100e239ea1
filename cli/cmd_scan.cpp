// `kanshiki scan` (detectors + watchlists over every text artifact, hits stored with provenance) and
// `kanshiki hits` (lists the stored hits of the latest scan, every one, with the artifact's provenance).
#include <fmt/format.h>

#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/detect/detectors.h"
#include "engine/detect/scan.h"
#include "engine/progress.h"

namespace kanshiki::cli {
namespace {

int cmd_scan(const fs::path& case_dir, const std::vector<std::string>& watchlist_files, bool no_default_lists,
             bool no_detectors) {
  Session s = open_session(case_dir);
  json params{{"watchlists", watchlist_files},
              {"default_watchlists", !no_default_lists},
              {"detectors", !no_detectors}};
  int rc = 0;
  logged(s, "scan", params, [&] {
    detect::ScanOptions opt;
    opt.detectors = !no_detectors;
    opt.progress = Progress::wanted(g.quiet);
    std::vector<fs::path> files;
    if (!no_default_lists) files = detect::default_watchlist_files();
    for (const auto& f : watchlist_files) files.emplace_back(f);
    json inputs = json::array();
    for (const auto& f : files) {
      opt.watchlists.push_back(detect::load_watchlist(f));
      inputs.push_back({{"path", fs::absolute(f).string()}, {"sha256", opt.watchlists.back().sha256}});
    }
    if (opt.watchlists.empty() && !opt.detectors)
      throw Error(ExitCode::usage, "nothing to scan with: no watchlist and --no-detectors");
    int64_t run = s.db.begin_run("scan", g.command_line, s.examiner.name());
    s.log({"scan", "started", params, inputs});
    detect::ScanResult r;
    try {
      r = detect::scan_case(s.db, run, opt);
    } catch (...) {
      s.db.end_run(run, "failed");
      throw;
    }
    s.db.end_run(run, "done");
    json by_category = r.by_category;
    json outputs = json::array({{{"scan_run_id", r.scan_run_id},
                                 {"fields", r.fields},
                                 {"hits", r.hits},
                                 {"by_category", by_category}}});
    s.log({"scan", "ok", params, inputs, outputs});
    say(fmt::format("スキャン完了 / scan done: {} fields, {} hits (scan run {})", r.fields, r.hits,
                    r.scan_run_id));
    for (const auto& [category, n] : r.by_category) say(fmt::format("  {:<28} {}", category, n));
    emit_json({{"scan_run_id", r.scan_run_id},
               {"fields", r.fields},
               {"hits", r.hits},
               {"by_category", by_category},
               {"watchlists", inputs}});
  });
  return rc;
}

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int cmd_hits(const fs::path& case_dir, const std::string& format, const std::string& category) {
  Session s = open_session(case_dir, false);
  if (format != "csv" && format != "jsonl" && format != "text")
    throw Error(ExitCode::usage, "unknown --format " + format + " (text, csv, jsonl)");
  sql::Stmt st(s.db.db(), R"SQL(
SELECT h.id, h.source, h.category, h.term, h.value, h.normalized, h.validation, h.field, h.byte_offset, h.context,
       a.id, a.type, a.evidence_id, e.exhibit, a.item_path, a.item_sha256, a.source_table, a.source_rowid,
       a.parser_id, a.parser_version, a.recovered, h.scan_run_id
FROM hits h JOIN artifacts a ON a.id = h.artifact_id JOIN evidence e ON e.id = a.evidence_id
WHERE h.scan_run_id = (SELECT MAX(id) FROM scan_runs WHERE status = 'done') AND (? = '' OR h.category = ?)
ORDER BY h.id)SQL");
  st.bind(1, category).bind(2, category);
  const char* cols[] = {"hit_id",      "source",        "category",     "term",        "value",
                        "normalized",  "validation",    "field",        "byte_offset", "context",
                        "artifact_id", "artifact_type", "evidence_id",  "exhibit",     "item_path",
                        "item_sha256", "source_table",  "source_rowid", "parser_id",   "parser_version",
                        "recovered",   "scan_run_id"};
  constexpr int kCols = 22;
  if (format == "csv") {
    for (int i = 0; i < kCols; ++i) std::cout << (i ? "," : "") << cols[i];
    std::cout << "\n";
  }
  size_t n = 0;
  while (st.step()) {
    ++n;
    if (format == "csv") {
      for (int i = 0; i < kCols; ++i)
        std::cout << (i ? "," : "") << csv_field(st.is_null(i) ? "" : st.text(i));
      std::cout << "\n";
    } else if (format == "jsonl") {
      json j;
      for (int i = 0; i < kCols; ++i) {
        if (st.is_null(i))
          j[cols[i]] = nullptr;
        else if (st.type(i) == SQLITE_INTEGER)
          j[cols[i]] = st.i64(i);
        else
          j[cols[i]] = st.text(i);
      }
      std::cout << j.dump() << "\n";
    } else {
      std::cout << fmt::format("[{}] {} {}  {}  (E{} {} {}#{}, {})\n    {}\n", st.text(2), st.text(4),
                               st.text(6).empty() ? "" : "(" + st.text(6) + ")", st.text(7), st.i64(12),
                               st.text(14), st.text(16), st.is_null(17) ? "-" : st.text(17), st.text(18),
                               st.text(9));
    }
  }
  if (format == "text") std::cerr << fmt::format("{} hits\n", n);
  return 0;
}

}  // namespace

void register_scan(CLI::App& app, Action& action) {
  struct Options {
    std::string case_dir, format = "text", category;
    std::vector<std::string> watchlists;
    bool no_default_lists = false, no_detectors = false;
  };
  auto o = std::make_shared<Options>();
  auto* scan = app.add_subcommand("scan",
                                  "Run detectors (wallets, phones, e-mail, URLs) and watchlists over all "
                                  "text artifacts / 検出と監視語の照合");
  scan->add_option("--case", o->case_dir, "Case folder")->required();
  scan->add_option("--watchlist", o->watchlists, "Extra watchlist file (repeatable; format: docs/scan.md)");
  scan->add_flag("--no-default-watchlists", o->no_default_lists,
                 "Do not use the shipped lists (data/watchlists)");
  scan->add_flag("--no-detectors", o->no_detectors, "Watchlists only");
  scan->callback([o, &action] {
    action = [o] { return cmd_scan(o->case_dir, o->watchlists, o->no_default_lists, o->no_detectors); };
  });

  auto* hits =
      app.add_subcommand("hits", "List the hits of the latest scan with provenance / 検出結果の一覧");
  hits->add_option("--case", o->case_dir, "Case folder")->required();
  hits->add_option("--format", o->format, "text, csv or jsonl");
  hits->add_option("--category", o->category,
                   "Only this category (e.g. wallet.btc, phone, or a watchlist name)");
  hits->callback([o, &action] { action = [o] { return cmd_hits(o->case_dir, o->format, o->category); }; });
}

}  // namespace kanshiki::cli
