#include "core/sqlite_forensic/carver.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

#include "core/sqlite_forensic/page_reader.h"

namespace kanshiki::sqlite_forensic {

Affinity affinity_of(std::string_view declared) {
  std::string t(declared);
  for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (t.find("INT") != std::string::npos) return Affinity::integer;
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos ||
      t.find("TEXT") != std::string::npos)
    return Affinity::text;
  if (t.find("BLOB") != std::string::npos || t.empty()) return Affinity::blob;
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos ||
      t.find("DOUB") != std::string::npos)
    return Affinity::real;
  return Affinity::numeric;
}

std::optional<TableSchema> schema_from_sql(const std::string& table_name, const std::string& create_sql) {
  // Our own tiny in-memory database, never the evidence: SQLite parses the statement exactly as it did
  // when the table was made.
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return std::nullopt;
  }
  std::optional<TableSchema> out;
  if (sqlite3_exec(db, create_sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT name, type, pk FROM pragma_table_info(?1)", -1, &st, nullptr) ==
        SQLITE_OK) {
      sqlite3_bind_text(st, 1, table_name.c_str(), -1, SQLITE_TRANSIENT);
      TableSchema t;
      t.name = table_name;
      t.sql = create_sql;
      int pk_count = 0, pk_col = -1;
      std::string pk_type;
      while (sqlite3_step(st) == SQLITE_ROW) {
        ColumnSchema c;
        auto txt = [&](int i) {
          auto p = sqlite3_column_text(st, i);
          return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
        };
        c.name = txt(0);
        c.declared = txt(1);
        c.affinity = affinity_of(c.declared);
        if (sqlite3_column_int(st, 2) > 0) {
          ++pk_count;
          pk_col = static_cast<int>(t.columns.size());
          pk_type = c.declared;
        }
        t.columns.push_back(std::move(c));
      }
      sqlite3_finalize(st);
      static const std::regex without_rowid(R"(\)\s*WITHOUT\s+ROWID\s*;?\s*$)", std::regex::icase);
      static const std::regex pk_desc(R"(PRIMARY\s+KEY\s+DESC)", std::regex::icase);
      t.without_rowid = std::regex_search(create_sql, without_rowid);
      for (auto& ch : pk_type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      // Only a lone "INTEGER PRIMARY KEY" (not DESC) aliases the rowid (lang_createtable.html#rowid).
      if (pk_count == 1 && pk_type == "INTEGER" && !t.without_rowid &&
          !std::regex_search(create_sql, pk_desc))
        t.ipk = pk_col;
      if (!t.columns.empty()) out = std::move(t);
    }
  }
  sqlite3_close(db);
  return out;
}

TableSchema sqlite_master_schema() {
  TableSchema t;
  t.name = "sqlite_master";
  t.root_page = 1;
  for (auto [n, d] : {std::pair{"type", "text"},
                      {"name", "text"},
                      {"tbl_name", "text"},
                      {"rootpage", "int"},
                      {"sql", "text"}})
    t.columns.push_back({n, d, affinity_of(d)});
  return t;
}

namespace {

bool is_int_type(int64_t t) { return (t >= 1 && t <= 6) || t == 8 || t == 9; }

// Candidate serial types for a column whose header byte was destroyed (fixed-size ones; TEXT/BLOB lengths
// are derived from where the record must end).
std::vector<int64_t> fixed_candidates(Affinity a) {
  switch (a) {
    case Affinity::text:
      return {0};
    case Affinity::real:
      return {7, 1, 2, 3, 4, 5, 6, 8, 9, 0};
    default:
      return {1, 2, 3, 4, 5, 6, 8, 9, 7, 0};
  }
}

}  // namespace

