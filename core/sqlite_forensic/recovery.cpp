#include "core/sqlite_forensic/recovery.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "core/sqlite_forensic/page_reader.h"

namespace kanshiki::sqlite_forensic {

std::string_view source_file_name(SourceFile f) {
  switch (f) {
    case SourceFile::wal:
      return "WAL";
    case SourceFile::journal:
      return "rollback journal";
    default:
      return "main file";
  }
}

namespace {

// Where a page image came from, for provenance.
struct PageOrigin {
  SourceFile file = SourceFile::main;
  uint64_t offset = 0;  // offset of the page image in its file
  uint32_t frame = 0;
  std::string label;  // "page 7", "WAL frame 5 (superseded) page 7"
};

enum class PageRole { live, historical, freelist_leaf, freelist_trunk };

class Recoverer {
 public:
  Recoverer(Bytes db, Bytes wal, Bytes journal, const RecoveryOptions& opt)
      : db_(db), wal_bytes_(wal), journal_bytes_(journal), opt_(opt) {}

  RecoveryResult run() {
    auto header = parse_db_header(db_);
    if (!header) {
      result_.notes.push_back("not a SQLite database (bad header); nothing recovered");
      return std::move(result_);
    }
    header_ = *header;
    if (opt_.wal && !wal_bytes_.empty()) {
      wal_ = read_wal(wal_bytes_, header_.page_size);
      if (wal_.page_size != header_.page_size) {
        result_.notes.push_back("WAL page size differs from the database; WAL ignored");
        wal_ = {};
      }
      for (const auto& f : wal_.frames)
        if (f.current) current_frame_[f.pgno] = &f;
    }
    // The live header may itself be in the WAL (all content in the WAL).
    if (auto cur = parse_db_header(fetch_current(1)); cur && cur->page_size == header_.page_size)
      header_ = *cur;
    page_count_ = wal_.db_pages ? wal_.db_pages : header_.page_count;
    page_count_ = std::min<uint32_t>(page_count_, std::max<uint64_t>(db_.size() / header_.page_size, 1) +
                                                      static_cast<uint32_t>(wal_.frames.size()));

    result_.tables.push_back(sqlite_master_schema());
    read_schema();
    pass();
    // Dropped tables: their CREATE statements survive in recovered sqlite_master records.
    if (add_dropped_tables()) {
      result_.rows.clear();
      result_.bytes_scanned = 0;
      pass();
    }
    return std::move(result_);
  }

 private:
  Bytes main_page(uint32_t pgno) const {
    uint64_t off = uint64_t(pgno - 1) * header_.page_size;
    if (pgno == 0 || off + header_.page_size > db_.size()) return {};
    // The tree walks and the page scan each touch every page once; on a memory-mapped file the touched
    // pages stay resident until released, so they are let go every kResidentBudget bytes.
    touched_ += header_.page_size;
    if (opt_.release_resident && touched_ >= kResidentBudget) {
      touched_ = 0;
      opt_.release_resident();
    }
    return db_.substr(off, header_.page_size);
  }

  Bytes fetch_current(uint32_t pgno) const {
    if (auto it = current_frame_.find(pgno); it != current_frame_.end()) return it->second->page;
    return main_page(pgno);
  }

  void read_schema() {
    std::vector<std::vector<Value>> records;
    walk_table_tree(1, [&](Bytes page, uint32_t pgno) {
      for_each_cell(page, pgno,
                    [&](const LeafCell&, std::vector<Value> v) { records.push_back(std::move(v)); });
    });
    for (auto& v : records) {
      if (v.size() < 5 || v[0].type != Value::Type::text || v[1].type != Value::Type::text) continue;
      const std::string& type = v[0].s;
      const std::string& name = v[1].s;
      uint32_t root = v[3].type == Value::Type::integer ? static_cast<uint32_t>(v[3].i) : 0;
      if (type == "index") {
        index_roots_.push_back(root);
        continue;
      }
      if (type != "table" || name.rfind("sqlite_", 0) == 0 || v[4].type != Value::Type::text) continue;
      live_names_.insert(name);
      if (auto t = schema_from_sql(name, v[4].s)) {
        t->root_page = root;
        if (t->without_rowid) index_roots_.push_back(root);  // a WITHOUT ROWID table is an index b-tree
        result_.tables.push_back(std::move(*t));
      }
    }
  }

