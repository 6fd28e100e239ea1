// The static HTML court report. Layout of the output folder (beside options.output, e.g.
// reports/report.html):
//   report.html                         index: case, examiners, tools, evidence, custody, parsers, warnings,
//   TOC report_<table>_0001.html ...        artifact pages per type (messages, calls, ...), rows_per_page
//   each report_items_E<id>_0001.html ...    item list of each evidence (path, size, MD5/SHA-1/SHA-256)
//   report_warnings_0001.html ...       stored warnings
// Page names carry the index's stem so a ja and an en report can share a folder without overwriting each
// other. Pages of an earlier run of the same report that this run did not rewrite are removed at the end.
//
// No JavaScript, no network resources, one inline style sheet: the report must open on an offline court PC.
// Every page is streamed from one SQL cursor straight into its file (memory does not grow with the row count)
// and written as name.tmp then renamed; the index is written last, so a killed run never leaves an index that
// links to missing pages or looks complete. Every value from the case is HTML-escaped: evidence is
// attacker-controlled.
#include "report/html_report.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/case_db.h"
#include "core/case_schema.h"
#include "core/custody.h"
#include "core/error.h"
#include "core/timestamp.h"
#include "kanshiki/version.h"
#include "report/court_report.h"
#include "report/report_common.h"
#include "report/hits_section.h"
#include "report/known_files_section.h"

