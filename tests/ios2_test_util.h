#pragma once
// Helpers shared by the test_parsers_ios2 tests (iOS communications parsers).
#include <string>
#include <utility>
#include <vector>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki::test::ios2 {

// Every provenance field of a live SQLite row read by `run_parser` (evidence 1, item 1).
inline void check_live_provenance(const Provenance& p, const std::string& item_path, const fs::path& file,
                                  const std::string& table, int64_t rowid, const std::string& parser_id) {
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == item_path);
  CHECK(p.item_sha256 == file_sha256(file));
  CHECK(p.source_table == table);
  CHECK(p.source_rowid == rowid);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail.empty());
  CHECK(p.parser_id == parser_id);
  CHECK(p.parser_version == "1.0.0");
  CHECK_FALSE(p.recovered);
}

// A fresh database in `dir` built from the given SQL script.
inline fs::path make_db(const TempDir& dir, const std::string& name, const std::string& script) {
  auto path = dir / name;
  sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(script);
  return path;
}

}  // namespace kanshiki::test::ios2
