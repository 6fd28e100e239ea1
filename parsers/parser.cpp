#include "parsers/parser.h"

#include <fmt/format.h>

#include <charconv>
#include <exception>
#include <set>

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
  void emit(ArtifactData data) override { emit_from(std::move(data), table_, rowid_); }
  void emit_from(ArtifactData data, std::string_view table, std::optional<int64_t> rowid) override {
    Record r{base(), std::move(data)};
    r.provenance.source_table = std::string(table);
    r.provenance.source_rowid = rowid;
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
    w.message = std::move(message);
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
};

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
  Emitter out(info(), in, sink);
  on_open(db, out);

  std::vector<Query> qs = queries();
  // Group order is declaration order; within a group the first satisfied variant runs.
  std::vector<std::string> groups;
  for (const auto& q : qs)
    if (std::find(groups.begin(), groups.end(), q.group) == groups.end()) groups.push_back(q.group);

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
}

const ParserEntry* find_parser(std::string_view id) {
  for (const auto& e : parser_registry())
    if (e.info().id == id) return &e;
  return nullptr;
}

}  // namespace kanshiki
