// XLSX (libxlsxwriter) and CSV-per-type exports. See sheet_export.h.
//
// Values are written as stored: text stays text (a phone number "+8190..." or "090..." keeps its sign and
// leading zero; libxlsxwriter writes string cells, never formulas), integers and reals become numbers.
// Two things XLSX cannot hold are handled visibly rather than silently: bytes that are not valid UTF-8 and
// control characters (XML cannot carry them) become U+FFFD, and text over Excel's 32,767-character cell limit
// is cut at a character boundary with a marker naming the full length; the count of such cells is returned
// (and custody-logged by the CLI). The CSV and JSONL exports keep such values whole.
#include "report/sheet_export.h"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <string>
#include <string_view>

#include "core/case_db.h"
#include "core/case_schema.h"
#include "core/error.h"
#include "kanshiki/version.h"
#include "report/report_common.h"

namespace kanshiki {

using report::ArtifactLayout;
using report::ColumnKind;

namespace {

constexpr size_t kExcelCellChars = 32767;

const std::vector<std::string>& provenance_headers() {
  static const std::vector<std::string> h = {
      "artifact_id",  "evidence_id",   "item_id",       "item_path", "item_sha256",    "source_table",
      "source_rowid", "source_offset", "source_detail", "parser_id", "parser_version", "recovered"};
  return h;
}

// Cursor indexes of the provenance columns, in header order (report_common.h ProvenanceColumn).
constexpr int kProvenanceIndexes[] = {report::kArtifactId,  report::kEvidenceId,    report::kItemId,
                                      report::kItemPath,    report::kItemSha256,    report::kSourceTable,
                                      report::kSourceRowid, report::kSourceOffset,  report::kSourceDetail,
                                      report::kParserId,    report::kParserVersion, report::kRecovered};

std::vector<std::string> headers(const ArtifactLayout& layout) {
  std::vector<std::string> h = provenance_headers();
  for (const auto& col : layout.columns) {
    if (col.kind == ColumnKind::time)
      for (const char* suffix : {"_raw", "_epoch", "_utc"}) h.push_back(col.name + suffix);
    else
      h.push_back(col.name);
  }
  return h;
}

// Cursor column of each header, in order.
std::vector<int> value_indexes(const ArtifactLayout& layout) {
  std::vector<int> idx(std::begin(kProvenanceIndexes), std::end(kProvenanceIndexes));
  for (const auto& col : layout.columns) {
    if (col.kind == ColumnKind::time)
      for (int k = 0; k < 3; ++k) idx.push_back(col.index + k);
    else
      idx.push_back(col.index);
  }
  return idx;
}

// Valid UTF-8 that XML can carry: every invalid byte, NUL and C0 control character (other than tab, LF, CR)
// becomes U+FFFD (a NUL would otherwise cut the cell short); `chars` receives the character count.
std::string valid_utf8(std::string_view s, size_t& chars) {
  std::string out;
  out.reserve(s.size());
  chars = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2) ok = c >= 0xC2;  // overlong
    if (ok && len == 3) {
      unsigned char c1 = s[i + 1];
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      unsigned char c1 = s[i + 1];
      ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok && len == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      ok = false;  // XML 1.0 cannot carry it
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
    ++chars;
  }
  return out;
}

// Excel counts UTF-16 code units; characters outside the BMP count twice. Cut at a character boundary.
std::string fit_cell(std::string s, size_t stored_bytes, size_t& truncated) {
  size_t units = 0, cut = std::string::npos;
  const std::string_view note_fmt = "…[truncated: {} bytes in the case; see the CSV/JSONL export]";
  const size_t budget = kExcelCellChars - 80;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    units += len == 4 ? 2 : 1;
    if (units > budget && cut == std::string::npos) cut = i;
    i += len;
  }
  if (units <= kExcelCellChars) return s;
  ++truncated;
  s.resize(cut);
  s += fmt::format(fmt::runtime(note_fmt), stored_bytes);
  return s;
}

