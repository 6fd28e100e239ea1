#pragma once
// The report's "Detector and watchlist hits" section (kanshiki scan): counts per category and the first hits
// with their provenance. The section states how many hits exist beyond those shown and how to list them all
// (`kanshiki hits --case C --format csv`), so nothing is silently left out of the report.
#include <string>

#include "core/sqlite_util.h"

namespace kanshiki::report {

// HTML for the section (an <h2 id="hits"> and its tables); empty when the case was never scanned.
std::string hits_section_html(sql::Db& db, bool ja, size_t max_rows = 500);

}  // namespace kanshiki::report
