#pragma once
// Derived evidence: a file produced from an evidence item (e.g. a decrypted WhatsApp backup) becomes a new
// evidence item of its own: hashed at ingest like any other, processed by the ordinary parsers, and linked
// to its origin by evidence.derived_from_item + evidence.derivation (schema migration 2).
//
//   CASE/derived/D<n>/<plaintext name>   the derived files (one folder per derivation, ingested as a folder)
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/decrypt/sqlcipher.h"
#include "core/decrypt/whatsapp_crypt.h"
#include "engine/engine.h"

namespace kanshiki {

class CaseDb;

struct DeriveResult {
  int64_t evidence_id = 0;       // the derived evidence
  bool already_derived = false;  // the same item was decrypted with the same key before: nothing done
  int64_t source_item_id = 0, source_evidence_id = 0;
  std::string source_path, source_sha256;  // the encrypted item (logical path, SHA-256 re-checked on read)
  std::filesystem::path output;            // CASE/derived/D<n>/msgstore.db
  std::string output_sha256;
  uint64_t output_size = 0;
  std::string derivation;          // as stored in evidence.derivation
  whatsapp_crypt::Result decrypt;  // header facts, MD5 trailer presence (not filled when already_derived)
  std::optional<sqlcipher::Result> sqlcipher;  // SQLCipher: parameter set used, damaged pages (same)
  IngestResult ingest;
};

// The item id of a logical path; throws Error(usage) when no item or several items (in different evidence)
// have that path.
// Next free CASE/derived/D<n>: one past the highest number in use (folders left by an interrupted run
// are never reused, so a derived folder only ever holds one derivation). Creates CASE/derived.
std::filesystem::path next_derived_dir(CaseDb& c);

int64_t find_item_by_path(CaseDb& c, const std::string& logical_path);

// Streams item `item_id` out of its evidence, checks its SHA-256 against the ingest record while it is read,
// decrypts it into CASE/derived/D<n>/ and ingests that folder as new evidence derived from the item. On any
// failure (wrong key, changed evidence, truncated backup) nothing is left behind and Error is thrown.
DeriveResult derive_whatsapp_decrypted(CaseDb& c, int64_t run_id, int64_t item_id,
                                       const whatsapp_crypt::Key& key);

// The same for a SQLCipher database (Signal): the first candidate whose HMAC matches page 1 decrypts it,
// page for page (docs/formats/sqlcipher.md); the output keeps the item's file name. `key_fingerprint` is the
// SHA-256 of the key as given (the key itself is never stored).
DeriveResult derive_sqlcipher_decrypted(CaseDb& c, int64_t run_id, int64_t item_id,
                                        const std::vector<sqlcipher::Candidate>& candidates,
                                        const std::string& key_fingerprint);

}  // namespace kanshiki
