#include "engine/recover.h"

#include <fmt/format.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "core/evidence/source.h"
#include "core/sqlite_forensic/recovery.h"
#include "engine/progress.h"
#include "engine/working_copy.h"
#include "hashing/multi_hash.h"

namespace kanshiki {
namespace {

namespace sf = sqlite_forensic;
using json = nlohmann::json;

constexpr char kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};

bool has_sibling_suffix(std::string_view path) {
  for (const char* s : kSqliteSiblings) {
    std::string_view suffix(s);
    if (path.size() > suffix.size() && path.substr(path.size() - suffix.size()) == suffix) return true;
  }
  return false;
}

struct ItemRef {
  int64_t id = 0;
  std::string path, sha256;
  uint64_t size = 0;
};

json value_json(const sf::Value& v, size_t max_blob) {
  switch (v.type) {
    case sf::Value::Type::null:
      return nullptr;
    case sf::Value::Type::integer:
      return v.i;
    case sf::Value::Type::real:
      return v.r;
    case sf::Value::Type::text:
      return v.s;
    case sf::Value::Type::blob: {
      size_t n = std::min(v.s.size(), max_blob);
      return json{{"blob_hex", to_hex(reinterpret_cast<const unsigned char*>(v.s.data()), n)},
                  {"bytes", v.s.size()},
                  {"truncated", n < v.s.size()}};
    }
  }
  return nullptr;
}

}  // namespace

