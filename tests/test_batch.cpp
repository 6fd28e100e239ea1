// Batch (issue 10): 20 generated devices; an uninterrupted run gives the reference artifact digest; then the
// same batch is killed with SIGKILL at 20+ random moments and resumed each time. Every resumed batch must end
// with exactly the reference artifacts (nothing duplicated, nothing lost), every device once, and a custody
// log that verifies. Dedup and worker count must not change the result either.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "test_support.h"

extern char** environ;

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace kanshiki;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Generated once per test binary run: samples, then 20 distinct Android extractions + manifest.csv.
fs::path devices_dir(const fs::path& root) {
  fs::path samples = root / "samples", devices = root / "devices";
  std::string py = "/usr/bin/python3 ";
  REQUIRE(std::system((py + q(test::source_dir() / "samples/generate_samples.py") + " --out " + q(samples) +
                       " > /dev/null")
                          .c_str()) == 0);
  REQUIRE(std::system((py + q(test::source_dir() / "bench/make_batch_devices.py") + " --samples " +
                       q(samples) + " --count 20 --out " + q(devices))
                          .c_str()) == 0);
  return devices;
}

std::string digest_of(const fs::path& case_dir) {
  std::string out;
  REQUIRE(test::run_cli("--json batch digest --case " + q(case_dir), &out) == 0);
  auto j = json::parse(out);
  return j["sha256"].get<std::string>() + "/" + std::to_string(j["artifacts"].get<int64_t>());
}

// Starts the CLI without a shell so the pid is the kanshiki process itself.
pid_t spawn_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s{test::cli_path().string(), "--quiet"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

}  // namespace

TEST_CASE("batch: kill -9 at 20+ random points, every resume ends with the uninterrupted artifacts",
          "[batch]") {
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name '一括 検査'") == 0);
  fs::path devices = devices_dir(dir.path());
  fs::path manifest = devices / "manifest.csv";
  std::string out;

  // Reference: one uninterrupted run, 2 workers.
  fs::path ref = dir / "ref";
  REQUIRE(test::run_cli("case create --case " + q(ref)) == 0);
  REQUIRE(test::run_cli("batch run --case " + q(ref) + " --manifest " + q(manifest) + " --workers 2", &out) ==
          0);
  const std::string reference = digest_of(ref);
  INFO("reference " << reference);

  // Same devices, one worker, no dedup: same artifacts.
  fs::path plain = dir / "plain";
  REQUIRE(test::run_cli("case create --case " + q(plain)) == 0);
  REQUIRE(test::run_cli("batch run --case " + q(plain) + " --manifest " + q(manifest) +
                        " --workers 1 --no-dedup") == 0);
  CHECK(digest_of(plain) == reference);

  const unsigned seed = static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::cout << "batch kill test seed " << seed << std::endl;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(20, 260);
  int kills = 0, rounds = 0;
  while (kills < 20 && rounds < 6) {
    ++rounds;
    fs::path case_dir = dir / ("killed" + std::to_string(rounds));
    REQUIRE(test::run_cli("case create --case " + q(case_dir)) == 0);
    bool first = true, finished = false;
    while (!finished) {
      std::vector<std::string> args =
          first ? std::vector<std::string>{"batch",           "run",        "--case",
                                           case_dir.string(), "--manifest", manifest.string(),
                                           "--workers",       "2"}
                : std::vector<std::string>{"batch", "resume", "--case", case_dir.string(), "--workers", "2"};
      pid_t pid = spawn_cli(args);
      bool kill_now = kills < 20;
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      int status = 0;
      if (kill_now && waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ++kills;
        // Killed before the manifest was registered: nothing to resume yet, so `batch run` again.
        std::string status_out;
        REQUIRE(test::run_cli("--json batch status --case " + q(case_dir), &status_out) == 0);
        first = json::parse(status_out)["devices"].empty();
        // The workers die with their coordinator (PR_SET_PDEATHSIG); give them a moment to be gone.
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        continue;
      }
      if (!kill_now) waitpid(pid, &status, 0);
      REQUIRE(WIFEXITED(status));
      // A run killed before it registered the devices has nothing to resume yet: run it again.
      if (first && WEXITSTATUS(status) != 0) continue;
      CHECK(WEXITSTATUS(status) == 0);
      finished = true;
    }
    INFO("round " << rounds << " after " << kills << " kills");
    REQUIRE(test::run_cli("--json batch status --case " + q(case_dir), &out) == 0);
    auto status = json::parse(out);
    CHECK(status["counts"]["done"] == 20);
    CHECK(status["counts"]["failed"] == 0);
    CHECK(digest_of(case_dir) == reference);
    CHECK(test::run_cli("custody verify --case " + q(case_dir)) == 0);
  }
  std::cout << "batch kill test: " << kills << " kills in " << rounds << " rounds" << std::endl;
  CHECK(kills >= 20);
}

TEST_CASE("batch: manifest errors are usage errors — status lists every device", "[batch]") {
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name X") == 0);
  fs::path c = dir / "c";
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  std::ofstream(dir / "m.csv") << "exhibit,evidence\nA-1,\n";
  std::string out;
  CHECK(test::run_cli("batch run --case " + q(c) + " --manifest " + q(dir / "m.csv"), &out) == 2);
  CHECK(out.find("line 2") != std::string::npos);
  // A missing evidence file fails that device only, with the reason recorded.
  std::ofstream(dir / "m2.json") << R"([{"exhibit": "B-1", "evidence": "nope.tar", "label": "欠品"}])";
  CHECK(test::run_cli("batch run --case " + q(c) + " --manifest " + q(dir / "m2.json"), &out) == 10);
  REQUIRE(test::run_cli("--json batch status --case " + q(c), &out) == 0);
  auto j = json::parse(out);
  REQUIRE(j["devices"].size() == 1);
  CHECK(j["devices"][0]["state"] == "failed");
  CHECK(j["devices"][0]["reason"].get<std::string>().find("not found") != std::string::npos);
  CHECK(test::run_cli("custody verify --case " + q(c)) == 0);
}
