// Tests that prove the principles a court will ask about:
//  - every command leaves the real-data originals byte-identical (MANIFEST.sha256) and adds no file beside them;
//  - kill -9 during ingest and during process, then a re-run: complete, integrity_check ok, nothing duplicated
//    or lost, custody log still verifies;
//  - malformed inputs give a clear error and a non-zero exit, are recorded in the custody log, never crash.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "core/case_db.h"
#include "core/custody.h"
#include "core/sqlite_util.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// A test workspace with its own examiner identity (KANSHIKI_HOME is inherited by the CLI children).
struct Workspace {
  test::TempDir dir;
  fs::path case_dir = dir / "case";
  Workspace() {
    ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
    ::setenv("CI", "1", 1);  // no progress bars in captured output
    REQUIRE(test::run_cli("examiner init --name 'Principles Test'") == 0);
    REQUIRE(test::run_cli("case create --case " + q(case_dir)) == 0);
  }
  int cli(const std::string& args, std::string* out = nullptr) { return test::run_cli(args + " --case " + q(case_dir), out); }
  json custody() {
    std::string out;
    test::run_cli("--json custody show --case " + q(case_dir), &out);
    auto pos = out.find('{');
    return json::parse(out.substr(pos));
  }
  // The newest custody entry for an action.
  json last_entry(const std::string& action) {
    json last;
    json log = custody();
    for (auto& e : log["entries"])
      if (e["action"] == action) last = e;
    return last;
  }
};

std::map<std::string, std::string> read_manifest(const fs::path& root) {
  std::map<std::string, std::string> m;
  std::ifstream in(root / "MANIFEST.sha256");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 66) continue;
    m[line.substr(66)] = line.substr(0, 64);
  }
  return m;
}

std::set<std::string> listing(const fs::path& root) {
  std::set<std::string> s;
  for (auto& e : fs::recursive_directory_iterator(root)) s.insert(fs::relative(e.path(), root).string());
  return s;
}

// Makes an SMS database with the Android schema subset the parser reads, secure_delete off.
void make_sms_db(const fs::path& p, int rows, int seed) {
  sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec("CREATE TABLE sms (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, address TEXT, person INTEGER, "
          "date INTEGER, date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0, status INTEGER DEFAULT -1, "
          "type INTEGER, reply_path_present INTEGER, subject TEXT, body TEXT, service_center TEXT, locked INTEGER DEFAULT 0, "
          "error_code INTEGER DEFAULT 0, creator TEXT, seen INTEGER DEFAULT 0)");
  sql::Transaction tx(db);
  sql::Stmt ins(db, "INSERT INTO sms(thread_id, address, date, type, body, read) VALUES(?1, ?2, ?3, ?4, ?5, 1)");
  for (int i = 0; i < rows; ++i) {
    ins.bind(1, 1 + i % 7).bind(2, "090" + std::to_string(10000000 + seed * 1000 + i % 50));
    ins.bind(3, int64_t{1714563296000} + i * 60000).bind(4, 1 + i % 2);
    ins.bind(5, "メッセージ " + std::to_string(seed) + "-" + std::to_string(i) + " ホワイト案件の件").run();
  }
  tx.commit();
}

int64_t scalar(CaseDb& c, const std::string& sql) {
  sql::Stmt st(c.db(), sql);
  REQUIRE(st.step());
  return st.i64(0);
}

// Starts the CLI, kills it with SIGKILL after `delay`, returns true when it was still running (killed).
bool run_and_kill(const std::string& args, std::chrono::milliseconds delay) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string cmd = "exec '" + test::cli_path().string() + "' " + args + " >/dev/null 2>&1";
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(delay);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

}  // namespace