std::optional<double> Carver::score(int table, const std::vector<int64_t>& types,
                                    const std::vector<Value>& values, bool strict) const {
  const TableSchema& t = tables_[table];
  if (types.empty() || types.size() > t.columns.size()) return std::nullopt;
  double total = 0;
  int meaningful = 0;
  for (size_t i = 0; i < types.size(); ++i) {
    int64_t st = types[i];
    Affinity a = t.columns[i].affinity;
    double s = 1.0;
    if (static_cast<int>(i) == t.ipk) {
      // The rowid alias is stored as NULL; anything else means this is not that table.
      if (st != 0) return std::nullopt;
    } else if (st == 0) {
      s = 0.9;
    } else if (is_int_type(st)) {
      if (a == Affinity::text) return std::nullopt;  // TEXT affinity turns numbers into text
      ++meaningful;
    } else if (st == 7) {
      if (a == Affinity::text) return std::nullopt;
      if (a == Affinity::integer) {
        if (strict) return std::nullopt;
        s = 0.8;  // only reals that do not fit an integer
      }
      ++meaningful;
    } else if (st % 2 == 1) {  // text
      double p = text_plausibility(values[i].s);
      if (p < 0.9) return std::nullopt;
      if (a == Affinity::integer || a == Affinity::real || a == Affinity::numeric) {
        if (strict) return std::nullopt;
        s = 0.6;
      }
      s *= p;
      ++meaningful;
    } else {  // blob
      if (strict && a != Affinity::blob) return std::nullopt;
      if (a == Affinity::text)
        s = 0.5;
      else if (a != Affinity::blob)
        s = 0.4;
      ++meaningful;
    }
    total += s;
  }
  if (meaningful == 0) return std::nullopt;  // all NULL: says nothing
  // Nothing but NULLs, zeros and empty values is what zeroed or unused space decodes to.
  bool informative = false;
  for (size_t i = 0; i < types.size() && !informative; ++i)
    informative = static_cast<int>(i) != t.ipk && types[i] != 0 && types[i] != 8 && types[i] != 12 &&
                  types[i] != 13 && !(types[i] >= 1 && types[i] <= 6 && values[i].i == 0);
  if (!informative) return std::nullopt;
  // Without a cell head, a couple of small integers is what random bytes look like.
  bool has_text = std::any_of(types.begin(), types.end(), [](int64_t st) { return st >= 13 && st % 2 == 1; });
  if (strict && !has_text && (meaningful < 3 || meaningful * 4 < static_cast<int>(types.size()))) return std::nullopt;
  if (strict) {
    // Subnormal, infinite or NaN doubles are what misaligned bytes decode to, not stored values.
    for (size_t i = 0; i < types.size(); ++i)
      if (types[i] == 7 && (!std::isfinite(values[i].r) || (values[i].r != 0 && std::fabs(values[i].r) < 1e-300)))
        return std::nullopt;
  }
  double sc = total / static_cast<double>(types.size());
  if (types.size() < t.columns.size()) sc *= 0.9;  // older record from before an ALTER TABLE ADD COLUMN
  return sc;
}

int Carver::best_table(const std::vector<int64_t>& types, const std::vector<Value>& values, int owner,
                       double* score_out, bool strict) const {
  if (owner >= 0 && !tables_[owner].without_rowid && types.size() == tables_[owner].columns.size()) {
    if (auto s = score(owner, types, values, strict); s && *s >= 0.5) {
      *score_out = *s;
      return owner;
    }
  }
  int best = -1;
  double best_score = 0;
  for (size_t i = 0; i < tables_.size(); ++i) {
    if (tables_[i].without_rowid) continue;
    auto s = score(static_cast<int>(i), types, values, strict);
    if (s && *s > best_score) {
      best_score = *s;
      best = static_cast<int>(i);
    }
  }
  *score_out = best_score;
  return best;
}

