// `kanshiki acquire ios`: full backup of an iPhone/iPad over USB (usbmuxd + lockdownd + mobilebackup2) into
// an evidence container in the case (acquire/ios/acquisition.h), one custody entry per step, then ingest of
// the backup folder (an encrypted backup with --password/--password-file becomes stored + decrypted evidence,
// engine/ios_backup_decrypt.h). An interrupted acquisition is recorded as incomplete (acquisitions table,
// acquisition.json, custody); running the command again takes a fresh full backup into the same container.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "acquire/ios/acquisition.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/engine.h"
#include "engine/ios_backup_decrypt.h"
#include "engine/progress.h"

namespace kanshiki::cli {
namespace {

struct AcquireIosOptions {
  std::string case_dir, exhibit, udid, label, pair_record, password, password_file;
  int trust_wait_s = 120, timeout_s = 60, syslog_s = 0;
  bool encrypt_temp = false, media = false, crashlogs = false;
};

std::string safe_name(std::string s) {
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  return s;
}

ExitCode exit_code_for(ios_acquire::Failure f) {
  switch (f) {
    case ios_acquire::Failure::host_error:
      return ExitCode::failure;
    default:
      return ExitCode::evidence_unreadable;  // the device could not be read (as for Android)
  }
}

int run_acquire_ios(const AcquireIosOptions& o) {
  std::optional<std::string> password;
  if (!o.password.empty() && !o.password_file.empty())
    throw Error(ExitCode::usage, "give --password or --password-file, not both");
  if (!o.password.empty()) password = o.password;
  if (!o.password_file.empty()) {
    std::ifstream in(o.password_file, std::ios::binary);
    if (!in) throw Error(ExitCode::usage, "cannot read --password-file " + o.password_file);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    password = line;
  }
  const std::string& command_line = g.command_line;  // secrets already redacted

  if (o.encrypt_temp && !password)
    throw Error(ExitCode::usage,
                "--encrypt-temp needs the temporary password: give --password or --password-file "
                "(it is used for this backup only and never recorded)");

  Session s = open_session(o.case_dir);
  json params{{"exhibit", o.exhibit},
              {"udid", o.udid},
              {"pair_record", o.pair_record},
              {"encrypt_temp", o.encrypt_temp}};
  if (password) params["password"] = "given (not recorded)";
  int rc = 0;
  logged(s, "acquire ios", params, [&] {
    int64_t run = s.db.begin_run("acquire ios", command_line, s.examiner.name());
    s.log({"acquire ios", "started", params});
    fs::path container = fs::absolute(s.db.dir() / "acquisitions" / safe_name(o.exhibit));
    int64_t acquisition_id = 0;
    {
      sql::Stmt find(s.db.db(),
                     "SELECT id FROM acquisitions WHERE container_path = ?1 ORDER BY id DESC LIMIT 1");
      find.bind(1, container.string());
      if (find.step()) {
        acquisition_id = find.i64(0);
      } else {
        sql::Stmt ins(
            s.db.db(),
            "INSERT INTO acquisitions(run_id, platform, method, exhibit, transport, container_path, status, "
            "started_utc) VALUES(?1, 'ios', 'mobilebackup2 full backup', ?2, 'usbmuxd', ?3, 'in_progress', "
            "?4)");
        ins.bind(1, run).bind(2, o.exhibit).bind(3, container.string()).bind(4, now_utc_iso()).run();
        acquisition_id = s.db.db().last_insert_rowid();
      }
    }
    if (fs::exists(container / "backup")) {
      // mobilebackup2 cannot resume a snapshot: an earlier partial backup is kept aside, named, never mixed
      // in.
      fs::path aside = container / fmt::format("backup.incomplete-{}", run);
      fs::rename(container / "backup", aside);
      s.log({"acquire ios: earlier partial backup kept aside", "ok", {{"path", aside.string()}}});
    }

    ios_acquire::AcquireOptions ao;
    ao.container = container;
    ao.udid = o.udid;
    ao.pair_record_file = o.pair_record;
    ao.trust_wait_s = o.trust_wait_s;
    ao.io_timeout_s = o.timeout_s;
    if (o.encrypt_temp) ao.temporary_password = password;
    ao.media = o.media;
    ao.crash_reports = o.crashlogs;
    ao.syslog_seconds = o.syslog_s;
    ao.on_step = [&](const ios_acquire::Step& st) {
      json details = st.details;
      details["exhibit"] = o.exhibit;
      s.log({"acquire ios: " + st.action, st.status, details});
    };
    ao.on_message = [&](const std::string& m) { std::cerr << m << std::endl; };
    bool show_progress = Progress::wanted(g.quiet);
    Progress progress("backup", 0, show_progress);
    ao.on_progress = [&](const ios_acquire::AcquireProgress& p) {
      progress.update(p.bytes_done, p.files_done);
    };
    ios_acquire::AcquireResult r = ios_acquire::acquire_backup(ao);
    progress.finish();

    json facts = r.facts;
    sql::Stmt up(
        s.db.db(),
        "UPDATE acquisitions SET device_serial = ?1, device_facts = ?2, status = ?3, error = ?4, files = ?5, "
        "bytes = ?6, ended_utc = ?7 WHERE id = ?8");
    up.bind(1, r.facts.count("SerialNumber") ? r.facts.at("SerialNumber") : std::string())
        .bind(2, facts.dump());
    up.bind(3, r.complete ? "complete" : "incomplete")
        .bind(4, r.error)
        .bind(5, static_cast<int64_t>(r.files));
    up.bind(6, static_cast<int64_t>(r.bytes)).bind(7, now_utc_iso()).bind(8, acquisition_id).run();

    if (!r.complete) {
      CustodyAction a{"acquire ios",
                      "failed",
                      {{"exhibit", o.exhibit},
                       {"container", container.string()},
                       {"incomplete", true},
                       {"failure", ios_acquire::failure_name(r.failure)},
                       {"files_received", r.files}},
                      json::array(),
                      json::array()};
      if (fs::exists(container / "manifest.tsv"))
        a.outputs.push_back({{"path", (container / "manifest.tsv").string()},
                             {"sha256", hash_file(container / "manifest.tsv").sha256}});
      a.error = r.error;
      s.log(a);
      s.db.end_run(run, "failed");
      std::cerr << fmt::format(
          "error: acquisition of {} is incomplete: {}\n  container kept at {} (marked incomplete); "
          "run the same command again for a new full backup / 取得は未完了です\n",
          o.exhibit, r.error, container.string());
      emit_json({{"status", "incomplete"},
                 {"failure", ios_acquire::failure_name(r.failure)},
                 {"error", r.error},
                 {"container", container.string()}});
      rc = static_cast<int>(exit_code_for(r.failure));
      return;
    }

    std::string label = o.label.empty()
                            ? fmt::format("{} {} (serial {}, iOS {}) full backup",
                                          r.facts.count("DeviceName") ? r.facts.at("DeviceName") : "",
                                          r.facts.count("ProductType") ? r.facts.at("ProductType") : "",
                                          r.facts.count("SerialNumber") ? r.facts.at("SerialNumber") : "",
                                          r.facts.count("ProductVersion") ? r.facts.at("ProductVersion") : "")
                            : o.label;
    IngestOptions io;
    io.evidence = r.backup_dir;
    io.exhibit = o.exhibit;
    io.label = label;
    io.progress = show_progress;
    json out = json::array({json{{"path", (container / "manifest.tsv").string()},
                                 {"sha256", hash_file(container / "manifest.tsv").sha256}},
                            json{{"path", (container / "acquisition.json").string()},
                                 {"sha256", hash_file(container / "acquisition.json").sha256}}});
    int64_t evidence_id = 0, derived_id = 0;
    bool encrypted_backup = is_encrypted_ios_backup(r.backup_dir);
    if (encrypted_backup && password) {
      ios_backup_crypt::Secret secret;
      secret.password = *password;
      IosBackupDecryptResult d = ingest_encrypted_ios_backup(s.db, run, io, secret);
      evidence_id = d.original.evidence_id;
      derived_id = d.derived_evidence_id;
      s.log({"decrypt ios-backup",
             d.report.problems.empty() ? "ok" : "warnings",
             {{"source_evidence_id", evidence_id},
              {"derivation", d.derivation},
              {"password", "given (not recorded)"},
              {"files_decrypted", d.report.files_decrypted}},
             json::array({json{
                 {"evidence_id", evidence_id}, {"item_id", d.keybag_item_id}, {"path", "Manifest.plist"}}}),
             json::array({json{{"evidence_id", derived_id}, {"path", d.output.string()}}})});
    } else {
      if (encrypted_backup) io.format = SourceKind::folder;  // kept as stored until the password is known
      IngestResult ir = ingest_evidence(s.db, run, io);
      evidence_id = ir.evidence_id;
      out.push_back({{"path", ir.manifest.string()}, {"sha256", ir.manifest_sha256}});
    }
    int64_t media_evidence_id = 0;
    if (o.media && !r.media_dir.empty()) {
      // The media area is evidence of its own (a folder: DCIM/..., Downloads/...), next to the backup.
      IngestOptions mo;
      mo.evidence = r.media_dir;
      mo.exhibit = o.exhibit + "-media";
      mo.label = label + " — media (AFC)";
      mo.format = SourceKind::folder;
      mo.progress = show_progress;
      IngestResult mr = ingest_evidence(s.db, run, mo);
      media_evidence_id = mr.evidence_id;
      out.push_back({{"path", mr.manifest.string()}, {"sha256", mr.manifest_sha256}});
    }
    int64_t crash_evidence_id = 0;
    if (o.crashlogs && !r.crash_dir.empty()) {
      IngestOptions co;
      co.evidence = r.crash_dir;
      co.exhibit = o.exhibit + "-crash";
      co.label = label + " — crash reports";
      co.format = SourceKind::folder;
      co.progress = show_progress;
      IngestResult cr = ingest_evidence(s.db, run, co);
      crash_evidence_id = cr.evidence_id;
      out.push_back({{"path", cr.manifest.string()}, {"sha256", cr.manifest_sha256}});
    }
    sql::Stmt link(s.db.db(), "UPDATE acquisitions SET evidence_id = ?1 WHERE id = ?2");
    link.bind(1, evidence_id).bind(2, acquisition_id).run();
    CustodyAction a{"acquire ios",
                    r.notes.empty() ? "ok" : "warnings",
                    {{"exhibit", o.exhibit},
                     {"container", container.string()},
                     {"evidence_id", evidence_id},
                     {"device_facts", facts},
                     {"files", r.files},
                     {"bytes", r.bytes},
                     {"encrypted_by_device", r.encrypted},
                     {"temporary_encryption", r.temporary_encryption},
                     {"encryption_restored", r.encryption_restored},
                     {"notes", r.notes}},
                    json::array(),
                    out};
    if (derived_id) a.parameters["decrypted_evidence_id"] = derived_id;
    if (!r.syslog_file.empty())
      a.outputs.push_back({{"path", r.syslog_file.string()},
                           {"sha256", hash_file(r.syslog_file).sha256},
                           {"bytes", r.syslog_bytes}});
    if (crash_evidence_id) {
      a.parameters["crash_reports_evidence_id"] = crash_evidence_id;
      a.parameters["crash_report_files"] = r.crash_files;
    }
    if (media_evidence_id) {
      a.parameters["media_evidence_id"] = media_evidence_id;
      a.parameters["media_files"] = r.media_files;
      a.parameters["media_bytes"] = r.media_bytes;
    }
    s.log(a);
    s.db.end_run(run, "ok");
    say(fmt::format("Acquired {} — {} (serial {}, iOS {}): {} files, {}; ingested as E{}{}", o.exhibit,
                    r.facts.count("ProductType") ? r.facts.at("ProductType") : "?",
                    r.facts.count("SerialNumber") ? r.facts.at("SerialNumber") : "?",
                    r.facts.count("ProductVersion") ? r.facts.at("ProductVersion") : "?", r.files,
                    human_bytes(r.bytes), evidence_id,
                    derived_id ? fmt::format(", decrypted as E{}", derived_id) : ""));
    if (encrypted_backup && !password)
      say("  the backup is encrypted by the device: decrypt it with `kanshiki ingest " +
          r.backup_dir.string() +
          " --case C --password P` / 暗号化バックアップです。パスワードを指定して取り込んでください");
    for (const auto& n : r.notes) say("  note: " + n);
    if (media_evidence_id)
      say(fmt::format("  media: {} files, {}; ingested as E{}", r.media_files, human_bytes(r.media_bytes),
                      media_evidence_id));
    emit_json({{"status", "complete"},
               {"evidence_id", evidence_id},
               {"decrypted_evidence_id", derived_id},
               {"media_evidence_id", media_evidence_id},
               {"crash_reports_evidence_id", crash_evidence_id},
               {"notes", r.notes},
               {"container", container.string()},
               {"files", r.files},
               {"bytes", r.bytes},
               {"facts", facts},
               {"encrypted", encrypted_backup}});
  });
  return rc;
}

}  // namespace

void register_acquire_ios(CLI::App& app, Action& action) {
  CLI::App* acquire =
      shared_command_group(app, "acquire", "Acquire evidence from a connected device / 端末からの証拠取得");
  auto o = std::make_shared<AcquireIosOptions>();
  auto* a = acquire->add_subcommand(
      "ios",
      "Full backup of an iPhone/iPad over USB into the case (libimobiledevice) / iPhoneのバックアップ取得");
  a->add_option("--case", o->case_dir, "Case folder")->required();
  a->add_option("--exhibit", o->exhibit, "Exhibit number")->required();
  a->add_option("--udid", o->udid, "UDID of the device (default: the only one attached)");
  a->add_option("--label", o->label, "Label for the evidence (default: name, model, serial, iOS version)");
  a->add_option(
      "--pair-record", o->pair_record,
      "A seized computer's lockdown pair record (/var/lib/lockdown/<UDID>.plist) to use instead of a new "
      "Trust prompt");
  a->add_option("--password", o->password, "Backup password when the device encrypts backups; not recorded");
  a->add_option("--password-file", o->password_file, "Read that password from the first line of a file");
  a->add_flag(
      "--media", o->media,
      "Also pull the media area over AFC (DCIM, Downloads, ...), file by file, as evidence <NO>-media");
  a->add_flag("--crashlogs", o->crashlogs,
              "Also pull the crash and diagnostic reports, as evidence <NO>-crash");
  a->add_option("--syslog", o->syslog_s,
                "Also capture the live system log for this many seconds (syslog.raw)");
  a->add_flag("--encrypt-temp", o->encrypt_temp,
              "If the device does not encrypt backups, turn encryption on with --password for this backup "
              "(more data: "
              "keychain, Health) and off again afterwards; every step in the custody log");
  a->add_option("--trust-wait", o->trust_wait_s,
                "Seconds to wait for unlock / \"Trust\" on the phone (default 120)");
  a->add_option("--timeout", o->timeout_s,
                "Seconds without data before the device counts as gone (default 60)");
  a->callback([o, &action] { action = [o] { return run_acquire_ios(*o); }; });
}

}  // namespace kanshiki::cli