TEST_CASE("every command leaves the real-data originals byte-identical", "[principles][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(root, "");
  auto manifest = read_manifest(root);
  REQUIRE(manifest.size() > 50);
  auto before = listing(root);
  Workspace ws;
  // Everything as one folder evidence, the iOS backup as a backup, and the zip as a zip.
  CHECK(ws.cli("ingest " + q(root) + " --exhibit RD-1") <= 10);
  CHECK(ws.cli("ingest " + q(root / "ios_backup/mvt_ios_backup") + " --exhibit RD-2") <= 10);
  CHECK(ws.cli("ingest " + q(root / "android_backup/mvt/androidqf.zip") + " --exhibit RD-3") <= 10);
  CHECK(ws.cli("process") <= 10);
  CHECK(ws.cli("search 'the'") == 0);
  CHECK(ws.cli("export --format jsonl -o " + q(ws.dir / "out.jsonl")) == 0);
  CHECK(ws.cli("export --format csv -o " + q(ws.dir / "out.csv")) == 0);
  CHECK(ws.cli("report --format html") == 0);
  CHECK(ws.cli("verify") == 0);
  CHECK(ws.cli("custody verify") == 0);

  for (const auto& [rel, sha] : manifest) {
    INFO(rel);
    CHECK(test::file_sha256(root / rel) == sha);
  }
  CHECK(listing(root) == before);  // no -shm, -wal or journal was created next to an original
}

