#include "report/known_files_section.h"

#include <fmt/format.h>

#include "report/report_common.h"

namespace kanshiki::report {
namespace {
std::string tr(bool ja, const char* j, const char* e) { return ja ? j : e; }
}  // namespace

std::optional<KnownFiles> gather_known_files(sql::Db& db, size_t max_rows) {
  if (!db.table_exists("hash_sets")) return std::nullopt;
  KnownFiles k;
  k.max_rows = max_rows;
  {
    sql::Stmt st(
        db,
        "SELECT h.name, h.kind, h.format, h.entries, h.source_sha256, (SELECT count(*) FROM known_file_hits "
        "k WHERE k.set_id = h.id) FROM hash_sets h ORDER BY h.id");
    while (st.step())
      k.sets.push_back({st.text(0), st.text(1), st.text(2), st.text(4), st.i64(3), st.i64(5)});
  }
  if (k.sets.empty()) return std::nullopt;
  {
    sql::Stmt n(db,
                "SELECT count(*) FROM known_file_hits k JOIN hash_sets h ON h.id = k.set_id WHERE h.kind = "
                "'known-bad'");
    if (n.step()) k.bad_total = n.i64(0);
  }
  if (k.bad_total > 0) {
    sql::Stmt st(
        db,
        "SELECT e.exhibit, i.path, i.sha256, h.name, k.algo, k.category, k.file_name FROM known_file_hits k "
        "JOIN items i ON i.id = k.item_id JOIN evidence e ON e.id = i.evidence_id JOIN hash_sets h ON h.id = "
        "k.set_id WHERE h.kind = 'known-bad' ORDER BY e.id, i.path LIMIT ?1");
    st.bind(1, static_cast<int64_t>(max_rows));
    while (st.step())
      k.bad_matches.push_back(
          {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6)});
  }
  {
    sql::Stmt n(
        db,
        "SELECT count(DISTINCT k.item_id) FROM known_file_hits k JOIN hash_sets h ON h.id = k.set_id WHERE "
        "h.kind = 'known-good'");
    if (n.step()) k.good_items = n.i64(0);
  }
  return k;
}

std::string known_files_title(bool ja) {
  return tr(ja, "既知ファイル（ハッシュセット）", "Known files (hash sets)");
}

std::string known_file_kind_label(const std::string& kind, bool ja) {
  return kind == "known-bad" ? tr(ja, "要注意（既知の不正）", "known-bad (alert)")
                             : tr(ja, "既知の正常（非表示可）", "known-good (hide)");
}

std::string known_bad_heading(bool ja, int64_t total) {
  return fmt::format("{} ({})", tr(ja, "既知の不正ファイルとの一致", "Matches with known-bad files"), total);
}

std::string known_files_more_note(bool ja, size_t shown, int64_t total) {
  return fmt::format("{} {} / {}。{}: kanshiki hashset hits --case CASE --kind known-bad",
                     tr(ja, "表示", "Showing"), shown, total, tr(ja, "全件の一覧", "Full list"));
}

std::string known_good_note(bool ja, int64_t items) {
  return fmt::format("{}: {}。{}",
                     tr(ja, "既知の正常ファイルと一致した項目", "Items matching known-good sets"), items,
                     tr(ja, "一覧: kanshiki hashset hits --case CASE --kind known-good",
                        "List: kanshiki hashset hits --case CASE --kind known-good"));
}

std::string known_files_section_html(sql::Db& db, bool ja, size_t max_rows) {
  const auto known = gather_known_files(db, max_rows);
  if (!known) return "";
  std::string h;
  h += fmt::format("<h2 id=\"known-files\">{}</h2>\n", html_escape(known_files_title(ja)));
  h += "<table>\n<thead><tr><th>" + tr(ja, "セット", "Set") + "</th><th>" + tr(ja, "種別", "Kind") +
       "</th><th>" + tr(ja, "形式", "Format") + "</th><th>" + tr(ja, "ハッシュ数", "Hashes") + "</th><th>" +
       tr(ja, "一致した項目", "Matching items") + "</th><th>" +
       tr(ja, "セットファイルの SHA-256", "SHA-256 of the set file") + "</th></tr></thead>\n<tbody>\n";
  for (const auto& s : known->sets)
    h += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
        html_escape(s.name), known_file_kind_label(s.kind, ja), html_escape(s.format), s.entries,
        s.matching_items, html_escape(s.source_sha256));
  h += "</tbody>\n</table>\n";

  h += fmt::format("<h3>{}</h3>\n", html_escape(known_bad_heading(ja, known->bad_total)));
  if (known->bad_total > 0) {
    h += "<table>\n<thead><tr><th>" + tr(ja, "証拠品", "Exhibit") + "</th><th>" + tr(ja, "パス", "Path") +
         "</th><th>SHA-256</th><th>" + tr(ja, "セット", "Set") + "</th><th>" +
         tr(ja, "一致した値", "Matched on") + "</th><th>" + tr(ja, "カテゴリ", "Category") + "</th><th>" +
         tr(ja, "セット内の名前", "Name in the set") + "</th></tr></thead>\n<tbody>\n";
    for (const auto& m : known->bad_matches)
      h += fmt::format(
          "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></"
          "tr>\n",
          html_escape(m.exhibit), html_escape(m.path), html_escape(m.sha256), html_escape(m.set_name),
          html_escape(m.algo), html_escape(m.category), html_escape(m.file_name));
    h += "</tbody>\n</table>\n";
    if (known->bad_total > static_cast<int64_t>(max_rows))
      h += "<p>" + html_escape(known_files_more_note(ja, max_rows, known->bad_total)) + "</p>\n";
  }
  h += "<p>" + html_escape(known_good_note(ja, known->good_items)) + "</p>\n";
  return h;
}

}  // namespace kanshiki::report
