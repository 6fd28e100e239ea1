// `kanshiki acquire android`: logical acquisition of Android devices over ADB (USB or TCP) into an evidence
// container in the case, one custody entry per device command, then ingest of the container. An interrupted
// acquisition is recorded as incomplete (acquisitions table + custody) and resumes when re-run.
// docs/acquire-android.md.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "acquire/android/acquisition.h"
#include "acquire/android/adb_protocol.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/engine.h"
#include "engine/progress.h"

namespace kanshiki::cli {
namespace {

struct AcquireAndroidOptions {
  std::string case_dir, exhibit, serial, label, key_dir;
  std::vector<std::string> tcp;
  bool sdcard = false, backup = false, root = false, all = false;
  int timeout_s = 30, prompt_timeout_s = 60;
};

struct Target {
  bool usb = false;
  std::string address;  // host:port, or USB serial ("" = the only device)
};

std::string safe_name(std::string s) {
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  return s;
}

std::unique_ptr<adb::Transport> open_target(const Target& t, std::chrono::milliseconds timeout) {
  if (t.usb) return adb::open_usb(t.address);
  size_t colon = t.address.rfind(':');
  std::string host = colon == std::string::npos ? t.address : t.address.substr(0, colon);
  uint16_t port = 5555;
  if (colon != std::string::npos) {
    try {
      port = static_cast<uint16_t>(std::stoi(t.address.substr(colon + 1)));
    } catch (...) {
      throw Error(ExitCode::usage, "--tcp wants HOST:PORT, got " + t.address);
    }
  }
  return adb::connect_tcp(host, port, timeout);
}

struct DeviceRun {
  Target target;
  std::string exhibit;
  fs::path container;
  int64_t acquisition_id = 0;
  adb::AcquireResult result;
  std::string connect_error;
  std::optional<adb::Failure> connect_failure;
};

int run_acquire_android(const AcquireAndroidOptions& o) {
  std::vector<Target> targets;
  for (const auto& t : o.tcp) targets.push_back({false, t});
  std::string usb_note;
  if (o.all) {
    try {
      for (const auto& d : adb::list_usb_devices()) targets.push_back({true, d.serial});
    } catch (const adb::AdbError& e) {
      // No USB access on this machine: with --tcp devices given, acquire those and say why USB was not
      // searched.
      if (o.tcp.empty()) throw;
      usb_note = e.what();
      std::cerr << "note: USB not searched: " << usb_note << "\n";
    }
  } else if (!o.serial.empty() || o.tcp.empty()) {
    targets.push_back({true, o.serial});
  }
  if (targets.empty())
    throw Error(ExitCode::evidence_unreadable, "no Android device found (USB) / 端末が見つかりません");

  Session s = open_session(o.case_dir);
  json params{
      {"exhibit", o.exhibit}, {"sdcard", o.sdcard}, {"backup", o.backup}, {"root", o.root}, {"all", o.all}};
  json where = json::array();
  for (const auto& t : targets)
    where.push_back((t.usb ? "usb:" : "tcp:") + (t.address.empty() ? "(only device)" : t.address));
  params["devices"] = where;
  if (!usb_note.empty()) params["usb_not_searched"] = usb_note;
  int rc = 0;
  logged(s, "acquire android", params, [&] {
    fs::path key_dir = o.key_dir.empty() ? examiner_home() / "adb" : fs::path(o.key_dir);
    adb::AdbKey key = adb::AdbKey::load_or_create(key_dir);
    params["adb_key_fingerprint"] = key.fingerprint();
    int64_t run = s.db.begin_run("acquire android", g.command_line, s.examiner.name());
    s.log({"acquire android", "started", params});
    std::mutex db_mu;  // the case database and stdout are shared by the device threads
    auto log = [&](const CustodyAction& a) {
      std::lock_guard lock(db_mu);
      s.log(a);
    };

    std::vector<DeviceRun> runs(targets.size());
    for (size_t i = 0; i < targets.size(); ++i) {
      DeviceRun& r = runs[i];
      r.target = targets[i];
      r.exhibit = targets.size() > 1 ? fmt::format("{}-{}", o.exhibit, i + 1) : o.exhibit;
      r.container = fs::absolute(s.db.dir() / "acquisitions" / safe_name(r.exhibit));
      // A re-run continues the unfinished acquisition of the same container.
      sql::Stmt find(s.db.db(),
                     "SELECT id FROM acquisitions WHERE container_path = ?1 ORDER BY id DESC LIMIT 1");
      find.bind(1, r.container.string());
      if (find.step()) {
        r.acquisition_id = find.i64(0);
      } else {
        sql::Stmt ins(
            s.db.db(),
            "INSERT INTO acquisitions(run_id, platform, method, exhibit, transport, container_path, status, "
            "started_utc) VALUES(?1, 'android', 'adb logical', ?2, ?3, ?4, 'in_progress', ?5)");
        ins.bind(1, run)
            .bind(2, r.exhibit)
            .bind(3, where[i].get<std::string>())
            .bind(4, r.container.string());
        ins.bind(5, now_utc_iso()).run();
        r.acquisition_id = s.db.db().last_insert_rowid();
      }
    }

    bool show_progress = Progress::wanted(g.quiet);
    auto acquire_one = [&](DeviceRun& r) {
      std::string who = where[&r - runs.data()].get<std::string>();
      try {
        adb::ConnectOptions co;
        co.io_timeout = std::chrono::seconds(o.timeout_s);
        co.prompt_timeout = std::chrono::seconds(o.prompt_timeout_s);
        co.on_prompt = [&](const std::string& m) {
          std::lock_guard lock(db_mu);
          std::cerr << who << ": " << m << std::endl;
        };
        adb::Connection c(open_target(r.target, co.io_timeout), key, co);
        log({"acquire android: connect",
             "ok",
             {{"device", who},
              {"banner", c.banner()},
              {"protocol_version", fmt::format("0x{:08x}", c.version())},
              {"max_payload", c.max_payload()}}});
        adb::AcquireOptions ao;
        ao.container = r.container;
        ao.sdcard = o.sdcard;
        ao.backup = o.backup;
        ao.root = o.root;
        ao.on_command = [&](const adb::DeviceCommand& d) {
          json out = json::array();
          if (!d.output.empty())
            out.push_back(
                {{"path", (r.container / d.output).string()}, {"sha256", d.sha256}, {"bytes", d.bytes}});
          CustodyAction a{
              "acquire android: device command",
              d.status == "ok"       ? "ok"
              : d.status == "failed" ? "failed"
                                     : "warnings",
              {{"device", who}, {"exhibit", r.exhibit}, {"command", d.command}, {"result", d.status}},
              json::array(),
              out};
          if (d.exit_code >= 0) a.parameters["exit_code"] = d.exit_code;
          a.error = d.error;
          log(a);
        };
        ao.on_message = [&](const std::string& m) {
          std::lock_guard lock(db_mu);
          std::cerr << who << ": " << m << std::endl;
        };
        auto start = std::chrono::steady_clock::now();
        auto last = start;
        ao.on_progress = [&](const adb::AcquireProgress& p) {
          if (!show_progress) return;
          auto now = std::chrono::steady_clock::now();
          if (now - last < std::chrono::milliseconds(500)) return;
          last = now;
          double secs = std::chrono::duration<double>(now - start).count();
          std::string eta = "?";
          if (p.bytes_total > p.bytes_done && p.bytes_done > 0 && secs > 1) {
            double rate = p.bytes_done / secs;
            int left = static_cast<int>((p.bytes_total - p.bytes_done) / rate);
            eta = fmt::format("{}:{:02}", left / 60, left % 60);
          }
          std::lock_guard lock(db_mu);
          std::cerr << fmt::format("\r{}: files {}/{}  {} / {}  ETA {}   ", r.exhibit, p.files_done,
                                   p.files_total, human_bytes(p.bytes_done), human_bytes(p.bytes_total), eta)
                    << std::flush;
        };
        r.result = adb::acquire_logical(c, ao);
        if (show_progress) std::cerr << "\n";
      } catch (const adb::AdbError& e) {
        r.connect_error = e.what();
        r.connect_failure = e.failure();
      } catch (const std::exception& e) {
        r.connect_error = e.what();
      }
    };
    if (runs.size() == 1) {
      acquire_one(runs[0]);
    } else {
      std::vector<std::thread> threads;
      for (auto& r : runs) threads.emplace_back([&, p = &r] { acquire_one(*p); });
      for (auto& t : threads) t.join();
    }

    json summary = json::array();
    bool all_complete = true;
    for (auto& r : runs) {
      const auto& res = r.result;
      std::string error = r.connect_error.empty() ? res.error : r.connect_error;
      bool complete = r.connect_error.empty() && res.complete;
      all_complete = all_complete && complete;
      json facts = res.facts;
      sql::Stmt up(s.db.db(),
                   "UPDATE acquisitions SET device_serial = ?1, device_facts = ?2, status = ?3, error = ?4, "
                   "files = files + ?5, "
                   "bytes = bytes + ?6, ended_utc = ?7 WHERE id = ?8");
      up.bind(1, res.facts.count("serial") ? res.facts.at("serial") : std::string()).bind(2, facts.dump());
      up.bind(3, complete ? "complete" : "incomplete")
          .bind(4, error)
          .bind(5, static_cast<int64_t>(res.files));
      up.bind(6, static_cast<int64_t>(res.bytes)).bind(7, now_utc_iso()).bind(8, r.acquisition_id).run();
      json item{{"exhibit", r.exhibit},
                {"container", r.container.string()},
                {"status", complete ? "complete" : "incomplete"},
                {"files_written", res.files},
                {"bytes_written", res.bytes},
                {"skipped_verified", res.skipped_verified},
                {"facts", facts},
                {"notes", res.notes}};
      if (!complete) {
        item["error"] = error;
        CustodyAction a{"acquire android",
                        "failed",
                        {{"exhibit", r.exhibit},
                         {"container", r.container.string()},
                         {"incomplete", true},
                         {"resume", "run the same command again; verified files are skipped"}},
                        json::array(),
                        json::array()};
        if (fs::exists(r.container / "manifest.tsv"))
          a.outputs.push_back({{"path", (r.container / "manifest.tsv").string()},
                               {"sha256", hash_file(r.container / "manifest.tsv").sha256}});
        a.error = error;
        log(a);
        std::cerr << fmt::format(
            "error: acquisition of {} is incomplete: {}\n  container kept at {} (marked incomplete); "
            "re-run the same command to resume / "
            "取得は未完了です。同じコマンドを再実行すると続きから再開します\n",
            r.exhibit, error, r.container.string());
        summary.push_back(item);
        continue;
      }
      IngestOptions io;
      io.evidence = r.container;
      io.exhibit = r.exhibit;
      io.label = o.label.empty()
                     ? fmt::format("{} {} (serial {}) ADB logical acquisition", res.facts.at("manufacturer"),
                                   res.facts.at("model"), res.facts.at("serial"))
                     : o.label;
      io.format = SourceKind::folder;
      IngestResult ir = ingest_evidence(s.db, run, io);
      // Ingest read every file again (MD5, SHA-1, SHA-256); its SHA-256 must equal the one taken on the way
      // in.
      uint64_t checked = 0;
      std::vector<std::string> mismatched;
      {
        std::ifstream mf(r.container / "manifest.tsv");
        std::string line;
        sql::Stmt st(s.db.db(), "SELECT sha256 FROM items WHERE evidence_id = ?1 AND path = ?2");
        while (std::getline(mf, line)) {
          if (line.empty() || line[0] == '#' || line.rfind("path\t", 0) == 0) continue;
          size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1), t3 = line.find('\t', t2 + 1);
          if (t3 == std::string::npos) continue;
          std::string path = line.substr(0, t1), sha = line.substr(t2 + 1, t3 - t2 - 1);
          if (path.find('\\') != std::string::npos) continue;  // escaped names: checked by `verify` instead
          st.reset();
          st.bind(1, ir.evidence_id).bind(2, path);
          ++checked;
          if (!st.step() || st.text(0) != sha) mismatched.push_back(path);
        }
      }
      item["hash_cross_check"] = {{"files", checked}, {"mismatched", mismatched}};
      if (!mismatched.empty()) {
        all_complete = false;
        CustodyAction bad{"acquire android", "failed", {{"exhibit", r.exhibit}, {"mismatched", mismatched}}};
        bad.error = fmt::format("{} file(s) changed between acquisition and ingest", mismatched.size());
        log(bad);
        std::cerr << "error: " << bad.error << "\n";
      }
      sql::Stmt link(s.db.db(), "UPDATE acquisitions SET evidence_id = ?1 WHERE id = ?2");
      link.bind(1, ir.evidence_id).bind(2, r.acquisition_id).run();
      item["evidence_id"] = ir.evidence_id;
      CustodyAction a{"acquire android",
                      res.problems ? "warnings" : "ok",
                      {{"exhibit", r.exhibit},
                       {"container", r.container.string()},
                       {"evidence_id", ir.evidence_id},
                       {"device_facts", facts},
                       {"files_written", res.files},
                       {"skipped_verified", res.skipped_verified},
                       {"sha256_cross_checked", checked},
                       {"notes", res.notes}},
                      json::array(),
                      json::array({{{"path", ir.manifest.string()}, {"sha256", ir.manifest_sha256}},
                                   {{"path", (r.container / "manifest.tsv").string()},
                                    {"sha256", hash_file(r.container / "manifest.tsv").sha256}}})};
      log(a);
      // The adb backup inside the container is also evidence of its own (its tar members become items).
      fs::path ab = r.container / "backup/backup.ab";
      std::error_code ec;
      if (fs::is_regular_file(ab, ec) && fs::file_size(ab, ec) > 0) {
        IngestOptions bo;
        bo.evidence = ab;
        bo.exhibit = r.exhibit + "-AB";
        bo.label = "adb backup of " + r.exhibit;
        try {
          IngestResult br = ingest_evidence(s.db, run, bo);
          item["backup_evidence_id"] = br.evidence_id;
          log({"ingest",
               br.status == "complete" ? "ok" : "failed",
               {{"evidence", ab.string()},
                {"exhibit", bo.exhibit},
                {"evidence_id", br.evidence_id},
                {"items", br.items}},
               json::array({{{"path", ab.string()}, {"sha256", br.container ? br.container->sha256 : ""}}}),
               json::array({{{"path", br.manifest.string()}, {"sha256", br.manifest_sha256}}})});
        } catch (const Error& e) {
          // e.g. the user set a backup password on the phone: the file is kept; ingest it with --password.
          item["backup_note"] = e.what();
          say(fmt::format(
              "  note: backup/backup.ab not ingested: {} (kanshiki ingest {} --case {} --password ...)",
              e.what(), ab.string(), o.case_dir));
        }
      }
      say(fmt::format(
          "Acquired {} — {} {} (serial {}, Android {}, patch {}): {} files written, {} already verified, {}; "
          "ingested as E{}",
          r.exhibit, res.facts.at("manufacturer"), res.facts.at("model"), res.facts.at("serial"),
          res.facts.at("android_version"), res.facts.at("security_patch"), res.files, res.skipped_verified,
          human_bytes(res.bytes), ir.evidence_id));
      for (const auto& n : res.notes) say("  note: " + n);
      summary.push_back(item);
    }
    s.db.end_run(run, all_complete ? "ok" : "failed");
    emit_json({{"acquisitions", summary}});
    if (!all_complete) {
      // The cause decides the exit code: every ADB failure is "device could not be read" (3).
      rc = static_cast<int>(ExitCode::evidence_unreadable);
    }
  });
  return rc;
}

}  // namespace

