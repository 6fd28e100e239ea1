// `kanshiki report`: the court report as HTML (paginated, streamed) or PDF (Qt, headless), in Japanese or
// English, with tagged findings (default) or all findings. Before writing, every evidence item is re-hashed
// (a fresh verify, itself custody-logged) so the integrity statement is true at report time; the report
// files and their SHA-256 are recorded in the custody log.
#include <fmt/format.h>

#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "hashing/multi_hash.h"
#include "report/court_report.h"
#include "report/html_report.h"
#include "report/pdf/pdf_report.h"

namespace kanshiki::cli {
namespace {

struct ReportOptions {
  std::string case_dir, format, output, lang = "ja";
  bool tagged_only = false, all = false;
  size_t rows_per_page = 1000;
};

int cmd_report(const ReportOptions& o) {
  if (o.format != "html" && o.format != "pdf")
    throw Error(ExitCode::usage, "report format must be html or pdf, not " + o.format);
  if (o.tagged_only && o.all) throw Error(ExitCode::usage, "give --tagged-only or --all, not both");
  const FindingScope scope = o.all ? FindingScope::all : FindingScope::tagged;
  const bool ja = o.lang == "ja";
  Session s = open_session(o.case_dir);
  json params{{"format", o.format},
              {"lang", o.lang},
              {"output", o.output},
              {"scope", scope == FindingScope::all ? "all" : "tagged"}};
  logged(s, "report", params, [&] {
    // The integrity section states that the originals were not modified: prove it now, not at ingest.
    say(ja ? "証拠品を再検証しています（全ファイルのハッシュ再計算）... / Re-verifying evidence ..."
           : "Re-verifying evidence (re-hashing every item) ...");
    VerifyResult verify = verify_evidence(s.db, Progress::wanted(g.quiet));
    CustodyAction va{"verify", verify.ok() ? "ok" : "failed", json{{"purpose", "report"}}};
    va.outputs =
        json::array({json{{"items_checked", verify.items_checked}, {"issues", verify.issues.size()}}});
    if (!verify.ok())
      va.error = fmt::format("{} issue(s): evidence differs from what was ingested", verify.issues.size());
    s.log(va);

    const CourtReport court =
        gather_court_report(s.db, ja, scope, 540, verify, s.examiner.name(), s.examiner.fingerprint());
    if (scope == FindingScope::tagged && court.tagged_artifacts == 0)
      say(ja ? "注意：タグ付けされた所見がないため、検査結果の節は空です（kanshiki tag で選択、または "
               "--all）。"
             : "Note: no finding is tagged, so the results section is empty (tag findings with `kanshiki "
               "tag`, "
               "or use --all).");
    std::vector<fs::path> files;
    fs::path main_file;
    size_t pages = 0;
    if (o.format == "html") {
      HtmlReportOptions opt;
      opt.output = o.output.empty() ? s.db.reports_dir() / (ja ? "report.html" : "report_en.html")
                                    : fs::path(o.output);
      opt.lang = o.lang;
      opt.rows_per_page = o.rows_per_page;
      opt.court = &court;
      ReportResult r = write_html_report(s.db, opt);
      files = r.files;
      main_file = r.index;
      pages = r.files.size();
    } else {
      PdfReportOptions opt;
      opt.output = o.output.empty() ? s.db.reports_dir() / (ja ? "report_ja.pdf" : "report_en.pdf")
                                    : fs::path(o.output);
      opt.lang = o.lang;
      opt.scope = scope;
      say(ja ? "PDF を作成しています（2 パス：レイアウト計測と描画）... / Writing the PDF ..."
             : "Writing the PDF (two passes: measure, draw) ...");
      PdfReportResult r = write_pdf_report(s.db, court, opt);
      files = {r.path};
      main_file = r.path;
      pages = static_cast<size_t>(r.pages);
    }
    json outs = json::array();
    std::string main_sha;
    for (const auto& f : files) {
      const std::string sha = hash_file(f).sha256;
      if (f == main_file) main_sha = sha;
      outs.push_back({{"path", fs::absolute(f).string()}, {"sha256", sha}});
    }
    CustodyAction done{"report", "ok", params, json::array(), outs};
    done.parameters["findings"] = court.findings_in_scope;
    done.parameters["verify_ok"] = verify.ok();
    done.parameters["custody_ok"] = court.custody_verification.ok;
    s.log(done);
    say(fmt::format("{}: {}\n  SHA-256 {}\n  {} {}, {} {}", ja ? "報告書 / Report" : "Report",
                    fs::absolute(main_file).string(), main_sha, o.format == "pdf" ? pages : files.size(),
                    o.format == "pdf" ? (ja ? "ページ" : "pages") : (ja ? "ファイル" : "files"),
                    court.findings_in_scope, ja ? "件の所見" : "findings"));
    if (!verify.ok())
      std::cerr << "warning: evidence verification FAILED; the report states it (integrity section)\n";
    emit_json({{"path", fs::absolute(main_file).string()},
               {"index", fs::absolute(main_file).string()},
               {"sha256", main_sha},
               {"files", files.size()},
               {"pages", pages},
               {"findings", court.findings_in_scope},
               {"verify_ok", verify.ok()}});
  });
  return 0;
}

}  // namespace

void register_report(CLI::App& app, Action& action) {
  auto o = std::make_shared<ReportOptions>();
  auto* re = app.add_subcommand("report", "Write the court report (HTML or PDF; Japanese or English)");
  re->add_option("--case", o->case_dir, "Case folder")->required();
  re->add_option("--format", o->format, "html or pdf")->required()->check(CLI::IsMember({"html", "pdf"}));
  re->add_option(
      "-o,--output", o->output,
      "Report file (default CASE/reports/report.html, report_en.html, report_ja.pdf or report_en.pdf)");
  re->add_option("--lang", o->lang, "ja or en")->check(CLI::IsMember({"ja", "en"}));
  auto* tagged = re->add_flag("--tagged-only", o->tagged_only, "Only tagged findings (the default)");
  re->add_flag("--all", o->all, "All findings")->excludes(tagged);
  re->add_option("--rows-per-page", o->rows_per_page, "Artifact rows per HTML page");
  re->callback([o, &action] { action = [o] { return cmd_report(*o); }; });
}

}  // namespace kanshiki::cli
