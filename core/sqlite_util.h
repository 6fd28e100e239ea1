#pragma once
// Thin RAII over the SQLite C API: one owner per handle, errors as kanshiki::Error with SQLite's message.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace kanshiki::sql {

class Db {
 public:
  Db() = default;
  // flags: SQLITE_OPEN_READONLY or SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE (SQLITE_OPEN_URI is always added).
  Db(const std::filesystem::path& path, int flags);
  ~Db();
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  void exec(const std::string& sql);
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  bool table_exists(std::string_view table) const;
  // Column names of a table (PRAGMA table_info); empty when the table does not exist.
  std::vector<std::string> columns(std::string_view table) const;

 private:
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt(const Db& db, std::string_view sql);
  ~Stmt();
  Stmt(Stmt&& o) noexcept : st_(o.st_), db_(o.db_), text_destructor_(o.text_destructor_) { o.st_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binding, 1-based like SQLite. nullopt binds NULL.
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind_blob(int i, const void* data, size_t n);
  Stmt& bind_null(int i);
  // From now on text is bound without a copy: each bound string must stay valid until run() or reset()
  // (which clear the bindings). For hot insert loops binding the fields of an object that outlives the step.
  Stmt& borrow_text() {
    text_destructor_ = SQLITE_STATIC;
    return *this;
  }
  template <typename T>
  Stmt& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  bool step();   // true: a row is available; false: done. Throws on error.
  void run() { step(); reset(); }  // execute a statement that returns no rows, then reset for reuse
  void reset();

  int column_count() const { return sqlite3_column_count(st_); }
  std::string column_name(int i) const { return sqlite3_column_name(st_, i); }
  int type(int i) const { return sqlite3_column_type(st_, i); }
  bool is_null(int i) const { return type(i) == SQLITE_NULL; }
  int64_t i64(int i) const { return sqlite3_column_int64(st_, i); }
  double real(int i) const { return sqlite3_column_double(st_, i); }
  std::string text(int i) const;
  std::string_view text_view(int i) const;
  std::optional<int64_t> opt_i64(int i) const { return is_null(i) ? std::nullopt : std::optional<int64_t>(i64(i)); }
  std::optional<std::string> opt_text(int i) const { return is_null(i) ? std::nullopt : std::optional(text(i)); }
  std::string_view blob(int i) const;
  sqlite3_stmt* get() const { return st_; }

 private:
  sqlite3_stmt* st_ = nullptr;
  sqlite3* db_ = nullptr;
  sqlite3_destructor_type text_destructor_ = SQLITE_TRANSIENT;
};

// BEGIN ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db, bool immediate = true);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

// Quick structural check used before a parser trusts a file: magic header + PRAGMA quick_check.
// Returns an empty string when fine, otherwise a human-readable reason.
std::string check_sqlite_file(const std::filesystem::path& path);

}  // namespace kanshiki::sql
