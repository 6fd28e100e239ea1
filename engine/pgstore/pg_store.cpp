#include "engine/pgstore/pg_store.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include "core/case_db.h"
#include "core/case_schema.h"
#include "core/custody.h"
#include "core/error.h"
#include "core/examiner.h"
#include "hashing/multi_hash.h"

namespace kanshiki::pgstore {
namespace {

// PostgreSQL type OIDs (catalog/pg_type_d.h is a server header; these values are fixed).
constexpr Oid kInt2 = 21, kInt4 = 23, kInt8 = 20, kFloat4 = 700, kFloat8 = 701, kBytea = 17;

struct Column {
  std::string name, pg_type;
  bool row_ref = false;  // a row id or a reference to one: renumbered into the device's id range
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> unique;  // the SQLite primary key, kept unique in the store
  // custody and examiners stay per device (a chain's sequence numbers are part of its signed hashes), so they
  // are not renumbered and are materialised as the device's own custody chain, not merged into the case.
  bool device_chain = false;
};

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string pg_type_of(const std::string& sqlite_decl) {
  std::string d = lower(sqlite_decl);
  if (d.find("int") != std::string::npos) return "bigint";
  if (d.find("real") != std::string::npos || d.find("floa") != std::string::npos ||
      d.find("doub") != std::string::npos)
    return "double precision";
  if (d.find("blob") != std::string::npos) return "bytea";
  return "text";
}

// The case schema as the current build defines it, read from an in-memory database with every migration
// applied (so the store follows core/case_schema.h without a second hand-written copy).
struct Schema {
  std::vector<Table> device_tables;  // loaded per device, in dependency-free order
  Table batch_devices;
};

const Schema& case_schema() {
  static const Schema schema = [] {
    Schema s;
    sql::Db mem(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    for (auto m : kCaseMigrations) mem.exec(std::string(m));
    std::vector<std::string> names;
    {
      sql::Stmt st(mem,
                   "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND "
                   "name NOT LIKE 'search_index%' ORDER BY rowid");
      while (st.step()) names.push_back(st.text(0));
    }
    for (const auto& name : names) {
      Table t;
      t.name = name;
      t.device_chain = name == "custody" || name == "examiners";
      std::vector<std::pair<int, std::string>> pk;
      sql::Stmt info(mem, "SELECT name, type, pk FROM pragma_table_info(?)");
      info.bind(1, name);
      bool any_ref = false;
      while (info.step()) {
        Column c;
        c.name = info.text(0);
        c.pg_type = pg_type_of(info.text(1));
        c.row_ref = !t.device_chain && c.pg_type == "bigint" &&
                    (c.name == "id" || c.name.ends_with("_id") || c.name == "derived_from_item");
        any_ref = any_ref || c.row_ref;
        if (info.i64(2) > 0) pk.emplace_back(static_cast<int>(info.i64(2)), c.name);
        t.columns.push_back(std::move(c));
      }
      std::sort(pk.begin(), pk.end());
      for (auto& [_, col] : pk) t.unique.push_back(col);
      if (name == "batch_devices") {
        for (auto& c : t.columns) c.row_ref = false;
        t.unique = {"exhibit"};
        s.batch_devices = std::move(t);
        continue;
      }
      if (t.device_chain) {
        t.unique.insert(t.unique.begin(), "store_device");
        s.device_tables.push_back(std::move(t));
      } else if (any_ref) {
        // meta and case_facts (no row references) belong to a case, not to a device.
        s.device_tables.push_back(std::move(t));
      }
    }
    return s;
  }();
  return schema;
}

std::string quote_ident(const std::string& name) { return "\"" + name + "\""; }

std::string column_list(const Table& t, const std::string& prefix = "") {
  std::string out;
  for (const auto& c : t.columns) out += (out.empty() ? "" : ", ") + prefix + quote_ident(c.name);
  return out;
}

// COPY text format: backslash escapes for the four characters that would end a field or a row.
void append_copy_text(std::string& out, std::string_view v) {
  for (char ch : v) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += ch;
    }
  }
}

// "evidence/E<id>/..." names in a device's rows and files follow the renumbered evidence id.
std::string renumber_evidence_path(const std::string& path, int64_t base) {
  static const std::regex evidence_dir(R"(^evidence/E([0-9]+)/)");
  std::smatch m;
  if (!std::regex_search(path, m, evidence_dir)) return path;
  return fmt::format("evidence/E{}/{}", std::stoll(m[1].str()) + base, path.substr(m[0].length()));
}

std::string exec_error(PGconn* conn, PGresult* r) {
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

struct Result {
  PGresult* r = nullptr;
  explicit Result(PGresult* res) : r(res) {}
  ~Result() { PQclear(r); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  int rows() const { return PQntuples(r); }
  bool null(int row, int col) const { return PQgetisnull(r, row, col) != 0; }
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r, row, col), PQgetlength(r, row, col));
  }
  int64_t i64(int row, int col) const {
    return null(row, col) ? 0 : std::strtoll(PQgetvalue(r, row, col), nullptr, 10);
  }
};

}  // namespace

