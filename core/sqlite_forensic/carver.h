#pragma once
// Schema-aware carving of SQLite records from free space: freeblocks (whose first 4 bytes were overwritten
// by the freeblock header), the unallocated gap of a page, freelist pages and the slack of overwritten
// cells. A record is accepted only when its serial types fit a known table's column list and affinities;
// records whose header start was destroyed are rebuilt by trying candidate layouts and scoring them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sqlite_forensic/record.h"

namespace kanshiki::sqlite_forensic {

enum class Affinity { integer, text, blob, real, numeric };
Affinity affinity_of(std::string_view declared_type);  // SQLite's rules (datatype3.html §3.1)

struct ColumnSchema {
  std::string name;
  std::string declared;
  Affinity affinity = Affinity::blob;
};

struct TableSchema {
  std::string name;
  std::string sql;
  std::vector<ColumnSchema> columns;
  int ipk = -1;  // index of the INTEGER PRIMARY KEY column (a rowid alias, stored as NULL in records)
  uint32_t root_page = 0;
  bool without_rowid = false;
  bool dropped = false;  // found only in a recovered sqlite_master record
};

// Column list of a CREATE TABLE statement, obtained by running it in a private in-memory SQLite (so every
// quoting oddity is handled the way SQLite handles it). nullopt for virtual tables and statements SQLite
// rejects.
std::optional<TableSchema> schema_from_sql(const std::string& table_name, const std::string& create_sql);
// The fixed layout of sqlite_master itself (type, name, tbl_name, rootpage, sql).
TableSchema sqlite_master_schema();

struct Carved {
  int table = -1;  // index into the carver's table list
  std::optional<int64_t> rowid;
  std::vector<Value> values;
  size_t offset = 0;  // where the cell (or the record, when the cell head is lost) starts in the page
  size_t end = 0;
  double confidence = 0;
  std::string how;          // "intact cell", "record without cell head", "rebuilt header"
  int64_t first_type = -1;  // serial type of the first column (learned as a template for rebuilding)
  bool guessed_first_type = false;
};

class Carver {
 public:
  Carver(const std::vector<TableSchema>& tables, TextEncoding enc, uint32_t usable)
      : tables_(tables), enc_(enc), usable_(usable) {}

  // Carves [begin, end) of `page`. `freeblock`: the region starts with a 4-byte freeblock header that
  // destroyed the start of a cell. `owner`: the table that owns the page (-1 unknown: every table is tried).
  void carve_region(Bytes page, size_t begin, size_t end, bool freeblock, int owner,
                    std::vector<Carved>& out) const;

  // Carves a region with no trustworthy structure (a freelist trunk page's old content, a page that is no
  // b-tree page any more): intact cells, bare records, and freeblocks recognised by their own headers.
  void carve_unstructured(Bytes page, size_t begin, size_t end, int owner, std::vector<Carved>& out) const;

  // Scores decoded values against a table (nullopt: impossible for this table).
  // `strict` (records without their cell head): no BLOBs or texts in numeric columns, at least 2 values.
  std::optional<double> score(int table, const std::vector<int64_t>& types, const std::vector<Value>& values,
                              bool strict = false) const;
  // Records the first column's serial type of a trustworthy record of `table` (a live sibling cell or an
  // intact carved one): rebuilt headers prefer the types the table actually uses.
  void observe_first_type(int table, int64_t serial_type) const;

  // Best table for an intact record (owner preferred); -1 when none fits.
  int best_table(const std::vector<int64_t>& types, const std::vector<Value>& values, int owner,
                 double* score_out, bool strict = false) const;

 private:
  std::optional<Carved> try_intact_cell(Bytes page, size_t pos, size_t end, int owner) const;
  std::optional<Carved> try_bare_record(Bytes page, size_t pos, size_t end, int owner) const;
  std::optional<Carved> try_rebuild(Bytes page, size_t pos, size_t end, int owner) const;
  std::optional<Carved> rebuild_for_table(Bytes page, size_t pos, size_t end, int table) const;

  double first_type_prior(int table, int64_t serial_type) const;
  // Lowers the confidence of a carved record whose tail holds the start of an intact cell; returns where
  // that cell starts (or the record's end).
  size_t check_overwritten(Bytes page, Carved& c, size_t end, int owner) const;

  const std::vector<TableSchema>& tables_;
  mutable std::vector<std::vector<std::pair<int64_t, int>>> first_types_;  // per table: (type, count)
  TextEncoding enc_;
  uint32_t usable_;
};

}  // namespace kanshiki::sqlite_forensic
