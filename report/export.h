#pragma once
// Machine-readable exports, streamed row by row. jsonl: one object per artifact with `type`, `recovered`
// (bool), the provenance fields and the artifact's own fields. csv: one section per artifact type.
#include <ostream>
#include <string_view>

namespace kanshiki {

class CaseDb;

enum class ExportFormat { csv, jsonl };

// Returns the number of artifacts written.
size_t export_artifacts(CaseDb& c, ExportFormat format, std::ostream& out);

}  // namespace kanshiki