std::string store_url(const std::string& option) {
  if (!option.empty()) return option;
  const char* env = std::getenv("KANSHIKI_STORE");
  return env ? std::string(env) : std::string();
}

std::string redact_url(const std::string& url) {
  // postgresql://user:secret@host/... and key=value "password=secret" forms.
  std::string out =
      std::regex_replace(url, std::regex(R"(^(postgres(ql)?://[^:/@]*):[^@/]*@)"), "$1:<redacted>@");
  out = std::regex_replace(out, std::regex(R"((password\s*=\s*)('[^']*'|\S+))"), "$1<redacted>");
  return out;
}

struct PgStore::Impl {
  PGconn* conn = nullptr;
  std::string url;
  ~Impl() {
    if (conn) PQfinish(conn);
  }

  [[noreturn]] void fail(const std::string& what, PGresult* r = nullptr) {
    throw Error(ExitCode::case_error,
                fmt::format("case store ({}): {}: {}", redact_url(url), what, exec_error(conn, r)));
  }
  void exec(const std::string& sql) {
    Result r(PQexec(conn, sql.c_str()));
    auto st = PQresultStatus(r.r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(sql.substr(0, 80), r.r);
  }
  // Parameters as text (nullopt = NULL); returns the rows.
  std::unique_ptr<Result> query(const std::string& sql,
                                const std::vector<std::optional<std::string>>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    auto r = std::make_unique<Result>(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()),
                                                   nullptr, values.data(), nullptr, nullptr, 0));
    auto st = PQresultStatus(r->r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(sql.substr(0, 80), r->r);
    return r;
  }

