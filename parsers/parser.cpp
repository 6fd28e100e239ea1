#include "parsers/parser.h"

#include <fmt/format.h>

#include <charconv>
#include <exception>
#include <map>
#include <set>
#include <unordered_map>

#include "core/sqlite_forensic/recovery.h"

namespace kanshiki {

std::string_view platform_name(Platform p) {
  switch (p) {
    case Platform::android: return "android";
    case Platform::ios: return "ios";
    default: return "any";
  }
}

int Row::index(std::string_view col) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == col) return static_cast<int>(i);
  return -1;
}

bool Row::is_null(std::string_view col) const {
  int i = index(col);
  return i < 0 || st_.is_null(i);
}

std::optional<int64_t> Row::i64(std::string_view col) const {
  int i = index(col);
  if (i < 0 || st_.is_null(i)) return std::nullopt;
  return st_.i64(i);
}

std::optional<double> Row::real(std::string_view col) const {
  int i = index(col);
  if (i < 0 || st_.is_null(i)) return std::nullopt;
  return st_.real(i);
}

std::string Row::text(std::string_view col) const {
  int i = index(col);
  if (i < 0 || st_.is_null(i)) return {};
  if (st_.type(i) == SQLITE_BLOB) return std::string(st_.blob(i));
  return st_.text(i);
}

