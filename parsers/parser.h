#pragma once
// The parser contract (see docs/writing-a-parser.md and parsers/_template.cpp).
//
// A parser is one .h/.cpp pair that declares its id, version, platform, locators, the SQLite tables and
// columns it needs, and its queries with one row handler each. It emits typed artifacts into a sink.
// Schema variants are handled by declared requirements: queries in one group are alternatives and the
// first whose tables/columns all exist runs. Nothing is guessed; an unrecognised schema is a warning that
// names what is missing.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/artifact.h"
#include "core/evidence/path_index.h"
#include "core/sqlite_util.h"

namespace kanshiki {

enum class Platform { android, ios, any };
std::string_view platform_name(Platform p);

struct ParserInfo {
  std::string id;           // stable, dotted: "android.sms", "ios.sms", "whatsapp.android.msgstore"
  std::string version;      // bump when output for the same input changes
  Platform platform = Platform::any;
  std::string app;          // human name of the app or subsystem
  std::string description;
  std::vector<Locator> locators;
  std::vector<std::string> limitations;  // known limitations; stored with each run, printed in reports
};

// One located file handed to a parser.
struct ParseInput {
  int64_t evidence_id = 0;
  int64_t item_id = 0;
  std::string item_path;
  std::string item_sha256;
  // The file to read. For SQLite this is a working copy in the case's work folder, with the item's
  // -wal/-journal siblings copied beside it; never the original.
  std::filesystem::path working_copy;
  // SQLite parsers: after the live queries, recover deleted rows from the file itself (freeblocks, freelist,
  // WAL history, rollback journal) and run them through the same row handlers, flagged recovered.
  bool recover_deleted = true;
};

class Parser {
 public:
  virtual ~Parser() = default;
  virtual const ParserInfo& info() const = 0;
  // Emits records and warnings for one file. A bad row is a warning and parsing goes on. Throws
  // kanshiki::Error only when the file as a whole cannot be read; the caller stores that as a warning.
  virtual void parse(const ParseInput& input, ArtifactSink& sink) = 0;
};

// Read access to one result row by column alias. Missing columns read as NULL (handlers of a variant only
// ask for what their query selects, so this is only a safety net).
class Row {
 public:
  Row(const sql::Stmt& st, const std::vector<std::string>& names) : st_(st), names_(names) {}
  bool has(std::string_view col) const { return index(col) >= 0; }
  bool is_null(std::string_view col) const;
  std::optional<int64_t> i64(std::string_view col) const;
  std::optional<double> real(std::string_view col) const;
  std::string text(std::string_view col) const;  // "" for NULL; BLOBs are returned as their bytes
  std::optional<std::string> opt_text(std::string_view col) const;
  std::string_view blob(std::string_view col) const;
  int64_t i64_or(std::string_view col, int64_t fallback) const { return i64(col).value_or(fallback); }
  // A time column: integers and reals (also when stored as text, as some apps do) become a Timestamp of the
  // given epoch; anything else keeps its raw text, has no UTC value, and is reported through `out`.
  Timestamp time(std::string_view col, EpochKind kind, class RowEmitter& out) const;

 private:
  int index(std::string_view col) const;
  const sql::Stmt& st_;
  const std::vector<std::string>& names_;
};

// Given to row handlers: emits with provenance filled in (item, parser, the query's table, and the row's
// rowid when the query selects a column aliased "_rowid").
class RowEmitter {
 public:
  virtual ~RowEmitter() = default;
  virtual void emit(ArtifactData data) = 0;
  // For records whose provenance is another table/row than the query's (e.g. participants via a join).
  virtual void emit_from(ArtifactData data, std::string_view table, std::optional<int64_t> rowid) = 0;
  virtual void warn(std::string message) = 0;
};

struct TableNeed {
  std::string table;
  std::vector<std::string> columns;
};

struct Query {
  std::string group;         // alternatives share a group; groups run in declaration order
  std::string variant;       // human description of the schema variant, e.g. "current `message` table"
  std::vector<TableNeed> needs;
  std::string sql;
  std::string source_table;  // table name recorded in provenance
  bool required = true;      // false: the group may be absent in some app versions without a warning
  std::function<void(const Row&, RowEmitter&)> on_row;
};

// Which declared need is not met, in words ("table `x` is missing", "column `x.y` is missing"); empty when
// every table and column exists. The framework uses it to choose variants; parsers may too.
std::string unmet_needs(const sql::Db& db, const std::vector<TableNeed>& needs);

// Base for SQLite parsers: opens the working copy read-only, checks needs, runs queries, turns bad rows
// and failed queries into warnings.
class SqliteParser : public Parser {
 public:
  void parse(const ParseInput& input, ArtifactSink& sink) final;

 protected:
  // Built per file; handlers may capture `this` and keep per-file state in members (a fresh parser
  // instance is made for each file).
  virtual std::vector<Query> queries() = 0;
  // Runs once after the database is opened and before the queries (e.g. to read owner account facts).
  virtual void on_open(sql::Db& db, RowEmitter& out) {}
  // The file being parsed (valid from on_open on): e.g. to tell apps that share one schema apart by path.
  const ParseInput& input() const { return *input_; }

 private:
  const ParseInput* input_ = nullptr;
};

// The registry (parsers/registry.cpp): one line per parser.
struct ParserEntry {
  const ParserInfo& (*info)();
  std::unique_ptr<Parser> (*make)();
};
const std::vector<ParserEntry>& parser_registry();
const ParserEntry* find_parser(std::string_view id);

}  // namespace kanshiki