  void ensure_schema() {
    const Schema& s = case_schema();
    exec("BEGIN");
    struct RollbackUnlessCommitted {
      Impl& store;
      bool committed = false;
      ~RollbackUnlessCommitted() {
        if (!committed) PQclear(PQexec(store.conn, "ROLLBACK"));
      }
    } guard{*this};
    // Concurrent tasks connect at the same moment; CREATE ... IF NOT EXISTS alone races in the catalog.
    exec("SELECT pg_advisory_xact_lock(7316842)");
    exec("CREATE TABLE IF NOT EXISTS store_meta(key text PRIMARY KEY, value text NOT NULL)");
    auto v = query("SELECT value FROM store_meta WHERE key='schema_version'");
    if (v->rows() && std::stoi(v->text(0, 0)) > CaseDb::kSchemaVersion)
      throw Error(ExitCode::case_error,
                  fmt::format("the case store {} was written by a newer Kanshiki (schema {} > {})",
                              redact_url(url), v->text(0, 0), CaseDb::kSchemaVersion));
    // DDL only for what is missing: ALTER TABLE takes an exclusive lock even when the column exists, and a
    // task connecting while others COPY would then deadlock with them.
    std::set<std::string> existing;  // "table" and "table.column"
    {
      auto cols = query(
          "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
          "current_schema()");
      for (int i = 0; i < cols->rows(); ++i) {
        existing.insert(cols->text(i, 0));
        existing.insert(cols->text(i, 0) + "." + cols->text(i, 1));
      }
      auto rels = query("SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace");
      for (int i = 0; i < rels->rows(); ++i) existing.insert(rels->text(i, 0));
    }
    auto create = [&](const Table& t, bool per_device) {
      if (!existing.count(t.name))
        exec(fmt::format("CREATE TABLE {} ({})", quote_ident(t.name),
                         per_device ? "store_device text NOT NULL" : ""));
      for (const auto& c : t.columns)
        if (!existing.count(t.name + "." + c.name))
          exec(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", quote_ident(t.name), quote_ident(c.name),
                           c.pg_type));
      if (per_device && !existing.count(t.name + "_store_device"))
        exec(fmt::format("CREATE INDEX {} ON {}(store_device)", quote_ident(t.name + "_store_device"),
                         quote_ident(t.name)));
      if (!t.unique.empty() && !existing.count(t.name + "_key")) {
        std::string cols;
        for (const auto& c : t.unique) cols += (cols.empty() ? "" : ", ") + quote_ident(c);
        exec(fmt::format("CREATE UNIQUE INDEX {} ON {}({})", quote_ident(t.name + "_key"),
                         quote_ident(t.name), cols));
      }
    };
    create(s.batch_devices, false);
    for (const auto& t : s.device_tables) create(t, true);
    // Files of a device that live beside its rows: evidence manifests, the custody anchor.
    if (!existing.count("store_files"))
      exec(
          "CREATE TABLE store_files(store_device text NOT NULL, path text NOT NULL, "
          "sha256 text NOT NULL, content bytea NOT NULL, PRIMARY KEY(store_device, path))");
    if (!v->rows() || v->text(0, 0) != std::to_string(CaseDb::kSchemaVersion))
      query(
          "INSERT INTO store_meta(key, value) VALUES('schema_version', $1) ON CONFLICT(key) DO UPDATE SET "
          "value=EXCLUDED.value",
          {std::to_string(CaseDb::kSchemaVersion)});
    exec("COMMIT");
    guard.committed = true;
  }

  void copy_in(const std::string& copy_sql,
               const std::function<void(const std::function<void(std::string&)>&)>& rows) {
    Result start(PQexec(conn, copy_sql.c_str()));
    if (PQresultStatus(start.r) != PGRES_COPY_IN) fail(copy_sql.substr(0, 80), start.r);
    std::string buf;
    auto flush = [&] {
      if (!buf.empty() && PQputCopyData(conn, buf.data(), static_cast<int>(buf.size())) != 1)
        fail("COPY data");
      buf.clear();
    };
    rows([&](std::string& line) {
      buf += line;
      if (buf.size() > (1 << 20)) flush();
    });
    flush();
    if (PQputCopyEnd(conn, nullptr) != 1) fail("COPY end");
    for (PGresult* r; (r = PQgetResult(conn)) != nullptr;) {
      Result res(r);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) fail(copy_sql.substr(0, 80), r);
    }
  }

  void delete_device_rows(const std::string& exhibit) {
    for (const auto& t : case_schema().device_tables)
      query(fmt::format("DELETE FROM {} WHERE store_device=$1", quote_ident(t.name)), {exhibit});
    query("DELETE FROM store_files WHERE store_device=$1", {exhibit});
  }
};

namespace {
// BEGIN … COMMIT; a transaction left by an exception is rolled back, so the connection stays usable (the
// task still records its failure) and the store keeps nothing of it.
class PgTransaction {
 public:
  explicit PgTransaction(PgStore::Impl& store) : store_(store) { store_.exec("BEGIN"); }
  ~PgTransaction() {
    if (!committed_) PQclear(PQexec(store_.conn, "ROLLBACK"));
  }
  void commit() {
    store_.exec("COMMIT");
    committed_ = true;
  }

 private:
  PgStore::Impl& store_;
  bool committed_ = false;
};
}  // namespace

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgStore::~PgStore() = default;
PgStore::PgStore(PgStore&&) noexcept = default;
PgStore& PgStore::operator=(PgStore&&) noexcept = default;

