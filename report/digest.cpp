// Reproducibility digest: computation, signature, comparison. See digest.h for what is digested and why.
#include "report/digest.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "core/case_db.h"
#include "core/case_schema.h"
#include "core/custody.h"
#include "core/error.h"
#include "core/examiner.h"
#include "hashing/multi_hash.h"
#include "kanshiki/version.h"
#include "parsers/parser.h"
#include "report/report_common.h"

namespace kanshiki {
namespace {

using json = nlohmann::json;

bool is_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

// A value as it takes part in the canonical form: text that is not UTF-8 (which JSON cannot carry) and blobs
// are hex, tagged so they cannot collide with a text value.
json canonical_value(const sql::Stmt& st, int i) {
  switch (st.type(i)) {
    case SQLITE_NULL:
      return nullptr;
    case SQLITE_INTEGER:
      return st.i64(i);
    case SQLITE_FLOAT:
      return st.real(i);
    case SQLITE_BLOB:
      return json{{"blob_hex", to_hex(st.blob(i))}};
    default: {
      std::string_view t = st.text_view(i);
      if (is_utf8(t)) return std::string(t);
      return json{{"bytes_hex", to_hex(t)}};
    }
  }
}

// Order-independent digest of a multiset of SHA-256 values: their sum mod 2^256, hashed with the count.
class MultisetDigest {
 public:
  void add(const std::string& sha256_hex_value) {
    std::array<uint8_t, 32> v{};
    for (size_t i = 0; i < 32; ++i)
      v[i] = static_cast<uint8_t>(std::stoi(sha256_hex_value.substr(2 * i, 2), nullptr, 16));
    unsigned carry = 0;
    for (int i = 31; i >= 0; --i) {
      unsigned s = sum_[i] + v[i] + carry;
      sum_[i] = static_cast<uint8_t>(s);
      carry = s >> 8;
    }
    ++count_;
  }
  int64_t count() const { return count_; }
  std::string digest() const {
    return sha256_hex(fmt::format("kanshiki-multiset-v1\n{}\n{}", count_, to_hex(sum_.data(), sum_.size())));
  }

 private:
  std::array<uint8_t, 32> sum_{};
  int64_t count_ = 0;
};

struct ArtifactHash {
  std::string exhibit, item_path, table, hash, brief;
  std::string locator;  // source table + rowid/offset + recovered: pairs an original with its reproduction
  int64_t id = 0;
};

// Streams every artifact of one type (optionally restricted to one exhibit + item) with its canonical hash.
template <typename F>
void for_each_artifact(CaseDb& c, const ArtifactTable& t,
                       const std::optional<std::pair<std::string, std::string>>& only, F&& callback) {
  sql::Db& db = c.db();
  std::vector<std::string> columns;
  for (auto& name : db.columns(t.table))
    if (name != "artifact_id") columns.push_back(name);
  std::string select =
      "SELECT e.exhibit, a.item_path, a.item_sha256, a.source_table, a.source_rowid, a.source_offset, "
      "a.source_detail, a.parser_id, a.parser_version, a.recovered, a.time_utc_us, a.id";
  for (const auto& col : columns) select += ", t.\"" + col + "\"";
  select += fmt::format(
      " FROM artifacts a JOIN evidence e ON e.id = a.evidence_id LEFT JOIN \"{}\" t ON t.artifact_id = a.id "
      "WHERE a.type = ?1",
      t.table);
  if (only) select += " AND e.exhibit = ?2 AND a.item_path = ?3";
  sql::Stmt st(db, select);
  st.bind(1, t.type);
  if (only) st.bind(2, only->first).bind(3, only->second);
  constexpr int kFirstColumn = 12;
  while (st.step()) {
    // The item's SHA-256 (column 2) is left out: the evidence section checks every item hash, and leaving it
    // out here makes a changed item show exactly the artifacts whose content changed, not all of them.
    json row = json::array({std::string(t.type)});
    for (int i = 0; i < 11; ++i)
      if (i != 2) row.push_back(canonical_value(st, i));
    json values = json::object();
    for (size_t k = 0; k < columns.size(); ++k)
      values[columns[k]] = canonical_value(st, kFirstColumn + static_cast<int>(k));
    row.push_back(std::move(values));
    ArtifactHash a;
    a.exhibit = st.text(0);
    a.item_path = st.text(1);
    a.table = std::string(t.table);
    a.hash = sha256_hex(row.dump());
    a.id = st.i64(11);
    a.locator =
        fmt::format("{}, {} {}{}", t.type, st.text(3),
                    st.is_null(4) ? "offset " + (st.is_null(5) ? std::string("-") : std::to_string(st.i64(5)))
                                  : "rowid " + std::to_string(st.i64(4)),
                    st.i64(9) ? ", recovered" : "");
    a.brief = fmt::format("artifact {} ({})", a.id, a.locator);
    callback(a);
  }
}

std::string group_key(const std::string& exhibit, const std::string& item_path, const std::string& table) {
  return exhibit + '\x1f' + item_path + '\x1f' + table;
}

}  // namespace

std::string current_build_id() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "unknown";
  try {
    return hash_file(exe).sha256;
  } catch (const std::exception&) {
    return "unknown";
  }
}

