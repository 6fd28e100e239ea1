#include "engine/derive.h"

#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <memory>
#include <regex>

#include "core/case_db.h"
#include "core/error.h"

namespace kanshiki {
namespace {

struct SourceItem {
  int64_t evidence_id = 0;
  std::string path, sha256, exhibit;
  fs::path evidence_source;
  SourceKind kind = SourceKind::folder;
};

SourceItem load_source_item(CaseDb& c, int64_t item_id) {
  sql::Stmt st(c.db(),
               "SELECT i.evidence_id, i.path, i.sha256, e.source_path, e.source_kind, e.exhibit FROM items i "
               "JOIN evidence e ON e.id = i.evidence_id WHERE i.id = ?1");
  st.bind(1, item_id);
  if (!st.step()) throw Error(ExitCode::usage, fmt::format("no item {} in this case", item_id));
  SourceItem s{st.i64(0), st.text(1), st.text(2), st.text(5), st.text(3)};
  auto kind = source_kind_from_name(st.text(4));
  if (!kind)
    throw Error(ExitCode::case_error,
                fmt::format("evidence {} has unknown kind {}", s.evidence_id, st.text(4)));
  s.kind = *kind;
  return s;
}

}  // namespace

fs::path next_derived_dir(CaseDb& c) {
  fs::path root = c.dir() / "derived";
  fs::create_directories(root);
  int64_t highest = 0;
  static const std::regex kName(R"(D([0-9]+)(\.partial)?)");
  for (const auto& entry : fs::directory_iterator(root)) {
    std::smatch m;
    std::string name = entry.path().filename().string();
    if (std::regex_match(name, m, kName)) highest = std::max<int64_t>(highest, std::stoll(m[1].str()));
  }
  return root / fmt::format("D{}", highest + 1);
}

int64_t find_item_by_path(CaseDb& c, const std::string& logical_path) {
  sql::Stmt st(c.db(), "SELECT id, evidence_id FROM items WHERE path = ?1 ORDER BY id");
  st.bind(1, logical_path);
  std::vector<std::pair<int64_t, int64_t>> found;
  while (st.step()) found.emplace_back(st.i64(0), st.i64(1));
  if (found.empty()) throw Error(ExitCode::usage, "no item with path " + logical_path + " in this case");
  if (found.size() > 1) {
    std::string list;
    for (const auto& [item, ev] : found)
      list += fmt::format("{}item {} (E{})", list.empty() ? "" : ", ", item, ev);
    throw Error(ExitCode::usage, fmt::format("{} items have path {}: {}; choose one with --item",
                                             found.size(), logical_path, list));
  }
  return found.front().first;
}

namespace {

// The parts every decryption shares: the "same item, same key" short cut, streaming the item out of its
// evidence with its SHA-256 re-checked, D<n>.partial renamed only on success, and the ingest as derived
// evidence. `decrypt` builds the format's streaming decryptor around the sink that writes the output file.
struct StreamingDecryption {
  std::function<void(const void*, size_t)> feed;
  std::function<void()> finish;  // throws on a bad tag, truncation, ...
};
using MakeDecryption = std::function<StreamingDecryption(std::function<void(const void*, size_t)> sink)>;

DeriveResult derive_decrypted(CaseDb& c, int64_t run_id, int64_t item_id, const std::string& key_fingerprint,
                              const std::function<std::string(const std::string&)>& output_name,
                              const MakeDecryption& make_decryption,
                              const std::function<std::string()>& derivation_after_success) {
  DeriveResult res;
  SourceItem src = load_source_item(c, item_id);
  res.source_item_id = item_id;
  res.source_evidence_id = src.evidence_id;
  res.source_path = src.path;
  res.source_sha256 = src.sha256;
  const std::string name = output_name(fs::path(src.path).filename().string());

  {
    // Same item, same key: the earlier derivation stands (re-running a command never duplicates evidence).
    sql::Stmt st(
        c.db(),
        "SELECT e.id, e.derivation, e.source_path FROM evidence e WHERE e.derived_from_item = ?1 AND "
        "substr(e.derivation, -length(?2)) = ?2 ORDER BY e.id LIMIT 1");
    st.bind(1, item_id).bind(2, "with key " + key_fingerprint);
    if (st.step()) {
      res.already_derived = true;
      res.evidence_id = st.i64(0);
      res.derivation = st.text(1);
      res.output = fs::path(st.text(2)) / name;
      sql::Stmt it(c.db(), "SELECT sha256, size FROM items WHERE evidence_id = ?1 ORDER BY id LIMIT 1");
      it.bind(1, res.evidence_id);
      if (it.step()) {
        res.output_sha256 = it.text(0);
        res.output_size = static_cast<uint64_t>(it.i64(1));
      }
      return res;
    }
  }

  // Decrypt into D<n>.partial, renamed to D<n> only once the format's checks and the hash check all passed:
  // a wrong key or damaged input never leaves a folder that could be ingested.
  fs::path dir = next_derived_dir(c);
  fs::path partial_dir = dir;
  partial_dir += ".partial";
  std::error_code ec;
  try {
    fs::create_directories(partial_dir);
    fs::path out_path = partial_dir / name;
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ExitCode::case_error, "cannot create " + out_path.string());
    StreamingDecryption decryption = make_decryption([&](const void* d, size_t n) {
      out.write(static_cast<const char*>(d), static_cast<std::streamsize>(n));
      if (!out) throw Error(ExitCode::disk_full, "cannot write " + out_path.string() + " (disk full?)");
    });

    bool seen = false;
    std::string read_sha256;
    std::string unreadable;
    auto evidence = open_evidence(src.evidence_source, src.kind);
    evidence->for_each_file([&](std::string_view p) { return p == src.path; },
                            [&](const EvidenceEntry&, ByteReader& reader) {
                              seen = true;
                              HashOptions ho;
                              ho.tee = [&](const void* d, size_t n) { decryption.feed(d, n); };
                              read_sha256 = hash_stream(reader, ho).sha256;
                            },
                            [&](const SourceProblem& p) {
                              if (p.fatal && p.path == src.path) unreadable = p.message;
                            });
    if (!seen)
      throw Error(ExitCode::evidence_unreadable,
                  fmt::format("{} could not be read from evidence E{} again{}", src.path, src.evidence_id,
                              unreadable.empty() ? "" : ": " + unreadable));
    if (read_sha256 != src.sha256)
      throw Error(
          ExitCode::verification_failed,
          fmt::format("evidence changed since ingest: {} has SHA-256 {} now but {} at ingest; not decrypted",
                      src.path, read_sha256, src.sha256));
    decryption.finish();
    out.close();
    if (out.fail()) throw Error(ExitCode::disk_full, "cannot write " + out_path.string());
    fs::rename(partial_dir, dir);
  } catch (...) {
    fs::remove_all(partial_dir, ec);
    throw;
  }
  res.output = dir / name;
  res.derivation = derivation_after_success();

