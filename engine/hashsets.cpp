#include "engine/hashsets.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <strings.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <optional>

#include "core/error.h"
#include "hashing/multi_hash.h"
#include "parsers/json_stream.h"

namespace kanshiki {
namespace {

constexpr char kSqliteMagic[] = "SQLite format 3";

std::string lower_hex(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// "md5" / "sha1" / "sha256" by the length of a hex string; empty when it is not a hash.
std::string_view algo_of(const std::string& hex) {
  switch (hex.size()) {
    case 32:
      return "md5";
    case 40:
      return "sha1";
    case 64:
      return "sha256";
    default:
      return {};
  }
}

HashSetFormat detect_format(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ExitCode::evidence_unreadable, "cannot read hash set " + file.string());
  char head[16] = {};
  in.read(head, sizeof head);
  if (in.gcount() >= 15 && std::memcmp(head, kSqliteMagic, 15) == 0) return HashSetFormat::nsrl;
  for (std::streamsize i = 0; i < in.gcount(); ++i) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    if (std::isspace(c) || c == 0xEF || c == 0xBB || c == 0xBF) continue;  // whitespace, UTF-8 BOM
    return c == '{' || c == '[' ? HashSetFormat::vics : HashSetFormat::list;
  }
  return HashSetFormat::list;
}

struct Loader {
  sql::Stmt insert;
  int64_t set_id;
  HashSetImportResult& res;

  void add(const std::string& raw_hash, const std::string& file_name, const std::string& category,
           std::string_view where) {
    std::string hex = lower_hex(raw_hash);
    std::string_view algo = algo_of(hex);
    if (algo.empty()) {
      if (res.first_rejected.empty()) res.first_rejected = fmt::format("{}: \"{}\"", where, raw_hash.substr(0, 80));
      ++res.rejected_lines;
      return;
    }
    insert.bind(1, set_id).bind(2, algo).bind(3, hex).bind(4, file_name).bind(5, category).run();
    ++res.entries;
  }
};

void load_list(const std::filesystem::path& file, Loader& loader) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ExitCode::evidence_unreadable, "cannot read hash set " + file.string());
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    // "<hash>", "<hash>  <name>" (md5sum), "<hash> *<name>" (binary mode), "<hash>,<name>" (CSV).
    size_t end = line.find_first_of(" \t,", start);
    std::string hash = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string name;
    if (end != std::string::npos) {
      size_t ns = line.find_first_not_of(" \t,*", end);
      if (ns != std::string::npos) name = line.substr(ns);
    }
    loader.add(hash, name, "", fmt::format("line {}", n));
  }
}

// Case-insensitive lookup of a string member.
std::string member(const nlohmann::json& o, std::initializer_list<const char*> keys) {
  for (auto it = o.begin(); it != o.end(); ++it) {
    for (const char* k : keys) {
      if (strcasecmp(it.key().c_str(), k) != 0) continue;
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    }
  }
  return {};
}

void load_vics(const std::filesystem::path& file, Loader& loader) {
  auto result = parsers::stream_json_records(file, [&](const parsers::JsonRecord& rec) {
    const nlohmann::json& o = rec.value;
    std::string name = member(o, {"FileName", "Name"});
    if (name.empty())
      if (auto mf = o.find("MediaFiles"); mf != o.end() && mf->is_array() && !mf->empty() && mf->front().is_object())
        name = member(mf->front(), {"FileName", "Name"});
    std::string category = member(o, {"Category"});
    std::string where = fmt::format("record {} at byte {}", rec.index, rec.offset);
    bool any = false;
    for (const auto* key : {"MD5", "SHA1", "SHA-1", "SHA256", "SHA-256"}) {
      std::string h = member(o, {key});
      if (h.empty()) continue;
      any = true;
      loader.add(h, name, category, where);
    }
    if (!any) {
      if (loader.res.first_rejected.empty()) loader.res.first_rejected = where + ": no MD5/SHA1/SHA256 member";
      ++loader.res.rejected_lines;
    }
  });
  if (!result.error.empty())
    throw Error(ExitCode::corrupt_input, fmt::format("hash set {} is not valid JSON at byte {}: {}", file.string(),
                                                     result.error_offset, result.error));
}

