// `kanshiki thumbnails`: thumbnails of every media artifact, made in the confined thumbnail worker and kept
// inside the case (engine/thumbnails.h).
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "engine/progress.h"
#include "engine/thumbnails.h"

namespace kanshiki::cli {
namespace {

struct ThumbnailArgs {
  std::string case_dir;
  ThumbnailOptions options;
};

}  // namespace

json thumbnails_step(Session& s, const ThumbnailOptions& limits, int& rc) {
  json params{{"generator", std::string(kThumbnailGenerator) + " " + std::string(kThumbnailGeneratorVersion)},
              {"limits",
               {{"memory_bytes", limits.memory_bytes},
                {"cpu_seconds", limits.cpu_seconds},
                {"wall_seconds", limits.wall_seconds}}}};
  json out;
  logged(s, "thumbnails", params, [&] {
    int64_t run = s.db.begin_run("thumbnails", g.command_line, s.examiner.name());
    params["run_id"] = run;
    s.log({"thumbnails", "started", params});
    ThumbnailOptions opt = limits;
    opt.progress = Progress::wanted(g.quiet);
    ThumbnailResult r;
    try {
      r = make_thumbnails(s.db, run, opt);
    } catch (...) {
      s.db.end_run(run, "failed");
      throw;
    }
    // Totals over the whole case (this run and earlier ones), beside what this run did.
    json totals = json::object();
    {
      sql::Stmt st(s.db.db(), "SELECT status, COUNT(*) FROM thumbnails GROUP BY status ORDER BY status");
      while (st.step()) totals[st.text(0)] = st.i64(1);
    }
    out = json{{"media", r.media},
               {"media_without_sha256", r.without_hash},
               {"distinct_originals", r.distinct},
               {"made", r.made},
               {"already_done", r.already_done},
               {"failed", r.failed},
               {"not_image", r.not_image},
               {"no_source", r.no_source},
               {"original_bytes_read", r.bytes_read},
               {"case_totals", totals},
               {"folder", (s.db.dir() / "thumbnails").string()}};
    CustodyAction done{"thumbnails", r.failed ? "warnings" : "ok", params};
    // Inputs: the media originals, read from the evidence and checked against their ingest SHA-256.
    done.inputs = json::array({{{"kind", "media originals (evidence, read-only)"},
                                {"distinct_sha256", r.distinct},
                                {"bytes_read", r.bytes_read}}});
    done.outputs = json::array({out});
    s.log(done);
    s.db.end_run(run, r.failed ? "done_with_failures" : "done");
    say(
        fmt::format("サムネイル: {} 件作成、{} 件は作成済み、{} 件失敗（警告に記録）、動画・音声 {} "
                    "件、証拠内にファイルなし {} 件",
                    r.made, r.already_done, r.failed, r.not_image, r.no_source));
    say(fmt::format(
        "Thumbnails: {} made, {} already done, {} failed (see warnings), {} video/audio, {} without a "
        "file in the evidence ({} media artifacts, {} distinct originals)",
        r.made, r.already_done, r.failed, r.not_image, r.no_source, r.media, r.distinct));
    if (r.failed) rc = static_cast<int>(ExitCode::completed_with_warnings);
  });
  return out;
}

namespace {

int cmd_thumbnails(const ThumbnailArgs& args) {
  Session s = open_session(args.case_dir);
  int rc = 0;
  emit_json(thumbnails_step(s, args.options, rc));
  return rc;
}

}  // namespace

void register_thumbnails(CLI::App& app, Action& action) {
  auto args = std::make_shared<ThumbnailArgs>();
  auto* th = app.add_subcommand(
      "thumbnails", "Make thumbnails of every media artifact inside the case (confined decoder; resumable)");
  th->add_option("--case", args->case_dir, "Case folder")->required();
  th->add_option("--decode-timeout", args->options.wall_seconds,
                 "Seconds one image's decoder may take before it is killed (default 120)");
  th->add_option("--decode-cpu", args->options.cpu_seconds,
                 "CPU seconds one image's decoder may use (default 60)");
  th->add_option("--decode-memory", args->options.memory_bytes,
                 "Address-space limit of each decoder in bytes (default 2147483648)");
  th->callback([&action, args] { action = [args] { return cmd_thumbnails(*args); }; });
}

}  // namespace kanshiki::cli