void register_acquire_android(CLI::App& app, Action& action) {
  CLI::App* acquire =
      shared_command_group(app, "acquire", "Acquire evidence from a connected device / 端末からの証拠取得");
  auto o = std::make_shared<AcquireAndroidOptions>();
  auto* a = acquire->add_subcommand(
      "android",
      "Logical acquisition of Android devices over ADB (USB or TCP) into the case / Android端末の論理取得");
  a->add_option("--case", o->case_dir, "Case folder")->required();
  a->add_option("--exhibit", o->exhibit, "Exhibit number (with --all or several devices: NO-1, NO-2, ...)")
      ->required();
  a->add_option("--serial", o->serial, "USB serial of the device (default: the only one attached)");
  a->add_option("--tcp", o->tcp, "HOST:PORT of a device in `adb tcpip` mode (repeatable)");
  a->add_option("--label", o->label, "Label for the evidence (default: manufacturer, model, serial)");
  a->add_option("--adb-key-dir", o->key_dir, "Folder with adbkey/adbkey.pub (default: $KANSHIKI_HOME/adb)");
  a->add_option("--timeout", o->timeout_s,
                "Seconds without an answer before the device counts as gone (default 30)");
  a->add_option("--prompt-timeout", o->prompt_timeout_s,
                "Seconds to wait for \"Allow USB debugging?\" (default 60)");
  a->add_flag("--sdcard", o->sdcard, "Also pull shared storage (/sdcard) file by file");
  a->add_flag("--backup", o->backup, "Also take an `adb backup -all` (.ab) — confirm on the phone");
  a->add_flag("--root", o->root, "On a rooted device, also a `su -c tar` of /data");
  a->add_flag("--all", o->all, "Acquire every attached device (and every --tcp) in parallel");
  a->callback([o, &action] { action = [o] { return run_acquire_android(*o); }; });
}

}  // namespace kanshiki::cli