namespace kanshiki {

namespace fs = std::filesystem;
using report::AtomicFile;
using report::ColumnKind;

namespace {

constexpr size_t kFlushBytes = 256 * 1024;
constexpr size_t kInlineWarnings = 100;  // up to this many warnings are also listed on the index itself
constexpr size_t kHashPrefix = 16;

constexpr std::string_view kStyle = R"CSS(
:root{font-family:"Noto Sans CJK JP","Noto Sans JP","IPAexGothic","IPAGothic","Hiragino Kaku Gothic ProN",
"Yu Gothic","Meiryo",sans-serif;font-size:14px;color:#111;background:#fff}
body{margin:1.2em 1.5em}
h1{font-size:1.5em;margin:.2em 0 .6em}
h2{font-size:1.25em;border-bottom:2px solid #444;margin-top:1.6em}
h3{font-size:1.05em}
table{border-collapse:collapse;width:100%;margin:.4em 0 1.2em}
th,td{border:1px solid #999;padding:3px 6px;vertical-align:top;text-align:left;white-space:pre-wrap;
overflow-wrap:anywhere}
th{background:#e6e6e6;white-space:normal}
table.kv th{width:16em}
td.num{text-align:right;white-space:nowrap}
.mono,.hash{font-family:"Noto Sans Mono CJK JP","DejaVu Sans Mono",monospace;font-size:.92em}
small,.raw{color:#444;font-size:.85em}
.ctl{color:#a00;font-family:monospace}
tr.recovered td{background:#fff1cc}
td.thumb img{max-width:128px;max-height:128px;width:auto;height:auto;display:block}
.rec{display:inline-block;border:2px solid #b35900;color:#b35900;font-weight:bold;padding:0 .3em;margin-top:2px}
.verify-ok{border:2px solid #1d7a3a;background:#e9f6ee;padding:.6em 1em;font-weight:bold}
.verify-bad{border:4px solid #c00000;background:#fde8e8;padding:.6em 1em;font-weight:bold;color:#800}
.verify-bad li{font-weight:normal}
nav.pager{margin:.6em 0}
nav.pager a,nav.pager span{margin-right:1em}
header{border-bottom:1px solid #999;margin-bottom:.8em;padding-bottom:.3em}
ol.court-toc{list-style:none;padding-left:0}
footer{border-top:1px solid #999;margin-top:2em;padding-top:.5em;color:#333;font-size:.9em}
@media print{nav.pager{display:none}tr{page-break-inside:avoid}body{margin:0}}
)CSS";

// ---------------------------------------------------------------------------------------------------------
// Context and small helpers

struct Ctx {
  bool ja = true;
  int offset_minutes = 540;
  size_t rows_per_page = 1000;
  fs::path dir;
  fs::path case_dir;       // media thumbnails are copied from CASE/thumbnails (engine/thumbnails.h)
  std::string stem;        // index file stem; prefixes every other page
  std::string index_name;  // file name of the index page
  std::string case_number;
  std::string generated_utc;
  std::vector<fs::path> pages;  // every page written so far (index is added first at the end)

  std::string_view tr(std::string_view ja_text, std::string_view en_text) const {
    return ja ? ja_text : en_text;
  }
  std::string page_name(std::string_view slug, size_t page) const {
    return fmt::format("{}_{}_{:04}.html", stem, slug, page);
  }
};

std::string esc(std::string_view s) { return report::html_escape(s); }

std::string zone_label(int offset_minutes) {
  const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return fmt::format("UTC{}{:02}:{:02}", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
}

std::string hash_prefix(std::string_view h) {
  if (h.size() <= kHashPrefix) return esc(h);
  return fmt::format("<span class=\"hash\" title=\"{}\">{}…</span>", esc(h), esc(h.substr(0, kHashPrefix)));
}

// A page: head, body written by the caller through html(), footer; buffered and flushed to its AtomicFile.
class Page {
 public:
  Page(Ctx& ctx, const std::string& file_name, std::string_view title)
      : ctx_(ctx), file_(ctx.dir / file_name) {
    h_.reserve(kFlushBytes + 64 * 1024);
    h_ += "<!DOCTYPE html>\n<html lang=\"";
    h_ += ctx.ja ? "ja" : "en";
    h_ += "\">\n<head>\n<meta charset=\"utf-8\">\n";
    h_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    h_ += fmt::format("<meta name=\"generator\" content=\"{} {}\">\n", kToolName, kToolVersion);
    h_ += "<title>" + esc(title) + " — " + esc(ctx.case_number) + "</title>\n<style>";
    h_ += kStyle;
    h_ += "</style>\n</head>\n<body>\n<header>";
    h_ += fmt::format("<span>{} {} — {}</span>", ctx.tr("事件番号", "Case"), esc(ctx.case_number),
                      ctx.tr("Kanshiki 解析報告書", "Kanshiki forensic report"));
    if (file_name != ctx.index_name)
      h_ += fmt::format(" | <a href=\"{}\">{}</a>", esc(ctx.index_name),
                        ctx.tr("目次へ戻る", "Back to contents"));
    h_ += "</header>\n<main>\n<h1>" + esc(title) + "</h1>\n";
  }

  std::string& html() { return h_; }
  void maybe_flush() {
    if (h_.size() >= kFlushBytes) {
      file_.write(h_);
      h_.clear();
    }
  }

  void finish() {
    h_ += "</main>\n<footer>\n";
    if (ctx_.ja) {
      h_ +=
          fmt::format("<p>{} {} により {} (UTC) に生成。</p>\n", kToolName, kToolVersion, ctx_.generated_utc);
      h_ += fmt::format(
          "<p>時刻は UTC と {} "
          "で表示しています。アプリが保存した元の値（raw）とその基準（epoch）は事件データベースに"
          "保存されています。(Times are shown in UTC and in {}; raw values with their epoch are kept in the "
          "case.)</p>\n",
          zone_label(ctx_.offset_minutes), zone_label(ctx_.offset_minutes));
      h_ +=
          "<p>原本の証拠は読み取り専用で開かれ、SQLite データベースは作業用コピーから解析されました。"
          "(Original evidence was opened read-only; SQLite databases were parsed from working copies.)</p>\n";
    } else {
      h_ += fmt::format("<p>Generated by {} {} at {} (UTC).</p>\n", kToolName, kToolVersion,
                        ctx_.generated_utc);
      h_ += fmt::format(
          "<p>Times are shown in UTC and in {}; raw values with their epoch are kept in the case.</p>\n",
          zone_label(ctx_.offset_minutes));
      h_ +=
          "<p>Original evidence was opened read-only; SQLite databases were parsed from working "
          "copies.</p>\n";
    }
    h_ += "</footer>\n</body>\n</html>\n";
    file_.write(h_);
    h_.clear();
    file_.commit();
  }

  const fs::path& path() const { return file_.path(); }

 private:
  Ctx& ctx_;
  AtomicFile file_;
  std::string h_;
};

// Appends a cell with a plain value as stored (NULL: empty).
void append_value(std::string& h, const sql::Stmt& st, int i) {
  switch (st.type(i)) {
    case SQLITE_NULL:
      return;
    case SQLITE_INTEGER:
      h += std::to_string(st.i64(i));
      return;
    case SQLITE_FLOAT:
      h += report::format_real(st.real(i));
      return;
    case SQLITE_BLOB:
      h += fmt::format("[{} bytes]", st.blob(i).size());
      return;
    default:
      report::append_html_escaped(h, st.text_view(i));
  }
}

void append_time(std::string& h, const Ctx& ctx, const sql::Stmt& st, int i) {
  if (st.is_null(i) && st.is_null(i + 1) && st.is_null(i + 2)) return;
  const std::string raw = st.text(i), epoch = st.text(i + 1), utc = st.text(i + 2);
  std::optional<int64_t> us;
  if (!utc.empty()) us = Timestamp::from_iso8601(utc).utc_us;
  const std::string raw_note = fmt::format("raw {} ({})", raw, epoch.empty() ? "?" : epoch);
  h += "<span title=\"" + esc(raw_note) + "\">";
  if (!utc.empty()) {
    h += esc(utc);
    if (us) h += "<br>" + esc(format_in_zone(*us, ctx.offset_minutes));
  } else {
    h += ctx.tr("UTC 不明", "UTC unknown");  // raw value kept but not convertible (e.g. out of range)
  }
  h += "</span><br><small class=\"raw\">" + esc(raw_note) + "</small>";
}

void append_bool(std::string& h, const Ctx& ctx, const sql::Stmt& st, int i) {
  if (st.type(i) != SQLITE_INTEGER) return append_value(h, st, i);
  h += st.i64(i) != 0 ? ctx.tr("はい", "yes") : ctx.tr("いいえ", "no");
}

void append_json_item(std::string& h, const nlohmann::json& v) {
  if (v.is_string()) {
    report::append_html_escaped(h, v.get_ref<const std::string&>());
  } else if (v.is_object()) {
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty())) continue;
      if (!first) h += ", ";
      first = false;
      h += esc(key) + ": ";
      if (key == "sha256" && value.is_string())
        h += hash_prefix(value.get_ref<const std::string&>());
      else
        append_json_item(h, value);
    }
  } else {
    report::append_html_escaped(h, v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

void append_json_array(std::string& h, const sql::Stmt& st, int i) {
  if (st.type(i) != SQLITE_TEXT) return append_value(h, st, i);
  const auto parsed = nlohmann::json::parse(st.text_view(i), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array()) return append_value(h, st, i);
  bool first = true;
  for (const auto& v : parsed) {
    if (!first) h += "<br>";
    first = false;
    append_json_item(h, v);
  }
}

std::string_view direction_label(const Ctx& ctx, std::string_view type, std::string_view d) {
  if (!ctx.ja) return {};
  const bool call = type == "call";
  if (d == "incoming") return call ? "着信" : "受信";
  if (d == "outgoing") return call ? "発信" : "送信";
  if (d == "missed") return "不在着信";
  if (d == "rejected") return "拒否";
  if (d == "blocked") return "ブロック";
  if (d == "unknown") return "不明";
  return {};
}

// ---------------------------------------------------------------------------------------------------------
// Labels

// Titles of artifact types and columns: one table for every report (report/court_report.h).
std::string type_title(const Ctx& ctx, std::string_view type) { return std::string(artifact_type_label(type, ctx.ja)); }

std::string column_title(const Ctx& ctx, std::string_view name) {
  return std::string(artifact_column_label(name, ctx.ja));
}

// ---------------------------------------------------------------------------------------------------------
// Pagination: one cursor, rows_per_page rows per file, prev/next/first/last links.

void append_pager(std::string& h, const Ctx& ctx, std::string_view slug, size_t page, size_t pages,
                  size_t total) {
  h += "<nav class=\"pager\">";
  if (page > 1) {
    h += fmt::format("<a href=\"{}\">« {}</a>", esc(ctx.page_name(slug, 1)), ctx.tr("最初", "First"));
    h += fmt::format("<a href=\"{}\" rel=\"prev\">‹ {}</a>", esc(ctx.page_name(slug, page - 1)),
                     ctx.tr("前へ", "Previous"));
  }
  const size_t first_row = (page - 1) * ctx.rows_per_page + 1;
  const size_t last_row = std::min(total, page * ctx.rows_per_page);
  h += fmt::format("<span>{} {} / {} ({} {}–{} / {})</span>", ctx.tr("ページ", "Page"), page, pages,
                   ctx.tr("行", "rows"), first_row, last_row, total);
  if (page < pages) {
    h += fmt::format("<a href=\"{}\" rel=\"next\">{} ›</a>", esc(ctx.page_name(slug, page + 1)),
                     ctx.tr("次へ", "Next"));
    h += fmt::format("<a href=\"{}\">{} »</a>", esc(ctx.page_name(slug, pages)), ctx.tr("最後", "Last"));
  }
  h += "</nav>\n";
}

// Streams every row of `st` into pages named <stem>_<slug>_NNNN.html. `total` (counted in the same snapshot)
// fixes the page count up front so every page can say "page i / N" and link to the last one.
template <typename RenderRow>
void write_paginated(Ctx& ctx, std::string_view slug, const std::string& title, const std::string& intro,
                     const std::string& thead, int64_t total, sql::Stmt& st, RenderRow render_row) {
  if (total <= 0) return;
  const size_t n = static_cast<size_t>(total);
  const size_t pages = (n + ctx.rows_per_page - 1) / ctx.rows_per_page;
  std::optional<Page> page;
  size_t page_no = 0, in_page = 0, rows = 0;
  auto close_page = [&] {
    page->html() += "</tbody>\n</table>\n";
    append_pager(page->html(), ctx, slug, page_no, pages, n);
    page->finish();
    ctx.pages.push_back(page->path());
    page.reset();
  };
  while (st.step()) {
    if (!page) {
      ++page_no;
      in_page = 0;
      page.emplace(ctx, ctx.page_name(slug, page_no), title);
      page->html() += intro;
      append_pager(page->html(), ctx, slug, page_no, pages, n);
      page->html() += "<table>\n<thead>" + thead + "</thead>\n<tbody>\n";
    }
    render_row(page->html(), st);
    page->maybe_flush();
    ++rows;
    if (++in_page == ctx.rows_per_page && page_no < pages) close_page();
  }
  if (page) close_page();
  if (rows != n)  // impossible inside one read snapshot; fail loudly rather than publish wrong page links
    throw Error(ExitCode::failure, fmt::format("report: expected {} rows for {}, read {}", n, slug, rows));
}

// ---------------------------------------------------------------------------------------------------------
// Artifact pages

struct TypeSummary {
  std::string type, table, title;
  int64_t count = 0, recovered = 0;
  std::string first_page;  // empty when no artifacts
};

void append_provenance(std::string& h, const Ctx& ctx, const sql::Stmt& st) {
  using namespace report;
  h += fmt::format("E{} · ", st.i64(kEvidenceId));
  report::append_html_escaped(h, st.text_view(kItemPath));
  h += "<br>";
  report::append_html_escaped(h, st.text_view(kSourceTable));
  if (!st.is_null(kSourceRowid)) h += fmt::format(" rowid {}", st.i64(kSourceRowid));
  if (!st.is_null(kSourceOffset))
    h += fmt::format(" {} {}", ctx.tr("オフセット", "offset"), st.i64(kSourceOffset));
  if (!st.text_view(kSourceDetail).empty()) h += " · " + esc(st.text_view(kSourceDetail));
  h += "<br>" + esc(st.text_view(kParserId)) + " " + esc(st.text_view(kParserVersion));
  h += "<br>SHA-256 " + hash_prefix(st.text_view(kItemSha256));
  if (st.i64(kRecovered) != 0)
    h += fmt::format("<br><span class=\"rec\">{}</span>", ctx.tr("復元データ (RECOVERED)", "RECOVERED"));
}

// The thumbnail cell of a media row: an <img> of the copy beside the report, or the stored reason why there is
// none ("" when `kanshiki thumbnails` has not been run).
class MediaThumbnails {
 public:
  MediaThumbnails(const Ctx& ctx, sql::Db& db, const report::ArtifactLayout& layout)
      : ctx_(ctx), lookup_(db, "SELECT status, path, width, height, reason FROM thumbnails WHERE sha256 = ?1") {
    for (const auto& c : layout.columns)
      if (c.name == "sha256") sha_column_ = c.index;
  }

  void append_cell(std::string& h, const sql::Stmt& row) {
    h += "<td class=\"thumb\">";
    if (sha_column_ >= 0 && row.type(sha_column_) == SQLITE_TEXT) {
      const std::string sha = row.text(sha_column_);
      lookup_.bind(1, sha);
      if (lookup_.step()) {
        const std::string status = lookup_.text(0), path = lookup_.text(1);
        if (status == "ok" && copy_beside_report(path)) {
          h += fmt::format("<img src=\"{}\" width=\"{}\" height=\"{}\" loading=\"lazy\" alt=\"{}\">", esc(path),
                           lookup_.i64(2), lookup_.i64(3), ctx_.tr("サムネイル", "thumbnail"));
        } else if (status != "ok") {
          h += "<small>" + esc(lookup_.text(4)) + "</small>";
        }
      }
      lookup_.reset();
    }
    h += "</td>";
  }

 private:
  // Copied into the report folder (again only when the case's copy is newer); a thumbnail missing from the
  // case (deleted by hand) is just not shown.
  bool copy_beside_report(const std::string& relative) {
    const fs::path from = ctx_.case_dir / relative, to = ctx_.dir / relative;
    std::error_code ec;
    if (!fs::exists(from, ec)) return false;
    fs::create_directories(to.parent_path(), ec);
    fs::copy_file(from, to, fs::copy_options::update_existing, ec);
    return !ec;
  }

  const Ctx& ctx_;
  sql::Stmt lookup_;
  int sha_column_ = -1;
};

TypeSummary write_type_pages(Ctx& ctx, sql::Db& db, std::string_view type, std::string_view table,
                             bool write_pages = true) {
  TypeSummary s{std::string(type), std::string(table), type_title(ctx, type)};
  s.count = report::artifact_count(db, type);
  {
    sql::Stmt st(db, "SELECT COUNT(*) FROM artifacts WHERE type = ?1 AND recovered != 0");
    st.bind(1, type);
    if (st.step()) s.recovered = st.i64(0);
  }
  if (s.count == 0 || !write_pages) return s;  // court report of tagged findings: counts only, no pages
  const report::ArtifactLayout layout = report::artifact_layout(db, type, table);

  // Display order: times first, then direction, then the rest in table order.
  std::vector<const report::ArtifactColumn*> cols;
  for (const auto& c : layout.columns)
    if (c.kind == ColumnKind::time) cols.push_back(&c);
  for (const auto& c : layout.columns)
    if (c.kind != ColumnKind::time && c.name == "direction") cols.push_back(&c);
  for (const auto& c : layout.columns)
    if (c.kind != ColumnKind::time && c.name != "direction") cols.push_back(&c);

  // Media: the thumbnail `kanshiki thumbnails` made (content-addressed by the original's SHA-256), copied
  // beside the report as thumbnails/ab/<sha256>.jpg so the pages stay small and streamable; without one, why.
  std::optional<MediaThumbnails> thumbs;
  if (type == "media") thumbs.emplace(ctx, db, layout);
  std::string thead = "<tr><th>ID</th>";
  if (thumbs) thead += fmt::format("<th>{}</th>", ctx.tr("サムネイル", "Thumbnail"));
  for (const auto* c : cols) {
    thead += "<th>" + esc(column_title(ctx, c->name));
    if (c->kind == ColumnKind::time)
      thead += fmt::format("<br><small>UTC / {}</small>", zone_label(ctx.offset_minutes));
    thead += "</th>";
  }
  thead += fmt::format("<th>{}</th></tr>", ctx.tr("出所（証拠・ファイル・テーブル・行・パーサ）",
                                                  "Provenance (evidence, item, table, row, parser)"));

  std::string intro =
      fmt::format("<p>{} {}{}{} {}</p>\n", ctx.tr("件数", "Count"), s.count,
                  s.recovered ? fmt::format(" ({} {})", ctx.tr("うち復元データ", "recovered"), s.recovered)
                              : std::string(),
                  ctx.tr("。", "."),
                  ctx.tr("並び順：日時（UTC）、ID。時刻不明の行が先頭。<span class=\"rec\">復元データ "
                         "(RECOVERED)</span> は削除後に"
                         "復元されたレコード（背景色付き）。",
                         "Ordered by time (UTC), then ID; rows without a time come first. <span "
                         "class=\"rec\">RECOVERED</span> "
                         "marks records recovered after deletion (shaded)."));

  sql::Stmt st(db, layout.select_sql);
  st.bind(1, type);
  write_paginated(ctx, table, s.title, intro, thead, s.count, st, [&](std::string& h, const sql::Stmt& row) {
    const bool recovered = row.i64(report::kRecovered) != 0;
    h += fmt::format("<tr id=\"a{}\"{}><td class=\"num\">{}</td>", row.i64(report::kArtifactId),
                     recovered ? " class=\"recovered\"" : "", row.i64(report::kArtifactId));
    if (thumbs) thumbs->append_cell(h, row);
    for (const auto* c : cols) {
      h += "<td>";
      switch (c->kind) {
        case ColumnKind::time:
          append_time(h, ctx, row, c->index);
          break;
        case ColumnKind::boolean:
          append_bool(h, ctx, row, c->index);
          break;
        case ColumnKind::json_array:
          append_json_array(h, row, c->index);
          break;
        case ColumnKind::value:
          if (c->name == "direction" && row.type(c->index) == SQLITE_TEXT) {
            const std::string_view d = row.text_view(c->index);
            const std::string_view label = direction_label(ctx, type, d);
            if (!label.empty())
              h += std::string(label) + " (" + esc(d) + ")";
            else
              report::append_html_escaped(h, d);
          } else {
            append_value(h, row, c->index);
          }
          break;
      }
      h += "</td>";
    }
    h += "<td class=\"prov\">";
    append_provenance(h, ctx, row);
    h += "</td></tr>\n";
  });
  s.first_page = ctx.page_name(table, 1);
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// Evidence items and warnings pages

struct EvidenceSummary {
  int64_t id = 0, items = 0;
  std::string first_page;
};

std::vector<EvidenceSummary> write_item_pages(Ctx& ctx, sql::Db& db) {
  std::vector<EvidenceSummary> out;
  std::vector<std::pair<int64_t, std::string>> evidence;  // one entry per exhibit: small
  {
    sql::Stmt st(db, "SELECT id, exhibit FROM evidence ORDER BY id");
    while (st.step()) evidence.emplace_back(st.i64(0), st.text(1));
  }
  const std::string thead = fmt::format(
      "<tr><th>ID</th><th>{}</th><th>{}</th><th>MD5</th><th>SHA-1</th><th>SHA-256</th><th>{}</th><th>{}</"
      "th></tr>",
      ctx.tr("パス", "Path"), ctx.tr("サイズ（バイト）", "Size (bytes)"),
      ctx.tr("更新日時 (UTC)", "Modified (UTC)"), ctx.tr("備考", "Note"));
  for (const auto& [id, exhibit] : evidence) {
    EvidenceSummary s{id};
    {
      sql::Stmt st(db, "SELECT COUNT(*) FROM items WHERE evidence_id = ?1");
      st.bind(1, id);
      if (st.step()) s.items = st.i64(0);
    }
    if (s.items > 0) {
      const std::string slug = fmt::format("items_E{}", id);
      const std::string title = fmt::format("{} E{} ({}) — {}", ctx.tr("証拠品", "Evidence"), id, exhibit,
                                            ctx.tr("ファイル一覧", "items"));
      sql::Stmt st(db,
                   "SELECT id, path, physical, size, md5, sha1, sha256, mtime_utc, note FROM items "
                   "WHERE evidence_id = ?1 ORDER BY path");
      st.bind(1, id);
      write_paginated(ctx, slug, title, "", thead, s.items, st, [&](std::string& h, const sql::Stmt& r) {
        h += fmt::format("<tr><td class=\"num\">{}</td><td>", r.i64(0));
        report::append_html_escaped(h, r.text_view(1));
        if (r.text_view(2) != r.text_view(1) && !r.text_view(2).empty())
          h += "<br><small>" + esc(r.text_view(2)) + "</small>";
        h += "</td><td class=\"num\">";
        append_value(h, r, 3);
        h += "</td><td class=\"hash\">" + esc(r.text_view(4)) + "</td><td class=\"hash\">" +
             esc(r.text_view(5)) + "</td><td class=\"hash\">" + esc(r.text_view(6)) + "</td><td>";
        append_value(h, r, 7);
        h += "</td><td>";
        append_value(h, r, 8);
        h += "</td></tr>\n";
      });
      s.first_page = ctx.page_name(slug, 1);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string warnings_thead(const Ctx& ctx) {
  return fmt::format("<tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                     ctx.tr("重大度", "Severity"), ctx.tr("証拠品・ファイル", "Evidence / item"),
                     ctx.tr("パーサ", "Parser"), ctx.tr("テーブル / 行", "Table / row"),
                     ctx.tr("内容", "Message"), ctx.tr("記録日時 (UTC)", "Recorded (UTC)"));
}

constexpr std::string_view kWarningsSql =
    "SELECT id, severity, evidence_id, item_path, parser_id, source_table, source_rowid, message, "
    "created_utc "
    "FROM warnings ORDER BY id";

void render_warning(std::string& h, const sql::Stmt& r) {
  h += fmt::format("<tr><td class=\"num\">{}</td><td>", r.i64(0));
  report::append_html_escaped(h, r.text_view(1));
  h += "</td><td>";
  if (!r.is_null(2)) h += fmt::format("E{} · ", r.i64(2));
  report::append_html_escaped(h, r.text_view(3));
  h += "</td><td>" + esc(r.text_view(4)) + "</td><td>" + esc(r.text_view(5));
  if (!r.is_null(6)) h += fmt::format(" rowid {}", r.i64(6));
  h += "</td><td>" + esc(r.text_view(7)) + "</td><td>" + esc(r.text_view(8)) + "</td></tr>\n";
}

// ---------------------------------------------------------------------------------------------------------
// Index page

struct Verification {
  bool ok = false;
  std::string summary;
  std::vector<std::string> problems;
};

Verification run_verification(CaseDb& c) {
  Verification v;
  try {
    const CustodyVerification r = verify_custody(c);
    v.ok = r.ok;
    v.summary = r.summary();
    v.problems = r.problems;
  } catch (const std::exception& e) {
    // A verification that cannot run is a failed verification, shown as prominently as a broken chain.
    v.ok = false;
    v.summary = std::string("custody verification could not be performed: ") + e.what();
  }
  return v;
}

void append_verification(std::string& h, const Ctx& ctx, const Verification& v) {
  if (v.ok) {
    h += fmt::format("<div class=\"verify-ok\">{}: {} — {}</div>\n",
                     ctx.tr("保管の連鎖の検証", "Chain-of-custody verification"), ctx.tr("正常 (OK)", "OK"),
                     esc(v.summary));
    return;
  }
  h += fmt::format("<div class=\"verify-bad\">{}: {} — {}",
                   ctx.tr("保管の連鎖の検証", "Chain-of-custody verification"),
                   ctx.tr("異常あり (FAILED)", "FAILED"), esc(v.summary));
  if (!v.problems.empty()) {
    h += "<ul>";
    for (const auto& p : v.problems) h += "<li>" + esc(p) + "</li>";
    h += "</ul>";
  }
  h += "</div>\n";
}

// "path (sha256 prefix)" for up to three entries of a custody inputs/outputs JSON array.
std::string brief_files(std::string_view json_text) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return esc(json_text);
  std::string out;
  size_t shown = 0;
  for (const auto& e : j) {
    if (shown == 3) {
      out += fmt::format("<br>… +{}", j.size() - shown);
      break;
    }
    if (shown++) out += "<br>";
    if (e.is_object()) {
      if (e.contains("path") && e["path"].is_string())
        out += esc(e["path"].get_ref<const std::string&>());
      else
        out += esc(e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      if (e.contains("sha256") && e["sha256"].is_string())
        out += " <small>" + hash_prefix(e["sha256"].get_ref<const std::string&>()) + "</small>";
    } else if (e.is_string()) {
      out += esc(e.get_ref<const std::string&>());
    } else {
      out += esc(e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Court sections (report/court_report.h): the same content and headings as the PDF.

void append_kv_rows(std::string& h, const std::vector<LabelValue>& rows) {
  h += "<table class=\"kv\">\n";
  for (const auto& [k, v] : rows) h += "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>\n";
  h += "</table>\n";
}

void append_court_verdict(std::string& h, bool ok, const std::string& text, const std::vector<std::string>& details) {
  h += fmt::format("<div class=\"{}\">{}", ok ? "verify-ok" : "verify-bad", esc(text));
  if (!details.empty()) {
    h += "<ul>";
    for (const auto& d : details) h += "<li>" + esc(d) + "</li>";
    h += "</ul>";
  }
  h += "</div>\n";
}

void write_court_sections(Ctx& ctx, Page& page, CaseDb& c, const CourtReport& r,
                          const std::vector<TypeSummary>& types) {
  const CourtText& t = court_text(ctx.ja);
  const bool ja = ctx.ja;
  std::string& h = page.html();
  h += fmt::format("<p><strong>{}</strong></p>\n",
                   esc(r.scope == FindingScope::tagged ? t.scope_tagged : t.scope_all));
  // Contents of the court sections first; the case record that follows has its own contents (#toc).
  h += "<nav><ol class=\"court-toc\">\n";
  const std::pair<std::string_view, std::string_view> court_sections[] = {
      {"court-admin", t.s_admin},         {"court-items", t.s_items},
      {"court-custody", t.s_custody},     {"court-method", t.s_method},
      {"court-integrity", t.s_integrity}, {"court-results", t.s_results},
      {"court-limitations", t.s_limitations}, {"court-signoff", t.s_signoff},
      {"court-appendix", t.s_appendix},   {"toc", ctx.tr("事件記録の詳細", "Detailed case record")}};
  for (const auto& [id, title] : court_sections)
    h += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", id, esc(title));
  h += "</ol></nav>\n";
  h += fmt::format("<h2 id=\"court-admin\">{}</h2>\n", esc(t.s_admin));
  append_kv_rows(h, r.admin);

  h += fmt::format("<h2 id=\"court-items\">{}</h2>\n", esc(t.s_items));
  for (const auto& e : r.evidence) {
    h += fmt::format("<h3>E{} — {}{}</h3>\n", e.id, esc(e.exhibit), e.label.empty() ? "" : " (" + esc(e.label) + ")");
    std::vector<LabelValue> rows = e.facts;
    if (rows.empty())
      rows.emplace_back(ja ? "端末情報" : "Device facts",
                        ja ? "（未登録：kanshiki evidence set で記録）" : "(not recorded: see kanshiki evidence set)");
    rows.emplace_back(ja ? "ファイル一覧（マニフェスト）SHA-256" : "Item manifest SHA-256", e.manifest_sha256);
    if (!e.sha256.empty()) rows.emplace_back(ja ? "コンテナ SHA-256" : "Container SHA-256", e.sha256);
    append_kv_rows(h, rows);
  }
  h += fmt::format("<p><a href=\"#evidence\">{}</a></p>\n",
                   ctx.tr("取得元・ハッシュ値の詳細（証拠品の節）", "Source, hashes and item lists (Evidence section)"));

  h += fmt::format("<h2 id=\"court-custody\">{}</h2>\n", esc(t.s_custody));
  append_court_verdict(h, r.custody_verification.ok,
                       std::string(r.custody_verification.ok ? t.verified_ok : t.verified_failed) + " — " +
                           r.custody_verification.summary(),
                       r.custody_verification.problems);
  h += fmt::format("<p><a href=\"#custody\">{}</a></p>\n",
                   ctx.tr("保管記録の全項目（保管の連鎖の節）", "Every custody entry (Chain of custody section)"));

  h += fmt::format("<h2 id=\"court-method\">{}</h2>\n", esc(t.s_method));
  append_kv_rows(h, r.method);
  h += fmt::format("<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
                   ctx.tr("パーサ", "Parser"), ctx.tr("版", "Version"), ctx.tr("ファイル数", "Files"),
                   ctx.tr("抽出件数", "Artifacts"));
  for (const auto& p : r.parsers)
    h += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n", esc(p.id),
                     esc(p.version), p.files, p.artifacts);
  h += "</tbody>\n</table>\n";

  h += fmt::format("<h2 id=\"court-integrity\">{}</h2>\n", esc(t.s_integrity));
  {
    std::vector<std::string> issues;
    for (const auto& i : r.verify.issues)
      issues.push_back(fmt::format("E{} {}: {} — {}", i.evidence_id, i.kind, i.path, i.detail));
    append_court_verdict(h, r.verify.ok(),
                         fmt::format("{} ({} {})", r.verify.ok() ? t.originals_unmodified : t.originals_modified,
                                     r.verify.items_checked, ctx.tr("ファイルを再計算", "items re-hashed")),
                         issues);
  }
  h += fmt::format("<table>\n<thead><tr><th>{}</th><th>{}</th><th>SHA-256</th></tr></thead>\n<tbody>\n",
                   ctx.tr("番号", "Seq"), ctx.tr("出力ファイル", "Exported file"));
  for (const auto& f : r.exported_files)
    h += fmt::format("<tr><td class=\"num\">{}</td><td>{}</td><td class=\"hash\">{}</td></tr>\n", f.seq, esc(f.path),
                     esc(f.sha256));
  h += "</tbody>\n</table>\n";

  h += fmt::format("<h2 id=\"court-results\">{}</h2>\n", esc(t.s_results));
  h += fmt::format("<p>{} ({})</p>\n", esc(r.scope == FindingScope::tagged ? t.scope_tagged : t.scope_all),
                   r.findings_in_scope);
  if (r.findings_in_scope == 0) h += "<p>" + esc(t.no_findings) + "</p>\n";
  if (r.scope == FindingScope::all) {
    h += "<ul>\n";
    for (const auto& ts : types)
      if (!ts.first_page.empty())
        h += fmt::format("<li><a href=\"{}\">{}</a> ({})</li>\n", esc(ts.first_page), esc(ts.title), ts.count);
    h += "</ul>\n";
  } else {
    // Tagged findings are chosen by the examiner, so they are few enough to list inline (streamed anyway).
    for (const auto& tc : r.types) {
      if (tc.in_scope == 0) continue;
      h += fmt::format("<h3>{} ({})</h3>\n<table>\n<thead><tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th></tr>"
                       "</thead>\n<tbody>\n",
                       esc(artifact_type_label(tc.type, ja)), tc.in_scope,
                       ctx.tr("日時 (UTC / UTC+09:00)", "Time (UTC / UTC+09:00)"), ctx.tr("内容", "Content"),
                       ctx.tr("出所", "Provenance"));
      FindingCursor cursor(c.db(), tc.type, tc.table, r.scope, ja, r.offset_minutes);
      Finding f;
      while (cursor.next(f)) {
        h += fmt::format("<tr id=\"a{}\"{}><td class=\"num\">{}</td><td>{}<br>{}</td><td>", f.id,
                         f.recovered ? " class=\"recovered\"" : "", f.id, esc(f.time_utc), esc(f.time_local));
        if (!f.tags.empty()) h += "<strong>[" + esc(f.tags) + "]</strong><br>";
        for (const auto& [k, v] : f.fields) h += "<b>" + esc(k) + "</b>: " + esc(v) + "<br>";
        h += fmt::format("</td><td class=\"prov\">{} {}<br>{}<br>{}<br>SHA-256 {}{}</td></tr>\n", esc(f.evidence),
                         esc(f.item_path), esc(f.location), esc(f.parser), hash_prefix(f.item_sha256),
                         f.recovered ? fmt::format("<br><span class=\"rec\">{}</span>", esc(t.recovered)) : "");
        page.maybe_flush();
      }
      h += "</tbody>\n</table>\n";
    }
  }

  h += fmt::format("<h2 id=\"court-limitations\">{}</h2>\n", esc(t.s_limitations));
  if (r.failures.empty()) h += fmt::format("<p>{}</p>\n", ctx.tr("解析できなかったファイル：なし。", "Files that failed: none."));
  else {
    h += "<ul>\n";
    for (const auto& f : r.failures) h += "<li>" + esc(f) + "</li>\n";
    h += "</ul>\n";
  }
  h += fmt::format("<p><a href=\"#parsers\">{}</a> · <a href=\"#warnings\">{}</a></p>\n",
                   ctx.tr("パーサの既知の制限事項", "Known parser limitations"), ctx.tr("警告", "Warnings"));

  h += fmt::format("<h2 id=\"court-signoff\">{}</h2>\n", esc(t.s_signoff));
  append_kv_rows(h, {{std::string(t.examiner), r.examiner_name},
                     {std::string(ctx.tr("職・資格", "Title / qualification")),
                      r.examiner_title.empty() ? std::string(t.not_stated) : r.examiner_title},
                     {std::string(t.fingerprint), r.examiner_fingerprint},
                     {std::string(t.signature), ""}});
  append_kv_rows(h, {{std::string(t.reviewer), r.reviewer.empty() ? std::string(t.not_stated) : r.reviewer},
                     {std::string(t.date), r.review_date.empty() ? std::string(t.not_stated) : r.review_date},
                     {std::string(t.signature), ""}});

  h += fmt::format("<h2 id=\"court-appendix\">{}</h2>\n<ul>\n", esc(t.s_appendix));
  for (const auto& e : r.evidence)
    h += fmt::format("<li><a href=\"{}\">E{} {}</a> — {} {}</li>\n", esc(ctx.page_name(fmt::format("items_E{}", e.id), 1)),
                     e.id, esc(e.exhibit), e.items, ctx.tr("ファイル（MD5・SHA-1・SHA-256）", "items (MD5, SHA-1, SHA-256)"));
  h += "</ul>\n";
  page.maybe_flush();
}

void write_index(Ctx& ctx, CaseDb& c, const Verification& verification, const std::vector<TypeSummary>& types,
                 const std::vector<EvidenceSummary>& evidence_pages, int64_t warning_count,
                 const CourtReport* court = nullptr) {
  sql::Db& db = c.db();
  Page page(ctx, ctx.index_name,
            std::string(ctx.tr("解析報告書", "Forensic report")) + " — " + ctx.case_number);
  std::string& h = page.html();

  append_verification(h, ctx, verification);
  if (court) write_court_sections(ctx, page, c, *court, types);

  // Table of contents.
  h += fmt::format("<h2 id=\"toc\">{}</h2>\n<ol>\n", ctx.tr("目次", "Contents"));
  const std::pair<std::string_view, std::string_view> sections[] = {
      {"case", ctx.tr("事件情報", "Case")},
      {"examiners", ctx.tr("検査官", "Examiners")},
      {"tools", ctx.tr("使用ツールとバージョン", "Tool and versions")},
      {"evidence", ctx.tr("証拠品", "Evidence")},
      {"custody", ctx.tr("保管の連鎖 (Chain of custody)", "Chain of custody")},
      {"parsers", ctx.tr("解析結果", "Analysis results")},
      {"warnings", ctx.tr("警告", "Warnings")},
      {"artifacts", ctx.tr("抽出データ", "Artifacts")}};
  for (const auto& [id, title] : sections) h += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", id, title);
  h += "</ol>\n<table>\n<thead><tr><th>" + std::string(ctx.tr("種別", "Type")) + "</th><th>" +
       std::string(ctx.tr("件数", "Count")) + "</th><th>" +
       std::string(ctx.tr("うち復元データ", "Recovered")) + "</th></tr></thead>\n<tbody>\n";
  for (const auto& t : types) {
    h += "<tr><td>";
    if (!t.first_page.empty())
      h += "<a href=\"" + esc(t.first_page) + "\">" + esc(t.title) + "</a>";
    else
      h += esc(t.title);
    h += fmt::format("</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n", t.count, t.recovered);
  }
  h += "</tbody>\n</table>\n";

  // Case.
  h += fmt::format("<h2 id=\"case\">{}</h2>\n<table class=\"kv\">\n", ctx.tr("事件情報", "Case"));
  auto kv = [&](std::string_view k, std::string_view v) {
    h += "<tr><th>" + std::string(k) + "</th><td>" + esc(v) + "</td></tr>\n";
  };
  kv(ctx.tr("事件番号", "Case number"), c.meta("case_number"));
  kv(ctx.tr("事件作成日時 (UTC)", "Case created (UTC)"), c.meta("created_utc"));
  kv(ctx.tr("事件フォルダ", "Case folder"), c.dir().string());
  kv(ctx.tr("スキーマ版", "Schema version"), c.meta("schema_version"));
  kv(ctx.tr("報告書作成日時 (UTC)", "Report generated (UTC)"), ctx.generated_utc);
  kv(ctx.tr("表示時間帯", "Display time zone"), "UTC / " + zone_label(ctx.offset_minutes));
  h += "</table>\n";

  // Examiners.
  h += fmt::format(
      "<h2 "
      "id=\"examiners\">{}</h2>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></"
      "thead>\n<tbody>\n",
      ctx.tr("検査官", "Examiners"), ctx.tr("氏名", "Name"),
      ctx.tr("公開鍵フィンガープリント (SHA-256)", "Public key fingerprint (SHA-256)"),
      ctx.tr("初回記録 (UTC)", "First seen (UTC)"));
  {
    sql::Stmt st(db, "SELECT name, fingerprint, first_seen_utc FROM examiners ORDER BY id");
    while (st.step())
      h += "<tr><td>" + esc(st.text_view(0)) + "</td><td class=\"hash\">" + esc(st.text_view(1)) +
           "</td><td>" + esc(st.text_view(2)) + "</td></tr>\n";
  }
  h += "</tbody>\n</table>\n";

  // Tool and runs.
  h += fmt::format("<h2 id=\"tools\">{}</h2>\n", ctx.tr("使用ツールとバージョン", "Tool and versions"));
  h += fmt::format("<p>{}: {} {}</p>\n", ctx.tr("本報告書の作成ツール", "This report was generated by"),
                   kToolName, kToolVersion);
  h += fmt::format(
      "<table>\n<thead><tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</"
      "th><th>{}</th>"
      "</tr></thead>\n<tbody>\n",
      ctx.tr("コマンド", "Command"), ctx.tr("ツール版", "Tool version"), ctx.tr("ホスト", "Host"),
      ctx.tr("検査官", "Examiner"), ctx.tr("開始 (UTC)", "Started (UTC)"),
      ctx.tr("終了 (UTC)", "Ended (UTC)"), ctx.tr("状態", "Status"));
  {
    sql::Stmt st(
        db,
        "SELECT id, command, command_line, tool_version, host, examiner, started_utc, ended_utc, status "
        "FROM runs ORDER BY id");
    while (st.step()) {
      h += fmt::format("<tr><td class=\"num\">{}</td><td>{}", st.i64(0), esc(st.text_view(1)));
      if (!st.text_view(2).empty()) h += "<br><small class=\"mono\">" + esc(st.text_view(2)) + "</small>";
      h += "</td><td>" + esc(st.text_view(3)) + "</td><td>" + esc(st.text_view(4)) + "</td><td>" +
           esc(st.text_view(5)) + "</td><td>" + esc(st.text_view(6)) + "</td><td>" + esc(st.text_view(7)) +
           "</td><td>" + esc(st.text_view(8)) + "</td></tr>\n";
      page.maybe_flush();
    }
  }
  h += "</tbody>\n</table>\n";

  // Evidence.
  h += fmt::format("<h2 id=\"evidence\">{}</h2>\n", ctx.tr("証拠品", "Evidence"));
  {
    sql::Stmt st(
        db,
        "SELECT id, exhibit, label, source_path, source_kind, container_size, container_md5, container_sha1, "
        "container_sha256, item_count, total_bytes, status, ingested_utc, problems FROM evidence ORDER BY "
        "id");
    while (st.step()) {
      const int64_t id = st.i64(0);
      h += fmt::format("<h3 id=\"E{}\">E{} — {}", id, id, esc(st.text_view(1)));
      if (!st.text_view(2).empty()) h += " (" + esc(st.text_view(2)) + ")";
      h += "</h3>\n<table class=\"kv\">\n";
      kv(ctx.tr("取得元パス", "Source path"), st.text_view(3));
      kv(ctx.tr("形式", "Kind"), st.text_view(4));
      kv(ctx.tr("コンテナサイズ（バイト）", "Container size (bytes)"),
         st.is_null(5) ? std::string() : std::to_string(st.i64(5)));
      h += "<tr><th>MD5</th><td class=\"hash\">" + esc(st.text_view(6)) + "</td></tr>\n";
      h += "<tr><th>SHA-1</th><td class=\"hash\">" + esc(st.text_view(7)) + "</td></tr>\n";
      h += "<tr><th>SHA-256</th><td class=\"hash\">" + esc(st.text_view(8)) + "</td></tr>\n";
      kv(ctx.tr("ファイル数", "Items"), std::to_string(st.i64(9)));
      kv(ctx.tr("合計サイズ（バイト）", "Total bytes"), std::to_string(st.i64(10)));
      kv(ctx.tr("状態", "Status"), st.text_view(11));
      kv(ctx.tr("取り込み日時 (UTC)", "Ingested (UTC)"), st.text_view(12));
      kv(ctx.tr("問題件数", "Problems"), std::to_string(st.i64(13)));
      for (const auto& e : evidence_pages) {
        if (e.id != id) continue;
        h += fmt::format("<tr><th>{}</th><td>", ctx.tr("ファイル一覧", "Item list"));
        if (!e.first_page.empty())
          h += fmt::format("<a href=\"{}\">{} ({})</a>", esc(e.first_page), ctx.tr("一覧を開く", "open"),
                           e.items);
        else
          h += ctx.tr("なし", "none");
        h += "</td></tr>\n";
      }
      h += "</table>\n";
      page.maybe_flush();
    }
  }

  // Chain of custody.
  h += fmt::format("<h2 id=\"custody\">{}</h2>\n",
                   ctx.tr("保管の連鎖 (Chain of custody)", "Chain of custody"));
  append_verification(h, ctx, verification);
  h += fmt::format(
      "<table>\n<thead><tr><th>{}</th><th>UTC</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
      "<th>{}</th></tr></thead>\n<tbody>\n",
      ctx.tr("番号", "Seq"), ctx.tr("検査官", "Examiner"), ctx.tr("操作", "Action"), ctx.tr("状態", "Status"),
      ctx.tr("入力", "Inputs"), ctx.tr("出力", "Outputs"), ctx.tr("記録ハッシュ", "Entry hash"));
  {
    sql::Stmt st(
        db,
        "SELECT seq, utc, examiner, examiner_fingerprint, action, status, inputs, outputs, error, entry_hash "
        "FROM custody ORDER BY seq");
    while (st.step()) {
      h += fmt::format(
          "<tr><td class=\"num\">{}</td><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td><td>{}",
          st.i64(0), esc(st.text_view(1)), esc(st.text_view(2)), hash_prefix(st.text_view(3)),
          esc(st.text_view(4)), esc(st.text_view(5)));
      if (!st.text_view(8).empty()) h += "<br><small>" + esc(st.text_view(8)) + "</small>";
      h += "</td><td>" + brief_files(st.text_view(6)) + "</td><td>" + brief_files(st.text_view(7)) +
           "</td><td class=\"hash\">" + hash_prefix(st.text_view(9)) + "</td></tr>\n";
      page.maybe_flush();
    }
  }
  h += "</tbody>\n</table>\n";
  page.maybe_flush();

  // Parsers.
  h += fmt::format("<h2 id=\"parsers\">{}</h2>\n", ctx.tr("解析結果", "Analysis results"));
  h += fmt::format(
      "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></"
      "thead>\n<tbody>\n",
      ctx.tr("パーサ", "Parser"), ctx.tr("版", "Version"), ctx.tr("対象ファイル数", "Files"),
      ctx.tr("抽出件数", "Artifacts"), ctx.tr("警告数", "Warnings"), ctx.tr("正常終了以外", "Not ok"));
  {
    sql::Stmt st(
        db,
        "SELECT parser_id, parser_version, COUNT(*), SUM(artifact_count), SUM(warning_count), "
        "SUM(status != 'ok') FROM parser_runs GROUP BY parser_id, parser_version ORDER BY parser_id, "
        "parser_version");
    while (st.step())
      h += fmt::format(
          "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td>"
          "<td class=\"num\">{}</td></tr>\n",
          esc(st.text_view(0)), esc(st.text_view(1)), st.i64(2), st.i64(3), st.i64(4), st.i64(5));
  }
  h += "</tbody>\n</table>\n";
  h += fmt::format("<h3>{}</h3>\n", ctx.tr("既知の制限事項", "Known limitations"));
  {
    // Distinct limitation texts per parser; bounded by the number of parsers, not of files.
    std::map<std::string, std::set<std::string>> limitations;
    sql::Stmt st(db,
                 "SELECT DISTINCT parser_id, parser_version, limitations FROM parser_runs "
                 "WHERE limitations NOT IN ('', '[]') ORDER BY parser_id, parser_version");
    while (st.step()) {
      auto& set = limitations[st.text(0) + " " + st.text(1)];
      const auto j = nlohmann::json::parse(st.text_view(2), nullptr, false);
      if (j.is_array()) {
        for (const auto& e : j)
          set.insert(e.is_string() ? e.get<std::string>()
                                   : e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      } else {
        set.insert(st.text(2));
      }
    }
    if (limitations.empty()) h += fmt::format("<p>{}</p>\n", ctx.tr("記録なし。", "None recorded."));
    for (const auto& [parser, texts] : limitations) {
      h += "<p><strong>" + esc(parser) + "</strong></p>\n<ul>\n";
      for (const auto& t : texts) h += "<li>" + esc(t) + "</li>\n";
      h += "</ul>\n";
    }
  }
  {
    // Files a parser could not finish (crashed or killed in the sandbox, unreadable, changed since ingest):
    // their findings are missing or incomplete, which the reader must know. Newest attempt per file only.
    sql::Stmt st(db,
                 "SELECT p.evidence_id, i.path, p.parser_id, p.parser_version, "
                 "(SELECT message FROM warnings w WHERE w.parser_run_id = p.id ORDER BY w.id DESC LIMIT 1) "
                 "FROM parser_runs p JOIN items i ON i.id = p.item_id WHERE p.status = 'failed' "
                 "AND p.id = (SELECT max(id) FROM parser_runs q WHERE q.item_id = p.item_id AND q.parser_id = p.parser_id) "
                 "ORDER BY p.evidence_id, i.path, p.parser_id LIMIT 1001");
    int shown = 0;
    while (st.step()) {
      if (shown == 0)
        h += fmt::format("<p><strong>{}</strong></p>\n<ul>\n",
                         ctx.tr("解析できなかったファイル", "Files that could not be parsed"));
      if (++shown > 1000) {
        h += fmt::format("<li>{}</li>\n", ctx.tr("（以下省略。警告一覧を参照）", "(more: see the warnings list)"));
        break;
      }
      h += fmt::format("<li>E{} {} — {} {}: {}</li>\n", st.i64(0), esc(st.text_view(1)), esc(st.text_view(2)),
                       esc(st.text_view(3)), esc(st.text_view(4)));
      page.maybe_flush();
    }
    if (shown > 0) h += "</ul>\n";
  }

  // Warnings.
  h += fmt::format("<h2 id=\"warnings\">{}</h2>\n", ctx.tr("警告", "Warnings"));
  h += fmt::format("<p>{} {}", ctx.tr("警告の総数", "Total warnings"), warning_count);
  {
    sql::Stmt st(db, "SELECT severity, COUNT(*) FROM warnings GROUP BY severity ORDER BY severity");
    bool first = true;
    while (st.step()) {
      h += first ? " (" : ", ";
      first = false;
      h += esc(st.text_view(0)) + fmt::format(": {}", st.i64(1));
    }
    if (!first) h += ")";
  }
  h += "</p>\n";
  if (warning_count > 0) {
    h += fmt::format("<p><a href=\"{}\">{}</a></p>\n", esc(ctx.page_name("warnings", 1)),
                     ctx.tr("警告の一覧を開く", "Open the list of warnings"));
    if (static_cast<size_t>(warning_count) <= kInlineWarnings) {
      h += "<table>\n<thead>" + warnings_thead(ctx) + "</thead>\n<tbody>\n";
      sql::Stmt st(db, kWarningsSql);
      while (st.step()) render_warning(h, st);
      h += "</tbody>\n</table>\n";
    }
  }

  h += report::hits_section_html(db, ctx.ja);  // `kanshiki scan` hits (report/hits_section.h)
  h += report::known_files_section_html(db, ctx.ja);  // `kanshiki hashset` matches

  // Artifacts.
  h += fmt::format("<h2 id=\"artifacts\">{}</h2>\n<ul>\n", ctx.tr("抽出データ", "Artifacts"));
  for (const auto& t : types) {
    if (t.first_page.empty()) continue;
    h += fmt::format("<li><a href=\"{}\">{}</a> ({})</li>\n", esc(t.first_page), esc(t.title), t.count);
  }
  h += "</ul>\n";
  page.finish();
  ctx.pages.insert(ctx.pages.begin(), page.path());
}

// Removes pages of an earlier run of this same report that this run did not rewrite (the earlier run had
// more pages) and .tmp leftovers of a killed run, so the folder holds one consistent report whose files are
// exactly ReportResult.files. Only names this report would write (<stem>_<slug>_NNNN.html) are touched;
// other reports in the folder (another stem) are left alone.
void remove_stale_pages(const Ctx& ctx) {
  std::set<std::string> written;
  for (const auto& p : ctx.pages) written.insert(p.filename().string());
  std::string slugs = "warnings|items_E[0-9]+";
  for (const auto& t : kArtifactTables) slugs += "|" + std::string(t.table);
  const std::regex page_name("^(" + slugs + ")_[0-9]{4,}\\.html(\\.tmp)?$");
  const std::string prefix = ctx.stem + "_";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ctx.dir.empty() ? fs::path(".") : ctx.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (written.count(name) || !entry.is_regular_file(ec)) continue;
    const bool stale_page =
        name.starts_with(prefix) && std::regex_match(name.substr(prefix.size()), page_name);
    if (stale_page || name == ctx.index_name + ".tmp") fs::remove(entry.path(), ec);
  }
}

}  // namespace

ReportResult write_html_report(CaseDb& c, const HtmlReportOptions& options) {
  if (options.lang != "ja" && options.lang != "en")
    throw Error(ExitCode::usage, "report language must be \"ja\" or \"en\", not \"" + options.lang + "\"");
  if (options.rows_per_page == 0) throw Error(ExitCode::usage, "rows per page must be at least 1");
  if (options.output.filename().empty())
    throw Error(ExitCode::usage, "report output must name a file, e.g. reports/report.html");
  if (options.display_offset_minutes < -24 * 60 || options.display_offset_minutes > 24 * 60)
    throw Error(ExitCode::usage, "display time zone offset out of range");

  Ctx ctx;
  ctx.ja = options.lang == "ja";
  ctx.offset_minutes = options.display_offset_minutes;
  ctx.rows_per_page = options.rows_per_page;
  ctx.dir = options.output.parent_path();
  ctx.case_dir = c.dir();
  ctx.stem = options.output.stem().string();
  ctx.index_name = options.output.filename().string();
  ctx.case_number = c.meta("case_number");
  ctx.generated_utc = now_utc_iso();
  std::error_code ec;
  if (!ctx.dir.empty()) fs::create_directories(ctx.dir, ec);
  if (ec)
    throw Error(ExitCode::failure, "cannot create report folder " + ctx.dir.string() + ": " + ec.message());

  // Verification runs first, outside the read snapshot (it may open its own transaction).
  const Verification verification = run_verification(c);

  report::ReadSnapshot snapshot(c.db());
  std::vector<TypeSummary> types;
  for (const auto& [type, table] : kArtifactTables)
    types.push_back(write_type_pages(ctx, c.db(), type, table,
                                     !options.court || options.court->scope == FindingScope::all));
  const std::vector<EvidenceSummary> evidence_pages = write_item_pages(ctx, c.db());
  int64_t warning_count = 0;
  {
    sql::Stmt st(c.db(), "SELECT COUNT(*) FROM warnings");
    if (st.step()) warning_count = st.i64(0);
  }
  {
    sql::Stmt st(c.db(), kWarningsSql);
    write_paginated(ctx, "warnings", std::string(ctx.tr("警告", "Warnings")), "", warnings_thead(ctx),
                    warning_count, st, render_warning);
  }
  write_index(ctx, c, verification, types, evidence_pages, warning_count, options.court);
  remove_stale_pages(ctx);

  ReportResult result;
  result.index = options.output;
  result.files = std::move(ctx.pages);
  return result;
}

}  // namespace kanshiki
