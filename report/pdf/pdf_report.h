#pragma once
// The court report as PDF (A4), rendered headless with Qt 6 Gui (QPdfWriter + QPainter, offscreen platform)
// and the Noto CJK fonts. Kept in its own library (kanshiki_report_pdf) so the core stays Qt-free.
//
// Streaming: the layout is done here, page by page, straight from SQLite cursors (report/court_report.h);
// no document model is built, so memory does not grow with the number of findings. The layout runs twice
// with the same code: a measuring pass that only counts pages (for the table of contents and "page i of N"),
// then the drawing pass.
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "report/court_report.h"

namespace kanshiki {

class CaseDb;

struct PdfReportOptions {
  std::filesystem::path output;  // e.g. CASE/reports/report_ja.pdf (written as .tmp, then renamed)
  std::string lang = "ja";       // "ja" or "en"
  FindingScope scope = FindingScope::tagged;
  int display_offset_minutes = 540;  // JST
};

struct PdfReportResult {
  std::filesystem::path path;
  int pages = 0;
  int64_t findings = 0;
};

// `report` is the gathered content (gather_court_report); findings and the manifest are streamed from `c`.
// Throws Error(failure) when the Noto CJK font is missing (fonts-noto-cjk) or the file cannot be written.
PdfReportResult write_pdf_report(CaseDb& c, const CourtReport& report, const PdfReportOptions& options);

// Qt's PDF engine writes, for a glyph shared by several code points, the lowest one into the ToUnicode map;
// in Noto CJK that is e.g. the Kangxi radical U+2F47 (⽇) for 日 U+65E5, or U+2027 for ・ U+30FB, so
// extracted or copied text would differ from the evidence. Rewrites each such destination in place (same
// length, so the xref stays valid) to the code point the document actually drew: `alias` maps "not drawn" ->
// "drawn with the same glyph". Exposed for tests; returns the number of entries fixed.
size_t fix_pdf_tounicode(const std::filesystem::path& pdf,
                         const std::unordered_map<uint16_t, uint16_t>& alias);

}  // namespace kanshiki
