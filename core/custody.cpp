#include "core/custody.h"

#include <fmt/format.h>

#include <fstream>
#include <map>

#include "core/case_db.h"
#include "core/error.h"
#include "core/examiner.h"
#include "hashing/multi_hash.h"
#include "kanshiki/version.h"

namespace kanshiki {
namespace {

const std::string kGenesis(64, '0');

fs::path anchor_path(CaseDb& c) { return c.dir() / "custody.anchor"; }

std::string anchor_message(int64_t seq, const std::string& hash) { return fmt::format("kanshiki-custody-anchor:{}:{}", seq, hash); }

void write_anchor(CaseDb& c, const Examiner& ex, int64_t seq, const std::string& hash) {
  nlohmann::json a{{"seq", seq},
                   {"entry_hash", hash},
                   {"examiner_fingerprint", ex.fingerprint()},
                   {"signature", ex.sign_hex(anchor_message(seq, hash))}};
  fs::path tmp = anchor_path(c);
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << a.dump(2) << "\n";
    out.flush();
    if (!out) throw Error(ExitCode::disk_full, "cannot write custody anchor " + tmp.string());
  }
  fs::rename(tmp, anchor_path(c));
}

CustodyEntry row_to_entry(const sql::Stmt& st) {
  CustodyEntry e;
  e.seq = st.i64(0);
  e.utc = st.text(1);
  e.examiner = st.text(2);
  e.examiner_fingerprint = st.text(3);
  e.host = st.text(4);
  e.tool_version = st.text(5);
  e.action = st.text(6);
  e.status = st.text(7);
  e.parameters = nlohmann::json::parse(st.text(8), nullptr, false);
  e.inputs = nlohmann::json::parse(st.text(9), nullptr, false);
  e.outputs = nlohmann::json::parse(st.text(10), nullptr, false);
  e.error = st.text(11);
  e.prev_hash = st.text(12);
  e.entry_hash = st.text(13);
  e.signature = st.text(14);
  return e;
}

constexpr const char* kSelect =
    "SELECT seq, utc, examiner, examiner_fingerprint, host, tool_version, action, status, parameters, inputs, "
    "outputs, error, prev_hash, entry_hash, signature FROM custody ORDER BY seq";

}  // namespace

std::string custody_entry_hash(const CustodyEntry& e) {
  nlohmann::json canon = nlohmann::json::array({e.seq, e.utc, e.examiner, e.examiner_fingerprint, e.host, e.tool_version,
                                                e.action, e.status, e.parameters, e.inputs, e.outputs, e.error,
                                                e.prev_hash});
  return sha256_hex(canon.dump());
}

int64_t append_custody(CaseDb& c, const Examiner& ex, const CustodyAction& action) {
  auto& db = c.db();
  sql::Transaction tx(db);
  {
    sql::Stmt reg(db,
                  "INSERT INTO examiners(name, fingerprint, public_key_pem, first_seen_utc) VALUES(?1,?2,?3,?4) "
                  "ON CONFLICT(fingerprint) DO NOTHING");
    reg.bind(1, ex.name()).bind(2, ex.fingerprint()).bind(3, ex.public_key_pem()).bind(4, now_utc_iso()).run();
  }
  CustodyEntry e;
  e.prev_hash = kGenesis;
  {
    sql::Stmt last(db, "SELECT seq, entry_hash FROM custody ORDER BY seq DESC LIMIT 1");
    if (last.step()) {
      e.seq = last.i64(0);
      e.prev_hash = last.text(1);
    }
  }
  e.seq += 1;
  e.utc = now_utc_iso();
  e.examiner = ex.name();
  e.examiner_fingerprint = ex.fingerprint();
  e.host = host_name();
  e.tool_version = std::string(kToolName) + " " + kToolVersion;
  e.action = action.action;
  e.status = action.status;
  // Round-trip through text so the hash is computed over exactly what is stored.
  e.parameters = nlohmann::json::parse(action.parameters.dump());
  e.inputs = nlohmann::json::parse(action.inputs.dump());
  e.outputs = nlohmann::json::parse(action.outputs.dump());
  e.error = action.error;
  e.entry_hash = custody_entry_hash(e);
  e.signature = ex.sign_hex(e.entry_hash);
  sql::Stmt ins(db,
                "INSERT INTO custody(seq, utc, examiner, examiner_fingerprint, host, tool_version, action, status, "
                "parameters, inputs, outputs, error, prev_hash, entry_hash, signature) "
                "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)");
  ins.bind(1, e.seq).bind(2, e.utc).bind(3, e.examiner).bind(4, e.examiner_fingerprint).bind(5, e.host);
  ins.bind(6, e.tool_version).bind(7, e.action).bind(8, e.status).bind(9, e.parameters.dump());
  ins.bind(10, e.inputs.dump()).bind(11, e.outputs.dump()).bind(12, e.error).bind(13, e.prev_hash);
  ins.bind(14, e.entry_hash).bind(15, e.signature).run();
  tx.commit();
  write_anchor(c, ex, e.seq, e.entry_hash);
  return e.seq;
}