PgStore PgStore::connect(const std::string& url) {
  if (url.empty()) throw Error(ExitCode::usage, "no case store given (--store URL or KANSHIKI_STORE)");
  auto impl = std::make_unique<Impl>();
  impl->url = url;
  impl->conn = PQconnectdb(url.c_str());
  if (PQstatus(impl->conn) != CONNECTION_OK)
    throw Error(ExitCode::case_error, fmt::format("cannot connect to the case store {}: {}", redact_url(url),
                                                  exec_error(impl->conn, nullptr)));
  // Text is stored byte for byte: the client speaks UTF-8 and the server must not convert it.
  if (PQsetClientEncoding(impl->conn, "UTF8") != 0) impl->fail("client encoding UTF8");
  impl->exec("SET extra_float_digits = 3");         // REAL values round-trip exactly
  impl->exec("SET client_min_messages = warning");  // not a NOTICE per "already exists" at every connect
  impl->ensure_schema();
  return PgStore(std::move(impl));
}

namespace {
constexpr const char* kStateColumns =
    "id, seq, exhibit, evidence_path, label, state, reason, evidence_id, attempts, worker, started_utc, "
    "ended_utc, "
    "seconds, artifacts";

batch::DeviceState state_from(const Result& r, int row) {
  batch::DeviceState d;
  d.id = r.i64(row, 0);
  d.seq = r.i64(row, 1);
  d.exhibit = r.text(row, 2);
  d.evidence_path = r.text(row, 3);
  d.label = r.text(row, 4);
  d.state = r.text(row, 5);
  d.reason = r.text(row, 6);
  if (!r.null(row, 7)) d.evidence_id = r.i64(row, 7);
  d.attempts = r.i64(row, 8);
  d.worker = r.text(row, 9);
  d.started_utc = r.text(row, 10);
  d.ended_utc = r.text(row, 11);
  d.seconds = r.null(row, 12) ? 0 : std::strtod(PQgetvalue(r.r, row, 12), nullptr);
  d.artifacts = r.i64(row, 13);
  return d;
}

std::optional<std::string> opt(const std::string& s) { return s; }
std::optional<std::string> opt_nonempty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional(s);
}

