// PLACEHOLDER: implemented by the report work item.
#include "report/export.h"
#include "core/error.h"
namespace kanshiki {
size_t export_artifacts(CaseDb&, ExportFormat, std::ostream&) { throw Error(ExitCode::failure, "export not implemented yet"); }
}  // namespace kanshiki