json compute_case_digest(CaseDb& c, const std::string& build_id) {
  sql::Db& db = c.db();
  report::ReadSnapshot snapshot(db);
  json body;
  body["format"] = kDigestFormat;
  body["tool"] = {{"name", kToolName}, {"version", kToolVersion}, {"build_id", build_id}};
  body["case"] = {{"case_number", c.meta("case_number")},
                  {"case_dir", fs::absolute(c.dir()).lexically_normal().string()}};
  body["created_utc"] = now_utc_iso();

  json parsers = json::array();
  for (const auto& e : parser_registry())
    parsers.push_back({{"id", e.info().id}, {"version", e.info().version}});
  body["parsers"] = parsers;
  json used = json::array();
  {
    sql::Stmt st(db,
                 "SELECT parser_id, parser_version, count(*) FROM parser_runs GROUP BY 1, 2 ORDER BY 1, 2");
    while (st.step()) used.push_back({{"id", st.text(0)}, {"version", st.text(1)}, {"runs", st.i64(2)}});
  }
  body["parsers_used"] = used;

  // Processing options as the custody log recorded them: the parsers each `process` was limited to (an
  // unrestricted run means all).
  std::set<std::string> only;
  bool all_parsers = false, processed = false;
  for (const auto& e : read_custody(c)) {
    if (e.action != "process" || e.status != "started") continue;
    processed = true;
    const auto& p = e.parameters;
    if (!p.contains("parsers") || !p["parsers"].is_array() || p["parsers"].empty()) {
      all_parsers = true;
      continue;
    }
    for (const auto& id : p["parsers"])
      if (id.is_string()) only.insert(id.get<std::string>());
  }
  body["options"] = {{"process_parsers", all_parsers || !processed ? json::array() : json(only)},
                     {"processed", processed}};

  json evidence = json::array();
  {
    sql::Stmt st(
        db,
        "SELECT e.id, e.exhibit, e.label, e.source_path, e.source_kind, e.container_size, e.container_md5, "
        "e.container_sha1, e.container_sha256, e.item_count, e.total_bytes, e.status, e.derivation, "
        "s.exhibit, i.path, i.sha256 FROM evidence e LEFT JOIN items i ON i.id = e.derived_from_item "
        "LEFT JOIN evidence s ON s.id = i.evidence_id ORDER BY e.id");
    while (st.step()) {
      json ev{{"exhibit", st.text(1)},     {"label", st.text(2)},      {"source_path", st.text(3)},
              {"source_kind", st.text(4)}, {"item_count", st.i64(9)},  {"total_bytes", st.i64(10)},
              {"status", st.text(11)},     {"derivation", st.text(12)}};
      ev["container"] =
          st.text(8).empty()
              ? json(nullptr)
              : json{{"size", st.i64(5)}, {"md5", st.text(6)}, {"sha1", st.text(7)}, {"sha256", st.text(8)}};
      ev["derived_from"] =
          st.is_null(13)
              ? json(nullptr)
              : json{{"exhibit", st.text(13)}, {"item_path", st.text(14)}, {"item_sha256", st.text(15)}};
      json items = json::array();
      MultisetDigest all;
      sql::Stmt it(db, "SELECT path, sha256, size FROM items WHERE evidence_id = ?1 ORDER BY path");
      it.bind(1, st.i64(0));
      while (it.step()) {
        items.push_back(json::array({it.text(0), it.text(1), it.i64(2)}));
        all.add(sha256_hex(json::array({it.text(0), it.text(1), it.i64(2)}).dump()));
      }
      ev["items_digest"] = all.digest();
      ev["items"] = std::move(items);
      evidence.push_back(std::move(ev));
    }
  }
  body["evidence"] = std::move(evidence);

  json tables = json::object();
  std::map<std::string, std::pair<std::array<std::string, 3>, MultisetDigest>> groups;
  for (const auto& t : kArtifactTables) {
    MultisetDigest table;
    for_each_artifact(c, t, std::nullopt, [&](const ArtifactHash& a) {
      table.add(a.hash);
      auto& g = groups[group_key(a.exhibit, a.item_path, a.table)];
      g.first = {a.exhibit, a.item_path, a.table};
      g.second.add(a.hash);
    });
    tables[std::string(t.table)] = {{"count", table.count()}, {"digest", table.digest()}};
  }
  json group_list = json::array();
  for (const auto& [key, g] : groups)
    group_list.push_back({{"exhibit", g.first[0]},
                          {"item_path", g.first[1]},
                          {"table", g.first[2]},
                          {"count", g.second.count()},
                          {"digest", g.second.digest()}});
  body["artifacts"] = {{"tables", tables}, {"groups", group_list}};
  return body;
}

