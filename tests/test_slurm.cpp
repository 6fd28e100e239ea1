// Slurm (issue 10): a loopback cluster (munged, slurmctld, two `slurmd -N` nodes; scripts/slurm-loopback)
// runs `kanshiki batch submit --slurm` for 10 generated devices as a job array with an afterany finish job;
// the case must end with exactly the artifacts of a local `batch run` of the same devices — once with the
// tasks sharing the SQLite case, once with a PostgreSQL case store (a private cluster, scripts/pg-loopback),
// where each task works in a node-local SQLite case and COPYs its device into the store. Skipped
// (KANSHIKI-SKIP) when Slurm/munge (or PostgreSQL) are not installed or the test is not root. Only the
// daemons this test started are stopped.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "test_support.h"

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace kanshiki;

namespace {
std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

struct Loopback {
  fs::path dir;
  ~Loopback() {
    std::system(
        ("'" + (test::source_dir() / "scripts/slurm-loopback").string() + "' stop " + q(dir)).c_str());
  }
};

std::string digest_of(const fs::path& case_dir) {
  std::string out;
  REQUIRE(test::run_cli("--json batch digest --case " + q(case_dir), &out) == 0);
  return json::parse(out)["sha256"].get<std::string>();
}

bool slurm_available() {
  for (const char* tool :
       {"/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch"}) {
    if (!fs::exists(tool)) {
      std::cout << "KANSHIKI-SKIP: " << tool
                << " not installed (apt-get install slurmctld slurmd slurm-client munge)" << std::endl;
      return false;
    }
  }
  if (::geteuid() != 0) {
    std::cout << "KANSHIKI-SKIP: the loopback Slurm cluster needs root (slurmd starts the jobs)" << std::endl;
    return false;
  }
  return true;
}

// Examiner, 10 generated devices and their local `batch run` (the reference); returns the manifest.
fs::path prepare_devices(const test::TempDir& dir) {
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name 'クラスタ 検査'") == 0);
  std::string py = "/usr/bin/python3 ";
  REQUIRE(std::system((py + q(test::source_dir() / "samples/generate_samples.py") + " --out " +
                       q(dir / "samples") + " > /dev/null")
                          .c_str()) == 0);
  REQUIRE(std::system((py + q(test::source_dir() / "bench/make_batch_devices.py") + " --samples " +
                       q(dir / "samples") + " --count 10 --out " + q(dir / "devices"))
                          .c_str()) == 0);
  fs::path manifest = dir / "devices/manifest.csv";
  fs::path local = dir / "local";
  REQUIRE(test::run_cli("case create --case " + q(local)) == 0);
  REQUIRE(test::run_cli("batch run --case " + q(local) + " --manifest " + q(manifest) + " --workers 2") == 0);
  return manifest;
}

void start_cluster(const Loopback& cluster) {
  REQUIRE(std::system(("'" + (test::source_dir() / "scripts/slurm-loopback").string() + "' start " +
                       q(cluster.dir) + " 2 > /dev/null")
                          .c_str()) == 0);
  ::setenv("SLURM_CONF", (cluster.dir / "slurm.conf").c_str(), 1);
}

// sbatch --wait polls slowly; squeue until both jobs are gone (2 minutes at most).
bool wait_for_empty_queue() {
  for (int i = 0; i < 480; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    FILE* p = ::popen("squeue -h 2>/dev/null | wc -l", "r");
    char buf[32] = {0};
    if (p) {
      std::fgets(buf, sizeof buf, p);
      ::pclose(p);
    }
    if (std::atoi(buf) == 0) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("slurm: a 10-device job array on two loopback nodes equals the local batch", "[slurm]") {
  if (!slurm_available()) return;
  test::TempDir dir;
  fs::path manifest = prepare_devices(dir);
  fs::path local = dir / "local";
  Loopback cluster{dir / "slurm"};
  start_cluster(cluster);

  fs::path c = dir / "cluster-case";
  std::string out;
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  REQUIRE(test::run_cli(
              "--json batch submit --slurm --max-parallel 3 --case " + q(c) + " --manifest " + q(manifest),
              &out) == 0);
  auto submitted = json::parse(out.substr(out.find('{')));
  CHECK(submitted["tasks"] == 10);
  REQUIRE(wait_for_empty_queue());
  REQUIRE(test::run_cli("--json batch status --case " + q(c), &out) == 0);
  auto status = json::parse(out);
  CHECK(status["counts"]["done"] == 10);
  std::set<std::string> workers;
  for (const auto& d : status["devices"]) workers.insert(d["worker"].get<std::string>());
  CHECK(workers.size() >= 2);  // tasks ran as separate processes
  CHECK(digest_of(c) == digest_of(local));
  fs::path finish_log = fs::path(submitted["dir"].get<std::string>()) / "finish.log";
  CHECK(fs::exists(finish_log));
  CHECK(fs::exists(fs::path(submitted["dir"].get<std::string>()) / "links.graphml"));
  REQUIRE(test::run_cli("--json custody show --case " + q(c), &out) == 0);
  CHECK(out.find("batch finish") != std::string::npos);
  CHECK(test::run_cli("custody verify --case " + q(c)) == 0);
}

TEST_CASE("slurm: the job array with a PostgreSQL case store equals the local batch", "[slurm][pgstore]") {
  if (!slurm_available()) return;
  bool have_postgres = false;
  std::error_code ec;
  for (const auto& v : fs::directory_iterator("/usr/lib/postgresql", ec))
    have_postgres = have_postgres || fs::exists(v.path() / "bin/initdb");
  if (!have_postgres) {
    std::cout << "KANSHIKI-SKIP: PostgreSQL server not installed (apt-get install postgresql)" << std::endl;
    return;
  }
  test::TempDir dir;
  fs::path manifest = prepare_devices(dir);
  fs::path local = dir / "local";
  const fs::path pg_script = test::source_dir() / "scripts/pg-loopback";
  struct PrivatePostgres {
    fs::path script, dir;
    ~PrivatePostgres() { std::system((q(script) + " stop " + q(dir) + " > /dev/null 2>&1").c_str()); }
  } pg{pg_script, dir / "pg"};
  std::string url;
  {
    FILE* p = ::popen((q(pg_script) + " start " + q(pg.dir)).c_str(), "r");
    REQUIRE(p);
    char buf[1024];
    std::string line;
    while (std::fgets(buf, sizeof buf, p)) line += buf;
    REQUIRE(::pclose(p) == 0);
    url = line.substr(line.find('\'') + 1, line.rfind('\'') - line.find('\'') - 1);
  }
  Loopback cluster{dir / "slurm"};
  start_cluster(cluster);
  // Node-local scratch for the task-local SQLite cases (on a real cluster: the node's own disk).
  ::setenv("KANSHIKI_SCRATCH", (dir / "scratch").c_str(), 1);
  fs::create_directories(dir / "scratch");

  fs::path c = dir / "store-case";
  std::string out;
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  REQUIRE(test::run_cli("--json batch submit --slurm --max-parallel 3 --case " + q(c) + " --manifest " +
                            q(manifest) + " --store '" + url + "'",
                        &out) == 0);
  auto submitted = json::parse(out.substr(out.find('{')));
  CHECK(submitted["tasks"] == 10);
  REQUIRE(wait_for_empty_queue());
  // The store holds every device's state; the tasks ran on both nodes' worker processes.
  REQUIRE(test::run_cli("--json batch status --case " + q(c) + " --store '" + url + "'", &out) == 0);
  auto status = json::parse(out);
  INFO(status.dump(1));  // the reason of a failed device, if any
  CHECK(status["counts"]["done"] == 10);
  std::set<std::string> workers;
  for (const auto& d : status["devices"]) workers.insert(d["worker"].get<std::string>());
  CHECK(workers.size() >= 2);
  CHECK(fs::is_empty(dir / "scratch"));
  // The afterany finish job pulled the store into the case: same artifacts as the local batch.
  CHECK(digest_of(c) == digest_of(local));
  CHECK(fs::exists(fs::path(submitted["dir"].get<std::string>()) / "links.graphml"));
  REQUIRE(test::run_cli("--json custody show --case " + q(c), &out) == 0);
  CHECK(out.find("case pull") != std::string::npos);
  CHECK(test::run_cli("custody verify --case " + q(c), &out) == 0);
  CHECK(out.find("verified") != std::string::npos);
  // Any host can materialise the case from the store alone.
  REQUIRE(test::run_cli("case pull --store '" + url + "' --case " + q(dir / "pulled")) == 0);
  CHECK(digest_of(dir / "pulled") == digest_of(local));
}