RecoverResult recover_case(CaseDb& c, int64_t run_id, const RecoverOptions& opt) {
  RecoverResult res;
  auto& db = c.db();

  struct EvidenceRef {
    int64_t id;
    std::string source;
    SourceKind kind;
  };
  std::vector<EvidenceRef> evidence;
  {
    sql::Stmt st(db, "SELECT id, source_path, source_kind FROM evidence WHERE status IN ('complete','partial') ORDER BY id");
    while (st.step()) {
      auto kind = source_kind_from_name(st.text(2));
      if (!kind) throw Error(ExitCode::case_error, "evidence " + st.text(0) + " has unknown kind " + st.text(2));
      evidence.push_back({st.i64(0), st.text(1), *kind});
    }
  }

  for (const auto& ev : evidence) {
    std::unordered_map<std::string, ItemRef> by_path;
    std::set<int64_t> done;
    {
      sql::Stmt st(db, "SELECT id, path, sha256, size FROM items WHERE evidence_id = ?1");
      st.bind(1, ev.id);
      while (st.step())
        by_path[st.text(1)] = ItemRef{st.i64(0), st.text(1), st.text(2), static_cast<uint64_t>(st.i64(3))};
      sql::Stmt d(db, "SELECT r.item_id FROM recover_items r JOIN items i ON i.id = r.item_id WHERE i.evidence_id = ?1");
      d.bind(1, ev.id);
      while (d.step()) done.insert(d.i64(0));
    }

    // 1. Which items are SQLite databases: the first 16 bytes decide, whatever the file is called.
    std::vector<const ItemRef*> databases;
    {
      auto source = open_evidence(ev.source, ev.kind);
      try {
        source->for_each_file(
            [&](std::string_view p) { return !has_sibling_suffix(p) && by_path.count(std::string(p)); },
            [&](const EvidenceEntry& e, ByteReader& reader) {
              char head[16];
              size_t got = 0;
              while (got < sizeof head) {
                size_t n = reader.read(head + got, sizeof head - got);
                if (n == 0) break;
                got += n;
              }
              if (got == sizeof head && std::memcmp(head, kSqliteMagic, sizeof head) == 0)
                databases.push_back(&by_path.at(e.path));
            },
            [](const SourceProblem&) {
              // Unreadable entries were recorded at ingest; one that is a database is reported below
              // when its copy fails.
            });
      } catch (const Error& e) {
        if (e.code() != ExitCode::corrupt_input) throw;
      }
    }
    res.sqlite_items += databases.size();
    std::vector<const ItemRef*> todo;
    for (const auto* item : databases) {
      if (done.count(item->id)) {
        ++res.already_done;
        continue;
      }
      todo.push_back(item);
    }
    if (todo.empty()) continue;

    // 2. Working copies of the databases still to do, with their siblings, verified against ingest.
    fs::path work = c.work_dir() / fmt::format("recover-E{}", ev.id);
    std::error_code ec;
    fs::remove_all(work, ec);
    std::map<std::string, CopyRequest> requests;
    std::map<int64_t, fs::path> copy_of;
    for (const auto* item : todo) {
      fs::path dir = work / fmt::format("I{}", item->id);
      fs::create_directories(dir);
      fs::path main = dir / working_copy_file_name(item->path);
      copy_of[item->id] = main;
      requests[item->path] = CopyRequest{{main}, item->sha256};
      for (const char* suffix : kSqliteSiblings) {
        auto sib = by_path.find(item->path + suffix);
        if (sib == by_path.end()) continue;
        fs::path d = main;
        d += suffix;
        requests[sib->second.path].destinations.push_back(d);
        requests[sib->second.path].expected_sha256 = sib->second.sha256;
      }
    }
    std::map<std::string, std::string> problems;
    {
      auto source = open_evidence(ev.source, ev.kind);
      problems = copy_out_verified(*source, requests);
    }

    // 3. Recover each database; its records and its recover_items row commit together.
    Progress progress(fmt::format("recover E{}", ev.id), 0, opt.progress);
    uint64_t n_done = 0, bytes_done = 0;
    sql::Stmt ins(db,
                  "INSERT INTO recovered_records(run_id, evidence_id, item_id, item_path, item_sha256, source_table, "
                  "table_dropped, source_rowid, source_file, source_offset, page, frame, detail, how, confidence, "
                  "columns_json, values_json) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)");
    for (const auto* item : todo) {
      sql::Transaction tx(db);
      std::string status = "ok", note;
      uint64_t stored = 0;
      std::string problem;
      for (const auto& [path, why] : problems)
        if (path == item->path || (path.rfind(item->path, 0) == 0 && has_sibling_suffix(path)))
          problem = fmt::format("{}: {}", path, why);
      if (!problem.empty()) {
        status = "failed";
        note = problem;
      } else {
        try {
          sf::RecoveryResult rr = sf::recover_file(copy_of[item->id]);
          try {
            sql::Db live(copy_of[item->id], SQLITE_OPEN_READONLY);
            sf::drop_live_duplicates(live, rr);
          } catch (const std::exception& e) {
            // A database SQLite cannot open (corrupt header page) still has carvable pages: keep the
            // candidates, and say that live duplicates could not be removed.
            note = fmt::format("live rows could not be read to drop duplicates: {}", e.what());
          }
          std::unordered_map<std::string, const sf::TableSchema*> schema;
          for (const auto& t : rr.tables) schema[t.name] = &t;
          for (const auto& n : rr.notes) note += (note.empty() ? "" : "; ") + n;
          for (const auto& r : rr.rows) {
            json cols = json::array(), vals = json::array();
            if (auto s = schema.find(r.table); s != schema.end())
              for (const auto& col : s->second->columns) cols.push_back(col.name);
            for (const auto& v : r.values) vals.push_back(value_json(v, opt.max_blob_bytes));
            ins.bind(1, run_id).bind(2, ev.id).bind(3, item->id).bind(4, item->path).bind(5, item->sha256);
            ins.bind(6, r.table).bind(7, r.table_dropped ? 1 : 0);
            if (r.rowid)
              ins.bind(8, *r.rowid);
            else
              ins.bind_null(8);
            ins.bind(9, std::string(sf::source_file_name(r.file))).bind(10, static_cast<int64_t>(r.offset));
            ins.bind(11, static_cast<int64_t>(r.page)).bind(12, static_cast<int64_t>(r.frame));
            ins.bind(13, r.detail).bind(14, r.how).bind(15, r.confidence);
            ins.bind(16, cols.dump(-1, ' ', false, json::error_handler_t::replace));
            ins.bind(17, vals.dump(-1, ' ', false, json::error_handler_t::replace));
            ins.run();
            ++stored;
          }
        } catch (const std::exception& e) {
          status = "failed";
          note = e.what();
        }
      }
      if (status == "failed") {
        Warning w;
        w.evidence_id = ev.id;
        w.item_id = item->id;
        w.item_path = item->path;
        w.parser_id = "sqlite.recovery";
        w.message = "deleted-record recovery failed: " + note;
        c.add_warning(w, run_id);
        ++res.failed_items;
      }
      sql::Stmt mark(db,
                     "INSERT INTO recover_items(item_id, run_id, status, records, note, finished_utc) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
      mark.bind(1, item->id).bind(2, run_id).bind(3, status).bind(4, static_cast<int64_t>(stored));
      mark.bind(5, note).bind(6, now_utc_iso()).run();
      tx.commit();
      res.records += stored;
      ++res.recovered_items;
      bytes_done += item->size;
      progress.update(bytes_done, ++n_done);
    }
    progress.finish();
    fs::remove_all(work, ec);  // working copies are disposable; the evidence stays the reference
  }
  return res;
}

}  // namespace kanshiki