std::string read_file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(ExitCode::failure, "cannot read " + p.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Peak resident memory of this task and of the parse workers it started (the "memory per worker" a Slurm
// --mem request must cover).
int64_t peak_rss_kb() {
  struct rusage self {
  }, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  return std::max<int64_t>(self.ru_maxrss, children.ru_maxrss);
}

std::string safe_name(const std::string& exhibit) {
  std::string out;
  for (unsigned char ch : exhibit)
    out +=
        (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch >= 0x80) ? static_cast<char>(ch) : '_';
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}
}  // namespace

fs::path device_custody_dir(const fs::path& case_dir, const std::string& exhibit) {
  return case_dir / "custody" / "devices" / safe_name(exhibit);
}

int PgStore::register_devices(CaseDb& c) {
  const Table& t = case_schema().batch_devices;
  int added = 0;
  PgTransaction tx(*impl_);
  sql::Stmt st(c.db(), fmt::format("SELECT {} FROM batch_devices ORDER BY seq", column_list(t)));
  while (st.step()) {
    std::vector<std::optional<std::string>> values;
    std::string placeholders;
    std::string exhibit, path;
    for (int i = 0; i < st.column_count(); ++i) {
      placeholders += fmt::format("{}${}", i ? ", " : "", i + 1);
      values.push_back(st.is_null(i) ? std::nullopt : std::optional(st.text(i)));
      if (t.columns[i].name == "exhibit") exhibit = st.text(i);
      if (t.columns[i].name == "evidence_path") path = st.text(i);
    }
    auto existing = impl_->query("SELECT evidence_path FROM batch_devices WHERE exhibit=$1", {exhibit});
    if (existing->rows()) {
      if (existing->text(0, 0) != path)
        throw Error(ExitCode::usage,
                    fmt::format("exhibit {} is already in the case store with another evidence path ({})",
                                exhibit, existing->text(0, 0)));
      continue;
    }
    impl_->query(fmt::format("INSERT INTO batch_devices({}) VALUES({})", column_list(t), placeholders),
                 values);
    ++added;
  }
  tx.commit();
  return added;
}

std::vector<batch::DeviceState> PgStore::device_states() {
  auto r = impl_->query(fmt::format("SELECT {} FROM batch_devices ORDER BY seq", kStateColumns));
  std::vector<batch::DeviceState> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(state_from(*r, i));
  return out;
}

std::optional<Claim> PgStore::claim(const std::string& exhibit, const std::string& worker) {
  auto known = impl_->query("SELECT 1 FROM batch_devices WHERE exhibit=$1", {exhibit});
  if (!known->rows()) throw Error(ExitCode::usage, "no device " + exhibit + " in the case store");
  // One UPDATE with the state in its WHERE clause: two tasks given the same device cannot both win.
  auto r = impl_->query(fmt::format("UPDATE batch_devices SET state='running', attempts=attempts+1, "
                                    "started_utc=$1, reason='', worker=$2 "
                                    "WHERE exhibit=$3 AND state='queued' RETURNING {}, secret_ref, owner_ids",
                                    kStateColumns),
                        {now_utc_iso(), worker, exhibit});
  if (!r->rows()) return std::nullopt;
  Claim c;
  c.state = state_from(*r, 0);
  c.secret_ref = r->text(0, 14);
  c.owner_ids = r->text(0, 15);
  return c;
}

LoadResult PgStore::load_device(CaseDb& local, const std::string& exhibit) {
  LoadResult out;
  auto seq_row = impl_->query("SELECT seq FROM batch_devices WHERE exhibit=$1", {exhibit});
  if (!seq_row->rows()) throw Error(ExitCode::usage, "no device " + exhibit + " in the case store");
  const int64_t base = id_base(seq_row->i64(0, 0));
  PgTransaction tx(*impl_);
  impl_->delete_device_rows(exhibit);
  std::string device_field;
  append_copy_text(device_field, exhibit);
  for (const auto& t : case_schema().device_tables) {
    int64_t rows = 0;
    sql::Stmt st(local.db(), fmt::format("SELECT {} FROM {}", column_list(t), quote_ident(t.name)));
    impl_->copy_in(fmt::format("COPY {}(store_device, {}) FROM STDIN", quote_ident(t.name), column_list(t)),
                   [&](const std::function<void(std::string&)>& put) {
                     std::string line;
                     while (st.step()) {
                       line = device_field;
                       for (int i = 0; i < st.column_count(); ++i) {
                         line += '\t';
                         const Column& c = t.columns[i];
                         switch (st.type(i)) {
                           case SQLITE_NULL:
                             line += "\\N";
                             break;
                           case SQLITE_INTEGER:
                             line += std::to_string(st.i64(i) + (c.row_ref ? base : 0));
                             break;
                           case SQLITE_FLOAT:
                             line += fmt::format("{}", st.real(i));
                             break;
                           case SQLITE_BLOB:
                             // bytea hex input ("\x..."), its backslash escaped for the COPY text format.
                             line += "\\\\x" + to_hex(st.blob(i));
                             break;
                           default:
                             if (t.name == "evidence" && c.name == "manifest_path")
                               append_copy_text(line, renumber_evidence_path(st.text(i), base));
                             else
                               append_copy_text(line, st.text_view(i));
                         }
                       }
                       line += '\n';
                       put(line);
                       ++rows;
                     }
                   });
    if (rows) out.tables[t.name] = rows;
    out.rows += rows;
  }
  // Files beside the rows: each evidence manifest, and the anchor of the device's custody chain.
  auto put_file = [&](const std::string& rel, const fs::path& file) {
    std::string bytes = read_file_bytes(file);
    const std::string hex = "\\x" + to_hex(bytes);  // bytea hex input
    impl_->query("INSERT INTO store_files(store_device, path, sha256, content) VALUES($1, $2, $3, $4::bytea)",
                 {exhibit, rel, sha256_hex(bytes), hex});
  };
  {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(local.dir() / "evidence", ec), end; it != end;
         it.increment(ec)) {
      if (ec || !it->is_regular_file()) continue;
      std::string rel = fs::relative(it->path(), local.dir()).generic_string();
      put_file(renumber_evidence_path(rel, base), it->path());
    }
    if (fs::exists(local.dir() / "custody.anchor"))
      put_file("custody.anchor", local.dir() / "custody.anchor");
  }
  // The outcome, from the task-local case's state row, in the same transaction as the rows.
  sql::Stmt st(
      local.db(),
      "SELECT state, reason, evidence_id, ended_utc, seconds, artifacts FROM batch_devices WHERE exhibit=?");
  st.bind(1, exhibit);
  if (!st.step()) throw Error(ExitCode::failure, "the task-local case has no state for " + exhibit);
  std::optional<std::string> evidence_id;
  if (!st.is_null(2)) evidence_id = std::to_string(st.i64(2) + base);
  impl_->query(
      "UPDATE batch_devices SET state=$1, reason=$2, evidence_id=$3, ended_utc=$4, seconds=$5, artifacts=$6 "
      "WHERE exhibit=$7",
      {st.text(0), st.text(1), evidence_id, st.opt_text(3),
       st.is_null(4) ? std::nullopt : opt(fmt::format("{}", st.real(4))), std::to_string(st.i64(5)),
       exhibit});
  tx.commit();
  return out;
}

