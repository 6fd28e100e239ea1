#include "engine/ios_backup_decrypt.h"

#include "engine/derive.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <unordered_map>

#include "core/case_db.h"
#include "core/error.h"
#include "engine/progress.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;
namespace ibc = ios_backup_crypt;

constexpr const char* kDecryptorId = "ios-backup-decrypt";

// The 10M-round derivation takes seconds: a line on stderr with an estimate, only where progress is wanted.
class DerivationLine {
 public:
  explicit DerivationLine(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void operator()(double fraction) {
    if (!enabled_) return;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double eta = fraction > 0.01 ? secs / fraction - secs : 0;
    std::string bar(static_cast<size_t>(fraction * 30), '#');
    bar.resize(30, '.');
    std::fprintf(stderr, "\rkey derivation (鍵導出) [%s] %5.1f%%  %.0fs  ETA %.0fs   ", bar.c_str(),
                 fraction * 100, secs, eta);
    if (fraction >= 1.0) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

bool is_encrypted_ios_backup(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && fs::exists(path / "Manifest.db", ec) && ibc::is_encrypted_backup(path);
}

IosBackupDecryptResult ingest_encrypted_ios_backup(CaseDb& c, int64_t run_id, const IngestOptions& options,
                                                   const ibc::Secret& secret) {
  IosBackupDecryptResult res;
  std::error_code ec;
  fs::path root = fs::absolute(options.evidence, ec).lexically_normal();
  if (!is_encrypted_ios_backup(root))
    throw Error(ExitCode::unknown_format, root.string() + " is not an encrypted iOS backup folder");

  // 1. Keys first: a wrong password must fail before anything is written to the case.
  ibc::BackupKeys keys = ibc::read_backup_keys(root);
  ibc::Key32 passkey{};
  if (secret.passkey) {
    passkey = *secret.passkey;
  } else if (secret.password) {
    DerivationLine line(options.progress);
    passkey = ibc::derive_passkey(keys.bag, *secret.password, std::ref(line));
  } else {
    throw Error(ExitCode::usage,
                "encrypted iOS backup: give the backup password with --password or --password-file "
                "(暗号化されたバックアップです。パスワードを指定してください)");
  }
  ibc::unlock(keys.bag, passkey);  // throws "wrong backup password"
  std::string fingerprint;
  {
    Digest fp(HashAlgo::sha256);
    fp.update(passkey.data(), passkey.size());
    fingerprint = fp.hex_final();
  }
  res.derivation = fmt::format(
      "iOS backup decryption ({}; keybag {}; ManifestKey and per-file keys AES-256-CBC) with passkey sha256 "
      "{}",
      keys.bag.has_dp() ? fmt::format("PBKDF2-HMAC-SHA256 x{} then PBKDF2-HMAC-SHA1 x{}",
                                      keys.bag.dp_iterations, keys.bag.iterations)
                        : fmt::format("PBKDF2-HMAC-SHA1 x{}", keys.bag.iterations),
      ibc::to_hex(std::span(reinterpret_cast<const uint8_t*>(keys.bag.uuid.data()), keys.bag.uuid.size())),
      fingerprint);

  // 2. The backup as stored: every encrypted file hashed like any evidence.
  IngestOptions as_stored = options;
  as_stored.evidence = root;
  as_stored.format = SourceKind::folder;
  as_stored.password.reset();
  as_stored.label = options.label.empty() ? "encrypted iOS backup (as stored)"
                                          : options.label + " (encrypted iOS backup, as stored)";
  res.original = ingest_evidence(c, run_id, as_stored);
  if (res.original.status == "partial")
    throw Error(ExitCode::corrupt_input,
                fmt::format("the encrypted backup could not be read completely ({}); not decrypted",
                            res.original.fatal_error));
  std::unordered_map<std::string, std::string> stored_sha256;
  std::string exhibit;
  {
    sql::Stmt st(c.db(), "SELECT id, path, sha256 FROM items WHERE evidence_id = ?1");
    st.bind(1, res.original.evidence_id);
    while (st.step()) {
      if (st.text(1) == "Manifest.plist") res.keybag_item_id = st.i64(0);
      stored_sha256.emplace(st.text(1), st.text(2));
    }
    sql::Stmt ex(c.db(), "SELECT exhibit FROM evidence WHERE id = ?1");
    ex.bind(1, res.original.evidence_id);
    if (ex.step()) exhibit = ex.text(0);
  }
  if (res.keybag_item_id == 0)
    throw Error(ExitCode::evidence_unreadable,
                fmt::format("evidence E{} has no Manifest.plist item", res.original.evidence_id));

  // 3. Same backup, same key: the earlier decryption stands.
  {
    sql::Stmt st(
        c.db(),
        "SELECT id, source_path FROM evidence WHERE derived_from_item = ?1 AND instr(derivation, ?2) > 0 "
        "ORDER BY id LIMIT 1");
    st.bind(1, res.keybag_item_id).bind(2, "passkey sha256 " + fingerprint);
    if (st.step()) {
      res.already_derived = true;
      res.derived_evidence_id = st.i64(0);
      res.output = st.text(1);
      return res;
    }
  }

  // 4. Decrypt into D<n>.partial; renamed only when every file is through and every hash matched.
  fs::path dir = next_derived_dir(c);
  fs::path partial = dir;
  partial += ".partial";
  try {
    Progress progress("decrypt", 0, options.progress);
    ibc::DecryptOptions dopt;
    dopt.progress = [&](uint64_t done, uint64_t, uint64_t files) { progress.update(done, files); };
    dopt.on_source_read = [&](const std::string& physical, const std::string& sha256) {
      auto it = stored_sha256.find(physical);
      if (it == stored_sha256.end())
        throw Error(ExitCode::verification_failed,
                    fmt::format("{} was not in the backup when it was ingested (E{}); not decrypted",
                                physical, res.original.evidence_id));
      if (it->second != sha256)
        throw Error(
            ExitCode::verification_failed,
            fmt::format("evidence changed since ingest: {} has SHA-256 {} now but {} at ingest (E{}); "
                        "not decrypted",
                        physical, sha256, it->second, res.original.evidence_id));
    };
    ibc::Secret with_key;
    with_key.passkey = passkey;
    res.report = ibc::decrypt_backup(root, partial, with_key, dopt);
    progress.finish();
    fs::rename(partial, dir);
  } catch (...) {
    fs::remove_all(partial, ec);
    throw;
  }
  OPENSSL_cleanse(passkey.data(), passkey.size());
  res.output = dir;

  // 5. The decrypted backup as evidence of its own, linked to the keybag item it was derived from.
  IngestOptions derived;
  derived.evidence = dir;
  derived.exhibit = fmt::format("{}-{}", exhibit, dir.filename().string());
  derived.label = fmt::format("decrypted from E{} ({})", res.original.evidence_id,
                              options.label.empty() ? root.filename().string() : options.label);
  derived.format = SourceKind::ios_backup;
  derived.progress = options.progress;
  res.derived = ingest_evidence(c, run_id, derived);
  res.derived_evidence_id = res.derived.evidence_id;
  sql::Stmt link(c.db(), "UPDATE evidence SET derived_from_item = ?1, derivation = ?2 WHERE id = ?3");
  link.bind(1, res.keybag_item_id).bind(2, res.derivation).bind(3, res.derived_evidence_id).run();

  // 6. What did not decrypt cleanly is a stored warning of the derived evidence: nothing silently skipped.
  for (const auto& p : res.report.problems) {
    Warning w;
    w.severity = p.written ? Severity::warning : Severity::error;
    w.evidence_id = res.derived_evidence_id;
    w.item_path = p.logical.empty() ? p.physical : p.logical;
    w.parser_id = kDecryptorId;
    w.message = fmt::format("{} ({}): {}", w.item_path, p.physical, p.message);
    c.add_warning(w, run_id);
  }
  return res;
}

}  // namespace kanshiki