TEST_CASE("kill -9 during ingest and process, then re-run: complete, consistent, no duplicates", "[principles][kill]") {
  // Evidence: a folder with many small files and 30 SMS databases, so both steps take long enough to interrupt.
  test::TempDir ev;
  for (int d = 0; d < 30; ++d) {
    fs::path dir = ev / ("device/data/data/com.android.providers.telephony" + std::to_string(d) + "/databases");
    fs::create_directories(dir);
    make_sms_db(dir / "mmssms.db", 1500, d);
  }
  {
    // One large file gives ingest a stable duration (hashing), so kill points land inside it.
    fs::create_directories(ev / "device/sdcard");
    std::ofstream big(ev / "device/sdcard/video.bin", std::ios::binary);
    std::string block(1 << 20, '\x5a');
    for (int i = 0; i < 96; ++i) big.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
  for (int i = 0; i < 3000; ++i) {
    fs::path p = ev / ("device/sdcard/files/f" + std::to_string(i / 100) + "/n" + std::to_string(i) + ".txt");
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "file " << i << std::string(static_cast<size_t>(i % 512), 'x');
  }

  // Reference: an uninterrupted run.
  Workspace ref;
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(ref.cli("ingest " + q(ev / "device")) == 0);
  auto t1 = std::chrono::steady_clock::now();
  REQUIRE(ref.cli("process") == 0);
  auto t2 = std::chrono::steady_clock::now();
  // Kill points are drawn across each step's own duration, so they land inside the work on any machine.
  const int ingest_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count());
  const int process_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(t2 - t1).count());
  int64_t ref_items, ref_artifacts, ref_fts;
  {
    CaseDb c = CaseDb::open(ref.case_dir);
    ref_items = scalar(c, "SELECT count(*) FROM items");
    ref_artifacts = scalar(c, "SELECT count(*) FROM artifacts");
    ref_fts = scalar(c, "SELECT count(*) FROM messages WHERE text LIKE '%ホワイト案件%'");
  }
  REQUIRE(ref_items == 3031);
  REQUIRE(ref_artifacts >= 30 * 1500);

  Workspace ws;
  std::mt19937 rng(20241122);
  auto between = [&](int total_ms, int lo_pct, int hi_pct) {
    int lo = total_ms * lo_pct / 100, hi = std::max(lo + 1, total_ms * hi_pct / 100);
    return std::chrono::milliseconds(lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo)));
  };
  // An interrupted ingest rolls back whole, so every attempt redoes all the work: kill anywhere inside it.
  int ingest_kills = 0, process_kills = 0;
  for (int attempt = 0; attempt < 6; ++attempt)
    if (run_and_kill("ingest " + q(ev / "device") + " --case " + q(ws.case_dir), between(ingest_ms, 10, 60))) ++ingest_kills;
  REQUIRE(ws.cli("ingest " + q(ev / "device")) == 0);
  // Finished parser runs persist, so each attempt has less left: kill early in what remains.
  for (int attempt = 0; attempt < 6; ++attempt)
    if (run_and_kill("process --case " + q(ws.case_dir), between(process_ms, 5, 25))) ++process_kills;
  REQUIRE(ws.cli("process") == 0);
  INFO("killed: " << ingest_kills << " ingests, " << process_kills << " processes (reference: ingest " << ingest_ms
                  << " ms, process " << process_ms << " ms)");
  CHECK(ingest_kills >= 3);
  CHECK(process_kills >= 3);

  CaseDb c = CaseDb::open(ws.case_dir);
  {
    sql::Stmt st(c.db(), "PRAGMA integrity_check");
    REQUIRE(st.step());
    CHECK(st.text(0) == "ok");
  }
  CHECK(scalar(c, "SELECT count(*) FROM evidence") == 1);
  CHECK(scalar(c, "SELECT count(*) FROM items") == ref_items);
  CHECK(scalar(c, "SELECT count(*) FROM artifacts") == ref_artifacts);
  // The full-text index (search.db) may hold extra entries of killed runs, never too few: every searchable
  // text is indexed, and a search through the index finds exactly what a scan finds.
  REQUIRE(attach_search_index(c.db(), c.dir()));
  CHECK(scalar(c, "SELECT count(*) FROM search_text WHERE text <> '' AND artifact_id NOT IN (SELECT rowid FROM "
                  "search.search_index)") == 0);
  {
    const SearchSql via_index = search_sql("ホワイト案件", true);
    sql::Stmt st(c.db(), "SELECT count(*) FROM artifacts a WHERE " + via_index.condition);
    for (int i = 0; i < static_cast<int>(via_index.params.size()); ++i) st.bind(i + 1, via_index.params[i]);
    REQUIRE(st.step());
    CHECK(st.i64(0) == ref_fts);
    CHECK(ref_fts > 0);
  }
  detach_search_index(c.db());
  CHECK(scalar(c, "SELECT count(*) FROM (SELECT item_id, parser_id FROM parser_runs GROUP BY 1, 2 HAVING count(*) > 1)") == 0);
  CHECK(scalar(c, "SELECT count(*) FROM (SELECT item_id, source_rowid FROM artifacts WHERE type='message' GROUP BY 1, 2 HAVING count(*) > 1)") == 0);
  CHECK(scalar(c, "SELECT count(*) FROM artifacts WHERE parser_run_id NOT IN (SELECT id FROM parser_runs)") == 0);
  CHECK(verify_custody(c).ok);
}