std::optional<Carved> Carver::try_intact_cell(Bytes page, size_t pos, size_t end, int owner) const {
  auto cell = parse_table_leaf_cell(page, pos, end, usable_);
  if (!cell || cell->overflow || cell->rowid < 1) return std::nullopt;  // SQLite assigns rowids from 1
  auto h = parse_record_header(cell->local, 256);
  if (!h || h->header_len < 2 || h->header_len + h->body_len != cell->payload_len) return std::nullopt;
  auto values = decode_body(cell->local.substr(h->header_len), h->serial_types, enc_);
  if (!values) return std::nullopt;
  double sc = 0;
  int t = best_table(h->serial_types, *values, owner, &sc);
  if (t < 0 || sc < 0.6) return std::nullopt;
  Carved c;
  c.table = t;
  c.rowid = cell->rowid;
  c.values = std::move(*values);
  c.offset = pos;
  c.end = pos + cell->size();
  c.confidence = 0.97 * sc;
  c.how = "intact cell";
  c.first_type = h->serial_types[0];
  return c;
}

std::optional<Carved> Carver::try_bare_record(Bytes page, size_t pos, size_t end, int owner) const {
  if (pos >= end) return std::nullopt;
  auto h = parse_record_header(page.substr(pos, end - pos), 256);
  if (!h || h->serial_types.size() < 2 || pos + h->header_len + h->body_len > end) return std::nullopt;
  auto values = decode_body(page.substr(pos + h->header_len, h->body_len), h->serial_types, enc_);
  if (!values) return std::nullopt;
  double sc = 0;
  int t = best_table(h->serial_types, *values, owner, &sc, true);
  if (t < 0 || sc < 0.75 || h->serial_types.size() != tables_[t].columns.size()) return std::nullopt;
  Carved c;
  c.table = t;
  c.values = std::move(*values);
  c.offset = pos;
  c.end = pos + h->header_len + h->body_len;
  c.confidence = 0.85 * sc;
  c.how = "record without cell head";
  c.first_type = h->serial_types[0];
  return c;
}