  bool add_dropped_tables() {
    bool added = false;
    std::unordered_set<std::string> known = live_names_;
    for (const auto& r : result_.rows) {
      if (r.table != "sqlite_master" || r.values.size() != 5) continue;
      const auto& v = r.values;
      if (v[0].type != Value::Type::text || v[0].s != "table" || v[1].type != Value::Type::text ||
          v[4].type != Value::Type::text || v[1].s.rfind("sqlite_", 0) == 0 || known.count(v[1].s))
        continue;
      if (auto t = schema_from_sql(v[1].s, v[4].s); t && !t->without_rowid) {
        t->dropped = true;
        t->root_page = v[3].type == Value::Type::integer ? static_cast<uint32_t>(v[3].i) : 0;
        known.insert(t->name);
        result_.tables.push_back(std::move(*t));
        added = true;
      }
    }
    return added;
  }

  // Visits the leaf pages of the table b-tree rooted at `root` in the current (WAL-applied) view.
  template <typename F>
  void walk_table_tree(uint32_t root, F&& on_leaf) {
    std::deque<uint32_t> todo{root};
    std::unordered_set<uint32_t> seen;
    while (!todo.empty()) {
      uint32_t pgno = todo.front();
      todo.pop_front();
      if (pgno == 0 || pgno > page_count_ || !seen.insert(pgno).second) continue;
      Bytes page = fetch_current(pgno);
      auto bp = parse_btree_page(page, pgno, header_.usable());
      if (!bp) continue;
      if (bp->type == kTableLeaf) {
        on_leaf(page, pgno);
      } else if (bp->type == kTableInterior) {
        tree_pages_.insert(pgno);
        for (uint16_t off : cell_pointers(page, *bp, header_.usable()))
          if (off + 4 <= header_.usable()) todo.push_back(be32(ubytes(page) + off));
        todo.push_back(bp->right_child);
      }
    }
  }

  void mark_index_tree(uint32_t root) {
    std::deque<uint32_t> todo{root};
    while (!todo.empty()) {
      uint32_t pgno = todo.front();
      todo.pop_front();
      if (pgno == 0 || pgno > page_count_ || !tree_pages_.insert(pgno).second) continue;
      Bytes page = fetch_current(pgno);
      auto bp = parse_btree_page(page, pgno, header_.usable());
      if (!bp || bp->type != kIndexInterior) continue;
      for (uint16_t off : cell_pointers(page, *bp, header_.usable()))
        if (off + 4 <= header_.usable()) todo.push_back(be32(ubytes(page) + off));
      todo.push_back(bp->right_child);
    }
  }

  // Calls f(cell, values) for each decodable cell of a table-leaf page.
  template <typename F>
  void for_each_cell(Bytes page, uint32_t pgno, F&& f) {
    auto bp = parse_btree_page(page, pgno, header_.usable());
    if (!bp || bp->type != kTableLeaf) return;
    auto fetch = [this](uint32_t p) { return fetch_current(p); };
    for (uint16_t off : cell_pointers(page, *bp, header_.usable())) {
      auto cell = parse_table_leaf_cell(page, off, header_.usable(), header_.usable());
      if (!cell) continue;
      bool complete = true;
      std::string payload = cell->overflow ? assemble_payload(*cell, fetch, header_.usable(), &complete)
                                           : std::string(cell->local);
      if (!complete) continue;
      auto values = decode_record(payload, header_.encoding);
      if (values) f(*cell, std::move(*values));
    }
  }

