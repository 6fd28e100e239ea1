// PostgreSQL case store (issue 10, engine/pgstore/): a private PostgreSQL cluster (scripts/pg-loopback:
// initdb as the postgres user, Unix socket only) receives three devices, each processed by a "task" into its
// own task-local SQLite case and loaded with COPY; pulling the store into a fresh case must give exactly the
// artifacts of a local `batch run` of the same devices, each device's custody chain must verify, a re-run
// task must change nothing, and a task that died after claiming its device must leave no rows. Skipped
// (KANSHIKI-SKIP) when the PostgreSQL server is not installed or the test is not root.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/case_db.h"
#include "core/custody.h"
#include "core/examiner.h"
#include "engine/batch/batch.h"
#include "engine/pgstore/pg_store.h"
#include "test_support.h"

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace kanshiki;

namespace {
std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

bool postgres_available() {
  std::error_code ec;
  for (const auto& v : fs::directory_iterator("/usr/lib/postgresql", ec))
    if (fs::exists(v.path() / "bin/initdb")) return ::geteuid() == 0;
  return false;
}

// A private cluster under `dir`; stopped (only it) when the test ends, also on failure.
struct PrivatePostgres {
  fs::path dir;
  std::string url;
  explicit PrivatePostgres(fs::path d) : dir(std::move(d)) {
    std::string cmd = q(test::source_dir() / "scripts/pg-loopback") + " start " + q(dir);
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[1024];
    std::string out;
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    REQUIRE(::pclose(p) == 0);
    // "export KANSHIKI_STORE='postgresql://...'"
    auto a = out.find('\''), b = out.rfind('\'');
    REQUIRE(b > a);
    url = out.substr(a + 1, b - a - 1);
  }
  ~PrivatePostgres() {
    std::system((q(test::source_dir() / "scripts/pg-loopback") + " stop " + q(dir)).c_str());
  }
};
}  // namespace

