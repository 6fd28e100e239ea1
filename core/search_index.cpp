#include "core/search_index.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <variant>

#include "core/error.h"

namespace kanshiki {

namespace {
// Pending terms are flushed to disk when they exceed this many bytes. FTS5's default (1 MiB) flushes a
// million-message run hundreds of times and then merges the pieces; 64 MiB keeps it to a few flushes
// (measured: ~20 % less index CPU) at ~50 MB more memory, inside the 512 MB bound of a million messages.
constexpr int64_t kPendingHashBytes = 64 << 20;

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(text, tokenize='trigram', detail='none', content='');
)SQL";
}  // namespace

SearchIndexWriter::SearchIndexWriter(const fs::path& case_dir)
    : db_(case_dir / kSearchIndexFile, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
  db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;");
  // Writers hold case.db's write lock while they write here, so waiting is short; batch workers still
  // wait for each other rather than fail.
  sqlite3_busy_timeout(db_.get(), 30 * 60 * 1000);
  if (!db_.table_exists("search_index")) {
    sql::Transaction tx(db_);
    db_.exec(kSchema);
    db_.exec("INSERT INTO search_index(search_index, rank) VALUES('hashsize', " +
             std::to_string(kPendingHashBytes) + ")");
    db_.exec("INSERT OR REPLACE INTO meta(key, value) VALUES('format', '1')");
    tx.commit();
  }
  insert_ = std::make_unique<sql::Stmt>(db_, "INSERT INTO search_index(rowid, text) VALUES(?1, ?2)");
  insert_->borrow_text();
  remove_ = std::make_unique<sql::Stmt>(
      db_, "INSERT INTO search_index(search_index, rowid, text) VALUES('delete', ?1, ?2)");
}

SearchIndexWriter::~SearchIndexWriter() {
  insert_.reset();
  remove_.reset();
  rollback();
}

void SearchIndexWriter::begin() {
  db_.exec("BEGIN IMMEDIATE");
  in_tx_ = true;
}

void SearchIndexWriter::commit() {
  db_.exec("COMMIT");
  in_tx_ = false;
}

void SearchIndexWriter::rollback() {
  if (!in_tx_) return;
  sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  in_tx_ = false;
}

void SearchIndexWriter::add(int64_t artifact_id, std::string_view text) {
  insert_->bind(1, artifact_id).bind(2, text).run();
}

size_t SearchIndexWriter::copy_from_case(sql::Db& case_db, const std::string& artifact_ids_sql, bool remove) {
  // Read in artifact-id order from the view the search confirms against, so the index sees exactly the
  // text a LIKE will later be checked on.
  sql::Stmt read(case_db, std::string("SELECT artifact_id, text FROM ") + kSearchTextView +
                              " WHERE artifact_id IN (" + artifact_ids_sql + ") AND text <> ''");
  sql::Stmt& write = remove ? *remove_ : *insert_;
  size_t n = 0;
  while (read.step()) {
    std::string text = read.text(1);
    write.bind(1, read.i64(0)).bind(2, text).run();
    ++n;
  }
  return n;
}

size_t SearchIndexWriter::add_from_case(sql::Db& case_db, const std::string& artifact_ids_sql) {
  return copy_from_case(case_db, artifact_ids_sql, false);
}

size_t SearchIndexWriter::remove_from_case(sql::Db& case_db, const std::string& artifact_ids_sql) {
  return copy_from_case(case_db, artifact_ids_sql, true);
}

size_t SearchIndexWriter::rebuild_from_case(sql::Db& case_db) {
  db_.exec("INSERT INTO search_index(search_index) VALUES('delete-all')");
  return add_from_case(case_db, "SELECT id FROM artifacts");
}

// ---------------------------------------------------------------------------------------------------------
// BackgroundIndexer

namespace {
struct BeginRun {};
struct Texts {
  std::vector<std::pair<int64_t, std::string>> rows;
};
struct CommitRun {
  std::promise<void>* done;
};
struct AbortRun {};
using Command = std::variant<BeginRun, Texts, CommitRun, AbortRun>;
constexpr size_t kTextsPerBatch = 512, kMaxQueued = 16;
}  // namespace

struct BackgroundIndexer::Shared {
  explicit Shared(const fs::path& case_dir) : writer(case_dir) {}
  SearchIndexWriter writer;  // used by the indexing thread only, once it runs
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Command> queue;
  bool stop = false;
  std::exception_ptr failure;  // the first error of the current run; reported by commit_run()
  bool run_open = false;