  void pass() {
    owner_.assign(size_t(page_count_) + 1, -1);
    tree_pages_.clear();
    for (size_t ti = 0; ti < result_.tables.size(); ++ti) {
      const auto& t = result_.tables[ti];
      if (t.without_rowid || t.dropped || t.root_page == 0) continue;
      walk_table_tree(t.root_page, [&](Bytes, uint32_t pgno) {
        owner_[pgno] = static_cast<int>(ti);
        tree_pages_.insert(pgno);
      });
    }
    for (uint32_t r : index_roots_) mark_index_tree(r);
    Freelist fl = read_freelist(
        header_, [this](uint32_t p) { return fetch_current(p); }, page_count_);
    std::unordered_set<uint32_t> trunks(fl.trunks.begin(), fl.trunks.end());
    std::unordered_set<uint32_t> leaves(fl.leaves.begin(), fl.leaves.end());
    // A dropped table's root page, when free, most likely still holds that table's rows.
    for (size_t ti = 0; ti < result_.tables.size(); ++ti)
      if (result_.tables[ti].dropped && result_.tables[ti].root_page <= page_count_ &&
          owner_[result_.tables[ti].root_page] < 0)
        owner_[result_.tables[ti].root_page] = static_cast<int>(ti);
    carver_.emplace(result_.tables, header_.encoding, header_.usable());

    if (opt_.main_file || !current_frame_.empty()) {
      for (uint32_t pgno = 1; pgno <= page_count_; ++pgno) {
        if (is_ptrmap_page(header_, pgno)) continue;
        PageOrigin o = current_origin(pgno);
        if (o.file == SourceFile::main && !opt_.main_file) continue;
        Bytes page = fetch_current(pgno);
        if (page.empty()) continue;
        int owner = owner_[pgno];
        if (trunks.count(pgno)) {
          o.label = fmt::format("freelist trunk page {}", pgno) + o.label;
          process(page, pgno, PageRole::freelist_trunk, owner, o);
        } else if (leaves.count(pgno)) {
          o.label = fmt::format("freelist leaf page {}", pgno) + o.label;
          process(page, pgno, PageRole::freelist_leaf, owner, o);
        } else if (owner >= 0) {
          o.label = fmt::format("page {}", pgno) + o.label;
          process(page, pgno, PageRole::live, owner, o);
        }
      }
    }
    if (opt_.main_file) {
      // Main-file pages the WAL has replaced: the older versions.
      for (const auto& [pgno, frame] : current_frame_) {
        Bytes page = main_page(pgno);
        if (page.empty() || is_ptrmap_page(header_, pgno)) continue;
        PageOrigin o{SourceFile::main, uint64_t(pgno - 1) * header_.page_size, 0,
                     fmt::format("page {} (older than WAL frame {})", pgno, frame->index)};
        process(page, pgno, PageRole::historical, owner_of(pgno), o);
      }
    }
    for (const auto& f : wal_.frames) {
      if (f.current || f.pgno == 0) continue;
      PageOrigin o{SourceFile::wal, f.offset, f.index,
                   fmt::format("WAL frame {} ({}) page {}", f.index, f.state(), f.pgno)};
      process(f.page, f.pgno, PageRole::historical, owner_of(f.pgno), o);
    }
    if (opt_.journal && !journal_bytes_.empty()) {
      for (const auto& r : read_journal(journal_bytes_, header_.page_size, page_count_)) {
        PageOrigin o{SourceFile::journal, r.offset, r.index,
                     fmt::format("rollback journal page {} (record {})", r.pgno, r.index)};
        process(r.page, r.pgno, PageRole::historical, owner_of(r.pgno), o);
      }
    }
  }

  int owner_of(uint32_t pgno) const { return pgno < owner_.size() ? owner_[pgno] : -1; }

