#pragma once
// CASE 1.4.0 / UCO 1.4.0 JSON-LD export of a whole case (docs/exports.md has the mapping table).
//
// Streamed: one JSON-LD node is built and written at a time from SQL cursors, so a case with a million
// messages is exported in bounded memory. What is kept in memory: the IRIs of investigative actions (one per
// custody entry and parser run) and the keys of accounts/applications already written (deduplication), both
// bounded by the case's distinct identifiers rather than by its message count.
//
// Validation: tools/case-validate (SHACL, CASE/UCO 1.4.0), see docs/exports.md.
#include <cstddef>
#include <functional>
#include <ostream>

namespace kanshiki {

class CaseDb;

struct CaseUcoResult {
  size_t nodes = 0;      // JSON-LD nodes in @graph
  size_t artifacts = 0;  // artifacts of the case that were exported
};

// Writes the case as one JSON-LD document with an inline @context (no remote context is ever needed).
// `progress` (optional) is called with the number of artifacts written so far, every 1,000 artifacts.
CaseUcoResult export_case_uco(CaseDb& c, std::ostream& out, const std::function<void(size_t)>& progress = {});

}  // namespace kanshiki