void PgStore::mark_failed(const std::string& exhibit, const std::string& reason) {
  impl_->query("UPDATE batch_devices SET state='failed', reason=$1, ended_utc=$2 WHERE exhibit=$3",
               {reason, now_utc_iso(), exhibit});
}

std::vector<std::string> PgStore::fail_unfinished() {
  std::vector<std::string> out;
  for (const auto& d : device_states()) {
    if (d.state != "running") continue;
    PgTransaction tx(*impl_);
    impl_->delete_device_rows(d.exhibit);
    impl_->query(
        "UPDATE batch_devices SET state='failed', evidence_id=NULL, artifacts=0, ended_utc=$1, reason=$2 "
        "WHERE exhibit=$3 AND state='running'",
        {now_utc_iso(), "task ended without an outcome (node failure, time limit or kill)", d.exhibit});
    tx.commit();
    out.push_back(d.exhibit);
  }
  return out;
}

PullResult PgStore::pull(CaseDb& target) {
  PullResult out;
  const Schema& schema = case_schema();
  sql::Db& db = target.db();
  auto store_rows = impl_->query(fmt::format(
      "SELECT {}, secret_ref, owner_ids, queued_utc FROM batch_devices ORDER BY seq", kStateColumns));
  std::map<std::string, batch::DeviceState> in_case;
  for (auto& d : batch::device_states(target)) in_case[d.exhibit] = d;
  for (int row = 0; row < store_rows->rows(); ++row) {
    batch::DeviceState s = state_from(*store_rows, row);
    if (s.state == "queued" || s.state == "running") continue;  // nothing final to pull yet
    std::optional<batch::DeviceState> here;
    if (auto it = in_case.find(s.exhibit); it != in_case.end()) here = it->second;
    if (here && here->state == s.state && here->ended_utc == s.ended_utc &&
        here->evidence_id == s.evidence_id) {
      ++out.unchanged;
      continue;
    }
    PulledDevice pulled;
    pulled.exhibit = s.exhibit;
    pulled.state = s.state;
    if (here) batch::roll_back_device(target, *here);  // an earlier pull or local attempt of this device
    sql::Transaction tx(db);
    {
      sql::Stmt up(db,
                   "INSERT INTO batch_devices(seq, exhibit, evidence_path, label, secret_ref, owner_ids, "
                   "state, queued_utc) "
                   "VALUES(?,?,?,?,?,?,'queued',?) ON CONFLICT(exhibit) DO NOTHING");
      up.bind(1, s.seq).bind(2, s.exhibit).bind(3, s.evidence_path).bind(4, s.label);
      up.bind(5, store_rows->text(row, 14))
          .bind(6, store_rows->text(row, 15))
          .bind(7, store_rows->text(row, 16))
          .run();
      sql::Stmt st(
          db,
          "UPDATE batch_devices SET state=?, reason=?, evidence_id=?, attempts=?, worker=?, started_utc=?, "
          "ended_utc=?, seconds=?, artifacts=? WHERE exhibit=?");
      st.bind(1, s.state).bind(2, s.reason).bind(3, s.evidence_id).bind(4, s.attempts).bind(5, s.worker);
      st.bind(6, opt_nonempty(s.started_utc))
          .bind(7, opt_nonempty(s.ended_utc))
          .bind(8, s.seconds)
          .bind(9, s.artifacts)
          .bind(10, s.exhibit)
          .run();
    }
    // The device's custody chain becomes a small case folder of its own, which `custody verify` checks.
    pulled.custody_dir = device_custody_dir(target.dir(), s.exhibit);
    std::error_code ec;
    fs::remove_all(pulled.custody_dir, ec);
    std::optional<CaseDb> chain;
    chain.emplace(CaseDb::create(pulled.custody_dir, "custody of " + s.exhibit));
    int64_t base = id_base(s.seq), first_artifact = base, last_artifact = base + kIdsPerDevice - 1;
    for (const auto& t : schema.device_tables) {
      sql::Db& into = t.device_chain ? chain->db() : db;
      std::string placeholders;
      for (size_t i = 0; i < t.columns.size(); ++i) placeholders += i ? ",?" : "?";
      sql::Stmt ins(into, fmt::format("INSERT OR REPLACE INTO {}({}) VALUES({})", quote_ident(t.name),
                                      column_list(t), placeholders));
      // Single-row mode: a table of millions of rows streams instead of landing in memory at once.
      std::string select =
          fmt::format("SELECT {} FROM {} WHERE store_device=$1", column_list(t), quote_ident(t.name));
      const char* param = s.exhibit.c_str();
      if (!PQsendQueryParams(impl_->conn, select.c_str(), 1, nullptr, &param, nullptr, nullptr, 0))
        impl_->fail(select.substr(0, 80));
      PQsetSingleRowMode(impl_->conn);
      std::optional<std::string> error;
      for (PGresult* r; (r = PQgetResult(impl_->conn)) != nullptr;) {
        Result res(r);
        auto status = PQresultStatus(r);
        if (status == PGRES_TUPLES_OK) continue;
        if (status != PGRES_SINGLE_TUPLE) {
          error = exec_error(impl_->conn, r);
          continue;
        }
        if (error) continue;
        for (int i = 0; i < PQnfields(r); ++i) {
          if (PQgetisnull(r, 0, i)) {
            ins.bind_null(i + 1);
            continue;
          }
          const char* v = PQgetvalue(r, 0, i);
          Oid type = PQftype(r, i);
          if (type == kInt8 || type == kInt4 || type == kInt2) {
            ins.bind(i + 1, static_cast<int64_t>(std::strtoll(v, nullptr, 10)));
          } else if (type == kFloat8 || type == kFloat4) {
            ins.bind(i + 1, std::strtod(v, nullptr));
          } else if (type == kBytea) {
            size_t n = 0;
            unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
            ins.bind_blob(i + 1, bytes, n);  // SQLite copies the bytes (SQLITE_TRANSIENT)
            PQfreemem(bytes);
          } else {
            ins.bind(i + 1, std::string_view(v, PQgetlength(r, 0, i)));
          }
        }
        ins.run();
        ++pulled.rows;
      }
      if (error) impl_->fail(select.substr(0, 80) + ": " + *error);
    }
    // Files: manifests into the case, the chain's anchor into its folder.
    auto files =
        impl_->query("SELECT path, sha256, content FROM store_files WHERE store_device=$1", {s.exhibit});
    for (int i = 0; i < files->rows(); ++i) {
      size_t n = 0;
      unsigned char* bytes =
          PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(files->r, i, 2)), &n);
      std::string content(reinterpret_cast<char*>(bytes), n);
      PQfreemem(bytes);
      if (sha256_hex(content) != files->text(i, 1))
        throw Error(
            ExitCode::verification_failed,
            fmt::format("case store file {} of {} does not match its SHA-256", files->text(i, 0), s.exhibit));
      std::string rel = files->text(i, 0);
      if (rel.find("..") != std::string::npos || rel.starts_with("/"))
        throw Error(ExitCode::verification_failed, "case store file with an unsafe path: " + rel);
      fs::path dest = rel == "custody.anchor" ? pulled.custody_dir / rel : target.dir() / rel;
      fs::create_directories(dest.parent_path());
      std::ofstream f(dest, std::ios::binary | std::ios::trunc);
      f << content;
      if (!f) throw Error(ExitCode::disk_full, "cannot write " + dest.string());
    }
    // Full-text index entries for the device's messages and contacts, committed before the case
    // (core/search_index.h).
    {
      SearchIndexWriter index(target.dir());
      index.begin();
      index.add_from_case(db, fmt::format("SELECT id FROM artifacts WHERE id BETWEEN {} AND {}", first_artifact,
                                          last_artifact));
      index.commit();
    }
    tx.commit();
    CustodyVerification v = verify_custody(*chain);
    pulled.custody_ok = v.ok;
    pulled.custody_summary = v.summary();
    pulled.custody_entries = v.entries;
    auto entries = read_custody(*chain);
    if (!entries.empty()) pulled.custody_head = entries.back().entry_hash;
    out.devices.push_back(std::move(pulled));
  }
  return out;
}

