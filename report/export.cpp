// Machine-readable exports of every artifact in the case, streamed with one SQL cursor per type (nothing is
// collected in memory; a 1M-message case exports in constant memory).
//
// jsonl: one JSON object per line, keys in this order:
//   "type", "artifact_id", "recovered" (bool),
//   "provenance": {evidence_id, item_id, item_path, item_sha256, source_table, source_rowid, source_offset,
//                  source_detail, parser_id, parser_version}   (rowid/offset null when not applicable),
//   then every column of the type table under its own name. Choices:
//   - a time triplet <base>_raw/_epoch/_utc is one key <base> holding {"raw", "epoch", "utc"} (each a string
//     or null; the key is null when the artifact has no such time), e.g.
//       "time": {"raw": "1714566896789", "epoch": "unix_ms", "utc": "2024-05-01T12:34:56.789Z"};
//   - JSON-array columns (recipients, phones, emails, attachments) are real arrays;
//   - flag columns (edited, deleted, is_group, video) are booleans; other values keep their SQLite type.
//   Text is written as UTF-8 unescaped (Japanese stays byte-exact). A byte sequence that is not valid UTF-8
//   cannot be represented in JSON; it is replaced by U+FFFD in the export (the case keeps the original).
//
// csv: ONE wide RFC 4180 table rather than one section per type, because a single header is what every CSV
//   reader (Excel, pandas, R) understands; several headers in one file would break them. Columns: `type`,
//   `artifact_id`, `recovered` (0/1), the provenance fields, then the union of all type-table columns in
//   kArtifactTables order (a column shared by several types, e.g. `app` or `time_raw`, is one column);
//   a cell is empty when the column does not belong to the row's type. Times stay three flat columns
//   (<base>_raw, <base>_epoch, <base>_utc); JSON-array columns hold their JSON text. Values are written
//   byte-exact: no formula-injection prefixing, because it would alter evidence (e.g. every "+81..." number).
//   Examiners should import the file as text (Excel: Data > From Text/CSV) rather than double-click it.
//   The file starts with a UTF-8 BOM, written once, because Excel in Japan otherwise decodes the file as
//   Shift_JIS and garbles Japanese; lines end with CRLF as RFC 4180 specifies.
#include "report/export.h"

#include "hashing/multi_hash.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/case_db.h"
#include "core/case_schema.h"
#include "core/error.h"
#include "report/report_common.h"