TEST_CASE("malformed inputs: clear error, non-zero exit, recorded in custody, no crash", "[principles][malformed]") {
  Workspace ws;
  std::string out;

  SECTION("0-byte file") {
    std::ofstream(ws.dir / "empty.bin").close();
    int rc = ws.cli("ingest " + q(ws.dir / "empty.bin"), &out);
    CHECK(rc == 3);
    CHECK(out.find("empty") != std::string::npos);
    CHECK(ws.last_entry("ingest")["status"] == "failed");
  }
  SECTION("missing evidence") {
    int rc = ws.cli("ingest " + q(ws.dir / "nope.tar"), &out);
    CHECK(rc == 3);
    CHECK(out.find("not found") != std::string::npos);
    CHECK(ws.last_entry("ingest")["status"] == "failed");
  }
  SECTION("unknown format") {
    std::ofstream(ws.dir / "garbage.bin") << std::string(5000, 'G');
    int rc = ws.cli("ingest " + q(ws.dir / "garbage.bin"), &out);
    CHECK(rc == 4);
    CHECK(out.find("tar") != std::string::npos);
    CHECK(out.find("zip") != std::string::npos);
    CHECK(ws.last_entry("ingest")["error"].get<std::string>().find("garbage.bin") != std::string::npos);
  }
  SECTION("truncated tar and truncated zip") {
    fs::path src = ws.dir / "src";
    fs::create_directories(src / "data");
    for (int i = 0; i < 20; ++i) std::ofstream(src / "data" / ("f" + std::to_string(i))) << std::string(20000, 'a' + i % 26);
    REQUIRE(std::system(("cd " + q(src) + " && tar -cf ../full.tar data && /usr/bin/python3 -m zipfile -c ../full.zip data").c_str()) == 0);
    for (const char* name : {"full.tar", "full.zip"}) {
      fs::path full = ws.dir / name;
      fs::path cut = ws.dir / (std::string("cut-") + name);
      fs::copy_file(full, cut);
      fs::resize_file(cut, fs::file_size(full) / 2);
      int rc = ws.cli("ingest " + q(cut), &out);
      INFO(name << ": " << out);
      CHECK(rc != 0);
      CHECK(rc < 128);
      CHECK((out.find("truncated") != std::string::npos || out.find("damaged") != std::string::npos ||
             out.find("corrupt") != std::string::npos || out.find("Truncated") != std::string::npos));
      CHECK(ws.last_entry("ingest")["status"] == "failed");
    }
  }
  SECTION("zip entry named ../../etc/x") {
    REQUIRE(std::system(("/usr/bin/python3 -c \"import zipfile; z = zipfile.ZipFile('" + (ws.dir / "evil.zip").string() +
                         "', 'w'); z.writestr('../../etc/x', 'owned'); z.writestr('ok.txt', 'fine'); z.close()\"")
                            .c_str()) == 0);
    int rc = ws.cli("ingest " + q(ws.dir / "evil.zip"), &out);
    INFO(out);
    CHECK(rc == 10);
    CHECK(ws.last_entry("ingest")["status"] == "warnings");
    CaseDb c = CaseDb::open(ws.case_dir);
    CHECK(scalar(c, "SELECT count(*) FROM items") == 2);
    CHECK(scalar(c, "SELECT count(*) FROM items WHERE path LIKE '%..%' AND path NOT LIKE '\\_\\_unsafe\\_\\_%' ESCAPE '\\'") == 0);
    CHECK(scalar(c, "SELECT count(*) FROM warnings WHERE message LIKE '%../../etc/x%'") >= 1);
    CHECK_FALSE(fs::exists(ws.dir / "etc/x"));
  }
  SECTION("a non-SQLite file named .db, and a SQLite file with a corrupted page") {
    fs::path dev = ws.dir / "dev/data/data/com.android.providers.telephony/databases";
    fs::create_directories(dev);
    std::ofstream(dev / "mmssms.db") << "this is not a database, only text pretending to be one";
    fs::path dev2 = ws.dir / "dev/data/user/0/com.android.providers.telephony/databases";
    fs::create_directories(dev2);
    make_sms_db(dev2 / "mmssms.db", 3000, 1);
    {
      // Overwrite the middle of the file (b-tree pages) with garbage.
      std::fstream f(dev2 / "mmssms.db", std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(fs::file_size(dev2 / "mmssms.db") / 2));
      std::string junk(8192, '\xA5');
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    REQUIRE(ws.cli("ingest " + q(ws.dir / "dev")) == 0);
    int rc = ws.cli("process", &out);
    INFO(out);
    CHECK(rc == 10);
    CHECK(out.find("FAILED") != std::string::npos);
    CHECK(ws.last_entry("process")["status"] == "warnings");
    CaseDb c = CaseDb::open(ws.case_dir);
    CHECK(scalar(c, "SELECT count(*) FROM warnings WHERE message LIKE '%not a SQLite database%'") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM warnings WHERE item_path LIKE 'data/user/%' AND severity = 'error'") >= 1);
  }
}
