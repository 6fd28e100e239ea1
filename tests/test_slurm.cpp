// Slurm (issue 10): a loopback cluster (munged, slurmctld, two `slurmd -N` nodes; scripts/slurm-loopback)
// runs `kanshiki batch submit --slurm` for 10 generated devices as a job array with an afterany finish job;
// the case must end with exactly the artifacts of a local `batch run` of the same devices. Skipped
// (KANSHIKI-SKIP) when Slurm/munge are not installed or the test is not root. Only the daemons this test
// started are stopped.
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
}  // namespace

TEST_CASE("slurm: a 10-device job array on two loopback nodes equals the local batch", "[slurm]") {
  for (const char* tool :
       {"/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch"}) {
    if (!fs::exists(tool)) {
      std::cout << "KANSHIKI-SKIP: " << tool
                << " not installed (apt-get install slurmctld slurmd slurm-client munge)" << std::endl;
      return;
    }
  }
  if (::geteuid() != 0) {
    std::cout << "KANSHIKI-SKIP: the loopback Slurm cluster needs root (slurmd starts the jobs)" << std::endl;
    return;
  }
  test::TempDir dir;
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

  Loopback cluster{dir / "slurm"};
  REQUIRE(std::system(("'" + (test::source_dir() / "scripts/slurm-loopback").string() + "' start " +
                       q(cluster.dir) + " 2 > /dev/null")
                          .c_str()) == 0);
  ::setenv("SLURM_CONF", (cluster.dir / "slurm.conf").c_str(), 1);

  fs::path c = dir / "cluster-case";
  std::string out;
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  REQUIRE(test::run_cli(
              "--json batch submit --slurm --max-parallel 3 --case " + q(c) + " --manifest " + q(manifest),
              &out) == 0);
  auto submitted = json::parse(out.substr(out.find('{')));
  CHECK(submitted["tasks"] == 10);
  // sbatch --wait polls slowly; squeue until both jobs are gone (2 minutes at most).
  bool drained = false;
  for (int i = 0; i < 480 && !drained; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    FILE* p = ::popen("squeue -h 2>/dev/null | wc -l", "r");
    char buf[32] = {0};
    if (p) {
      std::fgets(buf, sizeof buf, p);
      ::pclose(p);
    }
    drained = std::atoi(buf) == 0;
  }
  REQUIRE(drained);
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