  PageOrigin current_origin(uint32_t pgno) const {
    if (auto it = current_frame_.find(pgno); it != current_frame_.end())
      return {SourceFile::wal, it->second->offset, it->second->index,
              fmt::format(" (WAL frame {}, current)", it->second->index)};
    return {SourceFile::main, uint64_t(pgno - 1) * header_.page_size, 0, ""};
  }

  void process(Bytes page, uint32_t pgno, PageRole role, int owner, const PageOrigin& origin) {
    uint32_t usable = header_.usable();
    if (page.size() < usable) return;
    result_.bytes_scanned += page.size();
    std::vector<Carved> found;
    auto bp = parse_btree_page(page, pgno, usable);
    bool table_leaf = bp && bp->type == kTableLeaf;
    if (bp && (bp->type == kIndexLeaf || bp->type == kIndexInterior) && role != PageRole::freelist_trunk)
      return;
    if (role == PageRole::freelist_trunk) {
      // Bytes 0-7 hold the trunk fields; the leaf list follows. The rest is the page's former content,
      // whose cell pointer array (from byte 8) may still point at intact cells.
      uint32_t n = std::min<uint32_t>(be32(ubytes(page) + 4), usable / 4 - 2);
      size_t begin = 8 + 4 * size_t(n);
      // Twice: the first pass learns the table's record template from the intact records.
      carver_->carve_unstructured(page, begin, usable, owner, found);
      found.clear();
      carver_->carve_unstructured(page, begin, usable, owner, found);
      emit(found, pgno, origin, "");
      return;
    }
    if (role != PageRole::live && table_leaf) {
      // An older version of a page (or a page freed whole): its cells were valid rows at that time.
      auto fetch = [this](uint32_t p) { return fetch_current(p); };
      for (uint16_t off : cell_pointers(page, *bp, usable)) {
        auto cell = parse_table_leaf_cell(page, off, usable, usable);
        if (!cell) continue;
        bool complete = true;
        std::string payload =
            cell->overflow ? assemble_payload(*cell, fetch, usable, &complete) : std::string(cell->local);
        auto h = parse_record_header(payload, 2000);
        if (!h || h->header_len + h->body_len > payload.size()) continue;
        auto values = decode_body(Bytes(payload).substr(h->header_len), h->serial_types, header_.encoding);
        if (!values) continue;
        double sc = 0;
        int t = carver_->best_table(h->serial_types, *values, owner, &sc);
        if (t < 0) continue;
        Carved c;
        c.table = t;
        c.rowid = cell->rowid;
        c.values = std::move(*values);
        c.offset = off;
        c.end = off + cell->size();
        c.confidence = (complete ? 0.99 : 0.7) * std::max(sc, 0.5);
        c.how = cell->overflow ? "cell with overflow chain" : "cell";
        c.first_type = h->serial_types.empty() ? -1 : h->serial_types[0];
        found.push_back(std::move(c));
      }
    }
    if (role == PageRole::live && table_leaf && owner >= 0) {
      // Live sibling cells are the template for rebuilding damaged headers of this table.
      auto ptrs = cell_pointers(page, *bp, usable);
      for (size_t i = 0; i < ptrs.size() && i < 16; ++i) {
        auto cell = parse_table_leaf_cell(page, ptrs[i], usable, usable);
        if (!cell) continue;
        auto h = parse_record_header(cell->local, 256);
        if (h && !h->serial_types.empty()) carver_->observe_first_type(owner, h->serial_types[0]);
      }
    }
    for (const auto& c : found) carver_->observe_first_type(c.table, c.first_type);
    if (bp && (bp->type == kTableLeaf || bp->type == kTableInterior)) {
      for (const auto& region : free_regions(page, *bp, usable)) {
        std::vector<Carved> here;
        if (region.freeblock)
          carver_->carve_region(page, region.begin, region.end, true, owner, here);
        else
          carver_->carve_unstructured(page, region.begin, region.end, owner, here);
        emit(here, pgno, origin, region.freeblock ? "freeblock in " : "unallocated space in ");
      }
    } else if (role != PageRole::live && !bp) {
      carver_->carve_unstructured(page, 0, usable, owner, found);  // not a b-tree page any more
      found.clear();
      carver_->carve_unstructured(page, 0, usable, owner, found);
    }
    emit(found, pgno, origin, role == PageRole::live ? "" : "");
  }

