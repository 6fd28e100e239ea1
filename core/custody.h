#pragma once
// Chain-of-custody log inside the case: append-only (database triggers), hash-chained and signed.
//   entry_hash = SHA-256 over the canonical JSON array
//     [seq, utc, examiner, fingerprint, host, tool_version, action, status, parameters, inputs, outputs,
//      error, prev_hash]
//   signature  = Ed25519(examiner key, entry_hash as hex text)
// CASE/custody.anchor holds the last seq and entry_hash, signed, so deleting entries at the end of the log
// is detected too.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kanshiki {

class CaseDb;
class Examiner;

struct CustodyAction {
  std::string action;                               // "ingest", "process", "report", "verify", ...
  std::string status = "ok";                        // "started", "ok", "failed", "warnings"
  nlohmann::json parameters = nlohmann::json::object();
  nlohmann::json inputs = nlohmann::json::array();  // [{"path":..., "sha256":...}, ...]
  nlohmann::json outputs = nlohmann::json::array();
  std::string error;
};

struct CustodyEntry {
  int64_t seq = 0;
  std::string utc, examiner, examiner_fingerprint, host, tool_version, action, status;
  nlohmann::json parameters, inputs, outputs;
  std::string error, prev_hash, entry_hash, signature;
};

// Appends one signed entry (own transaction) and updates the anchor; returns its seq.
int64_t append_custody(CaseDb& c, const Examiner& examiner, const CustodyAction& action);

std::vector<CustodyEntry> read_custody(CaseDb& c);

struct CustodyVerification {
  bool ok = true;
  int64_t entries = 0;
  std::vector<std::string> problems;  // each names the entry (seq) and what is wrong
  std::string summary() const;        // one line, e.g. "custody log verified: 12 entries, chain and signatures intact"
};

// Checks every entry's hash, the chain, sequence numbers, each signature against the examiner's key
// registered in the case (or against trusted_public_key_pem when given), and the anchor.
CustodyVerification verify_custody(CaseDb& c, const std::optional<std::string>& trusted_public_key_pem = std::nullopt);

// Computes the entry hash the way append/verify do (exposed for tests).
std::string custody_entry_hash(const CustodyEntry& e);

}  // namespace kanshiki
