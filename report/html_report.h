#pragma once
// The first court-facing output: a static HTML report of a case, streamed from the case database so a case
// with millions of artifacts never sits in memory, and paginated so the browser stays usable.
#include <filesystem>
#include <string>
#include <vector>

namespace kanshiki {

class CaseDb;
struct CourtReport;

struct HtmlReportOptions {
  std::filesystem::path output;      // the index page, e.g. CASE/reports/report.html; other pages go beside it
  std::string lang = "ja";           // "ja" or "en": headings and labels
  size_t rows_per_page = 1000;       // artifact rows per HTML page
  int display_offset_minutes = 540;  // display zone besides UTC (JST = +540); always labelled
  // The court report's content (report/court_report.h). When set, the index gains the court sections
  // (administrative, items, method, integrity, results, limitations, sign-off, appendix) and the results follow
  // court->scope: with FindingScope::tagged only tagged findings are shown (inline) and no per-type pages are
  // written. When null, the report is the plain case report with every artifact paginated.
  const CourtReport* court = nullptr;
};

struct ReportResult {
  std::filesystem::path index;
  std::vector<std::filesystem::path> files;  // every file written (index first)
};

ReportResult write_html_report(CaseDb& c, const HtmlReportOptions& options);

}  // namespace kanshiki
