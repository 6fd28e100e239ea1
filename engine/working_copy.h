#pragma once
// Working copies: files streamed out of an evidence source into the case's work folder, hashed on the way
// and checked against the SHA-256 recorded at ingest. Parsers and recovery only ever open these copies.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/evidence/source.h"

namespace kanshiki {

// SQLite keeps recent changes in these siblings; a working copy without them would miss rows.
inline constexpr const char* kSqliteSiblings[] = {"-wal", "-journal", "-shm"};

struct CopyRequest {
  std::vector<std::filesystem::path> destinations;  // one or more copies of the same item
  std::string expected_sha256;                      // from the items table
};

// Streams every requested logical path out of `source` in one pass. Returns logical path -> reason for
// every file whose copy cannot be trusted (changed since ingest, unreadable, missing). A truncated container
// is tolerated: files read before the damage are kept and the rest are reported as missing.
std::map<std::string, std::string> copy_out_verified(EvidenceSource& source,
                                                     const std::map<std::string, CopyRequest>& requests);

// A file name for a copy of `logical_path` (its last segment; "item" when that is unusable).
std::string working_copy_file_name(const std::string& logical_path);

}  // namespace kanshiki
