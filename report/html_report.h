#pragma once
// The first court-facing output: a static HTML report of a case, streamed from the case database so a case
// with millions of artifacts never sits in memory, and paginated so the browser stays usable.
#include <filesystem>
#include <string>
#include <vector>

namespace kanshiki {

class CaseDb;

struct HtmlReportOptions {
  std::filesystem::path output;      // the index page, e.g. CASE/reports/report.html; other pages go beside it
  std::string lang = "ja";           // "ja" or "en": headings and labels
  size_t rows_per_page = 1000;       // artifact rows per HTML page
  int display_offset_minutes = 540;  // display zone besides UTC (JST = +540); always labelled
};

struct ReportResult {
  std::filesystem::path index;
  std::vector<std::filesystem::path> files;  // every file written (index first)
};

ReportResult write_html_report(CaseDb& c, const HtmlReportOptions& options);

}  // namespace kanshiki
