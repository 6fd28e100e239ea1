#pragma once
// The report's "Known files" section (kanshiki hashset): every hash set used, with its kind, size and SHA-256,
// the known-bad matches with the item they hit (to alert), and how many items matched known-good sets (to
// hide). The section says how many matches exist beyond those shown and how to list them all.
#include <string>

#include "core/sqlite_util.h"

namespace kanshiki::report {

// HTML for the section (an <h2 id="known-files"> and its tables); empty when no hash set was imported.
std::string known_files_section_html(sql::Db& db, bool ja, size_t max_rows = 500);

}  // namespace kanshiki::report
