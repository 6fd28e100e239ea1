// `kanshiki recover`: deleted-record recovery over every SQLite database in the case (engine/recover.h).
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "engine/progress.h"
#include "engine/recover.h"

namespace kanshiki::cli {
namespace {

int cmd_recover(const fs::path& case_dir) {
  Session s = open_session(case_dir);
  json params = json::object();
  int rc = 0;
  logged(s, "recover", params, [&] {
    int64_t run = s.db.begin_run("recover", g.command_line, s.examiner.name());
    params["run_id"] = run;
    s.log({"recover", "started", params});
    RecoverOptions opt;
    opt.progress = Progress::wanted(g.quiet);
    RecoverResult r;
    try {
      r = recover_case(s.db, run, opt);
    } catch (...) {
      s.db.end_run(run, "failed");
      throw;
    }
    json out{{"sqlite_databases", r.sqlite_items}, {"recovered_databases", r.recovered_items},
             {"already_done", r.already_done},     {"records", r.records},
             {"failed_databases", r.failed_items}};
    CustodyAction done{"recover", r.failed_items ? "warnings" : "ok", params};
    done.outputs = json::array({out});
    s.log(done);
    s.db.end_run(run, r.failed_items ? "done_with_failures" : "done");
    say(fmt::format("Recovered {} deleted records from {} SQLite databases ({} found; {} done earlier; {} failed)",
                    r.records, r.recovered_items, r.sqlite_items, r.already_done, r.failed_items));
    emit_json(out);
    if (r.failed_items) rc = static_cast<int>(ExitCode::completed_with_warnings);
  });
  return rc;
}

}  // namespace

void register_recover(CLI::App& app, Action& action) {
  auto case_dir = std::make_shared<std::string>();
  auto* rec = app.add_subcommand(
      "recover", "Carve deleted records from every SQLite database in the case (freelist, freeblocks, WAL, journal)");
  rec->add_option("--case", *case_dir, "Case folder")->required();
  rec->callback([&action, case_dir] { action = [case_dir] { return cmd_recover(*case_dir); }; });
}

}  // namespace kanshiki::cli
