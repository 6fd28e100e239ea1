#pragma once
// Per-artifact-type tabular exports: one XLSX workbook (libxlsxwriter, one sheet per type) or one CSV file
// per type. Both stream one SQL cursor per type; the workbook is written in libxlsxwriter's constant-memory
// mode (rows go to a temporary file as they are written), so a million-message case does not grow memory.
//
// Columns of every sheet/file: the provenance (artifact_id, evidence_id, item_id, item_path, item_sha256,
// source_table, source_rowid, source_offset, source_detail, parser_id, parser_version, recovered), then the
// type's own columns (times as <base>_raw, <base>_epoch, <base>_utc). docs/exports.md describes both.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace kanshiki {

class CaseDb;

struct SheetExportResult {
  std::vector<std::filesystem::path> files;  // every file written (the workbook, or one CSV per type)
  size_t artifacts = 0;
  size_t sheets = 0;           // XLSX: worksheets written, continuation sheets included
  size_t truncated_cells = 0;  // XLSX: text longer than Excel's 32,767-character cell limit (marked)
};

struct XlsxOptions {
  // Data rows per worksheet before a continuation sheet "<type> (2)" starts. Excel's limit is 1,048,576 rows
  // including the header; tests lower it to exercise continuation cheaply.
  size_t max_rows_per_sheet = 1048575;
  // Called with the number of artifacts written so far, every 1,000 artifacts (progress display).
  std::function<void(size_t)> progress;
};

// Writes the workbook at `output` (written as output.tmp, renamed when complete).
SheetExportResult export_xlsx(CaseDb& c, const std::filesystem::path& output,
                              const XlsxOptions& options = {});

// Writes DIR/<type>.csv for every artifact type that has artifacts (UTF-8 with BOM, CRLF, RFC 4180).
SheetExportResult export_csv_per_type(CaseDb& c, const std::filesystem::path& dir);

}  // namespace kanshiki