class Workbook {
 public:
  explicit Workbook(const fs::path& path) : path_(path) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    options.use_zip64 = LXW_TRUE;
    tmpdir_ = path.parent_path().empty() ? std::string(".") : path.parent_path().string();
    options.tmpdir = tmpdir_.data();  // beside the output, not /tmp (which may be RAM-backed)
    wb_ = workbook_new_opt(path.c_str(), &options);
    if (!wb_) throw Error(ExitCode::failure, "cannot create workbook " + path.string());
    header_ = workbook_add_format(wb_);
    format_set_bold(header_);
    format_set_bg_color(header_, 0xDDEBF7);
  }
  ~Workbook() {
    if (wb_) {
      // Not closed on success means an error is propagating; close to free memory, then drop the file.
      workbook_close(wb_);
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  void close() {
    lxw_error e = workbook_close(wb_);
    wb_ = nullptr;
    if (e != LXW_NO_ERROR)
      throw Error(ExitCode::failure,
                  fmt::format("cannot write workbook {}: {} (disk full?)", path_.string(), lxw_strerror(e)));
  }
  lxw_worksheet* add_sheet(const std::string& name) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
    if (!ws) throw Error(ExitCode::failure, "cannot add worksheet " + name);
    return ws;
  }
  lxw_format* header() const { return header_; }

 private:
  fs::path path_;
  std::string tmpdir_;
  lxw_workbook* wb_ = nullptr;
  lxw_format* header_ = nullptr;
};

void check(lxw_error e, const std::string& what) {
  if (e != LXW_NO_ERROR)
    throw Error(ExitCode::failure, fmt::format("XLSX export: {}: {}", what, lxw_strerror(e)));
}

void write_header(lxw_worksheet* ws, const std::vector<std::string>& h, lxw_format* fmt_header) {
  for (size_t c = 0; c < h.size(); ++c)
    check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), h[c].c_str(), fmt_header), "header");
  // Frozen header row; readable widths for the path and hash columns.
  worksheet_freeze_panes(ws, 1, 0);
  worksheet_set_column(ws, 0, static_cast<lxw_col_t>(h.size() - 1), 14, nullptr);
  worksheet_set_column(ws, 3, 4, 40, nullptr);
}

struct SheetState {
  lxw_worksheet* ws = nullptr;
  lxw_row_t row = 0;  // last row written
  size_t columns = 0;
  void finish() {
    if (ws && row > 0) worksheet_autofilter(ws, 0, 0, row, static_cast<lxw_col_t>(columns - 1));
  }
};

}  // namespace

