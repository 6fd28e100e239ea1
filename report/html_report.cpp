// PLACEHOLDER: implemented by the report work item.
#include "report/html_report.h"
#include "core/error.h"
namespace kanshiki {
ReportResult write_html_report(CaseDb&, const HtmlReportOptions&) { throw Error(ExitCode::failure, "report not implemented yet"); }
}  // namespace kanshiki
