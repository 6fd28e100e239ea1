// `kanshiki ingest BACKUP --password P` when BACKUP is an encrypted iTunes/Finder backup: the backup as
// stored and its decryption become two evidence records (engine/ios_backup_decrypt.h). The password never
// reaches the custody log, the runs table or any output: only that one was given, and the passkey's SHA-256.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "engine/ios_backup_decrypt.h"
#include "engine/progress.h"

namespace kanshiki::cli {

int ingest_encrypted_ios_backup_command(Session& s, json params, const fs::path& evidence,
                                        const std::string& exhibit, const std::string& label,
                                        const std::optional<std::string>& password) {
  const std::string& command_line = g.command_line;  // secrets already redacted
  params["encrypted_ios_backup"] = true;
  int rc = 0;
  logged(s, "ingest", params, [&] {
    if (!password)
      throw Error(ExitCode::usage, "encrypted iOS backup " + evidence.string() +
                                       ": give its password with --password or --password-file "
                                       "(暗号化されたバックアップです。--password または --password-file "
                                       "でパスワードを指定してください)");
    ios_backup_crypt::Secret secret;
    secret.password = *password;
    IngestOptions opt;
    opt.evidence = evidence;
    opt.exhibit = exhibit;
    opt.label = label;
    opt.progress = Progress::wanted(g.quiet);
    int64_t run = s.db.begin_run("ingest", command_line, s.examiner.name());
    s.log({"ingest", "started", params});
    IosBackupDecryptResult r;
    try {
      r = ingest_encrypted_ios_backup(s.db, run, opt, secret);
    } catch (...) {
      s.db.end_run(run, "failed");
      throw;
    }

    // Custody: the backup as stored, then its decryption ("decrypted from").
    json in_stored{{"path", fs::absolute(evidence).lexically_normal().string()}, {"kind", "folder"}};
    json out_stored = json::array();
    if (!r.original.already_ingested)
      out_stored.push_back({{"path", fs::relative(r.original.manifest, s.db.dir()).string()},
                            {"sha256", r.original.manifest_sha256}});
    CustodyAction stored{"ingest", r.original.problems ? "warnings" : "ok", params, json::array({in_stored}),
                         out_stored};
    stored.parameters["evidence_id"] = r.original.evidence_id;
    stored.parameters["items"] = r.original.items;
    stored.parameters["bytes"] = r.original.bytes;
    stored.parameters["note"] = r.original.already_ingested ? "encrypted backup already ingested"
                                                            : "encrypted backup ingested as stored (folder)";
    s.log(stored);

    json dparams{{"source_evidence_id", r.original.evidence_id},
                 {"keybag_item_id", r.keybag_item_id},
                 {"derivation", r.derivation},
                 {"password", "given (not recorded)"}};
    json din = json::array({json{
        {"evidence_id", r.original.evidence_id}, {"item_id", r.keybag_item_id}, {"path", "Manifest.plist"}}});
    json dout = json::array();
    if (r.already_derived) {
      dparams["note"] = "already decrypted with this key; nothing done";
      dout.push_back({{"evidence_id", r.derived_evidence_id}, {"path", r.output.string()}});
    } else {
      dparams["files_decrypted"] = r.report.files_decrypted;
      dparams["files_copied_plain"] = r.report.files_copied_plain;
      dparams["problems"] = r.report.problems.size();
      dparams["derivation_seconds"] = r.report.derivation_seconds;
      dout.push_back({{"evidence_id", r.derived_evidence_id},
                      {"path", fs::relative(r.output, s.db.dir()).string()},
                      {"items", r.derived.items},
                      {"bytes", r.derived.bytes}});
      dout.push_back({{"path", fs::relative(r.derived.manifest, s.db.dir()).string()},
                      {"sha256", r.derived.manifest_sha256}});
    }
    bool problems = !r.report.problems.empty() || r.derived.problems > 0 || r.original.problems > 0;
    CustodyAction dec{"decrypt ios-backup", problems ? "warnings" : "ok", dparams, din, dout};
    s.log(dec);
    s.db.end_run(run, "ok");

    say(fmt::format("Encrypted iOS backup ingested as stored: E{} ({} items, {})", r.original.evidence_id,
                    r.original.items, human_bytes(r.original.bytes)));
    if (r.already_derived) {
      say(fmt::format("Already decrypted with this key: evidence E{} ({}); nothing to do.",
                      r.derived_evidence_id, r.output.string()));
    } else {
      say(fmt::format(
          "Decrypted into E{}: {} files decrypted, {} ({} bytes out), key derivation {:.1f}s\n  {}\n  {}",
          r.derived_evidence_id, r.report.files_decrypted, r.output.string(), r.report.bytes_out,
          r.report.derivation_seconds, r.derivation,
          fmt::format("manifest {} (SHA-256 {})", r.derived.manifest.string(), r.derived.manifest_sha256)));
      for (const auto& p : r.report.problems)
        std::cerr << fmt::format("warning: {} ({}): {}\n", p.logical.empty() ? p.physical : p.logical,
                                 p.physical, p.message);
    }
    emit_json({{"evidence_id", r.original.evidence_id},
               {"derived_evidence_id", r.derived_evidence_id},
               {"already_derived", r.already_derived},
               {"output", r.output.string()},
               {"files_decrypted", r.report.files_decrypted},
               {"problems", r.report.problems.size() + r.derived.problems + r.original.problems},
               {"derivation", r.derivation}});
    if (problems) rc = static_cast<int>(ExitCode::completed_with_warnings);
  });
  return rc;
}

}  // namespace kanshiki::cli