namespace kanshiki {

using report::ArtifactLayout;
using report::ColumnKind;

namespace {

using ojson = nlohmann::ordered_json;

void check_stream(const std::ostream& out) {
  if (!out) throw Error(ExitCode::failure, "cannot write export: output stream failed (disk full?)");
}

ojson json_scalar(const sql::Stmt& st, int i) {
  switch (st.type(i)) {
    case SQLITE_NULL:
      return nullptr;
    case SQLITE_INTEGER:
      return st.i64(i);
    case SQLITE_FLOAT:
      return st.real(i);
    case SQLITE_BLOB:
      return ojson{{"blob_hex", to_hex(st.blob(i))}};  // the schema has no blobs; never lose one
    default:
      return st.text(i);
  }
}

ojson json_text_or_null(const sql::Stmt& st, int i) {
  return st.is_null(i) ? ojson(nullptr) : ojson(st.text(i));
}

ojson json_column(const sql::Stmt& st, const report::ArtifactColumn& col) {
  const int i = col.index;
  switch (col.kind) {
    case ColumnKind::time:
      if (st.is_null(i) && st.is_null(i + 1) && st.is_null(i + 2)) return nullptr;
      return ojson{{"raw", json_text_or_null(st, i)},
                   {"epoch", json_text_or_null(st, i + 1)},
                   {"utc", json_text_or_null(st, i + 2)}};
    case ColumnKind::boolean:
      if (st.type(i) != SQLITE_INTEGER) return json_scalar(st, i);
      return st.i64(i) != 0;
    case ColumnKind::json_array: {
      if (st.type(i) != SQLITE_TEXT) return json_scalar(st, i);
      ojson parsed = ojson::parse(st.text_view(i), nullptr, /*allow_exceptions=*/false);
      // Not valid JSON (should not happen: the writer stores arrays): keep the text rather than drop it.
      return parsed.is_discarded() ? ojson(st.text(i)) : parsed;
    }
    case ColumnKind::value:
      break;
  }
  return json_scalar(st, i);
}

size_t export_jsonl(CaseDb& c, std::ostream& out) {
  size_t count = 0;
  std::string line;
  for (const auto& [type, table] : kArtifactTables) {
    const ArtifactLayout layout = report::artifact_layout(c.db(), type, table);
    sql::Stmt st(c.db(), layout.select_sql);
    st.bind(1, type);
    while (st.step()) {
      ojson o;
      o["type"] = layout.type;
      o["artifact_id"] = st.i64(report::kArtifactId);
      o["recovered"] = st.i64(report::kRecovered) != 0;
      o["provenance"] = ojson{{"evidence_id", st.i64(report::kEvidenceId)},
                              {"item_id", st.i64(report::kItemId)},
                              {"item_path", st.text(report::kItemPath)},
                              {"item_sha256", st.text(report::kItemSha256)},
                              {"source_table", st.text(report::kSourceTable)},
                              {"source_rowid", json_scalar(st, report::kSourceRowid)},
                              {"source_offset", json_scalar(st, report::kSourceOffset)},
                              {"source_detail", st.text(report::kSourceDetail)},
                              {"parser_id", st.text(report::kParserId)},
                              {"parser_version", st.text(report::kParserVersion)}};
      for (const auto& col : layout.columns) o[col.name] = json_column(st, col);
      line = o.dump(-1, ' ', /*ensure_ascii=*/false, ojson::error_handler_t::replace);
      line += '\n';
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      check_stream(out);
      ++count;
    }
  }
  return count;
}

void append_csv_value(std::string& out, const sql::Stmt& st, int i) {
  switch (st.type(i)) {
    case SQLITE_NULL:
      return;
    case SQLITE_INTEGER:
      out += std::to_string(st.i64(i));
      return;
    case SQLITE_FLOAT:
      out += report::format_real(st.real(i));
      return;
    case SQLITE_BLOB:
      out += to_hex(st.blob(i));
      return;
    default:
      report::append_csv_field(out, st.text_view(i));
  }
}

size_t export_csv(CaseDb& c, std::ostream& out) {
  static constexpr std::string_view kLeading[] = {
      "type",          "artifact_id", "recovered",     "evidence_id",  "item_id",
      "item_path",     "item_sha256", "source_table",  "source_rowid", "source_offset",
      "source_detail", "parser_id",   "parser_version"};
  // Cursor column of each leading field after `type`.
  static constexpr int kLeadingIndex[] = {
      report::kArtifactId,   report::kRecovered,    report::kEvidenceId,  report::kItemId,
      report::kItemPath,     report::kItemSha256,   report::kSourceTable, report::kSourceRowid,
      report::kSourceOffset, report::kSourceDetail, report::kParserId,    report::kParserVersion};

  std::vector<ArtifactLayout> layouts;
  std::vector<std::string> columns;        // union of flat type columns, first-seen order
  std::map<std::string, size_t> position;  // column name -> index in `columns`
  for (const auto& [type, table] : kArtifactTables) {
    layouts.push_back(report::artifact_layout(c.db(), type, table));
    for (const auto& col : layouts.back().columns) {
      std::vector<std::string> flat;
      if (col.kind == ColumnKind::time)
        flat = {col.name + "_raw", col.name + "_epoch", col.name + "_utc"};
      else
        flat = {col.name};
      for (auto& name : flat)
        if (position.emplace(name, columns.size()).second) columns.push_back(std::move(name));
    }
  }

  std::string line = "\xEF\xBB\xBF";  // UTF-8 BOM, once, for Excel (see the top of this file)
  for (size_t i = 0; i < std::size(kLeading); ++i) {
    if (i) line += ',';
    line += kLeading[i];
  }
  for (const auto& name : columns) {
    line += ',';
    report::append_csv_field(line, name);
  }
  line += "\r\n";
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
  check_stream(out);

  size_t count = 0;
  std::vector<int> cursor_index;  // per union column: the cursor column of this type, or -1
  for (const ArtifactLayout& layout : layouts) {
    cursor_index.assign(columns.size(), -1);
    for (const auto& col : layout.columns) {
      if (col.kind == ColumnKind::time) {
        cursor_index[position.at(col.name + "_raw")] = col.index;
        cursor_index[position.at(col.name + "_epoch")] = col.index + 1;
        cursor_index[position.at(col.name + "_utc")] = col.index + 2;
      } else {
        cursor_index[position.at(col.name)] = col.index;
      }
    }
    sql::Stmt st(c.db(), layout.select_sql);
    st.bind(1, layout.type);
    while (st.step()) {
      line.clear();
      report::append_csv_field(line, layout.type);
      for (int i : kLeadingIndex) {
        line += ',';
        append_csv_value(line, st, i);
      }
      for (int i : cursor_index) {
        line += ',';
        if (i >= 0) append_csv_value(line, st, i);
      }
      line += "\r\n";
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      check_stream(out);
      ++count;
    }
  }
  return count;
}

}  // namespace

size_t export_artifacts(CaseDb& c, ExportFormat format, std::ostream& out) {
  report::ReadSnapshot snapshot(c.db());
  const size_t count = format == ExportFormat::jsonl ? export_jsonl(c, out) : export_csv(c, out);
  out.flush();
  check_stream(out);
  return count;
}

}  // namespace kanshiki