std::optional<Carved> Carver::rebuild_for_table(Bytes page, size_t o, size_t e, int ti) const {
  const TableSchema& t = tables_[ti];
  size_t n = t.columns.size();
  if (t.without_rowid || n == 0 || o + 5 > e) return std::nullopt;
  Bytes region = page.substr(0, e);
  std::optional<Carved> best;
  auto consider = [&](const std::vector<int64_t>& types, size_t body_start, double base, const char* how,
                      bool guessed) {
    uint64_t body_len = 0;
    for (size_t i = 0; i < types.size(); ++i) {
      int64_t st = types[i];
      body_len += serial_type_size(st).value_or(1u << 30);
      // Cheap affinity checks before anything is decoded (most candidate layouts fail here).
      Affinity a = t.columns[i].affinity;
      if (static_cast<int>(i) == t.ipk ? st != 0 : (a == Affinity::text && st > 0 && st < 12)) return;
      if (st >= 12 && st % 2 == 0 && a != Affinity::blob) return;
    }
    if (body_start + body_len > e) return;
    // A cheaper candidate already fills the region exactly with a better base: nothing to gain.
    if (best && best->end == e && best->confidence >= base) return;
    auto values = decode_body(region.substr(body_start, body_len), types, enc_);
    if (!values) return;
    auto sc = score(ti, types, *values, true);
    if (!sc || *sc < 0.75) return;
    size_t rec_end = body_start + body_len;
    double conf = base * *sc * (rec_end == e ? 1.0 : 0.85);  // a lone freed cell fills its freeblock exactly
    if (guessed) {
      // A guessed first type is only believable when some text confirms the alignment.
      if (std::none_of(types.begin(), types.end(), [](int64_t st) { return st >= 13 && st % 2 == 1; })) return;
      conf *= first_type_prior(ti, types[0]);
    }
    if (conf < 0.5) return;  // too many guesses for one record
    if (!best || conf > best->confidence) {
      Carved c;
      c.table = ti;
      c.values = std::move(*values);
      c.offset = o;
      c.end = rec_end;
      c.confidence = conf;
      c.how = how;
      c.first_type = types[0];
      c.guessed_first_type = guessed;
      best = std::move(c);
    }
  };
  // Reads `count` serial types starting at `s`; returns where the body starts.
  auto read_types = [&](size_t s, size_t count, std::vector<int64_t>& types) -> std::optional<size_t> {
    size_t pos = s;
    for (size_t i = 0; i < count; ++i) {
      size_t len = 0;
      auto st = read_varint(region, pos, &len);
      if (!st || !serial_type_size(*st)) return std::nullopt;
      types.push_back(*st);
      pos += len;
    }
    return pos;
  };
  // Layout A: payload length + rowid took 3 bytes, so only header_len (byte 3) was lost; all types follow.
  {
    std::vector<int64_t> types;
    types.reserve(n);
    if (auto body = read_types(o + 4, n, types)) {
      size_t header_len = *body - (o + 3);
      if (header_len < 128) consider(types, *body, 0.85, "rebuilt header (header length lost)", false);
    }
  }
  // Layouts B/C: payload length + rowid took 2 bytes, so header_len and the first serial type were lost.
  // B: the first type was a 1-byte varint; C: a 2-byte varint whose low byte survives at o+4.
  for (int width : {1, 2}) {
    std::vector<int64_t> rest;
    size_t types_at = o + 3 + width;
    auto body = read_types(types_at, n - 1, rest);
    if (!body) continue;
    uint64_t rest_len = 0;
    for (auto st : rest) rest_len += *serial_type_size(st);
    std::vector<int64_t> firsts;
    Affinity a0 = t.columns[0].affinity;
    if (width == 1) firsts = t.ipk == 0 ? std::vector<int64_t>{0} : fixed_candidates(a0);
    // A TEXT/BLOB first column: its length is whatever makes the record end where the freeblock ends.
    if (t.ipk != 0 && e >= *body + rest_len) {
      uint64_t len = e - *body - rest_len;
      for (int64_t st : {int64_t(13 + 2 * len), int64_t(12 + 2 * len)}) {
        bool text = st % 2 == 1;
        if (!text && a0 != Affinity::blob) continue;
        if (text && a0 != Affinity::text && a0 != Affinity::blob && a0 != Affinity::numeric) continue;
        size_t vs = varint_size(static_cast<uint64_t>(st));
        if (vs != static_cast<size_t>(width)) continue;
        if (width == 2 && (static_cast<uint64_t>(st) & 0x7f) != ubytes(region)[o + 4]) continue;
        firsts.push_back(st);
      }
    }
    std::vector<int64_t> types;
    types.reserve(n);
    for (int64_t first : firsts) {
      types.assign(1, first);
      types.insert(types.end(), rest.begin(), rest.end());
      consider(types, *body, width == 1 ? 0.8 : 0.78, "rebuilt header (first column type lost)", t.ipk != 0);
    }
  }
  return best;
}

std::optional<Carved> Carver::try_rebuild(Bytes page, size_t pos, size_t end, int owner) const {
  std::optional<Carved> best;
  for (size_t i = 0; i < tables_.size(); ++i) {
    if (owner >= 0 && static_cast<int>(i) != owner) continue;
    auto c = rebuild_for_table(page, pos, end, static_cast<int>(i));
    if (c && (!best || c->confidence > best->confidence)) best = std::move(c);
  }
  // The cell head may have been longer than 4 bytes (big rowid or payload): then the header is intact.
  // Not needed when a rebuilt record already fills the freeblock exactly.
  bool exact = best && best->end == end && best->confidence >= 0.6;
  for (size_t h = pos + 4; !exact && h <= pos + 12 && h < end; ++h) {
    auto c = try_bare_record(page, h, end, owner);
    if (c) {
      c->offset = pos;
      c->confidence *= (c->end == end ? 1.0 : 0.9);
      if (!best || c->confidence > best->confidence) best = std::move(c);
      break;
    }
  }
  return best;
}