std::vector<CustodyEntry> read_custody(CaseDb& c) {
  std::vector<CustodyEntry> out;
  sql::Stmt st(c.db(), kSelect);
  while (st.step()) out.push_back(row_to_entry(st));
  return out;
}

std::string CustodyVerification::summary() const {
  if (ok) return fmt::format("custody log verified: {} entries, hash chain and signatures intact", entries);
  return fmt::format("custody log FAILED verification: {} problem(s) in {} entries; first: {}", problems.size(),
                     entries, problems.empty() ? "" : problems.front());
}

CustodyVerification verify_custody(CaseDb& c, const std::optional<std::string>& trusted_public_key_pem) {
  CustodyVerification v;
  std::map<std::string, std::string> keys;  // fingerprint -> PEM
  {
    sql::Stmt st(c.db(), "SELECT fingerprint, public_key_pem FROM examiners");
    while (st.step()) {
      // A registered key must be what its fingerprint says; otherwise the examiners table was edited.
      std::string pem = st.text(1);
      if (public_key_fingerprint(pem) != st.text(0)) {
        v.problems.push_back("examiner key registered as " + st.text(0).substr(0, 16) + "… does not match its fingerprint");
        continue;
      }
      keys[st.text(0)] = pem;
    }
  }
  std::string trusted_fpr = trusted_public_key_pem ? public_key_fingerprint(*trusted_public_key_pem) : "";
  if (trusted_public_key_pem && trusted_fpr.empty()) v.problems.push_back("the trusted key given is not an Ed25519 public key");

  std::string prev = kGenesis;
  int64_t expected = 1;
  std::map<int64_t, std::string> hash_at;
  sql::Stmt st(c.db(), kSelect);
  while (st.step()) {
    CustodyEntry e = row_to_entry(st);
    ++v.entries;
    hash_at[e.seq] = e.entry_hash;
    if (e.seq != expected)
      v.problems.push_back(fmt::format("entry {}: expected sequence number {} (an entry was deleted or inserted)", e.seq, expected));
    if (e.parameters.is_discarded() || e.inputs.is_discarded() || e.outputs.is_discarded())
      v.problems.push_back(fmt::format("entry {}: stored JSON is malformed (entry was edited)", e.seq));
    else if (custody_entry_hash(e) != e.entry_hash)
      v.problems.push_back(fmt::format("entry {} ({}): content does not match its hash (entry was edited)", e.seq, e.action));
    if (e.prev_hash != prev)
      v.problems.push_back(fmt::format(
          "entry {}: chain broken, previous-hash does not match the entry before it (entries deleted, inserted or reordered)",
          e.seq));
    std::string pem;
    if (trusted_public_key_pem) {
      if (e.examiner_fingerprint != trusted_fpr)
        v.problems.push_back(fmt::format("entry {}: signed by key {}…, not the trusted key", e.seq, e.examiner_fingerprint.substr(0, 16)));
      pem = *trusted_public_key_pem;
    } else if (auto it = keys.find(e.examiner_fingerprint); it != keys.end()) {
      pem = it->second;
    } else {
      v.problems.push_back(fmt::format("entry {}: examiner key {}… is not registered in the case", e.seq,
                                       e.examiner_fingerprint.substr(0, 16)));
    }
    if (!pem.empty() && !verify_ed25519(pem, e.entry_hash, e.signature))
      v.problems.push_back(fmt::format("entry {}: signature is not valid for examiner key {}…", e.seq,
                                       e.examiner_fingerprint.substr(0, 16)));
    prev = e.entry_hash;
    expected = e.seq + 1;
  }

  // The anchor may lag the log by the entries written after a crash, never lead it or disagree with it.
  std::ifstream in(anchor_path(c));
  if (!in) {
    if (v.entries > 0) v.problems.push_back("custody.anchor is missing");
  } else {
    auto a = nlohmann::json::parse(in, nullptr, false);
    if (!a.is_object() || !a.contains("seq") || !a.contains("entry_hash")) {
      v.problems.push_back("custody.anchor is malformed");
    } else {
      int64_t seq = a["seq"].get<int64_t>();
      std::string hash = a["entry_hash"].get<std::string>();
      std::string fpr = a.value("examiner_fingerprint", "");
      auto it = keys.find(fpr);
      if (it == keys.end() || !verify_ed25519(it->second, anchor_message(seq, hash), a.value("signature", "")))
        v.problems.push_back("custody.anchor signature is not valid");
      if (seq > expected - 1)
        v.problems.push_back(fmt::format("custody.anchor records entry {} but the log ends at entry {} (entries were removed)",
                                         seq, expected - 1));
      else if (hash_at.count(seq) && hash_at[seq] != hash)
        v.problems.push_back(fmt::format("custody.anchor hash for entry {} does not match the log", seq));
    }
  }
  v.ok = v.problems.empty();
  return v;
}

}  // namespace kanshiki