  void push(Command c) {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return queue.size() < kMaxQueued; });
    queue.push_back(std::move(c));
    cv.notify_all();
  }

  void loop() {
    for (;;) {
      Command c;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return !queue.empty() || stop; });
        if (queue.empty()) return;
        c = std::move(queue.front());
        queue.pop_front();
        cv.notify_all();
      }
      std::visit([&](auto& cmd) { handle(cmd); }, c);
    }
  }

  void handle(BeginRun&) {
    failure = nullptr;
    try {
      writer.begin();
      run_open = true;
    } catch (...) {
      failure = std::current_exception();
    }
  }
  void handle(Texts& t) {
    if (failure || !run_open) return;
    try {
      for (auto& [id, text] : t.rows) writer.add(id, text);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  void handle(CommitRun& c) {
    try {
      if (failure) std::rethrow_exception(failure);
      writer.commit();
      run_open = false;
      c.done->set_value();
    } catch (...) {
      writer.rollback();
      run_open = false;
      c.done->set_exception(std::current_exception());
    }
  }
  void handle(AbortRun&) {
    writer.rollback();
    run_open = false;
    failure = nullptr;
  }
};

BackgroundIndexer::BackgroundIndexer(const fs::path& case_dir) : shared_(std::make_unique<Shared>(case_dir)) {
  pending_.reserve(kTextsPerBatch);
  thread_ = std::thread([s = shared_.get()] { s->loop(); });
}

BackgroundIndexer::~BackgroundIndexer() {
  pending_.clear();
  shared_->push(AbortRun{});
  {
    std::lock_guard lk(shared_->mu);
    shared_->stop = true;
    shared_->cv.notify_all();
  }
  thread_.join();
}

void BackgroundIndexer::begin_run() {
  pending_.clear();
  shared_->push(BeginRun{});
}

void BackgroundIndexer::add(int64_t artifact_id, std::string text) {
  pending_.emplace_back(artifact_id, std::move(text));
  if (pending_.size() >= kTextsPerBatch) flush();
}

void BackgroundIndexer::flush() {
  if (pending_.empty()) return;
  Texts t;
  t.rows.swap(pending_);
  pending_.reserve(kTextsPerBatch);
  shared_->push(std::move(t));
}

void BackgroundIndexer::commit_run() {
  flush();
  std::promise<void> done;
  auto result = done.get_future();
  shared_->push(CommitRun{&done});
  result.get();  // rethrows the indexer's error (e.g. disk full) here, on the writer's thread
}

void BackgroundIndexer::abort_run() {
  pending_.clear();
  shared_->push(AbortRun{});
}

// ---------------------------------------------------------------------------------------------------------
// Queries

namespace {
std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i + 1;
    while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string like_pattern(std::string_view query) {
  std::string pattern = "%";
  for (char ch : query) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  pattern += '%';
  return pattern;
}
}  // namespace

std::string trigram_match(std::string_view query) {
  const auto cps = code_points(query);
  std::string match;
  for (size_t i = 0; i + 3 <= cps.size(); ++i) {
    std::string gram;
    for (size_t k = i; k < i + 3; ++k) gram += cps[k];
    std::string quoted = "\"";
    for (char ch : gram) {
      if (ch == '"') quoted += '"';  // FTS5 strings double their quotes
      quoted += ch;
    }
    quoted += '"';
    if (match.find(quoted) != std::string::npos) continue;  // a repeated trigram adds nothing
    if (!match.empty()) match += " AND ";
    match += quoted;
  }
  return match;
}

SearchSql search_sql(std::string_view query, bool index_attached) {
  SearchSql s;
  const std::string q(query);
  if (code_points(query).size() < 3) {
    // 1-2 character words (e.g. 叩き) are below the trigram size: scan with instr().
    s.condition =
        "a.id IN (SELECT artifact_id FROM messages WHERE instr(text, ?) > 0 UNION SELECT artifact_id FROM "
        "contacts WHERE instr(name, ?) > 0 OR instr(phones, ?) > 0)";
    s.params = {q, q, q};
    return s;
  }
  const std::string pattern = like_pattern(query);
  // The same texts search_text shows (messages' text; contacts' name and phones), confirmed with LIKE.
  const std::string confirm =
      "(EXISTS (SELECT 1 FROM messages sm WHERE sm.artifact_id = a.id AND sm.text LIKE ? ESCAPE '\\') OR "
      "EXISTS (SELECT 1 FROM contacts sc WHERE sc.artifact_id = a.id AND (sc.name || ' ' || sc.phones) LIKE "
      "? "
      "ESCAPE '\\'))";
  if (index_attached) {
    s.condition = "a.id IN (SELECT rowid FROM search.search_index WHERE search_index MATCH ?) AND " + confirm;
    s.params = {trigram_match(query), pattern, pattern};
    s.uses_index = true;
  } else {
    s.condition =
        "a.id IN (SELECT artifact_id FROM messages WHERE text LIKE ? ESCAPE '\\' UNION SELECT artifact_id "
        "FROM "
        "contacts WHERE (name || ' ' || phones) LIKE ? ESCAPE '\\')";
    s.params = {pattern, pattern};
  }
  return s;
}

bool attach_search_index(sql::Db& db, const fs::path& case_dir) {
  const fs::path file = case_dir / kSearchIndexFile;
  std::error_code ec;
  if (!fs::exists(file, ec)) return false;
  sql::Stmt st(db, "ATTACH DATABASE ?1 AS search");
  st.bind(1, file.string());
  st.run();
  return true;
}

void detach_search_index(sql::Db& db) {
  sqlite3_exec(db.get(), "DETACH DATABASE search", nullptr, nullptr, nullptr);
}

}  // namespace kanshiki