std::string sqlite_uri(const std::filesystem::path& p) {
  // immutable=1: SQLite neither locks nor writes anything next to the set (it may be on read-only media).
  std::string uri = "file:";
  for (char c : p.string()) {
    if (c == '?' || c == '#' || c == '%')
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    else
      uri += c;
  }
  return uri + "?mode=ro&immutable=1";
}

class AttachedNsrl {
 public:
  AttachedNsrl(sql::Db& db, const std::filesystem::path& file) : db_(db) {
    sql::Stmt at(db, "ATTACH DATABASE ?1 AS nsrl");
    at.bind(1, sqlite_uri(file)).run();
  }
  ~AttachedNsrl() {
    try {
      db_.exec("DETACH DATABASE nsrl");
    } catch (...) {
      // Detaching only fails inside an open transaction, which ends with the connection anyway.
    }
  }

 private:
  sql::Db& db_;
};

bool nsrl_has_sha256_index(sql::Db& db) {
  sql::Stmt list(db, "SELECT name FROM pragma_index_list('FILE', 'nsrl')");
  while (list.step()) {
    sql::Stmt info(db, "SELECT name FROM pragma_index_info(?1, 'nsrl') WHERE seqno = 0");
    info.bind(1, list.text(0));
    if (info.step() && strcasecmp(info.text(0).c_str(), "sha256") == 0) return true;
  }
  return false;
}

// For an NSRL set the caller has attached it as "nsrl" (ATTACH and DETACH cannot run inside the transaction
// that the matching belongs to).
uint64_t match_set(CaseDb& c, int64_t set_id, HashSetFormat format) {
  auto& db = c.db();
  const int before = sqlite3_total_changes(db.get());
  if (format == HashSetFormat::nsrl) {
    // NSRL stores upper-case hex. With an index on FILE.sha256 each case item is looked up; without one the
    // set is read once and each row probes the case's items_sha256 index (never items x rows).
    std::string sql =
        nsrl_has_sha256_index(db)
            ? "INSERT OR IGNORE INTO known_file_hits(item_id, set_id, algo, hash, file_name, category) "
              "SELECT i.id, ?1, 'sha256', i.sha256, f.file_name, '' FROM items i JOIN nsrl.FILE f ON f.sha256 = "
              "upper(i.sha256)"
            : "INSERT OR IGNORE INTO known_file_hits(item_id, set_id, algo, hash, file_name, category) "
              "SELECT i.id, ?1, 'sha256', i.sha256, f.file_name, '' FROM nsrl.FILE f CROSS JOIN items i ON "
              "i.sha256 = lower(f.sha256)";
    sql::Stmt st(db, sql);
    st.bind(1, set_id).run();
  } else {
    for (const char* algo : {"md5", "sha1", "sha256"}) {
      sql::Stmt st(db, fmt::format("INSERT OR IGNORE INTO known_file_hits(item_id, set_id, algo, hash, file_name, "
                                   "category) SELECT i.id, e.set_id, e.algo, e.hash, e.file_name, e.category FROM "
                                   "items i JOIN hash_set_entries e ON e.set_id = ?1 AND e.algo = '{}' AND e.hash = "
                                   "i.{}",
                                   algo, algo));
      st.bind(1, set_id).run();
    }
  }
  return static_cast<uint64_t>(sqlite3_total_changes(db.get()) - before);
}

}  // namespace

std::string_view hash_set_kind_name(HashSetKind k) { return k == HashSetKind::known_good ? "known-good" : "known-bad"; }

std::string_view hash_set_format_name(HashSetFormat f) {
  switch (f) {
    case HashSetFormat::nsrl:
      return "nsrl";
    case HashSetFormat::vics:
      return "vics";
    case HashSetFormat::list:
      return "list";
  }
  return "list";
}

