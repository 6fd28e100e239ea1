#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "core/case_db.h"
#include "core/error.h"
#include "engine/engine.h"
#include "engine/progress.h"

namespace kanshiki {

VerifyResult verify_evidence(CaseDb& c, bool progress_wanted) {
  VerifyResult res;
  auto& db = c.db();
  sql::Stmt evs(db, "SELECT id, source_path, source_kind, container_sha256, total_bytes FROM evidence ORDER BY id");
  while (evs.step()) {
    int64_t id = evs.i64(0);
    fs::path source = evs.text(1);
    auto kind = source_kind_from_name(evs.text(2));
    std::optional<std::string> container_sha = evs.opt_text(3);
    auto issue = [&](std::string kind_name, std::string path, std::string detail) {
      res.issues.push_back({id, std::move(kind_name), std::move(path), std::move(detail)});
    };
    std::error_code ec;
    if (!fs::exists(source, ec)) {
      issue("missing", source.string(), "evidence source is no longer at its recorded path");
      continue;
    }
    if (container_sha) {
      Digests d = hash_file(source);
      if (d.sha256 != *container_sha)
        issue("container", source.string(), fmt::format("container SHA-256 is {} but was {} at ingest", d.sha256, *container_sha));
    }
    // Each file seen is looked up by (evidence, path) — the UNIQUE index — and only its item id is kept, so
    // memory is 8 bytes per item (a million-item archive: 8 MB), not a map of every path and hash.
    sql::Stmt lookup(db, "SELECT id, sha256 FROM items WHERE evidence_id = ?1 AND path = ?2");
    std::vector<int64_t> seen_ids;
    Progress progress(fmt::format("verify E{}", id), static_cast<uint64_t>(evs.i64(4)), progress_wanted);
    uint64_t bytes = 0, n = 0;
    try {
      auto src = open_evidence(source, kind);
      src->for_each_file(
          nullptr,
          [&](const EvidenceEntry& e, ByteReader& reader) {
            Digests d = hash_stream(reader);
            bytes += d.size;
            progress.update(bytes, ++n);
            ++res.items_checked;
            lookup.bind(1, id).bind(2, e.path);
            if (!lookup.step()) {
              lookup.reset();
              issue("extra", e.path, "file is in the evidence but was not recorded at ingest");
              return;
            }
            seen_ids.push_back(lookup.i64(0));
            std::string recorded_sha = lookup.text(1);
            lookup.reset();
            if (recorded_sha != d.sha256)
              issue("mismatch", e.path,
                    fmt::format("SHA-256 is {} but was {} at ingest", d.sha256, recorded_sha));
          },
          [&](const SourceProblem& p) {
            if (p.fatal) issue("unreadable", p.path, p.message);
          });
    } catch (const Error& e) {
      issue("unreadable", source.string(), e.what());
    }
    progress.finish();
    // Recorded items not seen now are missing.
    std::sort(seen_ids.begin(), seen_ids.end());
    sql::Stmt items(db, "SELECT id, path FROM items WHERE evidence_id = ?1 ORDER BY id");
    items.bind(1, id);
    while (items.step())
      if (!std::binary_search(seen_ids.begin(), seen_ids.end(), items.i64(0)))
        issue("missing", items.text(1), "recorded at ingest but not found in the evidence now");
  }
  return res;
}

std::vector<SearchHit> search_case(CaseDb& c, const std::string& query, size_t limit) {
  std::vector<SearchHit> hits;
  if (query.empty()) return hits;
  // The index lives in search.db (core/search_index.h), attached to a connection of its own: attached to the
  // case's writer connection, every write transaction there would lock search.db too. This one only reads;
  // it is opened read-write so that, closing last, it tidies away the -wal/-shm files it opened.
  sql::Db db(c.db_path(), SQLITE_OPEN_READWRITE);
  const bool attached = attach_search_index(db, c.dir());
  const SearchSql where = search_sql(query, attached);
  const std::string sql =
      "SELECT a.id, a.type, COALESCE(m.text, ct.name), a.time_utc_us, a.item_path, a.parser_id, a.source_rowid, "
      "a.recovered FROM artifacts a LEFT JOIN messages m ON m.artifact_id = a.id "
      "LEFT JOIN contacts ct ON ct.artifact_id = a.id WHERE " +
      where.condition + " ORDER BY a.time_utc_us, a.id LIMIT ?";
  sql::Stmt st(db, sql);
  int i = 1;
  for (const auto& p : where.params) st.bind(i++, p);
  st.bind(i, static_cast<int64_t>(limit));
  while (st.step()) {
    SearchHit h;
    h.artifact_id = st.i64(0);
    h.type = st.text(1);
    h.text = st.text(2);
    if (!st.is_null(3)) h.time_utc = format_utc_iso(st.i64(3));
    h.item_path = st.text(4);
    h.parser_id = st.text(5);
    h.source_rowid = st.opt_i64(6);
    h.recovered = st.i64(7) != 0;
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace kanshiki
