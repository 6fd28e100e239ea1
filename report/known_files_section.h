#pragma once
// The report's "Known files" section (kanshiki hashset): every hash set used, with its kind, size and
// SHA-256, the known-bad matches with the item they hit (to alert), and how many items matched known-good
// sets (to hide). The section says how many matches exist beyond those shown and how to list them all. The
// content is gathered once (gather_known_files) and rendered by the HTML report here and by the court PDF
// (report/pdf), so both show the same sets, matches and counts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sqlite_util.h"

namespace kanshiki::report {

struct KnownFileSet {
  std::string name, kind, format, source_sha256;
  int64_t entries = 0, matching_items = 0;
};

struct KnownBadMatch {
  std::string exhibit, path, sha256, set_name, algo, category, file_name;
};

struct KnownFiles {
  std::vector<KnownFileSet> sets;
  std::vector<KnownBadMatch> bad_matches;  // the first max_rows, by evidence and path
  int64_t bad_total = 0;                   // every known-bad match
  int64_t good_items = 0;                  // distinct items matching a known-good set
  size_t max_rows = 0;
};

// Empty when no hash set was imported (the section is then left out).
std::optional<KnownFiles> gather_known_files(sql::Db& db, size_t max_rows = 500);

// Fixed texts of the section, one place for both renderings.
std::string known_files_title(bool ja);
std::string known_file_kind_label(const std::string& kind, bool ja);
std::string known_bad_heading(bool ja, int64_t total);
std::string known_files_more_note(bool ja, size_t shown, int64_t total);  // "Showing N / M. Full list: ..."
std::string known_good_note(bool ja, int64_t items);

// HTML for the section (an <h2 id="known-files"> and its tables); empty when no hash set was imported.
std::string known_files_section_html(sql::Db& db, bool ja, size_t max_rows = 500);

}  // namespace kanshiki::report
