#pragma once
// Reproducibility digest (docs/exports.md, "Reproducibility"): a signed JSON file that states what a case's
// findings were made from and with, compactly enough to check a re-run against it:
//   tool version and build id (SHA-256 of the executable), registered parsers + versions, processing options,
//   every evidence item's hash, and per-table and per-(exhibit, item, table) artifact digests.
//
// Artifact digests are canonical and order-independent: each artifact is serialised as a JSON array of its
// provenance (exhibit, item path, table, rowid/offset, detail, parser id + version, recovered, time; the
// item's SHA-256 is checked per item in the evidence section instead) and every column of its type table
// (with column names), hashed with SHA-256; a set of artifacts is digested as SHA-256("kanshiki-multiset-v1",
// count, sum of the artifact hashes mod 2^256). Addition commutes, so neither processing order nor row ids
// matter, and it streams (constant memory at any case size). Run ids, artifact/item/evidence row ids,
// parser-run ids and every timestamp of the run itself are excluded.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kanshiki {

class CaseDb;
class Examiner;

inline constexpr const char* kDigestFormat = "kanshiki-reproducibility-digest/1";

// The digest body (everything but the signature block). `build_id` identifies the running build.
nlohmann::json compute_case_digest(CaseDb& c, const std::string& build_id);

// SHA-256 of /proc/self/exe: identifies exactly which build produced or checks a digest.
std::string current_build_id();

// Adds {"signature": {algorithm, signed_sha256, value, examiner, fingerprint, public_key_pem}}.
nlohmann::json sign_digest(nlohmann::json body, const Examiner& examiner);

struct DigestSignatureCheck {
  bool ok = false;
  std::string fingerprint, examiner, problem;
};
// Checks the signature against the embedded key, or against trusted_public_key_pem when given.
DigestSignatureCheck verify_digest_signature(
    const nlohmann::json& digest, const std::optional<std::string>& trusted_public_key_pem = std::nullopt);

struct DigestDifference {
  std::string kind;     // "tool", "parser", "evidence", "item", "table", "artifacts", "artifact", "skipped"
  std::string subject;  // what differs (exhibit, item path, table, artifact)
  std::string detail;   // expected vs actual, human-readable
  bool counts_as_mismatch = true;  // false for notes (another build, derived evidence not re-derived)
};

struct DigestComparison {
  std::vector<DigestDifference> differences;
  bool reproduced() const {
    for (const auto& d : differences)
      if (d.counts_as_mismatch) return false;
    return true;
  }
};

// Compares a recorded digest with the digest of the reproduction. When the original case is available, the
// artifact groups that differ are compared artifact by artifact and each artifact present on only one side is
// listed (original artifact ids; reproduction artifact ids).
DigestComparison compare_digests(const nlohmann::json& expected, const nlohmann::json& actual,
                                 CaseDb* original, CaseDb& reproduction);

}  // namespace kanshiki
