#pragma once
// `kanshiki recover`: deleted-record recovery (core/sqlite_forensic) over every SQLite item of a case,
// whether or not a parser knows the app. `process` already recovers deleted rows of the tables its parsers
// read and stores them as typed artifacts flagged recovered; this pass covers the rest of the phone's
// databases (unknown apps, tables no parser reads) and stores each carved record generically, with its
// values, source (main file / WAL frame / journal record), page, byte offset, method and confidence.
//
// SQLite items are recognised by their 16-byte header, not by name. Each is copied with its -wal/-journal
// siblings into CASE/work (hashed on the way and compared with the ingest hash: evidence is never opened
// as a database), recovered, and committed in one transaction per item together with a recover_items row,
// so a killed run resumes where it stopped and never stores a record twice.
#include <cstdint>
#include <string>
#include <vector>

#include "core/case_db.h"

namespace kanshiki {

struct RecoverOptions {
  bool progress = false;
  // Blob values are stored as hex up to this many bytes (the length is always recorded): a carved 50 MB
  // blob must not blow up the case.
  size_t max_blob_bytes = 64 * 1024;
};

struct RecoverResult {
  uint64_t sqlite_items = 0;     // SQLite databases found in the evidence
  uint64_t recovered_items = 0;  // databases recovered in this run
  uint64_t already_done = 0;     // recovered by an earlier run (skipped)
  uint64_t records = 0;          // records stored in this run
  uint64_t failed_items = 0;     // databases that could not be copied or read (a warning each)
};

RecoverResult recover_case(CaseDb& c, int64_t run_id, const RecoverOptions& options);

}  // namespace kanshiki