int run_device_to_store(const std::string& url, const std::string& exhibit, const fs::path& scratch,
                        const Examiner& examiner, const batch::RunOptions& options) {
  PgStore store = PgStore::connect(url);
  const std::string worker = fmt::format("{}:{}", host_name(), getpid());
  auto claim = store.claim(exhibit, worker);
  if (!claim) {
    for (const auto& d : store.device_states())
      if (d.exhibit == exhibit) return d.state == "done" ? 0 : 10;
    return 10;
  }
  const fs::path local_dir = scratch / fmt::format("kanshiki-task-{}-{}", safe_name(exhibit), getpid());
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{local_dir};
  int code = 10;
  try {
    {
      CaseDb local = CaseDb::create(local_dir, exhibit);
      append_custody(local, examiner,
                     {"case create",
                      "ok",
                      {{"case_dir", local_dir.string()},
                       {"purpose", "task-local case of a Slurm array task"},
                       {"store", redact_url(url)},
                       {"worker_max_rss_kb", peak_rss_kb()},
                       {"worker", worker}}});
      batch::Device d;
      d.exhibit = exhibit;
      d.evidence_path = claim->state.evidence_path;
      d.label = claim->state.label;
      d.secret_ref = claim->secret_ref;
      d.owner_ids = claim->owner_ids;
      batch::register_devices(local, {d});
    }
    code = batch::run_one_device(local_dir, exhibit, options);
    CaseDb local = CaseDb::open(local_dir);
    auto states = batch::device_states(local);
    const batch::DeviceState& outcome = states.at(0);
    append_custody(local, examiner,
                   {"batch device",
                    outcome.state == "done" ? "ok" : "failed",
                    {{"exhibit", exhibit},
                     {"evidence_path", outcome.evidence_path},
                     {"seconds", outcome.seconds},
                     {"artifacts", outcome.artifacts},
                     {"reason", outcome.reason},
                     {"worker", worker},
                     {"store", redact_url(url)},
                     {"worker_max_rss_kb", peak_rss_kb()},
                     {"id_base", id_base(claim->state.seq)}}});
    LoadResult loaded = store.load_device(local, exhibit);
    (void)loaded;
  } catch (const std::exception& e) {
    store.mark_failed(exhibit, std::string("task failed before its outcome was stored: ") + e.what());
    throw;
  }
  return code;
}

}  // namespace kanshiki::pgstore