HashSetImportResult import_hash_set(CaseDb& c, const HashSetImport& imp) {
  HashSetImportResult res;
  if (!std::filesystem::is_regular_file(imp.file))
    throw Error(ExitCode::evidence_unreadable, "hash set " + imp.file.string() + " is missing or not a file");
  res.format = imp.format ? *imp.format : detect_format(imp.file);
  res.sha256 = hash_file(imp.file).sha256;
  const std::string source = std::filesystem::absolute(imp.file).lexically_normal().string();
  auto& db = c.db();
  std::optional<AttachedNsrl> attached;
  if (res.format == HashSetFormat::nsrl) attached.emplace(db, imp.file);

  sql::Transaction tx(db);
  sql::Stmt ins(db,
                "INSERT INTO hash_sets(name, kind, format, source_path, source_sha256, entries, imported_utc) "
                "VALUES(?1, ?2, ?3, ?4, ?5, 0, ?6)");
  ins.bind(1, imp.name).bind(2, hash_set_kind_name(imp.kind)).bind(3, hash_set_format_name(res.format));
  ins.bind(4, source).bind(5, res.sha256).bind(6, now_utc_iso()).run();
  res.set_id = db.last_insert_rowid();

  if (res.format == HashSetFormat::nsrl) {
    sql::Stmt has_file(db, "SELECT count(*) FROM pragma_table_info('FILE', 'nsrl') WHERE name IN ('sha256', 'file_name')");
    if (!has_file.step() || has_file.i64(0) != 2)
      throw Error(ExitCode::unknown_format,
                  imp.file.string() + " is a SQLite database without FILE(sha256, file_name): not an NSRL RDSv3 set");
    sql::Stmt count(db, "SELECT count(*) FROM nsrl.FILE");
    if (count.step()) res.entries = static_cast<uint64_t>(count.i64(0));
  } else {
    Loader loader{sql::Stmt(db, "INSERT INTO hash_set_entries(set_id, algo, hash, file_name, category) "
                                "VALUES(?1, ?2, ?3, ?4, ?5)"),
                  res.set_id, res};
    if (res.format == HashSetFormat::vics)
      load_vics(imp.file, loader);
    else
      load_list(imp.file, loader);
    if (res.entries == 0)
      throw Error(ExitCode::unknown_format,
                  fmt::format("no hashes found in {} (read as {}){}", imp.file.string(),
                              hash_set_format_name(res.format),
                              res.first_rejected.empty() ? "" : "; first rejected " + res.first_rejected));
  }
  sql::Stmt upd(db, "UPDATE hash_sets SET entries = ?1 WHERE id = ?2");
  upd.bind(1, static_cast<int64_t>(res.entries)).bind(2, res.set_id).run();
  res.matches = match_set(c, res.set_id, res.format);
  tx.commit();
  return res;
}

uint64_t match_hash_sets(CaseDb& c) {
  struct Set {
    int64_t id;
    HashSetFormat format;
    std::string source;
  };
  std::vector<Set> sets;
  {
    sql::Stmt st(c.db(), "SELECT id, format, source_path FROM hash_sets ORDER BY id");
    while (st.step()) {
      std::string f = st.text(1);
      sets.push_back({st.i64(0), f == "nsrl" ? HashSetFormat::nsrl : f == "vics" ? HashSetFormat::vics : HashSetFormat::list,
                      st.text(2)});
    }
  }
  uint64_t total = 0;
  for (const auto& s : sets) {
    std::optional<AttachedNsrl> attached;
    if (s.format == HashSetFormat::nsrl) {
      if (!std::filesystem::exists(s.source))
        throw Error(ExitCode::evidence_unreadable,
                    fmt::format("NSRL set {} is matched in place but {} is not there any more", s.id, s.source));
      attached.emplace(c.db(), s.source);
    }
    sql::Transaction tx(c.db());
    match_set(c, s.id, s.format);
    tx.commit();
  }
  sql::Stmt n(c.db(), "SELECT count(*) FROM known_file_hits");
  if (n.step()) total = static_cast<uint64_t>(n.i64(0));
  return total;
}

}  // namespace kanshiki
