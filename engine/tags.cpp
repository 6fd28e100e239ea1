#include "engine/tags.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/custody.h"
#include "core/error.h"

namespace kanshiki {
namespace {

using json = nlohmann::json;

template <size_t N>
const FactKey* find_key(const std::array<FactKey, N>& keys, std::string_view key) {
  for (const auto& k : keys)
    if (k.key == key) return &k;
  return nullptr;
}

template <size_t N>
std::string key_list(const std::array<FactKey, N>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + std::string(k.key);
  return out;
}

Tag read_tag(const sql::Stmt& st) {
  return Tag{st.i64(0), st.i64(1), st.text(2), st.text(3), st.text(4), st.text(5)};
}

constexpr const char* kTagColumns = "id, artifact_id, tag, coalesce(note, ''), examiner, created_utc";

// A fact is stored (or removed when empty) together with the custody seq that recorded the change. The
// custody entry comes first so its seq can be kept beside the value; if storing then fails, a "failed" entry
// follows.
template <typename Store>
void record_facts(CaseDb& db, const Examiner& examiner, const std::string& action, json parameters,
                  Store&& store) {
  int64_t seq = append_custody(db, examiner, CustodyAction{action, "ok", parameters});
  try {
    sql::Transaction tx(db.db());
    store(seq);
    tx.commit();
  } catch (const std::exception& e) {
    CustodyAction failed{action, "failed", parameters};
    failed.error = std::string("facts not stored: ") + e.what();
    append_custody(db, examiner, failed);
    throw;
  }
}

}  // namespace

int64_t add_tag(CaseDb& db, const Examiner& examiner, int64_t artifact_id, const std::string& tag,
                const std::string& note) {
  if (tag.empty()) throw Error(ExitCode::usage, "a tag name must not be empty");
  sql::Stmt find(db.db(), "SELECT type, item_path, item_sha256 FROM artifacts WHERE id = ?1");
  find.bind(1, artifact_id);
  if (!find.step()) throw Error(ExitCode::usage, fmt::format("no artifact {} in this case", artifact_id));
  json parameters{{"artifact_id", artifact_id},
                  {"tag", tag},
                  {"note", note},
                  {"artifact_type", find.text(0)},
                  {"item_path", find.text(1)},
                  {"item_sha256", find.text(2)}};

  // Insert first so the custody entry can name the tag id; undo the insert if the entry cannot be written, so
  // no tag exists without its custody record.
  int64_t tag_id = 0;
  {
    sql::Transaction tx(db.db());
    sql::Stmt ins(
        db.db(),
        "INSERT INTO tags(artifact_id, tag, note, examiner, created_utc) VALUES(?1, ?2, ?3, ?4, ?5)");
    ins.bind(1, artifact_id).bind(2, tag).bind(3, note).bind(4, examiner.name()).bind(5, now_utc_iso()).run();
    tag_id = db.db().last_insert_rowid();
    tx.commit();
  }
  parameters["tag_id"] = tag_id;
  int64_t seq = 0;
  try {
    seq = append_custody(db, examiner, CustodyAction{"tag", "ok", parameters});
  } catch (...) {
    sql::Stmt undo(db.db(), "DELETE FROM tags WHERE id = ?1");
    undo.bind(1, tag_id).run();
    throw;
  }
  sql::Stmt upd(db.db(), "UPDATE tags SET custody_seq = ?1 WHERE id = ?2");
  upd.bind(1, seq).bind(2, tag_id).run();
  return tag_id;
}

void remove_tag(CaseDb& db, const Examiner& examiner, int64_t tag_id) {
  sql::Stmt find(db.db(), std::string("SELECT ") + kTagColumns + " FROM tags WHERE id = ?1");
  find.bind(1, tag_id);
  if (!find.step())
    throw Error(ExitCode::usage, fmt::format("no tag {} in this case (see `kanshiki tags`)", tag_id));
  Tag t = read_tag(find);
  json parameters{{"tag_id", t.id}, {"artifact_id", t.artifact_id}, {"tag", t.tag},
                  {"note", t.note}, {"tagged_by", t.examiner},      {"tagged_utc", t.created_utc}};
  // The custody entry keeps everything about the removed tag, so the log alone can reconstruct it.
  append_custody(db, examiner, CustodyAction{"untag", "ok", parameters});
  sql::Stmt del(db.db(), "DELETE FROM tags WHERE id = ?1");
  del.bind(1, tag_id).run();
}

std::vector<Tag> tags_for_artifact(CaseDb& db, int64_t artifact_id) {
  sql::Stmt st(db.db(),
               std::string("SELECT ") + kTagColumns + " FROM tags WHERE artifact_id = ?1 ORDER BY id");
  st.bind(1, artifact_id);
  std::vector<Tag> out;
  while (st.step()) out.push_back(read_tag(st));
  return out;
}

std::vector<std::string> tag_names(CaseDb& db) {
  sql::Stmt st(db.db(), "SELECT DISTINCT tag FROM tags ORDER BY tag");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::vector<Tag> all_tags(CaseDb& db) {
  sql::Stmt st(db.db(), std::string("SELECT ") + kTagColumns + " FROM tags ORDER BY artifact_id, id");
  std::vector<Tag> out;
  while (st.step()) out.push_back(read_tag(st));
  return out;
}

const FactKey* find_case_fact_key(std::string_view key) { return find_key(kCaseFactKeys, key); }
const FactKey* find_evidence_fact_key(std::string_view key) { return find_key(kEvidenceFactKeys, key); }

void set_case_facts(CaseDb& db, const Examiner& examiner, const std::map<std::string, std::string>& facts) {
  if (facts.empty())
    throw Error(ExitCode::usage, "give at least one KEY=VALUE (keys: " + key_list(kCaseFactKeys) + ")");
  for (const auto& [k, v] : facts)
    if (!find_case_fact_key(k))
      throw Error(ExitCode::usage, "unknown case fact \"" + k + "\" (keys: " + key_list(kCaseFactKeys) + ")");
  record_facts(db, examiner, "case set", json{{"facts", facts}}, [&](int64_t seq) {
    sql::Stmt put(
        db.db(),
        "INSERT INTO case_facts(key, value, examiner, set_utc, custody_seq) VALUES(?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, examiner = excluded.examiner, "
        "set_utc = excluded.set_utc, custody_seq = excluded.custody_seq");
    sql::Stmt del(db.db(), "DELETE FROM case_facts WHERE key = ?1");
    for (const auto& [k, v] : facts) {
      if (v.empty())
        del.bind(1, k).run();
      else
        put.bind(1, k).bind(2, v).bind(3, examiner.name()).bind(4, now_utc_iso()).bind(5, seq).run();
    }
  });
}

void set_evidence_facts(CaseDb& db, const Examiner& examiner, const std::string& exhibit,
                        const std::map<std::string, std::string>& facts) {
  if (facts.empty())
    throw Error(ExitCode::usage, "give at least one KEY=VALUE (keys: " + key_list(kEvidenceFactKeys) + ")");
  for (const auto& [k, v] : facts)
    if (!find_evidence_fact_key(k))
      throw Error(ExitCode::usage,
                  "unknown evidence fact \"" + k + "\" (keys: " + key_list(kEvidenceFactKeys) + ")");
  sql::Stmt find(db.db(), "SELECT id FROM evidence WHERE exhibit = ?1 ORDER BY id");
  find.bind(1, exhibit);
  if (!find.step())
    throw Error(ExitCode::usage, "no evidence with exhibit number " + exhibit + " in this case");
  int64_t evidence_id = find.i64(0);
  if (find.step())
    throw Error(ExitCode::usage,
                "exhibit number " + exhibit + " names more than one evidence item in this case");
  json parameters{{"exhibit", exhibit}, {"evidence_id", evidence_id}, {"facts", facts}};
  record_facts(db, examiner, "evidence set", parameters, [&](int64_t seq) {
    sql::Stmt put(
        db.db(),
        "INSERT INTO evidence_facts(evidence_id, key, value, examiner, set_utc, custody_seq) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(evidence_id, key) DO UPDATE SET value = excluded.value, "
        "examiner = excluded.examiner, set_utc = excluded.set_utc, custody_seq = excluded.custody_seq");
    sql::Stmt del(db.db(), "DELETE FROM evidence_facts WHERE evidence_id = ?1 AND key = ?2");
    for (const auto& [k, v] : facts) {
      if (v.empty())
        del.bind(1, evidence_id).bind(2, k).run();
      else
        put.bind(1, evidence_id)
            .bind(2, k)
            .bind(3, v)
            .bind(4, examiner.name())
            .bind(5, now_utc_iso())
            .bind(6, seq)
            .run();
    }
  });
}

std::map<std::string, std::string> case_facts(CaseDb& db) {
  std::map<std::string, std::string> out;
  sql::Stmt st(db.db(), "SELECT key, value FROM case_facts");
  while (st.step()) out[st.text(0)] = st.text(1);
  return out;
}

std::map<std::string, std::string> evidence_facts(CaseDb& db, int64_t evidence_id) {
  std::map<std::string, std::string> out;
  sql::Stmt st(db.db(), "SELECT key, value FROM evidence_facts WHERE evidence_id = ?1");
  st.bind(1, evidence_id);
  while (st.step()) out[st.text(0)] = st.text(1);
  return out;
}

std::map<std::string, std::string> parse_fact_assignments(const std::vector<std::string>& words) {
  std::map<std::string, std::string> out;
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(ExitCode::usage, "expected KEY=VALUE, got \"" + w + "\"");
    out[w.substr(0, eq)] = w.substr(eq + 1);
  }
  return out;
}

}  // namespace kanshiki
