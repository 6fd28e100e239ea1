#pragma once
// The full-text index of a case: CASE/search.db, a SQLite file of its own beside case.db.
//
// Why a file of its own: building the FTS5 trigram index is about half of the CPU time of storing a large
// app database (a million messages: ~10 s of ~20 s). In case.db it has to run on the one writer thread;
// in its own file a second thread (a second SQLite connection) builds it while the writer stores rows, so
// the two halves use both cores. The index is derived data: it can always be rebuilt from case.db.
//
// What search.db holds: a contentless FTS5 table (trigram tokenizer, detail=none) whose rowid is the
// artifact id. It only preselects candidates; every hit is confirmed with LIKE against the text in
// case.db (the search_text view). So an index entry too many can never produce a wrong hit, while an
// entry too few would hide one. Every writer therefore keeps this invariant:
//
//   every artifact visible in case.db has its text in search.db  (index ⊇ case)
//
//   - adding artifacts: the index transaction commits BEFORE the case transaction (a crash in between
//     leaves extra index entries, which are harmless);
//   - removing artifacts: the case transaction commits BEFORE the index transaction;
//   - search.db is written only while the writer holds case.db's write transaction, so writers of the
//     two files are always serialised in the same order (no deadlock between batch workers).
//
// A case without search.db (deleted by hand, or a case folder copied without it) is still searched
// correctly, by scanning the tables.
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/sqlite_util.h"

namespace kanshiki {

namespace fs = std::filesystem;

inline constexpr const char* kSearchIndexFile = "search.db";

// The one statement that reads an artifact's searchable text back from case.db (view search_text).
inline constexpr const char* kSearchTextView = "search_text";

// A connection to CASE/search.db for writing; creates the file and its schema when missing.
class SearchIndexWriter {
 public:
  explicit SearchIndexWriter(const fs::path& case_dir);
  ~SearchIndexWriter();
  SearchIndexWriter(const SearchIndexWriter&) = delete;
  SearchIndexWriter& operator=(const SearchIndexWriter&) = delete;

  void begin();
  void commit();
  void rollback();  // no-op when no transaction is open

  // Text must be exactly what search_text shows for the artifact (see ArtifactWriter).
  void add(int64_t artifact_id, std::string_view text);
  // Indexes (or, with remove, takes out) the artifacts of case.db selected by `artifact_ids_sql` (a SELECT
  // of artifact ids), reading their text from search_text. Returns how many texts were processed.
  size_t add_from_case(sql::Db& case_db, const std::string& artifact_ids_sql);
  size_t remove_from_case(sql::Db& case_db, const std::string& artifact_ids_sql);
  // Empties the index and indexes every artifact of the case (used when an older case is upgraded).
  size_t rebuild_from_case(sql::Db& case_db);

 private:
  size_t copy_from_case(sql::Db& case_db, const std::string& artifact_ids_sql, bool remove);
  sql::Db db_;
  std::unique_ptr<sql::Stmt> insert_, remove_;
  bool in_tx_ = false;
};

// Builds the index on a thread of its own while the case writer stores rows (engine/process.cpp). One
// parser run at a time: begin_run(), add() for each text, commit_run() before the case transaction
// commits. Bounded: at most a few thousand texts wait in memory.
class BackgroundIndexer {
 public:
  explicit BackgroundIndexer(const fs::path& case_dir);
  ~BackgroundIndexer();  // rolls back a run not committed, stops the thread
  BackgroundIndexer(const BackgroundIndexer&) = delete;
  BackgroundIndexer& operator=(const BackgroundIndexer&) = delete;

  void begin_run();
  void add(int64_t artifact_id, std::string text);
  // Waits until every text of the run is in search.db and committed; rethrows the indexer's failure.
  void commit_run();
  void abort_run();

 private:
  struct Shared;
  void flush();
  std::unique_ptr<Shared> shared_;
  std::vector<std::pair<int64_t, std::string>> pending_;
  std::thread thread_;
};

// The search condition on `artifacts a` for one examiner query, and its parameters in order (bind with
// plain `?`). Queries of 3+ characters use the index when `index_attached` (search.db attached to the
// connection as schema "search") and confirm with LIKE; shorter ones, or without the index, scan.
// % _ and \ typed by the examiner are literal.
struct SearchSql {
  std::string condition;
  std::vector<std::string> params;
  bool uses_index = false;
};
SearchSql search_sql(std::string_view query, bool index_attached);

// The FTS5 query preselecting texts that contain `query` (3+ code points): every trigram of it, ANDed.
// FTS5 does the same for LIKE on a trigram table with content; the index here has none.
std::string trigram_match(std::string_view query);

// Attaches CASE/search.db to `db` as schema "search" when the file exists; false when it does not.
bool attach_search_index(sql::Db& db, const fs::path& case_dir);
void detach_search_index(sql::Db& db);

}  // namespace kanshiki
