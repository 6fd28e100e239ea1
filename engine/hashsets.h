#pragma once
// Known-file hash sets: the lab's lists of files to hide (known good: operating system and app files, NSRL)
// and to alert on (known bad: Project VIC / CAID categorised media, case-specific lists). A set is recorded
// with where it came from and its own SHA-256, so every match in a report can name the set and its version.
//
// Formats:
//   nsrl   NSRL RDSv3 (a SQLite database with table FILE(sha256, sha1, md5, file_name, ...)). Not copied:
//          tens of millions of rows; it is matched in place (opened read-only, immutable) and its hash kept.
//   vics   Project VIC / CAID style JSON (VICS data model: records with MD5 / SHA1 / SHA256 and Category,
//          under "value" or "Media" or at the root). Streamed.
//   list   plain text: one hash per line (MD5, SHA-1 or SHA-256 by length), optionally followed by a file name
//          (md5sum / sha256sum output, "hash,name" CSV); lines starting with '#' are comments.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/case_db.h"

namespace kanshiki {

enum class HashSetKind { known_good, known_bad };
std::string_view hash_set_kind_name(HashSetKind k);  // "known-good", "known-bad"
enum class HashSetFormat { nsrl, vics, list };
std::string_view hash_set_format_name(HashSetFormat f);

struct HashSetImport {
  std::filesystem::path file;
  std::string name;  // e.g. "NSRL RDS 2024.03.1 modern minimal"
  HashSetKind kind = HashSetKind::known_good;
  std::optional<HashSetFormat> format;  // detected when not given
};

struct HashSetImportResult {
  int64_t set_id = 0;
  HashSetFormat format = HashSetFormat::list;
  std::string sha256;           // of the set file as imported
  uint64_t entries = 0;         // hashes stored (nsrl: rows in FILE)
  uint64_t rejected_lines = 0;  // lines/records without a valid hash (counted, and the first few quoted)
  std::string first_rejected;   // one example, for the message
  uint64_t matches = 0;         // case items matching this set right after import
};

// Records and loads a set (one transaction), then matches it against the case's items. Throws
// Error(usage) for an unknown format, Error(evidence_unreadable) when the file cannot be read.
HashSetImportResult import_hash_set(CaseDb& c, const HashSetImport& import);

// Recomputes the matches of every set against every item (after new evidence was ingested). Returns the
// number of (item, set) matches.
uint64_t match_hash_sets(CaseDb& c);

}  // namespace kanshiki
