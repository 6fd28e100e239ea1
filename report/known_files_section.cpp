#include "report/known_files_section.h"

#include <fmt/format.h>

#include "report/report_common.h"

namespace kanshiki::report {

std::string known_files_section_html(sql::Db& db, bool ja, size_t max_rows) {
  if (!db.table_exists("hash_sets")) return "";
  auto tr = [ja](const char* j, const char* e) { return std::string(ja ? j : e); };
  std::string h;
  h += fmt::format("<h2 id=\"known-files\">{}</h2>\n", tr("既知ファイル（ハッシュセット）", "Known files (hash sets)"));
  h += "<table>\n<thead><tr><th>" + tr("セット", "Set") + "</th><th>" + tr("種別", "Kind") + "</th><th>" +
       tr("形式", "Format") + "</th><th>" + tr("ハッシュ数", "Hashes") + "</th><th>" +
       tr("一致した項目", "Matching items") + "</th><th>" + tr("セットファイルの SHA-256", "SHA-256 of the set file") +
       "</th></tr></thead>\n<tbody>\n";
  int sets = 0;
  {
    sql::Stmt st(db,
                 "SELECT h.name, h.kind, h.format, h.entries, h.source_sha256, (SELECT count(*) FROM known_file_hits "
                 "k WHERE k.set_id = h.id) FROM hash_sets h ORDER BY h.id");
    while (st.step()) {
      ++sets;
      const bool bad = st.text(1) == "known-bad";
      h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
                       html_escape(st.text(0)),
                       bad ? tr("要注意（既知の不正）", "known-bad (alert)") : tr("既知の正常（非表示可）", "known-good (hide)"),
                       html_escape(st.text(2)), st.i64(3), st.i64(5), html_escape(st.text(4)));
    }
  }
  if (sets == 0) return "";
  h += "</tbody>\n</table>\n";

  int64_t bad_total = 0;
  {
    sql::Stmt n(db, "SELECT count(*) FROM known_file_hits k JOIN hash_sets h ON h.id = k.set_id WHERE h.kind = 'known-bad'");
    if (n.step()) bad_total = n.i64(0);
  }
  h += fmt::format("<h3>{} ({})</h3>\n", tr("既知の不正ファイルとの一致", "Matches with known-bad files"), bad_total);
  if (bad_total > 0) {
    h += "<table>\n<thead><tr><th>" + tr("証拠品", "Exhibit") + "</th><th>" + tr("パス", "Path") + "</th><th>SHA-256</th><th>" +
         tr("セット", "Set") + "</th><th>" + tr("一致した値", "Matched on") + "</th><th>" +
         tr("カテゴリ", "Category") + "</th><th>" + tr("セット内の名前", "Name in the set") +
         "</th></tr></thead>\n<tbody>\n";
    sql::Stmt st(db,
                 "SELECT e.exhibit, i.path, i.sha256, h.name, k.algo, k.category, k.file_name FROM known_file_hits k "
                 "JOIN items i ON i.id = k.item_id JOIN evidence e ON e.id = i.evidence_id JOIN hash_sets h ON h.id = "
                 "k.set_id WHERE h.kind = 'known-bad' ORDER BY e.id, i.path LIMIT ?1");
    st.bind(1, static_cast<int64_t>(max_rows));
    while (st.step())
      h += fmt::format(
          "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          html_escape(st.text(0)), html_escape(st.text(1)), html_escape(st.text(2)), html_escape(st.text(3)),
          html_escape(st.text(4)), html_escape(st.text(5)), html_escape(st.text(6)));
    h += "</tbody>\n</table>\n";
    if (bad_total > static_cast<int64_t>(max_rows))
      h += "<p>" +
           html_escape(fmt::format("{} {} / {}。{}: kanshiki hashset hits --case CASE --kind known-bad",
                                   tr("表示", "Showing"), max_rows, bad_total, tr("全件の一覧", "Full list"))) +
           "</p>\n";
  }
  int64_t good_items = 0;
  {
    sql::Stmt n(db,
                "SELECT count(DISTINCT k.item_id) FROM known_file_hits k JOIN hash_sets h ON h.id = k.set_id WHERE "
                "h.kind = 'known-good'");
    if (n.step()) good_items = n.i64(0);
  }
  h += "<p>" +
       html_escape(fmt::format("{}: {}。{}", tr("既知の正常ファイルと一致した項目", "Items matching known-good sets"),
                               good_items,
                               tr("一覧: kanshiki hashset hits --case CASE --kind known-good",
                                  "List: kanshiki hashset hits --case CASE --kind known-good"))) +
       "</p>\n";
  return h;
}

}  // namespace kanshiki::report
