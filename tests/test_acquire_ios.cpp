// iOS acquisition without a phone: the simulated iPhone (acquire/ios/sim) against Debian's unmodified
// libimobiledevice tools (fidelity: proof that it speaks the real protocol), and the backups it serves.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "acquire/ios/sim/ios_device_sim.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool have_tool(const char* name) {
  return std::system((std::string("command -v ") + name + " > /dev/null 2>&1").c_str()) == 0;
}

// Runs a shell command against the simulator (USBMUXD_SOCKET_ADDRESS set for it only), capturing its output.
int run_against(const ios_sim::Simulator& sim, const std::string& command, std::string* output, int timeout_s = 60) {
  test::TempDir tmp;
  std::string cmd = "USBMUXD_SOCKET_ADDRESS=" + sim.mux_address() + " timeout " + std::to_string(timeout_s) + " " +
                    command + " > " + q(tmp / "out.txt") + " 2>&1";
  int rc = std::system(cmd.c_str());
  if (output) *output = slurp(tmp / "out.txt");
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The plain sample backup (and its encrypted twin), generated once per process.
struct Samples {
  fs::path plain, encrypted;
};
const Samples* samples_or_skip(bool need_encrypted = false) {
  static std::unique_ptr<test::TempDir> dir;
  static std::optional<Samples> s;
  static bool encrypted_made = false;
  if (!fs::exists(kPython)) {
    std::cout << "KANSHIKI-SKIP: " << kPython << " not found" << std::endl;
    return nullptr;
  }
  if (!s) {
    dir = std::make_unique<test::TempDir>();
    auto gen = test::source_dir() / "samples" / "generate_samples.py";
    REQUIRE(std::system((std::string(kPython) + " " + q(gen) + " --out " + q(*dir / "s") + " > /dev/null").c_str()) == 0);
    s = Samples{*dir / "s/ios_backup", *dir / "enc"};
  }
  if (need_encrypted && !encrypted_made) {
    if (std::system((std::string(kPython) + " -c 'import cryptography' 2>/dev/null").c_str()) != 0) {
      std::cout << "KANSHIKI-SKIP: python3-cryptography not found" << std::endl;
      return nullptr;
    }
    auto maker = test::source_dir() / "tests" / "make_encrypted_ios_backup.py";
    REQUIRE(std::system((std::string(kPython) + " " + q(maker) + " --src " + q(s->plain) + " --out " + q(s->encrypted) +
                         " --password 'sim-パス' > /dev/null")
                            .c_str()) == 0);
    encrypted_made = true;
  }
  return &*s;
}

ios_sim::Config sim_config(const fs::path& socket, const fs::path& backup) {
  ios_sim::Config c;
  c.socket_path = socket;
  c.backup = backup;
  return c;
}

bool contains(const std::vector<std::string>& log, const std::string& needle) {
  for (const auto& l : log)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("simulator fidelity: Debian's ideviceinfo reads the simulated device", "[ios][sim]") {
  if (!have_tool("ideviceinfo")) {
    std::cout << "KANSHIKI-SKIP: ideviceinfo not installed (libimobiledevice-utils)" << std::endl;
    return;
  }
  const Samples* s = samples_or_skip();
  if (!s) return;
  test::TempDir dir;
  ios_sim::Simulator sim(sim_config(dir / "mux.sock", s->plain));
  sim.start();
  std::string out;
  REQUIRE(run_against(sim, "idevice_id -l", &out, 20) == 0);
  CHECK(out.find(sim.config().udid) != std::string::npos);
  REQUIRE(run_against(sim, "ideviceinfo", &out, 20) == 0);
  INFO(out);
  CHECK(out.find("ProductType: iPhone14,5") != std::string::npos);  // from the sample backup's Info.plist
  CHECK(out.find("UniqueDeviceID: " + sim.config().udid) != std::string::npos);
  CHECK(out.find("DeviceName: 山田の iPhone") != std::string::npos);   // Japanese names survive the plists
  REQUIRE(run_against(sim, "ideviceinfo -k ProductVersion", &out, 20) == 0);
  CHECK(out.find("16.") == 0);
  REQUIRE(run_against(sim, "ideviceinfo -q com.apple.mobile.backup", &out, 20) == 0);
  CHECK(out.find("WillEncrypt: false") != std::string::npos);
  auto log = sim.log();
  CHECK(contains(log, "lockdown StartSession"));
  CHECK(contains(log, "usbmuxd ReadPairRecord"));
}

TEST_CASE("simulator fidelity: Debian's idevicebackup2 makes a byte-exact backup", "[ios][sim]") {
  if (!have_tool("idevicebackup2")) {
    std::cout << "KANSHIKI-SKIP: idevicebackup2 not installed (libimobiledevice-utils)" << std::endl;
    return;
  }
  const Samples* s = samples_or_skip(true);
  if (!s) return;
  for (bool encrypted : {false, true}) {
    INFO((encrypted ? "encrypted" : "plain") << " backup");
    test::TempDir dir;
    auto config = sim_config(dir / "mux.sock", encrypted ? s->encrypted : s->plain);
    config.will_encrypt = encrypted;
    ios_sim::Simulator sim(config);
    sim.start();
    fs::create_directories(dir / "out");
    std::string out;
    int rc = run_against(sim, "idevicebackup2 backup --full " + q(dir / "out"), &out);
    INFO(out);
    REQUIRE(rc == 0);
    CHECK(out.find("Backup Successful.") != std::string::npos);
    CHECK(out.find(encrypted ? "Backup will be encrypted." : "Backup will be unencrypted.") != std::string::npos);
    fs::path got = dir / "out" / sim.config().udid;
    REQUIRE(fs::exists(got / "Info.plist"));  // written by the host from lockdown values
    size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(config.backup)) {
      if (!e.is_regular_file() || e.path().filename() == "Info.plist") continue;
      ++files;
      fs::path rel = fs::relative(e.path(), config.backup);
      INFO(rel.string());
      REQUIRE(fs::exists(got / rel));
      CHECK(test::file_sha256(got / rel) == test::file_sha256(e.path()));
    }
    CHECK(files >= 6);
    CHECK(contains(sim.log(), "np PostNotification com.apple.itunes-mobdev.syncWillStart"));
  }
}

TEST_CASE("simulator faults: refused service and failed backup are reported by idevicebackup2", "[ios][sim]") {
  if (!have_tool("idevicebackup2")) {
    std::cout << "KANSHIKI-SKIP: idevicebackup2 not installed (libimobiledevice-utils)" << std::endl;
    return;
  }
  const Samples* s = samples_or_skip();
  if (!s) return;
  {
    test::TempDir dir;
    auto config = sim_config(dir / "mux.sock", s->plain);
    config.faults.backup_error_code = 105;
    ios_sim::Simulator sim(config);
    sim.start();
    fs::create_directories(dir / "out");
    std::string out;
    run_against(sim, "idevicebackup2 backup --full " + q(dir / "out"), &out);
    CHECK(out.find("ErrorCode 105") != std::string::npos);
    CHECK(out.find("Backup Successful.") == std::string::npos);
  }
  {
    test::TempDir dir;
    auto config = sim_config(dir / "mux.sock", s->plain);
    config.faults.refuse_mobilebackup2 = true;
    ios_sim::Simulator sim(config);
    sim.start();
    fs::create_directories(dir / "out");
    std::string out;
    run_against(sim, "idevicebackup2 backup --full " + q(dir / "out"), &out);
    CHECK(out.find("Could not start service com.apple.mobilebackup2") != std::string::npos);
  }
}