namespace {
json without_signature(json d) {
  d.erase("signature");
  return d;
}
}  // namespace

json sign_digest(json body, const Examiner& examiner) {
  body.erase("signature");
  std::string signed_hash = sha256_hex(body.dump());
  body["signature"] = {{"algorithm", "Ed25519"},
                       {"signed_sha256", signed_hash},
                       {"value", examiner.sign_hex(signed_hash)},
                       {"examiner", examiner.name()},
                       {"fingerprint", examiner.fingerprint()},
                       {"public_key_pem", examiner.public_key_pem()}};
  return body;
}

DigestSignatureCheck verify_digest_signature(const json& digest,
                                             const std::optional<std::string>& trusted_pem) {
  DigestSignatureCheck r;
  if (!digest.contains("signature") || !digest["signature"].is_object()) {
    r.problem = "the digest is not signed";
    return r;
  }
  const json& s = digest["signature"];
  auto str = [&](const char* k) { return s.contains(k) && s[k].is_string() ? s[k].get<std::string>() : ""; };
  r.examiner = str("examiner");
  std::string pem = trusted_pem ? *trusted_pem : str("public_key_pem");
  r.fingerprint = public_key_fingerprint(pem);
  std::string signed_hash = sha256_hex(without_signature(digest).dump());
  if (signed_hash != str("signed_sha256")) {
    r.problem = "the digest content was changed after signing (SHA-256 differs)";
    return r;
  }
  if (!verify_ed25519(pem, signed_hash, str("value"))) {
    r.problem =
        trusted_pem ? "the signature does not verify with the trusted key" : "the signature does not verify";
    return r;
  }
  r.ok = true;
  return r;
}

