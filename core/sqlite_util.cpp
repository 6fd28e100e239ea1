#include "core/sqlite_util.h"

#include <fstream>

namespace kanshiki::sql {
namespace {
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  ExitCode code = ExitCode::failure;
  int primary = rc & 0xff;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) code = ExitCode::corrupt_input;
  if (primary == SQLITE_FULL) code = ExitCode::disk_full;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) code = ExitCode::case_error;
  if (primary == SQLITE_CANTOPEN) code = ExitCode::evidence_unreadable;
  throw Error(code, msg);
}
}  // namespace

namespace {
// Once per process, before SQLite initialises: no global memory accounting (it takes a mutex on every
// allocation and showed up as ~5% of a million-message process run).
void configure_sqlite_once() {
  static const bool done = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}
}  // namespace

Db::Db(const std::filesystem::path& path, int flags) {
  configure_sqlite_once();
  // NOMUTEX: every connection here belongs to one thread at a time, so SQLite's per-call connection mutex
  // (serialized mode) is pure overhead.
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open SQLite database " + path.string() + ": " +
                      (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error((rc & 0xff) == SQLITE_NOTADB ? ExitCode::corrupt_input : ExitCode::evidence_unreadable, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 10000);
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

void Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    fail(nullptr, rc, "SQL failed (" + msg + ")");
  }
}

bool Db::table_exists(std::string_view table) const {
  Stmt st(*this, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?1 COLLATE NOCASE");
  st.bind(1, table);
  return st.step();
}

std::vector<std::string> Db::columns(std::string_view table) const {
  std::vector<std::string> out;
  Stmt st(*this, "SELECT name FROM pragma_table_info(?1)");
  st.bind(1, table);
  while (st.step()) out.push_back(st.text(0));
  return out;
}

Stmt::Stmt(const Db& db, std::string_view sql) : db_(db.get()) {
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st_, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "cannot prepare SQL [" + std::string(sql.substr(0, 120)) + "]");
}

Stmt::~Stmt() {
  if (st_) sqlite3_finalize(st_);
}

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  sqlite3_bind_double(st_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), text_destructor_);
  return *this;
}
Stmt& Stmt::bind_blob(int i, const void* data, size_t n) {
  sqlite3_bind_blob(st_, i, data, static_cast<int>(n), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "SQL step failed");
}

void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string Stmt::text(int i) const { return std::string(text_view(i)); }

std::string_view Stmt::text_view(int i) const {
  const unsigned char* p = sqlite3_column_text(st_, i);
  if (!p) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, i))};
}

std::string_view Stmt::blob(int i) const {
  const void* p = sqlite3_column_blob(st_, i);
  if (!p) return {};
  return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, i))};
}

Transaction::Transaction(Db& db, bool immediate) : db_(db) { db_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); }

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

std::string check_sqlite_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[16] = {0};
  if (!in.read(magic, 16)) return "file is shorter than a SQLite header (" + std::to_string(in.gcount()) + " bytes)";
  if (std::string_view(magic, 16) != std::string_view("SQLite format 3\0", 16))
    return "not a SQLite database (no 'SQLite format 3' header; if it is encrypted, e.g. Signal's SQLCipher "
           "signal.db, decrypt it first: `kanshiki decrypt signal`)";
  try {
    Db db(path, SQLITE_OPEN_READONLY);
    Stmt st(db, "PRAGMA quick_check(5)");
    std::string problems;
    while (st.step()) {
      std::string line = st.text(0);
      if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
    }
    return problems.empty() ? std::string() : "SQLite quick_check failed: " + problems;
  } catch (const Error& e) {
    return e.what();
  }
}

}  // namespace kanshiki::sql