std::optional<std::string> Row::opt_text(std::string_view col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

Timestamp Row::time(std::string_view col, EpochKind kind, RowEmitter& out) const {
  if (is_null(col)) return {};
  std::string raw = text(col);
  const char* end = raw.data() + raw.size();
  int64_t i = 0;
  if (auto [p, ec] = std::from_chars(raw.data(), end, i); ec == std::errc() && p == end) return Timestamp::from_int(i, kind);
  double d = 0;
  if (auto [p, ec] = std::from_chars(raw.data(), end, d); ec == std::errc() && p == end) return Timestamp::from_real(d, kind);
  out.warn(fmt::format("column `{}` holds \"{}\", which is not a number; the time is left unknown", col, raw));
  Timestamp t;
  t.raw = std::move(raw);
  t.kind = kind;
  return t;
}

std::string_view Row::blob(std::string_view col) const {
  int i = index(col);
  if (i < 0 || st_.is_null(i)) return {};
  return st_.blob(i);
}

namespace {

class Emitter final : public RowEmitter {
 public:
  Emitter(const ParserInfo& info, const ParseInput& in, ArtifactSink& sink) : info_(info), in_(in), sink_(sink) {}

  void set_row(std::string table, std::optional<int64_t> rowid) {
    table_ = std::move(table);
    rowid_ = rowid;
  }
  // While set, every record emitted is a recovered one with this origin.
  struct RecoveredOrigin {
    std::optional<int64_t> offset;
    std::string detail;
  };
  void set_recovered(std::optional<RecoveredOrigin> origin) { recovered_ = std::move(origin); }
  void emit(ArtifactData data) override { emit_from(std::move(data), table_, rowid_); }
  void emit_from(ArtifactData data, std::string_view table, std::optional<int64_t> rowid) override {
    Record r{base(), std::move(data)};
    r.provenance.source_table = std::string(table);
    r.provenance.source_rowid = rowid;
    if (recovered_) {
      r.provenance.recovered = true;
      r.provenance.source_offset = recovered_->offset;
      r.provenance.source_detail = recovered_->detail;
    }
    ++emitted;
    sink_.emit(std::move(r));
  }
  void warn(std::string message) override {
    Warning w;
    w.evidence_id = in_.evidence_id;
    w.item_id = in_.item_id;
    w.item_path = in_.item_path;
    w.parser_id = info_.id;
    w.source_table = table_;
    w.source_rowid = rowid_;
    w.message = recovered_ ? "recovered row (" + recovered_->detail + "): " + message : std::move(message);
    sink_.warn(std::move(w));
  }
  size_t emitted = 0;

 private:
  Provenance base() const {
    Provenance p;
    p.evidence_id = in_.evidence_id;
    p.item_id = in_.item_id;
    p.item_path = in_.item_path;
    p.item_sha256 = in_.item_sha256;
    p.parser_id = info_.id;
    p.parser_version = info_.version;
    return p;
  }
  const ParserInfo& info_;
  const ParseInput& in_;
  ArtifactSink& sink_;
  std::string table_;
  std::optional<int64_t> rowid_;
  std::optional<RecoveredOrigin> recovered_;
};

std::string quote_ident(std::string_view name) {
  std::string q = "\"";
  for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// file: URI of a path, for ATTACH with mode=ro (only the characters URIs reserve are escaped).
std::string file_uri(const std::filesystem::path& p) {
  std::string out = "file:";
  for (char c : std::filesystem::absolute(p).string()) {
    if (c == '%' || c == '?' || c == '#') out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    else out += c;
  }
  return out + "?mode=ro";
}

void bind_value(sql::Stmt& st, int i, const sqlite_forensic::Value& v) {
  using T = sqlite_forensic::Value::Type;
  switch (v.type) {
    case T::integer: st.bind(i, v.i); break;
    case T::real: st.bind(i, v.r); break;
    case T::text: st.bind(i, std::string_view(v.s)); break;
    case T::blob: st.bind_blob(i, v.s.data(), v.s.size()); break;
    default: st.bind_null(i);
  }
}

// The recovery pass. Recovered rows of a query's source table are put in an in-memory "shadow" table of
// the same name (no constraints), in a database that attaches the working copy read-only, so every other
// table the query joins still resolves to the live data. The parser's own query then runs unchanged and
// only rows whose `_rowid` is a recovered one are handed to its row handler. Rows with the same rowid
// (older versions of one row) go through in separate batches; a row whose rowid was destroyed gets a
// negative stand-in rowid and is reported with the rowid unknown.
void run_recovery_pass(const ParseInput& in, const sql::Db& live, const std::vector<const Query*>& chosen,
                       Emitter& out) {
  namespace sf = sqlite_forensic;
  sf::RecoveryResult res = sf::recover_file(in.working_copy);
  sf::drop_live_duplicates(live, res);
  if (res.rows.empty()) return;
  std::map<std::string, std::vector<const sf::RecoveredRow*>> by_table;
  for (const auto& r : res.rows)
    if (!r.table_dropped) by_table[r.table].push_back(&r);
  std::unordered_map<std::string, const sf::TableSchema*> schema;
  for (const auto& t : res.tables) schema[t.name] = &t;

  sql::Db shadow(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  {
    sql::Stmt attach(shadow, "ATTACH DATABASE ?1 AS live");
    attach.bind(1, file_uri(in.working_copy));
    attach.run();
  }
  std::set<std::string> created;
  for (const Query* q : chosen) {
    auto rows_it = by_table.find(q->source_table);
    if (rows_it == by_table.end() || !schema.count(q->source_table)) continue;
    const sf::TableSchema& t = *schema[q->source_table];
    std::string name = quote_ident(t.name);
    if (created.insert(t.name).second) {
      std::string cols;
      for (size_t i = 0; i < t.columns.size(); ++i) {
        cols += (i ? ", " : "") + quote_ident(t.columns[i].name) + " " + t.columns[i].declared;
        if (static_cast<int>(i) == t.ipk) cols += " PRIMARY KEY";
      }
      shadow.exec("CREATE TABLE main." + name + " (" + cols + ")");
    }
    std::string insert_cols = "rowid", params = "?1";
    int n = 1;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (static_cast<int>(i) == t.ipk) continue;
      insert_cols += ", " + quote_ident(t.columns[i].name);
      params += fmt::format(", ?{}", ++n);
    }
    // Batches with unique rowids: the k-th version of a rowid goes into batch k.
    std::vector<std::map<int64_t, const sf::RecoveredRow*>> batches;
    std::map<int64_t, size_t> versions;
    int64_t stand_in = 0;
    for (const auto* r : rows_it->second) {
      int64_t rowid = r->rowid ? *r->rowid : --stand_in;
      size_t k = versions[rowid]++;
      if (batches.size() <= k) batches.resize(k + 1);
      batches[k][rowid] = r;
    }
    for (const auto& batch : batches) {
      shadow.exec("DELETE FROM main." + name);
      {
        sql::Stmt ins(shadow, "INSERT INTO main." + name + " (" + insert_cols + ") VALUES (" + params + ")");
        for (const auto& [rowid, r] : batch) {
          ins.bind(1, rowid);
          int p = 1;
          for (size_t i = 0; i < t.columns.size() && i < r->values.size(); ++i)
            if (static_cast<int>(i) != t.ipk) bind_value(ins, ++p, r->values[i]);
          ins.run();
        }
      }
      sql::Stmt st(shadow, q->sql);
      std::vector<std::string> names;
      int rowid_col = -1;
      for (int i = 0; i < st.column_count(); ++i) {
        names.push_back(st.column_name(i));
        if (names.back() == "_rowid") rowid_col = i;
      }
      if (rowid_col < 0) break;  // the query does not say which row it read: nothing can be attributed
      while (st.step()) {
        auto id = st.opt_i64(rowid_col);
        auto hit = id ? batch.find(*id) : batch.end();
        if (hit == batch.end()) continue;  // a live row reached through a join, not a recovered one
        const sf::RecoveredRow& r = *hit->second;
        std::string in_file =
            r.file == sf::SourceFile::main ? "" : fmt::format(" (offset in the {})", sf::source_file_name(r.file));
        std::string detail = fmt::format("{}{}, {}, conf {:.2f}", r.detail, in_file, r.how, r.confidence);
        out.set_row(q->source_table, r.rowid);
        out.set_recovered(Emitter::RecoveredOrigin{static_cast<int64_t>(r.offset), std::move(detail)});
        Row row(st, names);
        try {
          q->on_row(row, out);
        } catch (const std::exception& e) {
          out.warn(fmt::format("row skipped: {}", e.what()));
        }
        out.set_recovered(std::nullopt);
      }
    }
  }
}

}  // namespace

std::string unmet_needs(const sql::Db& db, const std::vector<TableNeed>& needs) {
  for (const auto& need : needs) {
    auto cols = db.columns(need.table);
    if (cols.empty()) return fmt::format("table `{}` is missing", need.table);
    std::set<std::string> have(cols.begin(), cols.end());
    for (const auto& c : need.columns)
      if (!have.count(c)) return fmt::format("column `{}.{}` is missing", need.table, c);
  }
  return {};
}

void SqliteParser::parse(const ParseInput& in, ArtifactSink& sink) {
  if (std::string why = sql::check_sqlite_file(in.working_copy); !why.empty())
    throw Error(ExitCode::corrupt_input, why);
  sql::Db db(in.working_copy, SQLITE_OPEN_READONLY);
  input_ = &in;
  Emitter out(info(), in, sink);
  on_open(db, out);

  std::vector<Query> qs = queries();
  // Group order is declaration order; within a group the first satisfied variant runs.
  std::vector<std::string> groups;
  for (const auto& q : qs)
    if (std::find(groups.begin(), groups.end(), q.group) == groups.end()) groups.push_back(q.group);

  std::vector<const Query*> ran;
  for (const auto& group : groups) {
    const Query* chosen = nullptr;
    std::string reasons;
    bool required = false;
    for (const auto& q : qs) {
      if (q.group != group) continue;
      required = required || q.required;
      std::string why = unmet_needs(db, q.needs);
      if (why.empty()) {
        chosen = &q;
        break;
      }
      reasons += fmt::format("{}variant \"{}\": {}", reasons.empty() ? "" : "; ", q.variant, why);
    }
    if (!chosen) {
      if (required) {
        out.set_row({}, std::nullopt);
        out.warn(fmt::format("schema not recognised for `{}` ({}); these records were not parsed", group, reasons));
      }
      continue;
    }
    ran.push_back(chosen);
    int64_t rows = 0;
    try {
      sql::Stmt st(db, chosen->sql);
      std::vector<std::string> names;
      for (int i = 0; i < st.column_count(); ++i) names.push_back(st.column_name(i));
      int rowid_col = -1;
      for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == "_rowid") rowid_col = static_cast<int>(i);
      while (st.step()) {
        ++rows;
        out.set_row(chosen->source_table, rowid_col >= 0 ? st.opt_i64(rowid_col) : std::nullopt);
        Row row(st, names);
        try {
          chosen->on_row(row, out);
        } catch (const std::exception& e) {
          out.warn(fmt::format("row skipped: {}", e.what()));
        }
      }
    } catch (const Error& e) {
      // The query itself failed (corrupt page, malformed schema): keep what was read, say where it stopped.
      out.set_row(chosen->source_table, std::nullopt);
      out.warn(fmt::format("query `{}` stopped after {} rows: {}", group, rows, e.what()));
    }
  }

  if (in.recover_deleted) {
    try {
      run_recovery_pass(in, db, ran, out);
    } catch (const std::exception& e) {
      out.set_recovered(std::nullopt);
      out.set_row({}, std::nullopt);
      out.warn(fmt::format("deleted-record recovery stopped: {}", e.what()));
    }
  }
}

const ParserEntry* find_parser(std::string_view id) {
  for (const auto& e : parser_registry())
    if (e.info().id == id) return &e;
  return nullptr;
}

}  // namespace kanshiki