  IngestOptions opt;
  opt.evidence = dir;
  opt.exhibit = fmt::format("{}-{}", src.exhibit, dir.filename().string());
  opt.label = fmt::format("decrypted from E{} item {} ({})", src.evidence_id, item_id, src.path);
  opt.format = SourceKind::folder;
  opt.derived_from_item = item_id;
  opt.derivation = res.derivation;
  res.ingest = ingest_evidence(c, run_id, opt);
  res.evidence_id = res.ingest.evidence_id;
  return res;
}

}  // namespace

DeriveResult derive_whatsapp_decrypted(CaseDb& c, int64_t run_id, int64_t item_id,
                                       const whatsapp_crypt::Key& key) {
  std::unique_ptr<whatsapp_crypt::Decryptor> decryptor;
  whatsapp_crypt::Result decrypted;
  DeriveResult res = derive_decrypted(
      c, run_id, item_id, key.fingerprint,
      [](const std::string& n) { return whatsapp_crypt::plaintext_name(n); },
      [&](auto sink) {
        decryptor = std::make_unique<whatsapp_crypt::Decryptor>(key, sink);
        return StreamingDecryption{[&](const void* d, size_t n) { decryptor->feed(d, n); },
                                   [&] { decrypted = decryptor->finish(); }};
      },
      [&] {
        return fmt::format("whatsapp-{} decryption with key {}",
                           whatsapp_crypt::format_name(decrypted.header.format), key.fingerprint);
      });
  if (!res.already_derived) {
    res.decrypt = decrypted;
    res.output_sha256 = decrypted.plaintext_sha256;
    res.output_size = decrypted.plaintext_bytes;
  }
  return res;
}

DeriveResult derive_sqlcipher_decrypted(CaseDb& c, int64_t run_id, int64_t item_id,
                                        const std::vector<sqlcipher::Candidate>& candidates,
                                        const std::string& key_fingerprint) {
  std::unique_ptr<sqlcipher::Decryptor> decryptor;
  sqlcipher::Result decrypted;
  DeriveResult res = derive_decrypted(
      c, run_id, item_id, key_fingerprint, [](const std::string& n) { return n; },
      [&](auto sink) {
        decryptor = std::make_unique<sqlcipher::Decryptor>(candidates, sink);
        return StreamingDecryption{[&](const void* d, size_t n) { decryptor->feed(d, n); },
                                   [&] { decrypted = decryptor->finish(); }};
      },
      [&] {
        return fmt::format("sqlcipher {} decryption with key {}", decrypted.params.name, key_fingerprint);
      });
  if (!res.already_derived) {
    res.sqlcipher = decrypted;
    res.output_sha256 = decrypted.plaintext_sha256;
    res.output_size = decrypted.plaintext_bytes;
  }
  return res;
}

}  // namespace kanshiki