TEST_CASE("pgstore: devices loaded with COPY and pulled back equal the local batch", "[pgstore]") {
  if (!postgres_available()) {
    std::cout << "KANSHIKI-SKIP: PostgreSQL server (apt-get install postgresql) and root are needed"
              << std::endl;
    return;
  }
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  Examiner examiner = Examiner::create("ストア 検査", dir / "home");
  std::string py = "/usr/bin/python3 ";
  REQUIRE(std::system((py + q(test::source_dir() / "samples/generate_samples.py") + " --out " +
                       q(dir / "samples") + " > /dev/null")
                          .c_str()) == 0);
  REQUIRE(std::system((py + q(test::source_dir() / "bench/make_batch_devices.py") + " --samples " +
                       q(dir / "samples") + " --count 4 --out " + q(dir / "devices") + " > /dev/null")
                          .c_str()) == 0);
  auto devices = batch::read_manifest(dir / "devices/manifest.csv");
  REQUIRE(devices.size() == 4);
  devices.pop_back();  // the fourth is the "killed task" below

  // Reference: the local batch of the same three devices.
  std::string local_digest;
  {
    CaseDb local = CaseDb::create(dir / "local", "LOCAL");
    batch::register_devices(local, devices);
    batch::RunOptions opt;
    opt.workers = 1;
    batch::run_batch(local, opt);
    local_digest = batch::artifact_digest(local).sha256;
  }

  PrivatePostgres pg(dir / "pg");
  std::vector<batch::Device> with_killed = batch::read_manifest(dir / "devices/manifest.csv");
  {
    CaseDb submit = CaseDb::create(dir / "submit", "SUBMIT");
    batch::register_devices(submit, with_killed);
    pgstore::PgStore store = pgstore::PgStore::connect(pg.url);
    CHECK(store.register_devices(submit) == 4);
    CHECK(store.register_devices(submit) == 0);  // idempotent
  }
  fs::create_directories(dir / "scratch");
  batch::RunOptions opt;
  opt.examiner = examiner.name();
  for (const auto& d : devices)
    CHECK(pgstore::run_device_to_store(pg.url, d.exhibit, dir / "scratch", examiner, opt) == 0);
  CHECK(fs::is_empty(dir / "scratch"));  // task-local cases are removed
  // A re-run task (Slurm requeue) finds its device done and changes nothing.
  CHECK(pgstore::run_device_to_store(pg.url, devices[0].exhibit, dir / "scratch", examiner, opt) == 0);

  pgstore::PgStore store = pgstore::PgStore::connect(pg.url);
  // The fourth task claims its device and dies before loading: the finish step fails it, leaving no rows.
  REQUIRE(store.claim(with_killed[3].exhibit, "dead:1").has_value());
  CHECK_FALSE(store.claim(with_killed[3].exhibit, "second:2").has_value());  // no two tasks on one device
  CHECK(store.fail_unfinished() == std::vector<std::string>{with_killed[3].exhibit});
  auto states = store.device_states();
  REQUIRE(states.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(states[i].state == "done");
    CHECK(states[i].attempts == 1);
    REQUIRE(states[i].evidence_id);
    CHECK(*states[i].evidence_id == pgstore::id_base(states[i].seq) + 1);
    CHECK(states[i].artifacts > 0);
  }
  CHECK(states[3].state == "failed");

  {
    CaseDb pulled = CaseDb::create(dir / "pulled", "PULLED");
    auto result = store.pull(pulled);
    REQUIRE(result.devices.size() == 4);
    for (int i = 0; i < 3; ++i) {
      CHECK(result.devices[i].custody_ok);
      CHECK(result.devices[i].custody_entries == 2);  // task-local case create, batch device
      CHECK(fs::exists(result.devices[i].custody_dir / "custody.anchor"));
    }
    CHECK(batch::artifact_digest(pulled).sha256 == local_digest);
    // The evidence manifest came along, under the renumbered evidence id.
    sql::Stmt st(pulled.db(), "SELECT manifest_path FROM evidence ORDER BY id LIMIT 1");
    REQUIRE(st.step());
    CHECK(st.text(0) == "evidence/E" + std::to_string(pgstore::id_base(0) + 1) + "/manifest.tsv");
    CHECK(fs::exists(pulled.dir() / st.text(0)));
    st.reset();
    // Full-text search works on the pulled messages (Japanese text byte-exact through PostgreSQL).
    sql::Stmt jp(pulled.db(), "SELECT COUNT(*) FROM messages WHERE text LIKE '%バイト%'");
    REQUIRE(jp.step());
    const int64_t japanese = jp.i64(0);
    jp.reset();
    REQUIRE(attach_search_index(pulled.db(), pulled.dir()));
    {
      sql::Stmt fts(pulled.db(), "SELECT COUNT(*) FROM search.search_index WHERE search_index MATCH 'バイト'");
      REQUIRE(fts.step());
      CHECK(japanese > 0);
      CHECK(fts.i64(0) == japanese);
    }
    detach_search_index(pulled.db());
    // Pulling again changes nothing.
    CHECK(store.pull(pulled).unchanged == 4);
    CHECK(batch::artifact_digest(pulled).sha256 == local_digest);
  }
  std::string out;
  CHECK(test::run_cli("custody verify --case " + q(dir / "pulled"), &out) == 0);
  // `case pull` from the CLI materialises the same case from nothing.
  REQUIRE(test::run_cli("case pull --store '" + pg.url + "' --case " + q(dir / "cli-pulled"), &out) == 0);
  REQUIRE(test::run_cli("--json batch digest --case " + q(dir / "cli-pulled"), &out) == 0);
  CHECK(json::parse(out)["sha256"] == local_digest);
  CHECK(test::run_cli("custody verify --case " + q(dir / "cli-pulled"), &out) == 0);
  // A device chain edited after the pull is caught by `custody verify`.
  {
    fs::path chain = pgstore::device_custody_dir(dir / "cli-pulled", devices[1].exhibit);
    sql::Db db(chain / "case.db", SQLITE_OPEN_READWRITE);
    db.exec("DROP TRIGGER custody_no_update; UPDATE custody SET host='elsewhere' WHERE seq=2");
  }
  CHECK(test::run_cli("custody verify --case " + q(dir / "cli-pulled"), &out) != 0);
  CHECK(out.find(devices[1].exhibit) != std::string::npos);
}