  void emit(std::vector<Carved>& found, uint32_t pgno, const PageOrigin& origin, std::string_view where) {
    for (auto& c : found) {
      const TableSchema& t = result_.tables[c.table];
      RecoveredRow r;
      r.table = t.name;
      r.table_dropped = t.dropped;
      r.rowid = c.rowid;
      r.values = std::move(c.values);
      r.values.resize(t.columns.size());  // records older than ALTER TABLE ADD COLUMN read as NULL there
      if (t.ipk >= 0 && c.rowid) {
        r.values[t.ipk].type = Value::Type::integer;
        r.values[t.ipk].i = *c.rowid;
      }
      r.file = origin.file;
      r.offset = origin.offset + c.offset + (origin.file == SourceFile::main ? opt_.base_offset : 0);
      r.page = pgno;
      r.frame = origin.frame;
      r.detail = std::string(where) + origin.label;
      r.confidence = std::round(c.confidence * 100) / 100;
      r.how = c.how;
      result_.rows.push_back(std::move(r));
    }
    found.clear();
  }

  static constexpr uint64_t kResidentBudget = 64u << 20;
  mutable uint64_t touched_ = 0;
  Bytes db_, wal_bytes_, journal_bytes_;
  RecoveryOptions opt_;
  DbHeader header_;
  Wal wal_;
  std::unordered_map<uint32_t, const WalFrame*> current_frame_;
  uint32_t page_count_ = 0;
  std::unordered_set<std::string> live_names_;
  std::vector<uint32_t> index_roots_;
  std::vector<int> owner_;
  std::unordered_set<uint32_t> tree_pages_;
  std::optional<Carver> carver_;
  RecoveryResult result_;
};

// A value key that treats an integral REAL like the INTEGER SQLite stores for it (REAL affinity).
void append_key(std::string& key, const Value& v) {
  switch (v.type) {
    case Value::Type::null:
      key += "n;";
      return;
    case Value::Type::integer:
      key += fmt::format("i{};", v.i);
      return;
    case Value::Type::real:
      if (std::floor(v.r) == v.r && std::fabs(v.r) < 9e18)
        key += fmt::format("i{};", static_cast<int64_t>(v.r));
      else
        key += fmt::format("r{:.17g};", v.r);
      return;
    default:
      key += fmt::format("{}{}:", v.type == Value::Type::text ? 't' : 'b', v.s.size());
      key += v.s;
      key += ';';
  }
}

std::string content_key(const std::vector<Value>& values, int skip_column) {
  std::string key;
  for (size_t i = 0; i < values.size(); ++i) {
    if (static_cast<int>(i) == skip_column) continue;
    append_key(key, values[i]);
  }
  return key;
}

Value value_from(const sql::Stmt& st, int i) {
  Value v;
  switch (st.type(i)) {
    case SQLITE_INTEGER:
      v.type = Value::Type::integer;
      v.i = st.i64(i);
      break;
    case SQLITE_FLOAT:
      v.type = Value::Type::real;
      v.r = st.real(i);
      break;
    case SQLITE_TEXT:
      v.type = Value::Type::text;
      v.s = std::string(st.text_view(i));
      break;
    case SQLITE_BLOB:
      v.type = Value::Type::blob;
      v.s = std::string(st.blob(i));
      break;
    default:
      break;
  }
  return v;
}

std::string quote_ident(std::string_view name) {
  std::string q = "\"";
  for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

RecoveryResult recover(Bytes db, Bytes wal, Bytes journal, const RecoveryOptions& opt) {
  return Recoverer(db, wal, journal, opt).run();
}

RecoveryResult recover_file(const std::filesystem::path& db_path, const RecoveryOptions& opt) {
  MappedFile db(db_path);
  MappedFile wal(db_path.string() + "-wal");
  MappedFile journal(db_path.string() + "-journal");
  RecoveryOptions with_release = opt;
  if (!with_release.release_resident) with_release.release_resident = [&db] { db.release(0, db.bytes().size()); };
  return recover(db.bytes(), wal.bytes(), journal.bytes(), with_release);
}

void drop_live_duplicates(const sql::Db& live, RecoveryResult& result) {
  std::unordered_map<std::string, const TableSchema*> schema;
  for (const auto& t : result.tables) schema[t.name] = &t;
  std::unordered_map<std::string, std::unordered_set<std::string>> live_keys;  // table -> content keys
  auto live_content = [&](const TableSchema& t) -> const std::unordered_set<std::string>& {
    auto [it, fresh] = live_keys.try_emplace(t.name);
    if (fresh && live.table_exists(t.name)) {
      try {
        sql::Stmt st(live, "SELECT * FROM " + quote_ident(t.name));
        while (st.step()) {
          std::vector<Value> v;
          for (int i = 0; i < st.column_count(); ++i) v.push_back(value_from(st, i));
          it->second.insert(content_key(v, t.ipk));
        }
      } catch (const Error&) {
        // An unreadable live table leaves nothing to compare with; the rows stay (they are not live).
      }
    }
    return it->second;
  };

  std::vector<RecoveredRow> kept;
  std::unordered_set<std::string> seen;          // table + rowid + content of rows already kept
  std::unordered_set<std::string> seen_content;  // table + content of rows kept with a known rowid
  std::unordered_map<std::string, std::unique_ptr<sql::Stmt>> by_rowid;
  for (auto& r : result.rows) {
    if (r.table == "sqlite_master") continue;  // schema records are not evidence rows
    const TableSchema* t = schema.count(r.table) ? schema[r.table] : nullptr;
    int ipk = t ? t->ipk : -1;
    std::string content = r.table + '\x1f' + content_key(r.values, ipk);
    if (!r.table_dropped && t) {
      if (live_content(*t).count(content_key(r.values, ipk))) {
        // Same values as a live row. With a known rowid only the same row counts as a duplicate.
        if (!r.rowid) continue;
        auto& st = by_rowid[r.table];
        try {
          if (!st)
            st = std::make_unique<sql::Stmt>(live,
                                             "SELECT * FROM " + quote_ident(r.table) + " WHERE rowid = ?1");
          st->reset();
          st->bind(1, *r.rowid);
          if (st->step()) {
            std::vector<Value> v;
            for (int i = 0; i < st->column_count(); ++i) v.push_back(value_from(*st, i));
            if (content_key(v, ipk) == content_key(r.values, ipk)) continue;
          }
        } catch (const Error&) {
        }
      }
    }
    std::string key = content + '\x1f' + (r.rowid ? std::to_string(*r.rowid) : "?");
    if (!seen.insert(key).second) continue;
    if (r.rowid) seen_content.insert(content);
    kept.push_back(std::move(r));
  }
  // A row seen once with its rowid and once without (a freeblock copy) is the same row.
  std::vector<RecoveredRow> out;
  for (auto& r : kept) {
    if (!r.rowid) {
      const TableSchema* t = schema.count(r.table) ? schema[r.table] : nullptr;
      if (seen_content.count(r.table + '\x1f' + content_key(r.values, t ? t->ipk : -1))) continue;
    }
    out.push_back(std::move(r));
  }
  result.rows = std::move(out);
}

}  // namespace kanshiki::sqlite_forensic
