#pragma once
// Deleted-record recovery for one SQLite database with its -wal and -journal side files.
//
// Sources, in the order they are searched: free space of live pages (freeblocks and the unallocated gap),
// freelist trunk and leaf pages, main-file pages that the WAL supersedes, every WAL frame that is not the
// current version of its page (superseded, uncommitted, older salts), and rollback-journal before-images.
// Schemas come from sqlite_master, plus dropped tables found in recovered sqlite_master records.
// Results are candidates: `drop_live_duplicates` removes those equal to a live row.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/sqlite_forensic/carver.h"
#include "core/sqlite_forensic/record.h"
#include "core/sqlite_util.h"

namespace kanshiki::sqlite_forensic {

enum class SourceFile { main, wal, journal };
std::string_view source_file_name(SourceFile f);  // "main file", "WAL", "rollback journal"

struct RecoveredRow {
  std::string table;  // table name as in sqlite_master (a dropped table's old name)
  bool table_dropped = false;
  std::optional<int64_t> rowid;  // unknown when the cell head was destroyed
  std::vector<Value> values;     // in the table's column order (the rowid alias filled in when known)
  SourceFile file = SourceFile::main;
  uint64_t offset = 0;  // byte offset of the cell/record in that file (plus the image's base)
  uint32_t page = 0;    // page number in the database
  uint32_t frame = 0;   // WAL frame or journal record number (1-based), 0 for the main file
  std::string detail;   // "freeblock in page 7", "WAL frame 5 (superseded)", ...
  double confidence = 0;
  std::string how;  // carving method
};

struct RecoveryOptions {
  bool main_file = true;
  bool wal = true;
  bool journal = true;
  uint64_t base_offset = 0;  // where the database image starts in the container (carving from a blob)
  // Called after every 64 MiB of main-file pages read: recover_file passes the memory map's release, so a
  // 1 GB database never stays resident (pages a later step revisits are faulted in again). Callers that
  // hold the bytes in their own memory leave it empty.
  std::function<void()> release_resident;
};

struct RecoveryResult {
  std::vector<TableSchema> tables;  // index 0 is sqlite_master
  std::vector<RecoveredRow> rows;
  std::vector<std::string> notes;  // why something was not searched (bad header, unreadable WAL)
  uint64_t bytes_scanned = 0;      // page bytes examined
};

// Recovers from an in-memory image (and optional side-file images; empty views when absent).
RecoveryResult recover(Bytes db, Bytes wal, Bytes journal, const RecoveryOptions& opt = {});
// Memory-maps `db_path` and its "-wal" and "-journal" siblings (a working copy; never written).
RecoveryResult recover_file(const std::filesystem::path& db_path, const RecoveryOptions& opt = {});

// Removes recovered rows that equal a live row of the same table (same rowid and values; or, when the
// rowid is unknown, the same values as any live row), rows of sqlite_master, and duplicates among the
// recovered rows themselves (the same row seen in several sources is kept once, first source wins).
// `live` is the working copy opened read-only (SQLite's view, WAL applied).
void drop_live_duplicates(const sql::Db& live, RecoveryResult& result);

}  // namespace kanshiki::sqlite_forensic