SheetExportResult export_xlsx(CaseDb& c, const fs::path& output, const XlsxOptions& options) {
  if (options.max_rows_per_sheet == 0 || options.max_rows_per_sheet > LXW_ROW_MAX - 1)
    throw Error(ExitCode::usage, "max rows per sheet must be 1..1048575");
  sql::Db& db = c.db();
  report::ReadSnapshot snapshot(db);
  SheetExportResult result;
  fs::path tmp = output;
  tmp += ".tmp";
  {
    Workbook wb(tmp);
    // A first sheet that says what the workbook is, in both report languages.
    lxw_worksheet* about = wb.add_sheet("概要 Summary");
    worksheet_set_column(about, 0, 0, 34, nullptr);
    worksheet_set_column(about, 1, 1, 60, nullptr);
    std::vector<std::pair<std::string, std::string>> lines = {
        {"事件番号 / Case number", c.meta("case_number")},
        {"作成ツール / Tool", fmt::format("{} {}", kToolName, kToolVersion)},
        {"作成日時 (UTC) / Written (UTC)", now_utc_iso()},
        {"内容 / Contents",
         "成果物の種類ごとに1シート。各行に出所（証拠品・ファイル・テーブル・行・パーサ）を記載。 / One "
         "sheet per "
         "artifact type; every row carries its provenance (evidence, item, table, row, parser)."},
        {"注意 / Note",
         "32,767文字を超えるセルは切り詰め（CSV/JSONLでは全文）。 / Cells over 32,767 characters are "
         "truncated "
         "(whole in CSV/JSONL)."}};
    lxw_row_t r = 0;
    for (const auto& [k, v] : lines) {
      check(worksheet_write_string(about, r, 0, k.c_str(), wb.header()), "summary");
      check(worksheet_write_string(about, r, 1, v.c_str(), nullptr), "summary");
      ++r;
    }
    ++r;
    check(worksheet_write_string(about, r, 0, "シート / Sheet", wb.header()), "summary");
    check(worksheet_write_string(about, r, 1, "件数 / Rows", wb.header()), "summary");
    ++r;
    // Counts first (constant-memory mode needs rows in order, so the summary rows are written now).
    std::vector<std::pair<ArtifactLayout, int64_t>> types;
    for (const auto& t : kArtifactTables) {
      int64_t n = report::artifact_count(db, t.type);
      if (n == 0) continue;
      check(worksheet_write_string(about, r, 0, std::string(t.type).c_str(), nullptr), "summary");
      check(worksheet_write_number(about, r, 1, static_cast<double>(n), nullptr), "summary");
      ++r;
      types.emplace_back(report::artifact_layout(db, t.type, t.table), n);
    }
    result.sheets = 1;

    for (const auto& [layout, count] : types) {
      const auto h = headers(layout);
      const auto idx = value_indexes(layout);
      sql::Stmt st(db, layout.select_sql);
      st.bind(1, layout.type);
      SheetState sheet;
      size_t part = 0, in_sheet = 0;
      while (st.step()) {
        if (!sheet.ws || in_sheet == options.max_rows_per_sheet) {
          sheet.finish();
          ++part;
          std::string name = part == 1 ? layout.type : fmt::format("{} ({})", layout.type, part);
          sheet = SheetState{wb.add_sheet(name), 0, h.size()};
          write_header(sheet.ws, h, wb.header());
          in_sheet = 0;
          ++result.sheets;
        }
        ++sheet.row;
        ++in_sheet;
        for (size_t col = 0; col < idx.size(); ++col) {
          int i = idx[col];
          auto cx = static_cast<lxw_col_t>(col);
          switch (st.type(i)) {
            case SQLITE_NULL:
              break;
            case SQLITE_INTEGER:
              // Excel numbers are doubles: integers beyond 2^53 (e.g. raw timestamps in ns) stay exact as
              // text.
              if (int64_t v = st.i64(i); v > (int64_t{1} << 53) || v < -(int64_t{1} << 53))
                check(worksheet_write_string(sheet.ws, sheet.row, cx, std::to_string(v).c_str(), nullptr),
                      "cell");
              else
                check(worksheet_write_number(sheet.ws, sheet.row, cx, static_cast<double>(v), nullptr),
                      "cell");
              break;
            case SQLITE_FLOAT:
              check(worksheet_write_number(sheet.ws, sheet.row, cx, st.real(i), nullptr), "cell");
              break;
            default: {
              size_t chars = 0;
              std::string text = fit_cell(valid_utf8(st.text_view(i), chars), st.text_view(i).size(),
                                          result.truncated_cells);
              check(worksheet_write_string(sheet.ws, sheet.row, cx, text.c_str(), nullptr), "cell");
            }
          }
        }
        ++result.artifacts;
        if (options.progress && result.artifacts % 1000 == 0) options.progress(result.artifacts);
      }
      sheet.finish();
    }
    wb.close();
  }
  fs::rename(tmp, output);
  result.files.push_back(output);
  return result;
}

SheetExportResult export_csv_per_type(CaseDb& c, const fs::path& dir) {
  sql::Db& db = c.db();
  report::ReadSnapshot snapshot(db);
  fs::create_directories(dir);
  SheetExportResult result;
  for (const auto& t : kArtifactTables) {
    if (report::artifact_count(db, t.type) == 0) continue;
    ArtifactLayout layout = report::artifact_layout(db, t.type, t.table);
    const auto h = headers(layout);
    const auto idx = value_indexes(layout);
    fs::path path = dir / (layout.type + ".csv");
    report::AtomicFile out(path);
    std::string line = "\xEF\xBB\xBF";  // UTF-8 BOM for Excel in Japan (see report/export.cpp)
    for (size_t k = 0; k < h.size(); ++k) {
      if (k) line += ',';
      report::append_csv_field(line, h[k]);
    }
    line += "\r\n";
    out.write(line);
    sql::Stmt st(db, layout.select_sql);
    st.bind(1, layout.type);
    while (st.step()) {
      line.clear();
      for (size_t k = 0; k < idx.size(); ++k) {
        if (k) line += ',';
        int i = idx[k];
        switch (st.type(i)) {
          case SQLITE_NULL:
            break;
          case SQLITE_INTEGER:
            line += std::to_string(st.i64(i));
            break;
          case SQLITE_FLOAT:
            line += report::format_real(st.real(i));
            break;
          default:
            report::append_csv_field(line, st.text_view(i));  // byte-exact, as report/export.cpp
        }
      }
      line += "\r\n";
      out.write(line);
      ++result.artifacts;
    }
    out.commit();
    result.files.push_back(path);
    ++result.sheets;
  }
  return result;
}

}  // namespace kanshiki
