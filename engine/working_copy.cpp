#include "engine/working_copy.h"

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <set>

#include "core/error.h"
#include "hashing/multi_hash.h"

namespace kanshiki {
namespace {

class CopyWriter {
 public:
  explicit CopyWriter(const std::filesystem::path& p) : out_(p, std::ios::binary | std::ios::trunc), path_(p) {
    if (!out_) throw Error(ExitCode::case_error, "cannot create working copy " + p.string());
  }
  void write(const void* d, size_t n) {
    out_.write(static_cast<const char*>(d), static_cast<std::streamsize>(n));
    if (!out_) throw Error(ExitCode::disk_full, "cannot write working copy " + path_.string() + " (disk full?)");
  }
  void close() {
    out_.close();
    if (out_.fail()) throw Error(ExitCode::disk_full, "cannot write working copy " + path_.string());
  }

 private:
  std::ofstream out_;
  std::filesystem::path path_;
};

}  // namespace

std::string working_copy_file_name(const std::string& logical_path) {
  std::string base = std::filesystem::path(logical_path).filename().string();
  if (base.empty() || base == "." || base == "..") base = "item";
  return base;
}

std::map<std::string, std::string> copy_out_verified(EvidenceSource& source,
                                                     const std::map<std::string, CopyRequest>& requests) {
  std::map<std::string, std::string> problems;
  std::set<std::string> pending;
  for (const auto& [path, _] : requests) pending.insert(path);
  try {
    source.for_each_file(
        [&](std::string_view p) { return requests.count(std::string(p)) > 0; },
        [&](const EvidenceEntry& e, ByteReader& reader) {
          const CopyRequest& req = requests.at(e.path);
          pending.erase(e.path);
          std::vector<std::unique_ptr<CopyWriter>> outs;
          for (const auto& d : req.destinations) outs.push_back(std::make_unique<CopyWriter>(d));
          HashOptions ho;
          ho.tee = [&](const void* data, size_t n) {
            for (auto& o : outs) o->write(data, n);
          };
          Digests got = hash_stream(reader, ho);
          for (auto& o : outs) o->close();
          if (got.sha256 != req.expected_sha256)
            problems[e.path] = fmt::format("evidence changed since ingest: SHA-256 now {} but {} at ingest",
                                           got.sha256, req.expected_sha256);
        },
        [&](const SourceProblem& p) {
          // Notes about an entry (stored as warnings at ingest) do not make its bytes untrustworthy; the
          // SHA-256 comparison decides that. Only unreadable entries block.
          if (p.fatal && !p.path.empty() && requests.count(p.path)) problems[p.path] = p.message;
        });
  } catch (const Error& e) {
    if (e.code() != ExitCode::corrupt_input) throw;
  }
  for (const auto& p : pending)
    if (!problems.count(p)) problems[p] = "file could not be read from the evidence again";
  return problems;
}

}  // namespace kanshiki
