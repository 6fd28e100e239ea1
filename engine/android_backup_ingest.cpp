// Ingest of an encrypted Android backup. Later steps (process, verify) run without the password, so the
// tar inside is decrypted once, here, into CASE/derived/D<n>/<name>.tar (streamed, hashed on the way) and
// that tar is ingested as evidence whose derivation names the .ab it came from with the .ab's own hashes.
// Unencrypted backups need none of this: they are read in place by the android-backup source.
#include <fmt/format.h>

#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/case_db.h"
#include "core/error.h"
#include "core/evidence/android_backup.h"
#include "engine/derive.h"
#include "engine/engine.h"

namespace kanshiki {

IngestResult ingest_encrypted_android_backup(CaseDb& c, int64_t run_id, const IngestOptions& opt,
                                             const fs::path& source) {
  IngestResult res;
  res.kind = SourceKind::android_backup;
  {
    sql::Stmt st(c.db(),
                 "SELECT id, status FROM evidence WHERE json_valid(derivation) AND "
                 "json_extract(derivation, '$.decrypted_from') = ?1");
    st.bind(1, source.string());
    if (st.step()) {
      res.evidence_id = st.i64(0);
      res.status = st.text(1);
      res.already_ingested = true;
      return res;
    }
  }
  // Opening checks the password (master-key checksum) before anything is written.
  android_backup::TarStream stream(source, opt.password);
  const auto& h = stream.header();
  auto container = std::async(std::launch::async, [source] {
    HashOptions ho;
    ho.parallel = false;
    return hash_file(source, ho);
  });

  fs::path dir = next_derived_dir(c);
  fs::path partial = dir;
  partial += ".partial";
  std::string name = source.stem().string() + ".decrypted.tar";
  std::error_code ec;
  try {
    fs::create_directories(partial);
    std::ofstream out(partial / name, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ExitCode::case_error, "cannot create " + (partial / name).string());
    std::vector<char> buf(1 << 20);
    while (size_t n = stream.read(buf.data(), buf.size())) {
      out.write(buf.data(), static_cast<std::streamsize>(n));
      if (!out)
        throw Error(ExitCode::disk_full, "cannot write " + (partial / name).string() + " (disk full?)");
    }
    out.close();
    if (out.fail()) throw Error(ExitCode::disk_full, "cannot write " + (partial / name).string());
    fs::rename(partial, dir);
  } catch (...) {
    fs::remove_all(partial, ec);
    if (container.valid()) container.wait();
    throw;
  }
  Digests ab = container.get();
  Digests tar = stream.tar_digests();
  nlohmann::json d{{"view", "tar stream inside an encrypted Android backup, decrypted at ingest"},
                   {"decrypted_from", source.string()},
                   {"ab_size", ab.size},
                   {"ab_md5", ab.md5},
                   {"ab_sha1", ab.sha1},
                   {"ab_sha256", ab.sha256},
                   {"ab_format_version", h.version},
                   {"compressed", h.compressed},
                   {"encryption", h.encryption},
                   {"pbkdf2_rounds", h.rounds},
                   {"checksum_encoding", stream.checksum_encoding()},
                   {"tar_size", tar.size},
                   {"tar_md5", tar.md5},
                   {"tar_sha1", tar.sha1},
                   {"tar_sha256", tar.sha256}};

  IngestOptions inner = opt;
  inner.password.reset();
  inner.evidence = dir / name;
  inner.format = SourceKind::tar;
  inner.derivation = d.dump();
  if (inner.label.empty()) inner.label = "decrypted from " + source.filename().string();
  res = ingest_evidence(c, run_id, inner);
  res.kind = SourceKind::android_backup;
  res.container = ab;  // the container the examiner gave; the tar's hashes are in the derivation
  res.derived_file = dir / name;
  res.derived_sha256 = tar.sha256;
  return res;
}

}  // namespace kanshiki
