#include "report/hits_section.h"

#include <fmt/format.h>

#include "report/report_common.h"

namespace kanshiki::report {

std::string hits_section_html(sql::Db& db, bool ja, size_t max_rows) {
  if (!db.table_exists("scan_runs")) return "";
  auto tr = [ja](const char* j, const char* e) { return std::string(ja ? j : e); };
  int64_t scan_run = 0;
  std::string started, watchlists;
  int64_t total = 0;
  {
    sql::Stmt st(
        db,
        "SELECT id, started_utc, watchlists, hit_count FROM scan_runs WHERE status='done' ORDER BY id DESC "
        "LIMIT 1");
    if (!st.step()) return "";
    scan_run = st.i64(0);
    started = st.text(1);
    watchlists = st.text(2);
    total = st.i64(3);
  }
  std::string h;
  h += fmt::format("<h2 id=\"hits\">{}</h2>\n", tr("検出・監視語ヒット", "Detector and watchlist hits"));
  h += "<p>" +
       html_escape(fmt::format("{} {} ({} UTC)。{}: {}", tr("スキャン", "Scan run"), scan_run, started,
                               tr("使用した監視語リスト (SHA-256)", "Watchlists used (SHA-256)"),
                               watchlists)) +
       "</p>\n";
  h += "<table>\n<thead><tr><th>" + tr("区分", "Source") + "</th><th>" + tr("カテゴリ", "Category") +
       "</th><th>" + tr("件数", "Hits") + "</th><th>" + tr("異なる値", "Distinct values") +
       "</th></tr></thead>\n<tbody>\n";
  {
    sql::Stmt st(
        db,
        "SELECT source, category, COUNT(*), COUNT(DISTINCT normalized) FROM hits WHERE scan_run_id=? "
        "GROUP BY source, category ORDER BY source, category");
    st.bind(1, scan_run);
    while (st.step())
      h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(st.text(0)),
                       html_escape(st.text(1)), st.i64(2), st.i64(3));
  }
  h += "</tbody>\n</table>\n";
  h += "<table>\n<thead><tr><th>" + tr("カテゴリ", "Category") + "</th><th>" + tr("値", "Value") +
       "</th><th>" + tr("正規化・検証", "Normalised / validation") + "</th><th>" +
       tr("前後の文脈", "Context") + "</th><th>" +
       tr("出所 (証拠品・項目・表・行・パーサ)", "Provenance (evidence, item, table, row, parser)") +
       "</th></tr></thead>\n<tbody>\n";
  sql::Stmt st(db, R"SQL(
SELECT h.category, h.value, h.normalized, h.validation, h.context, h.field, a.evidence_id, a.item_path,
       a.item_sha256, a.source_table, a.source_rowid, a.parser_id, a.parser_version, a.recovered, a.id
FROM hits h JOIN artifacts a ON a.id = h.artifact_id WHERE h.scan_run_id = ? ORDER BY h.id LIMIT ?)SQL");
  st.bind(1, scan_run).bind(2, static_cast<int64_t>(max_rows));
  while (st.step()) {
    std::string context = html_escape(st.text(4));
    std::string value = html_escape(st.text(1));
    if (auto at = context.find(value); !value.empty() && at != std::string::npos)
      context.replace(at, value.size(), "<mark>" + value + "</mark>");
    h += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td><td>E{} {}<br><small>SHA-256 "
        "{}<br>{} "
        "#{} · {} {} · {} · artifact {}{}</small></td></tr>\n",
        html_escape(st.text(0)), value, html_escape(st.text(2)), html_escape(st.text(3)), context, st.i64(6),
        html_escape(st.text(7)), html_escape(st.text(8)), html_escape(st.text(9)),
        st.is_null(10) ? "-" : std::to_string(st.i64(10)), html_escape(st.text(11)), html_escape(st.text(12)),
        html_escape(st.text(5)), st.i64(14), st.i64(13) ? tr(" · 復元データ", " · recovered") : "");
  }
  h += "</tbody>\n</table>\n";
  if (total > static_cast<int64_t>(max_rows))
    h += "<p>" +
         html_escape(fmt::format("{} {} / {}。{}: kanshiki hits --case CASE --format csv",
                                 tr("表示", "Showing"), max_rows, total, tr("全件の一覧", "Full list"))) +
         "</p>\n";
  return h;
}

}  // namespace kanshiki::report