DigestComparison compare_digests(const json& expected, const json& actual, CaseDb* original,
                                 CaseDb& reproduction) {
  DigestComparison out;
  auto add = [&](std::string kind, std::string subject, std::string detail, bool mismatch = true) {
    out.differences.push_back({std::move(kind), std::move(subject), std::move(detail), mismatch});
  };
  static const json kNull;
  // A reference, never a copy: loops below iterate over members of the result.
  auto get = [](const json& j, const char* k) -> const json& { return j.contains(k) ? j[k] : kNull; };

  // Another build or parser version explains differences but is not one itself; the digests decide.
  if (get(expected, "tool") != get(actual, "tool"))
    add("tool", "Kanshiki",
        fmt::format("digest made with {}; reproduced with {}", get(expected, "tool").dump(),
                    get(actual, "tool").dump()),
        false);
  std::map<std::string, std::string> registered;
  for (const auto& p : get(actual, "parsers")) registered[p.value("id", "")] = p.value("version", "");
  for (const auto& p : get(expected, "parsers_used")) {
    auto it = registered.find(p.value("id", ""));
    if (it == registered.end())
      add("parser", p.value("id", ""), "parser used for the digest is not in this build", false);
    else if (it->second != p.value("version", ""))
      add("parser", p.value("id", ""),
          fmt::format("version {} in the digest, {} in this build", p.value("version", ""), it->second),
          false);
  }

  // Evidence and items, by exhibit.
  std::set<std::string> skipped;
  std::map<std::string, json> actual_evidence;
  for (const auto& e : get(actual, "evidence")) actual_evidence[e.value("exhibit", "")] = e;
  for (const auto& e : get(expected, "evidence")) {
    std::string exhibit = e.value("exhibit", "");
    if (!e["derived_from"].is_null()) {
      skipped.insert(exhibit);
      add("skipped", "exhibit " + exhibit,
          "derived evidence (" + e.value("derivation", "") +
              ") is not re-derived; its artifacts are not compared",
          false);
      continue;
    }
    auto it = actual_evidence.find(exhibit);
    if (it == actual_evidence.end()) {
      add("evidence", "exhibit " + exhibit, "not reproduced (not ingested)");
      continue;
    }
    const json& a = it->second;
    if (e["container"] != a["container"])
      add("evidence", "exhibit " + exhibit,
          fmt::format("container hashes differ: digest {} / now {}", e["container"].dump(),
                      a["container"].dump()));
    if (e.value("items_digest", "") != a.value("items_digest", "")) {
      std::map<std::string, json> now;
      for (const auto& i : a["items"]) now[i[0].get<std::string>()] = i;
      for (const auto& i : e["items"]) {
        std::string path = i[0].get<std::string>();
        auto n = now.find(path);
        if (n == now.end()) {
          add("item", exhibit + ": " + path, "missing from the evidence now");
          continue;
        }
        if (n->second != i)
          add("item", exhibit + ": " + path,
              fmt::format("SHA-256 {} ({} bytes) in the digest, now {} ({} bytes)", i[1].get<std::string>(),
                          i[2].dump(), n->second[1].get<std::string>(), n->second[2].dump()));
        now.erase(n);
      }
      for (const auto& [path, i] : now)
        add("item", exhibit + ": " + path, "present now but not in the digest");
    }
  }

  // Artifact groups (exhibit, item, table); tables are summarised from them when evidence was skipped.
  std::map<std::string, json> expected_groups, actual_groups;
  const json& expected_artifacts = get(expected, "artifacts");
  const json& actual_artifacts = get(actual, "artifacts");
  for (const auto& g : get(expected_artifacts, "groups"))
    if (!skipped.count(g.value("exhibit", "")))
      expected_groups[group_key(g["exhibit"], g["item_path"], g["table"])] = g;
  for (const auto& g : get(actual_artifacts, "groups"))
    actual_groups[group_key(g["exhibit"], g["item_path"], g["table"])] = g;
  std::set<std::string> keys;
  for (const auto& [k, g] : expected_groups) keys.insert(k);
  for (const auto& [k, g] : actual_groups) keys.insert(k);
  std::set<std::string> differing_tables;
  std::vector<json> differing_groups;
  for (const auto& k : keys) {
    json e = expected_groups.count(k) ? expected_groups[k] : json(nullptr);
    json a = actual_groups.count(k) ? actual_groups[k] : json(nullptr);
    const json& any = e.is_null() ? a : e;
    if (!e.is_null() && !a.is_null() && e["digest"] == a["digest"] && e["count"] == a["count"]) continue;
    differing_tables.insert(any["table"].get<std::string>());
    differing_groups.push_back(any);
    add("artifacts",
        fmt::format("{}: {} [{}]", any["exhibit"].get<std::string>(), any["item_path"].get<std::string>(),
                    any["table"].get<std::string>()),
        fmt::format("{} artifacts in the digest (digest {}), {} now (digest {})",
                    e.is_null() ? json(0).dump() : e["count"].dump(),
                    e.is_null() ? "-" : e["digest"].get<std::string>().substr(0, 16),
                    a.is_null() ? json(0).dump() : a["count"].dump(),
                    a.is_null() ? "-" : a["digest"].get<std::string>().substr(0, 16)));
  }
  if (skipped.empty()) {
    const json& te = get(expected_artifacts, "tables");
    const json& ta = get(actual_artifacts, "tables");
    for (auto it = te.begin(); it != te.end(); ++it)
      if (!ta.contains(it.key()) || ta[it.key()] != it.value()) differing_tables.insert(it.key());
  }
  for (const auto& t : differing_tables) add("table", t, "artifact digest differs");

  // Artifact by artifact, for the groups that differ, when the original case is at hand.
  if (original) {
    constexpr size_t kListLimit = 50;
    for (const auto& g : differing_groups) {
      const ArtifactTable* table = nullptr;
      for (const auto& t : kArtifactTables)
        if (t.table == g["table"].get<std::string>()) table = &t;
      if (!table) continue;
      auto scope = std::make_optional(
          std::make_pair(g["exhibit"].get<std::string>(), g["item_path"].get<std::string>()));
      std::unordered_multimap<std::string, ArtifactHash> before;
      for_each_artifact(*original, *table, scope, [&](const ArtifactHash& a) { before.emplace(a.hash, a); });
      std::vector<ArtifactHash> only_now;
      for_each_artifact(reproduction, *table, scope, [&](const ArtifactHash& a) {
        auto it = before.find(a.hash);
        if (it != before.end())
          before.erase(it);
        else
          only_now.push_back(a);
      });
      // Pair what is left on both sides by location (same table row): those are changed artifacts.
      std::multimap<std::string, ArtifactHash> left;
      for (auto& [h, a] : before) left.emplace(a.locator, a);
      size_t listed = 0;
      for (const auto& a : only_now) {
        auto it = left.find(a.locator);
        std::string subject = fmt::format("{}: {}", a.exhibit, a.item_path);
        if (it != left.end()) {
          if (listed++ < kListLimit)
            add("artifact", subject,
                fmt::format("changed: original artifact {} differs from reproduction artifact {} ({})",
                            it->second.id, a.id, a.locator));
          left.erase(it);
        } else if (listed++ < kListLimit) {
          add("artifact", subject, "new: reproduction " + a.brief + " is not in the original");
        }
      }
      for (const auto& [locator, a] : left)
        if (listed++ < kListLimit)
          add("artifact", fmt::format("{}: {}", a.exhibit, a.item_path),
              "missing: original " + a.brief + " is not reproduced");
      if (listed > kListLimit)
        add("artifact",
            fmt::format("{}: {}", g["exhibit"].get<std::string>(), g["item_path"].get<std::string>()),
            fmt::format("{} more differing artifacts not listed", listed - kListLimit));
    }
  }
  return out;
}

}  // namespace kanshiki
