// kanshiki: the command-line front end. Every command that touches a case writes custody entries,
// including failures; exit codes are documented in docs/cli.md (core/error.h ExitCode).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "core/case_db.h"
#include "core/custody.h"
#include "core/error.h"
#include "core/examiner.h"
#include "engine/derive.h"
#include "engine/ios_backup_decrypt.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "engine/thumbnails.h"
#include "kanshiki/version.h"
#include "parsers/parser.h"
#include "report/export.h"
#include "report/geo_export.h"
#include "report/html_report.h"

using namespace kanshiki;
using json = nlohmann::json;
using namespace kanshiki::cli;

namespace {

// ----------------------------------------------------------------------------------------------------------
int cmd_examiner_init(const std::string& name, bool force) {
  Examiner e = Examiner::create(name, examiner_home(), force);
  say(fmt::format("Examiner identity created for \"{}\"\n  key fingerprint (SHA-256): {}\n  stored in: {}", e.name(),
                  e.fingerprint(), examiner_home().string()));
  emit_json({{"name", e.name()}, {"fingerprint", e.fingerprint()}, {"home", examiner_home().string()}});
  return 0;
}

int cmd_examiner_show() {
  Examiner e = Examiner::load(examiner_home());
  say(fmt::format("Examiner: {}\nKey fingerprint (SHA-256): {}\nHome: {}\n{}", e.name(), e.fingerprint(),
                  examiner_home().string(), e.public_key_pem()));
  emit_json({{"name", e.name()}, {"fingerprint", e.fingerprint()}, {"public_key_pem", e.public_key_pem()}});
  return 0;
}

int cmd_case_create(const fs::path& case_dir, std::string number) {
  Examiner ex = Examiner::load(examiner_home());
  if (number.empty()) number = case_dir.filename().string();
  CaseDb c = CaseDb::create(case_dir, number);
  CaseLock lock(case_dir);
  append_custody(c, ex, CustodyAction{"case create", "ok", {{"case_dir", fs::absolute(case_dir).string()}, {"case_number", number}}});
  say(fmt::format("Case {} created at {}", number, case_dir.string()));
  emit_json({{"case", case_dir.string()}, {"case_number", number}});
  return 0;
}

// The password of encrypted evidence (--password, or the first line of --password-file). Never logged:
// custody records only that one was given.
struct EvidencePassword {
  std::string value, file;
  std::optional<std::string> get() const {
    if (!value.empty() && !file.empty()) throw Error(ExitCode::usage, "give --password or --password-file, not both");
    if (!file.empty()) {
      std::ifstream in(file, std::ios::binary);
      if (!in) throw Error(ExitCode::usage, "cannot read --password-file " + file);
      std::string line;
      std::getline(in, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (!value.empty()) return value;
    return std::nullopt;
  }
};
EvidencePassword evidence_password;

int cmd_ingest(const fs::path& case_dir, const fs::path& evidence, const std::string& exhibit, const std::string& label,
               const std::string& format) {
  Session s = open_session(case_dir);
  json params{{"evidence", evidence.string()}, {"exhibit", exhibit}, {"label", label}, {"format", format}};
  std::optional<std::string> password = evidence_password.get();
  if (password) params["password"] = evidence_password.file.empty() ? "given (not recorded)" : "from --password-file (not recorded)";
  // An encrypted iOS backup becomes two evidence records: as stored, and decrypted (cli/cmd_ios_backup.cpp).
  if ((format.empty() || format == "ios-backup") && is_encrypted_ios_backup(evidence))
    return ingest_encrypted_ios_backup_command(s, params, evidence, exhibit, label, password);
  int rc = 0;
  logged(s, "ingest", params, [&] {
    IngestOptions opt;
    opt.password = password;
    opt.evidence = evidence;
    opt.exhibit = exhibit;
    opt.label = label;
    opt.progress = Progress::wanted(g.quiet);
    if (!format.empty()) {
      opt.format = source_kind_from_name(format);
      if (!opt.format) throw Error(ExitCode::usage, "unknown --format " + format + " (folder, tar, zip, ios-backup, android-backup, raw, e01, simg)");
    }
    int64_t run = s.db.begin_run("ingest", g.command_line, s.examiner.name());
    s.log({"ingest", "started", params});
    IngestResult r;
    try {
      r = ingest_evidence(s.db, run, opt);
    } catch (...) {
      s.db.end_run(run, "failed");
      throw;
    }
    json out = json::array();
    if (!r.already_ingested) {
      json m{{"path", fs::relative(r.manifest, s.db.dir()).string()}, {"sha256", r.manifest_sha256}};
      out.push_back(m);
      if (!r.derived_file.empty())
        out.push_back({{"path", fs::relative(r.derived_file, s.db.dir()).string()}, {"sha256", r.derived_sha256}});
    }
    json in{{"path", fs::absolute(evidence).lexically_normal().string()}, {"kind", source_kind_name(r.kind)}};
    if (r.container) {
      in["size"] = r.container->size;
      in["md5"] = r.container->md5;
      in["sha1"] = r.container->sha1;
      in["sha256"] = r.container->sha256;
    }
    std::string status = r.already_ingested ? "ok" : r.status == "partial" ? "failed" : r.problems ? "warnings" : "ok";
    CustodyAction done{"ingest", status, params, json::array({in}), out};
    done.parameters["evidence_id"] = r.evidence_id;
    done.parameters["items"] = r.items;
    done.parameters["bytes"] = r.bytes;
    done.parameters["problems"] = r.problems;
    if (r.already_ingested) done.parameters["note"] = "already ingested; nothing done";
    done.error = r.fatal_error;
    s.log(done);
    s.db.end_run(run, r.status.empty() ? "ok" : r.status);

    if (r.already_ingested) {
      say(fmt::format("Evidence {} is already in the case as E{} ({}); nothing to do.", evidence.string(), r.evidence_id, r.status));
    } else {
      say(fmt::format("Ingested E{} ({}): {} items, {}{}", r.evidence_id, source_kind_name(r.kind), r.items,
                      human_bytes(r.bytes), r.problems ? fmt::format(", {} problems recorded as warnings", r.problems) : ""));
      if (r.container)
        say(fmt::format("  container MD5    {}\n  container SHA-1  {}\n  container SHA-256 {}", r.container->md5,
                        r.container->sha1, r.container->sha256));
      say(fmt::format("  manifest {} (SHA-256 {})", r.manifest.string(), r.manifest_sha256));
      if (!r.derived_file.empty())
        say(fmt::format("  decrypted to {} (SHA-256 {}) / 復号したtarをケースに保存しました", r.derived_file.string(),
                        r.derived_sha256));
    }
    emit_json({{"evidence_id", r.evidence_id}, {"status", r.status}, {"already_ingested", r.already_ingested},
               {"items", r.items}, {"bytes", r.bytes}, {"problems", r.problems}, {"kind", source_kind_name(r.kind)},
               {"container", r.container ? json{{"md5", r.container->md5}, {"sha1", r.container->sha1}, {"sha256", r.container->sha256}} : json(nullptr)}});
    if (r.status == "partial") {
      std::cerr << "error: " << r.fatal_error << "\n(items read before the damage were recorded; evidence marked partial)\n";
      rc = static_cast<int>(ExitCode::corrupt_input);
    } else if (r.problems) {
      rc = static_cast<int>(ExitCode::completed_with_warnings);
    }
  });
  return rc;
}

// --no-sandbox: parse in this process instead of the confined kanshiki-parse-worker (docs/sandbox.md).
bool process_without_sandbox = false;
// --no-thumbnails: skip the thumbnails step that otherwise ends `process` (engine/thumbnails.h).
bool process_without_thumbnails = false;
SandboxOptions process_sandbox_limits;

int cmd_process(const fs::path& case_dir, const std::vector<std::string>& parsers) {
  Session s = open_session(case_dir);
  json params{{"parsers", parsers}, {"sandbox", !process_without_sandbox}};
  if (!process_without_sandbox)
    params["sandbox_limits"] = {{"wall_seconds", process_sandbox_limits.wall_seconds},
                                {"cpu_seconds", process_sandbox_limits.cpu_seconds},
                                {"memory_bytes", process_sandbox_limits.memory_bytes}};
  int rc = 0;
  json summary;
  logged(s, "process", params, [&] {
    for (const auto& id : parsers)
      if (!find_parser(id)) throw Error(ExitCode::usage, "unknown parser " + id + " (see `kanshiki parsers`)");
    int64_t run = s.db.begin_run("process", g.command_line, s.examiner.name());
    s.log({"process", "started", params});
    ProcessOptions opt;
    opt.only_parsers = parsers;
    opt.progress = Progress::wanted(g.quiet);
    opt.sandbox = !process_without_sandbox;
    opt.sandbox_options = process_sandbox_limits;
    ProcessResult r;
    try {
      r = process_case(s.db, run, opt);
    } catch (...) {
      s.db.end_run(run, "failed");
      throw;
    }
    CustodyAction done{"process", r.failed_files ? "warnings" : "ok", params};
    done.parameters["run_id"] = run;
    done.outputs = json{{"parser_runs", r.parser_runs}, {"artifacts", r.artifacts}, {"warnings", r.warnings},
                        {"failed_files", r.failed_files}, {"already_done", r.already_done}};
    done.outputs = json::array({done.outputs});
    s.log(done);
    s.db.end_run(run, r.failed_files ? "done_with_failures" : "done");
    for (const auto& line : r.outputs) say("  " + line);
    say(fmt::format("Processed: {} parser runs, {} artifacts, {} warnings, {} files failed{}", r.parser_runs, r.artifacts,
                    r.warnings, r.failed_files,
                    r.already_done ? fmt::format(" ({} runs already done earlier, skipped)", r.already_done) : ""));
    summary = {{"parser_runs", r.parser_runs}, {"artifacts", r.artifacts}, {"warnings", r.warnings},
               {"failed_files", r.failed_files}, {"already_done", r.already_done}};
    if (r.failed_files) rc = static_cast<int>(ExitCode::completed_with_warnings);
  });
  // Thumbnails of the media just found: their own run and custody entries (cli/cmd_thumbnails.cpp). Images
  // that could not be thumbnailed are stored warnings and counted in the summary, but do not change the exit
  // code of `process`, which is about parsing (`kanshiki thumbnails` exits 10 for them). A failure of the
  // step itself leaves the parsing done and recorded; it is reported and `kanshiki thumbnails` can be rerun.
  if (!process_without_thumbnails) {
    try {
      int thumbnails_rc = 0;
      summary["thumbnails"] = thumbnails_step(s, ThumbnailOptions{}, thumbnails_rc);
    } catch (const std::exception& e) {
      std::cerr << "warning: thumbnails not made / サムネイルを作成できませんでした: " << e.what()
                << "\n(run `kanshiki thumbnails` again)\n";
      summary["thumbnails"] = {{"error", e.what()}};
      rc = static_cast<int>(ExitCode::completed_with_warnings);
    }
  }
  emit_json(summary);
  return rc;
}

// Decrypts a WhatsApp crypt12/14/15 item into new evidence derived from it. The key never reaches the custody
// log or the runs table: only its SHA-256 (and the key file's path) does.
int cmd_decrypt_whatsapp(const fs::path& case_dir, int64_t item_id, const std::string& item_path,
                         const std::string& key_file, const std::string& hex_key) {
  if ((item_id > 0) == !item_path.empty())
    throw Error(ExitCode::usage, "give exactly one of --item ID or --path PATH");
  if (key_file.empty() == hex_key.empty())
    throw Error(ExitCode::usage, "give exactly one of --key FILE or --hex-key HEX");
  const std::string& command_line = g.command_line;  // secrets already redacted

  Session s = open_session(case_dir);
  json params{{"item", item_id > 0 ? json(item_id) : json(nullptr)},
              {"path", item_path},
              {"key", key_file.empty() ? json{{"kind", "hex"}}
                                       : json{{"kind", "file"}, {"path", fs::absolute(key_file).string()}}}};
  logged(s, "decrypt whatsapp", params, [&] {
    whatsapp_crypt::Key key =
        key_file.empty() ? whatsapp_crypt::key_from_hex(hex_key) : whatsapp_crypt::load_key_file(key_file);
    params["key"]["sha256"] = key.fingerprint;
    int64_t id = item_id > 0 ? item_id : find_item_by_path(s.db, item_path);
    params["item"] = id;
    int64_t run = s.db.begin_run("decrypt", command_line, s.examiner.name());
    s.log({"decrypt whatsapp", "started", params});
    DeriveResult r;
    try {
      r = derive_whatsapp_decrypted(s.db, run, id, key);
    } catch (...) {
      s.db.end_run(run, "failed");
      throw;
    }
    auto [in, out] = derived_evidence_custody(s, r, key_file.empty() ? "hex" : fs::absolute(key_file).string(),
                                              key.fingerprint);
    CustodyAction done{"decrypt whatsapp", "ok", params, in, out};
    done.parameters["derivation"] = r.derivation;
    if (r.already_derived) done.parameters["note"] = "already decrypted with this key; nothing done";
    s.log(done);
    s.db.end_run(run, "ok");
    if (r.already_derived)
      say(fmt::format("Item {} was already decrypted with this key: evidence E{} ({}); nothing to do.", id,
                      r.evidence_id, r.output.string()));
    else
      say(fmt::format("Decrypted {} ({}, item {} of E{}) into evidence E{}\n  {}\n  size {}  SHA-256 {}\n  {}",
                      r.source_path, whatsapp_crypt::format_name(r.decrypt.header.format), id,
                      r.source_evidence_id, r.evidence_id, r.output.string(), human_bytes(r.output_size),
                      r.output_sha256, r.derivation));
    emit_json({{"evidence_id", r.evidence_id},
               {"already_derived", r.already_derived},
               {"source_item", id},
               {"output", r.output.string()},
               {"size", r.output_size},
               {"sha256", r.output_sha256},
               {"derivation", r.derivation}});
  });
  return 0;
}

int cmd_search(const fs::path& case_dir, const std::string& query, size_t limit) {
  Session s = open_session(case_dir);
  json params{{"query", query}, {"limit", limit}};
  logged(s, "search", params, [&] {
    auto hits = search_case(s.db, query, limit);
    s.log({"search", "ok", params, json::array(), json::array({json{{"hits", hits.size()}}})});
    json arr = json::array();
    for (const auto& h : hits) {
      say(fmt::format("[{}] {} {}{}  {}\n    {} (table rowid {}, parser {})", h.artifact_id, h.type,
                      h.time_utc.empty() ? "-" : h.time_utc, h.recovered ? " RECOVERED" : "", h.text, h.item_path,
                      h.source_rowid ? std::to_string(*h.source_rowid) : "-", h.parser_id));
      arr.push_back({{"artifact_id", h.artifact_id}, {"type", h.type}, {"text", h.text}, {"time_utc", h.time_utc},
                     {"item_path", h.item_path}, {"parser_id", h.parser_id}, {"recovered", h.recovered},
                     {"source_rowid", h.source_rowid ? json(*h.source_rowid) : json(nullptr)}});
    }
    say(fmt::format("{} hit(s) for \"{}\"", hits.size(), query));
    emit_json(arr);
  });
  return 0;
}

int cmd_verify(const fs::path& case_dir) {
  Session s = open_session(case_dir);
  int rc = 0;
  logged(s, "verify", {}, [&] {
    VerifyResult r = verify_evidence(s.db, Progress::wanted(g.quiet));
    json issues = json::array();
    for (const auto& i : r.issues) {
      issues.push_back({{"evidence_id", i.evidence_id}, {"kind", i.kind}, {"path", i.path}, {"detail", i.detail}});
      if (!g.json_out) std::cerr << fmt::format("E{} {}: {} — {}\n", i.evidence_id, i.kind, i.path, i.detail);
    }
    CustodyAction a{"verify", r.ok() ? "ok" : "failed", json::object()};
    a.outputs = json::array({json{{"items_checked", r.items_checked}, {"issues", r.issues.size()}}});
    if (!r.ok()) a.error = fmt::format("{} issue(s): evidence differs from what was ingested", r.issues.size());
    s.log(a);
    say(r.ok() ? fmt::format("Verified {} items: every hash matches what was recorded at ingest; nothing missing or extra.",
                             r.items_checked)
               : fmt::format("VERIFICATION FAILED: {} issue(s) in {} items checked.", r.issues.size(), r.items_checked));
    emit_json({{"ok", r.ok()}, {"items_checked", r.items_checked}, {"issues", issues}});
    if (!r.ok()) rc = static_cast<int>(ExitCode::verification_failed);
  });
  return rc;
}

int cmd_custody_verify(const fs::path& case_dir, const std::string& key_file) {
  Session s = open_session(case_dir);
  std::optional<std::string> key;
  if (!key_file.empty()) {
    std::ifstream in(key_file);
    if (!in) throw Error(ExitCode::usage, "cannot read key file " + key_file);
    std::stringstream ss;
    ss << in.rdbuf();
    key = ss.str();
  }
  // Verify first, then log the verification itself (so the result describes the log as it was found).
  CustodyVerification v = verify_custody(s.db, key);
  // Each device's own chain pulled from a PostgreSQL case store (CASE/custody/devices/, docs/batch.md) is
  // verified the same way and counted with the case's.
  std::error_code devices_ec;
  for (const auto& chain_dir : fs::directory_iterator(case_dir / "custody" / "devices", devices_ec)) {
    CaseDb chain = CaseDb::open(chain_dir.path());
    CustodyVerification dv = verify_custody(chain, key);
    v.entries += dv.entries;
    for (const auto& p : dv.problems) v.problems.push_back(chain_dir.path().filename().string() + ": " + p);
    v.ok = v.problems.empty();
  }
  for (const auto& p : v.problems)
    if (!g.json_out) std::cerr << "  " << p << "\n";
  say(v.summary());
  emit_json({{"ok", v.ok}, {"entries", v.entries}, {"problems", v.problems}});
  CustodyAction a{"custody verify", v.ok ? "ok" : "failed", {{"trusted_key", key_file}}};
  a.outputs = json::array({json{{"entries", v.entries}, {"problems", v.problems.size()}}});
  if (!v.ok) a.error = v.summary();
  try {
    s.log(a);
  } catch (const std::exception& e) {
    std::cerr << "note: could not append the verification to the custody log: " << e.what() << "\n";
  }
  return v.ok ? 0 : static_cast<int>(ExitCode::verification_failed);
}

int cmd_custody_show(const fs::path& case_dir) {
  Session s = open_session(case_dir, false);
  auto entries = read_custody(s.db);
  json arr = json::array();
  for (const auto& e : entries) {
    say(fmt::format("#{:<4} {}  {:<16} {:<9} {}  [{}@{}]", e.seq, e.utc, e.action, e.status,
                    e.parameters.dump().substr(0, 100), e.examiner, e.host));
    if (!e.inputs.empty()) say("       inputs:  " + e.inputs.dump().substr(0, 200));
    if (!e.outputs.empty()) say("       outputs: " + e.outputs.dump().substr(0, 200));
    if (!e.error.empty()) say("       error:   " + e.error);
    say("       hash " + e.entry_hash.substr(0, 16) + "…  prev " + e.prev_hash.substr(0, 16) + "…");
    arr.push_back({{"seq", e.seq}, {"utc", e.utc}, {"examiner", e.examiner}, {"fingerprint", e.examiner_fingerprint},
                   {"host", e.host}, {"tool_version", e.tool_version}, {"action", e.action}, {"status", e.status},
                   {"parameters", e.parameters}, {"inputs", e.inputs}, {"outputs", e.outputs}, {"error", e.error},
                   {"prev_hash", e.prev_hash}, {"entry_hash", e.entry_hash}, {"signature", e.signature}});
  }
  CustodyVerification v = verify_custody(s.db);
  say(v.summary());
  emit_json({{"entries", arr}, {"verification", {{"ok", v.ok}, {"problems", v.problems}}}});
  return v.ok ? 0 : static_cast<int>(ExitCode::verification_failed);
}

int cmd_hash(const std::vector<std::string>& files) {
  json arr = json::array();
  int rc = 0;
  for (const auto& f : files) {
    try {
      if (fs::is_directory(f)) throw Error(ExitCode::usage, f + " is a folder (hash files; `ingest` hashes whole evidence)");
      Digests d = hash_file(f);
      if (g.json_out)
        arr.push_back({{"path", f}, {"size", d.size}, {"md5", d.md5}, {"sha1", d.sha1}, {"sha256", d.sha256}});
      else if (!g.quiet)
        std::cout << fmt::format("{}\n  size    {}\n  MD5     {}\n  SHA-1   {}\n  SHA-256 {}\n", f, d.size, d.md5, d.sha1, d.sha256);
    } catch (const Error& e) {
      std::cerr << "error: " << e.what() << "\n";
      rc = static_cast<int>(e.code());
    }
  }
  emit_json(arr);
  return rc;
}

int cmd_parsers() {
  json arr = json::array();
  for (const auto& e : parser_registry()) {
    const auto& i = e.info();
    say(fmt::format("{:<28} {:<7} {:<8} {}", i.id, i.version, platform_name(i.platform), i.app));
    json loc = json::array();
    for (const auto& l : i.locators) loc.push_back(l.glob);
    arr.push_back({{"id", i.id}, {"version", i.version}, {"platform", platform_name(i.platform)}, {"app", i.app},
                   {"locators", loc}, {"limitations", i.limitations}});
  }
  emit_json(arr);
  return 0;
}

fs::path self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("kanshiki") : p;
}

fs::path samples_script() {
  if (const char* env = std::getenv("KANSHIKI_SAMPLES_SCRIPT"); env && *env) return env;
  return fs::path(KANSHIKI_SOURCE_DIR) / "samples" / "generate_samples.py";
}

int run_step(const std::string& cmd) {
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int cmd_demo(const fs::path& out_dir_arg) {
  fs::path out = fs::absolute(out_dir_arg).lexically_normal();
  fs::path marker = out / ".kanshiki-demo";
  if (fs::exists(out) && !fs::is_empty(out) && !fs::exists(marker))
    throw Error(ExitCode::usage, out.string() + " exists and is not a Kanshiki demo folder; choose another --out");
  fs::remove_all(out / "case");
  fs::remove_all(out / "samples");
  fs::create_directories(out);
  std::ofstream(marker) << "Kanshiki demo output; safe to delete.\n";

  // Use the examiner's own identity when there is one; otherwise a demo identity inside the demo folder
  // (never in the examiner's home, where it would sign their real cases).
  std::string env_prefix;
  try {
    Examiner::load(examiner_home());
  } catch (const Error&) {
    fs::path home = out / "examiner";
    env_prefix = "KANSHIKI_HOME=" + sh_quote(home.string()) + " ";
    ::setenv("KANSHIKI_HOME", home.c_str(), 1);
    if (!fs::exists(home / "examiner_ed25519.pem")) Examiner::create("デモ検査官 (Demo Examiner)", home);
  }
  const std::string exe = sh_quote(self_exe().string());
  const std::string q = g.quiet ? " --quiet" : "";
  const fs::path samples = out / "samples";
  const fs::path case_dir = out / "case";
  say("1/6 Generating the sample evidence (deterministic) ...");
  if (run_step("/usr/bin/python3 " + sh_quote(samples_script().string()) + " --out " + sh_quote(samples.string()) +
               (g.quiet ? " >/dev/null" : "")) != 0)
    throw Error(ExitCode::failure, "sample generator failed: " + samples_script().string());
  say("2/6 Creating the case ...");
  if (int rc = run_step(exe + q + " case create --case " + sh_quote(case_dir.string()) + " --number DEMO-2024-001"); rc) return rc;
  say("3/6 Ingesting the Android extraction and the iOS backup ...");
  if (int rc = run_step(exe + q + " ingest " + sh_quote((samples / "android_ffs.tar").string()) + " --case " +
                        sh_quote(case_dir.string()) + " --exhibit A-1 --label \"佐藤 Android\"");
      rc)
    return rc;
  if (int rc = run_step(exe + q + " ingest " + sh_quote((samples / "ios_backup").string()) + " --case " +
                        sh_quote(case_dir.string()) + " --exhibit B-1 --label \"山田 iPhone\"");
      rc)
    return rc;
  say("4/6 Processing (parsers) ...");
  if (int rc = run_step(exe + q + " process --case " + sh_quote(case_dir.string())); rc) return rc;
  say("5/6 Verifying evidence and custody ...");
  if (int rc = run_step(exe + q + " verify --case " + sh_quote(case_dir.string())); rc) return rc;
  if (int rc = run_step(exe + q + " custody verify --case " + sh_quote(case_dir.string())); rc) return rc;
  say("6/6 Tagging key findings, writing the reports (HTML, PDF) ...");
  {
    // The examiner's choice, scripted: the messages of the scenario's core ("ホワイト案件", the BTC transfer) are
    // tagged so the court report (tagged findings by default) has content.
    std::vector<int64_t> key_messages;
    {
      CaseDb c = CaseDb::open(case_dir);
      sql::Stmt st(c.db(),
                   "SELECT artifact_id FROM messages WHERE text LIKE '%ホワイト案件%' OR text LIKE '%BTC%' "
                   "ORDER BY artifact_id LIMIT 3");
      while (st.step()) key_messages.push_back(st.i64(0));
    }
    for (int64_t id : key_messages)
      if (int rc = run_step(exe + " --quiet tag --case " + sh_quote(case_dir.string()) + " --artifact " +
                            std::to_string(id) + " --tag 重要 --note \"デモ：詐欺の勧誘・送金に関するやり取り\"");
          rc)
        return rc;
  }
  if (int rc = run_step(exe + " --quiet report --case " + sh_quote(case_dir.string()) + " --format html --lang ja"); rc) return rc;
  if (int rc = run_step(exe + " --quiet report --case " + sh_quote(case_dir.string()) + " --format pdf --lang ja"); rc) return rc;
  const fs::path pdf = case_dir / "reports" / "report_ja.pdf";
  say(fmt::format("\nDemo case:   {}\nReport:      {}\nPDF report:  {}\nSearch it:   {}{} search --case {} 'ホワイト案件'",
                  case_dir.string(), (case_dir / "reports" / "report.html").string(), pdf.string(), env_prefix,
                  self_exe().string(), case_dir.string()));
  emit_json({{"case", case_dir.string()}, {"report", (case_dir / "reports" / "report.html").string()}, {"pdf", pdf.string()}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  g.command_line = redacted_command_line(argc, argv);
  CLI::App app{fmt::format("Kanshiki {} — forensic examination of seized phones (鑑識)", kToolVersion), "kanshiki"};
  app.set_version_flag("--version", std::string("kanshiki ") + kToolVersion);
  app.add_flag("-q,--quiet", g.quiet, "No progress or chatter (errors still go to stderr)");
  app.add_flag("--json", g.json_out, "Machine-readable JSON output on stdout");
  app.require_subcommand(1);

  std::string case_dir, name, number, evidence, exhibit, label, format, output, query, key_file, lang = "ja", out_dir = "kanshiki-demo";
  std::vector<std::string> parsers, files;
  bool force = false;
  size_t limit = 1000;
  std::function<int()> action;

  auto* examiner = app.add_subcommand("examiner", "Examiner identity (name + Ed25519 signing key)");
  examiner->require_subcommand(1);
  auto* ex_init = examiner->add_subcommand("init", "Create the examiner identity and key");
  ex_init->add_option("--name", name, "Examiner name as it should appear in reports")->required();
  ex_init->add_flag("--force", force, "Replace an existing identity");
  ex_init->callback([&] { action = [&] { return cmd_examiner_init(name, force); }; });
  examiner->add_subcommand("show", "Show the examiner identity")->callback([&] { action = [&] { return cmd_examiner_show(); }; });

  auto* kase = app.add_subcommand("case", "Case management");
  kase->require_subcommand(1);
  auto* kc = kase->add_subcommand("create", "Create a new case folder");
  kc->add_option("--case", case_dir, "Case folder")->required();
  kc->add_option("--number", number, "Agency/lab case number (default: folder name)");
  kc->callback([&] { action = [&] { return cmd_case_create(case_dir, number); }; });

  auto* ing = app.add_subcommand("ingest", "Add evidence (folder, tar, zip, iOS backup, disk image) to a case, hashing every item");
  ing->add_option("evidence", evidence, "Evidence path")->required();
  ing->add_option("--case", case_dir, "Case folder")->required();
  ing->add_option("--exhibit", exhibit, "Exhibit number (default E<id>)");
  ing->add_option("--label", label, "Free-text label, e.g. device owner");
  ing->add_option("--format", format, "Force the format: folder, tar, zip, ios-backup, android-backup, raw, e01, simg");
  ing->add_option("--password", evidence_password.value, "Password of encrypted evidence (e.g. an encrypted .ab backup); not recorded");
  ing->add_option("--password-file", evidence_password.file, "Read that password from the first line of a file");
  ing->callback([&] { action = [&] { return cmd_ingest(case_dir, evidence, exhibit, label, format); }; });

  auto* proc = app.add_subcommand("process", "Run the parsers over all ingested evidence (resumable)");
  proc->add_option("--case", case_dir, "Case folder")->required();
  proc->add_option("--parser", parsers, "Only these parser ids (repeatable)");
  proc->add_flag("--no-sandbox", process_without_sandbox,
                 "Parse in this process instead of the confined parse worker (no seccomp/rlimit isolation)");
  proc->add_option("--parse-timeout", process_sandbox_limits.wall_seconds,
                   "Sandbox: seconds one parser may take on one file before it is killed (default 1800)");
  proc->add_option("--parse-cpu", process_sandbox_limits.cpu_seconds,
                   "Sandbox: CPU seconds one parser may use on one file (default 900)");
  proc->add_option("--parse-memory", process_sandbox_limits.memory_bytes,
                   "Sandbox: address-space limit of the parse worker in bytes (default 4294967296)");
  proc->add_flag("--no-thumbnails", process_without_thumbnails,
                 "Do not make thumbnails of the media afterwards (see `kanshiki thumbnails`)");
  proc->callback([&] { action = [&] { return cmd_process(case_dir, parsers); }; });

  auto* dec = app.add_subcommand("decrypt", "Decrypt an evidence item into new evidence derived from it");
  dec->require_subcommand(1);
  auto* dec_wa =
      dec->add_subcommand("whatsapp", "WhatsApp msgstore.db.crypt12/14/15 with the key file or 64-hex key");
  int64_t dec_item = 0;
  std::string dec_path, dec_key_file, dec_hex_key;
  dec_wa->add_option("--case", case_dir, "Case folder")->required();
  auto* dec_item_opt = dec_wa->add_option("--item", dec_item, "Item id of the encrypted backup");
  dec_wa->add_option("--path", dec_path, "Logical path of the encrypted backup")->excludes(dec_item_opt);
  auto* dec_key_opt =
      dec_wa->add_option("--key", dec_key_file, "Key file: `key` (crypt12/14) or encrypted_backup.key");
  dec_wa->add_option("--hex-key", dec_hex_key, "The 64-hex end-to-end backup key (crypt15)")
      ->excludes(dec_key_opt);
  dec_wa->callback([&] {
    action = [&] { return cmd_decrypt_whatsapp(case_dir, dec_item, dec_path, dec_key_file, dec_hex_key); };
  });

  auto* se = app.add_subcommand("search", "Full-text search (Japanese substrings work)");
  se->add_option("query", query, "Text to find")->required();
  se->add_option("--case", case_dir, "Case folder")->required();
  se->add_option("--limit", limit, "Maximum hits");
  se->callback([&] { action = [&] { return cmd_search(case_dir, query, limit); }; });

  auto* ve = app.add_subcommand("verify", "Re-hash all evidence and compare with the ingest record");
  ve->add_option("--case", case_dir, "Case folder")->required();
  ve->callback([&] { action = [&] { return cmd_verify(case_dir); }; });

  auto* cu = app.add_subcommand("custody", "Chain-of-custody log");
  cu->require_subcommand(1);
  auto* cv = cu->add_subcommand("verify", "Check the hash chain and every signature");
  cv->add_option("--case", case_dir, "Case folder")->required();
  cv->add_option("--key", key_file, "Trusted examiner public key (PEM) to verify against");
  cv->callback([&] { action = [&] { return cmd_custody_verify(case_dir, key_file); }; });
  auto* cs = cu->add_subcommand("show", "Print the custody log");
  cs->add_option("--case", case_dir, "Case folder")->required();
  cs->callback([&] { action = [&] { return cmd_custody_show(case_dir); }; });

  auto* ha = app.add_subcommand("hash", "Print MD5, SHA-1 and SHA-256 of files (one read pass each)");
  ha->add_option("files", files, "Files")->required();
  ha->callback([&] { action = [&] { return cmd_hash(files); }; });

  // `report` lives in cli/cmd_report.cpp (court report, HTML and PDF).

  app.add_subcommand("parsers", "List the registered parsers")->callback([&] { action = [&] { return cmd_parsers(); }; });

  auto* de = app.add_subcommand("demo", "Generate the samples, build a case and a report, print both paths");
  de->add_option("--out", out_dir, "Demo folder");
  de->callback([&] { action = [&] { return cmd_demo(out_dir); }; });

  register_all_command_groups(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }
  try {
    return action ? action() : 0;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const fs::filesystem_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return static_cast<int>(e.code() == std::errc::no_space_on_device ? ExitCode::disk_full : ExitCode::failure);
  } catch (const std::exception& e) {
    std::cerr << "error: unexpected failure: " << e.what() << "\n";
    return static_cast<int>(ExitCode::failure);
  }
}