void Carver::carve_region(Bytes page, size_t begin, size_t end, bool freeblock, int owner,
                          std::vector<Carved>& out) const {
  end = std::min(end, page.size());
  size_t pos = begin;
  bool at_cell_start = freeblock;  // a freeblock starts where a freed cell started
  while (pos + 3 < end) {
    std::optional<Carved> c;
    if (at_cell_start) {
      // Inside coalesced freeblocks a cell freed after its neighbour keeps its head; try that first.
      if (pos != begin) c = try_intact_cell(page, pos, end, owner);
      if (!c) c = try_rebuild(page, pos, end, owner);
      at_cell_start = false;
      if (!c && pos == begin) {
        pos = begin + 4;  // the freeblock header itself
        continue;
      }
    }
    if (!c) c = try_intact_cell(page, pos, end, owner);
    if (!c) c = try_bare_record(page, pos, end, owner);
    if (c) {
      pos = std::max(c->end, pos + 1);
      // Coalesced freeblocks: the next freed cell lost its first 4 bytes too.
      at_cell_start = freeblock;
      if (!c->guessed_first_type || c->end == end) observe_first_type(c->table, c->first_type);
      out.push_back(std::move(*c));
      continue;
    }
    ++pos;
  }
}

void Carver::observe_first_type(int table, int64_t serial_type) const {
  if (table < 0 || serial_type < 0) return;
  if (first_types_.size() < tables_.size()) first_types_.resize(tables_.size());
  auto& v = first_types_[table];
  for (auto& [t, n] : v)
    if (t == serial_type) {
      ++n;
      return;
    }
  v.emplace_back(serial_type, 1);
}

double Carver::first_type_prior(int table, int64_t serial_type) const {
  if (static_cast<size_t>(table) >= first_types_.size() || first_types_[table].empty()) return 1.0;
  int total = 0, match = 0;
  for (auto [t, n] : first_types_[table]) {
    total += n;
    // Texts and blobs of any length count as the same kind.
    bool same = t == serial_type || (t >= 12 && serial_type >= 12 && t % 2 == serial_type % 2);
    if (same) match += n;
  }
  return 0.6 + 0.4 * static_cast<double>(match) / total;
}

size_t Carver::check_overwritten(Bytes page, Carved& c, size_t end, int owner) const {
  // In the gap, stale copies overlap: a later cell written over the tail of an older record. When an
  // intact cell starts inside a carved record, that record's last values are not its own.
  for (size_t q = c.offset + 4; q < c.end; ++q) {
    if (try_intact_cell(page, q, end, owner)) {
      c.how += ", tail overwritten by a later cell";
      c.confidence *= 0.5;
      return q;
    }
  }
  return c.end;
}

void Carver::carve_unstructured(Bytes page, size_t begin, size_t end, int owner,
                                std::vector<Carved>& out) const {
  end = std::min(end, page.size());
  const unsigned char* p = ubytes(page);
  size_t pos = begin;
  while (pos + 3 < end) {
    std::optional<Carved> c = try_intact_cell(page, pos, end, owner);
    if (!c) c = try_bare_record(page, pos, end, owner);
    if (c) {
      pos = std::max(c->end, pos + 1);
      observe_first_type(c->table, c->first_type);
      if (c->how != "intact cell") pos = std::min(pos, check_overwritten(page, *c, end, owner));
      out.push_back(std::move(*c));
      continue;
    }
    // The page header that pointed at the freeblock chain is gone, but each freeblock's own header (next,
    // size) survives: a size that makes a rebuilt record end exactly there is the signature.
    size_t next = be16(p + pos), size = be16(p + pos + 2);
    // Sizes go stale when a freeblock next to the content area is absorbed into the gap, so the size only
    // bounds the search.
    if (size >= 8 && (next == 0 || (next >= pos + 4 && next < usable_))) {
      size_t limit = std::min(end, pos + size);
      if (try_rebuild(page, pos, limit, owner)) {
        size_t before = out.size();
        carve_region(page, pos, limit, true, owner, out);
        size_t last = out.size() > before ? out.back().end : pos + 1;
        pos = std::max(last, pos + 1);
        for (size_t i = before; i < out.size(); ++i)
          if (out[i].how != "intact cell")
            pos = std::min(pos, std::max(check_overwritten(page, out[i], end, owner), out[i].offset + 1));
        continue;
      }
    }
    ++pos;
  }
}

}  // namespace kanshiki::sqlite_forensic
