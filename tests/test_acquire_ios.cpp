// iOS acquisition without a phone: the simulated iPhone (acquire/ios/sim) against Debian's unmodified
// libimobiledevice tools (fidelity: proof that it speaks the real protocol), and the backups it serves.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "acquire/ios/acquisition.h"
#include "acquire/ios/sim/ios_device_sim.h"
#include "core/evidence/source.h"
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
int run_against(const ios_sim::Simulator& sim, const std::string& command, std::string* output,
                int timeout_s = 60) {
  test::TempDir tmp;
  std::string cmd = "USBMUXD_SOCKET_ADDRESS=" + sim.mux_address() + " timeout " + std::to_string(timeout_s) +
                    " " + command + " > " + q(tmp / "out.txt") + " 2>&1";
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
    REQUIRE(std::system(
                (std::string(kPython) + " " + q(gen) + " --out " + q(*dir / "s") + " > /dev/null").c_str()) ==
            0);
    s = Samples{*dir / "s/ios_backup", *dir / "enc"};
  }
  if (need_encrypted && !encrypted_made) {
    if (std::system((std::string(kPython) + " -c 'import cryptography' 2>/dev/null").c_str()) != 0) {
      std::cout << "KANSHIKI-SKIP: python3-cryptography not found" << std::endl;
      return nullptr;
    }
    auto maker = test::source_dir() / "tests" / "make_encrypted_ios_backup.py";
    REQUIRE(std::system((std::string(kPython) + " " + q(maker) + " --src " + q(s->plain) + " --out " +
                         q(s->encrypted) + " --password 'sim-パス' > /dev/null")
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
  CHECK(out.find("DeviceName: 山田の iPhone") != std::string::npos);  // Japanese names survive the plists
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
    CHECK(out.find(encrypted ? "Backup will be encrypted." : "Backup will be unencrypted.") !=
          std::string::npos);
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

TEST_CASE("simulator faults: refused service and failed backup are reported by idevicebackup2",
          "[ios][sim]") {
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

// ---------------------------------------------------------------------------------------------------------
// Our acquisition code (acquire/ios/acquisition.h, libimobiledevice) against the simulator.

namespace {

// libimobiledevice reads USBMUXD_SOCKET_ADDRESS from the environment of this process.
struct MuxEnv {
  explicit MuxEnv(const ios_sim::Simulator& sim) {
    ::setenv("USBMUXD_SOCKET_ADDRESS", sim.mux_address().c_str(), 1);
  }
  ~MuxEnv() { ::unsetenv("USBMUXD_SOCKET_ADDRESS"); }
};

ios_acquire::AcquireOptions acquire_options(const fs::path& container,
                                            std::vector<std::string>* messages = nullptr,
                                            std::vector<ios_acquire::Step>* steps = nullptr) {
  ios_acquire::AcquireOptions o;
  o.container = container;
  o.trust_wait_s = 5;
  o.io_timeout_s = 2;
  if (messages) o.on_message = [messages](const std::string& m) { messages->push_back(m); };
  if (steps) o.on_step = [steps](const ios_acquire::Step& s) { steps->push_back(s); };
  return o;
}

}  // namespace

TEST_CASE("acquire ios: device facts, pair record kept, full backup byte-exact and hashed as it lands",
          "[ios][acquire]") {
  const Samples* s = samples_or_skip();
  if (!s) return;
  test::TempDir dir;
  auto config = sim_config(dir / "mux.sock", s->plain);
  config.faults.chunk_bytes = 1000;  // many small blocks
  ios_sim::Simulator sim(config);
  sim.start();
  MuxEnv env(sim);
  CHECK(ios_acquire::list_devices() == std::vector<std::string>{sim.config().udid});

  std::vector<ios_acquire::Step> steps;
  auto r = ios_acquire::acquire_backup(acquire_options(dir / "c", nullptr, &steps));
  INFO(r.error);
  REQUIRE(r.complete);
  CHECK(r.facts.at("ProductType") == "iPhone14,5");
  CHECK(r.facts.at("SerialNumber") == sim.config().values.at("SerialNumber"));
  CHECK(r.facts.at("UniqueDeviceID") == sim.config().udid);
  CHECK(r.facts.count("InternationalMobileEquipmentIdentity"));
  CHECK(r.facts.at("PasswordProtected") == "true");
  CHECK_FALSE(r.encrypted);
  CHECK(fs::exists(dir / "c/pair_record.plist"));
  CHECK((fs::status(dir / "c/pair_record.plist").permissions() & fs::perms::others_read) == fs::perms::none);

  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(s->plain)) {
    if (!e.is_regular_file() || e.path().filename() == "Info.plist") continue;
    ++files;
    fs::path rel = fs::relative(e.path(), s->plain);
    INFO(rel.string());
    REQUIRE(fs::exists(dir / "c/backup" / rel));
    CHECK(test::file_sha256(dir / "c/backup" / rel) == test::file_sha256(e.path()));
  }
  CHECK(r.files == files + 1);  // + Info.plist written by us
  // manifest.tsv: one line per file with the SHA-256 of what landed.
  std::string manifest = slurp(dir / "c/manifest.tsv");
  CHECK(manifest.find(test::file_sha256(dir / "c/backup/Manifest.db")) != std::string::npos);
  CHECK(slurp(dir / "c/acquisition.json").find("\"status\": \"complete\"") != std::string::npos);
  for (const auto& e : fs::recursive_directory_iterator(dir / "c")) CHECK(e.path().extension() != ".partial");
  bool backup_step = false;
  for (const auto& st : steps) backup_step |= st.action == "backup" && st.status == "ok";
  CHECK(backup_step);

  // The acquired folder is an ordinary backup for the evidence layer.
  auto src = open_evidence(dir / "c/backup");
  CHECK(src->kind() == SourceKind::ios_backup);
}

TEST_CASE(
    "acquire ios: pairing asks to tap Trust — refused trust, locked service, unplug and device errors are "
    "named",
    "[ios][acquire]") {
  const Samples* s = samples_or_skip();
  if (!s) return;
  {  // no pair record: the Trust prompt is shown twice, then accepted, and the record is saved to usbmuxd
    test::TempDir dir;
    auto config = sim_config(dir / "mux.sock", s->plain);
    config.faults.no_pair_record = true;
    config.faults.trust_after_prompts = 2;
    ios_sim::Simulator sim(config);
    sim.start();
    MuxEnv env(sim);
    std::vector<std::string> messages;
    auto r = ios_acquire::read_facts(acquire_options(dir / "c", &messages));
    INFO(r.error);
    CHECK(r.complete);
    REQUIRE_FALSE(messages.empty());
    CHECK(messages[0].find("Trust") != std::string::npos);
    CHECK(sim.paired());
    CHECK(contains(sim.log(), "usbmuxd SavePairRecord"));
  }
  {  // "Don't Trust"
    test::TempDir dir;
    auto config = sim_config(dir / "mux.sock", s->plain);
    config.faults.no_pair_record = true;
    config.faults.refuse_trust = true;
    ios_sim::Simulator sim(config);
    sim.start();
    MuxEnv env(sim);
    auto r = ios_acquire::read_facts(acquire_options(dir / "c"));
    CHECK_FALSE(r.complete);
    CHECK(r.failure == ios_acquire::Failure::trust_refused);
    CHECK(r.error.find("Trust") != std::string::npos);
  }
  {  // backup service refused
    test::TempDir dir;
    auto config = sim_config(dir / "mux.sock", s->plain);
    config.faults.refuse_mobilebackup2 = true;
    ios_sim::Simulator sim(config);
    sim.start();
    MuxEnv env(sim);
    auto r = ios_acquire::acquire_backup(acquire_options(dir / "c"));
    CHECK(r.failure == ios_acquire::Failure::service_refused);
    CHECK(slurp(dir / "c/acquisition.json").find("\"status\": \"incomplete\"") != std::string::npos);
  }
  {  // cable pulled in the middle of the upload: incomplete, no .partial left as if it were complete
    test::TempDir dir;
    auto config = sim_config(dir / "mux.sock", s->plain);
    config.faults.disconnect_after_bytes = 60000;
    config.faults.chunk_bytes = 4096;
    ios_sim::Simulator sim(config);
    sim.start();
    MuxEnv env(sim);
    auto r = ios_acquire::acquire_backup(acquire_options(dir / "c"));
    INFO(r.error);
    CHECK_FALSE(r.complete);
    CHECK(r.failure == ios_acquire::Failure::disconnected);
    CHECK(slurp(dir / "c/acquisition.json").find("\"status\": \"incomplete\"") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "c/backup/Status.plist"));
  }
  {  // the device reports a failure
    test::TempDir dir;
    auto config = sim_config(dir / "mux.sock", s->plain);
    config.faults.backup_error_code = 105;
    ios_sim::Simulator sim(config);
    sim.start();
    MuxEnv env(sim);
    auto r = ios_acquire::acquire_backup(acquire_options(dir / "c"));
    CHECK(r.failure == ios_acquire::Failure::device_error);
    CHECK(r.error.find("105") != std::string::npos);
  }
  {  // nothing attached
    test::TempDir dir;
    ::setenv("USBMUXD_SOCKET_ADDRESS", ("UNIX:" + (dir / "none.sock").string()).c_str(), 1);
    auto r = ios_acquire::read_facts(acquire_options(dir / "c"));
    ::unsetenv("USBMUXD_SOCKET_ADDRESS");
    CHECK(r.failure == ios_acquire::Failure::no_device);
  }
}

TEST_CASE(
    "kanshiki acquire ios: encrypted device backup to decrypted, searchable evidence — no device is a clear "
    "error",
    "[ios][acquire][cli]") {
  const Samples* s = samples_or_skip(true);
  if (!s) return;
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name '鑑識 三郎'") == 0);
  fs::path case_dir = dir / "case";
  REQUIRE(test::run_cli("case create --case " + q(case_dir)) == 0);
  std::string out;
  {
    ::setenv("USBMUXD_SOCKET_ADDRESS", ("UNIX:" + (dir / "none.sock").string()).c_str(), 1);
    CHECK(test::run_cli("acquire ios --case " + q(case_dir) + " --exhibit X-1 --trust-wait 1", &out) == 3);
    CHECK(out.find("incomplete") != std::string::npos);
    ::unsetenv("USBMUXD_SOCKET_ADDRESS");
  }
  auto config = sim_config(dir / "mux.sock", s->encrypted);
  config.will_encrypt = true;
  ios_sim::Simulator sim(config);
  sim.start();
  MuxEnv env(sim);
  int rc = test::run_cli("acquire ios --case " + q(case_dir) + " --exhibit B-1 --password 'sim-パス'", &out);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find("decrypted as E") != std::string::npos);
  REQUIRE(test::run_cli("process --case " + q(case_dir), &out) == 0);
  REQUIRE(test::run_cli("search --case " + q(case_dir) + " ホワイト案件", &out) == 0);
  CHECK(out.find("sms.db") != std::string::npos);
  CHECK(test::run_cli("custody verify --case " + q(case_dir), &out) == 0);
  CHECK(test::run_cli("verify --case " + q(case_dir), &out) == 0);
  // The password is nowhere in the case.
  for (const auto& e : fs::recursive_directory_iterator(case_dir))
    if (e.is_regular_file()) CHECK(slurp(e.path()).find("sim-パス") == std::string::npos);
}

TEST_CASE(
    "acquire ios --encrypt-temp: temporary backup password on, encrypted backup, restored off — all in "
    "custody",
    "[ios][acquire][cli]") {
  const Samples* s = samples_or_skip(true);
  if (!s) return;
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name '鑑識 四郎'") == 0);
  fs::path case_dir = dir / "case";
  REQUIRE(test::run_cli("case create --case " + q(case_dir)) == 0);
  auto config = sim_config(dir / "mux.sock", s->plain);
  config.encrypted_backup = s->encrypted;
  config.encrypted_password = "sim-パス";
  ios_sim::Simulator sim(config);
  sim.start();
  MuxEnv env(sim);
  std::string out;
  CHECK(test::run_cli("acquire ios --case " + q(case_dir) + " --exhibit C-1 --encrypt-temp", &out) ==
        2);  // needs a password
  int rc = test::run_cli(
      "--json acquire ios --case " + q(case_dir) + " --exhibit C-1 --encrypt-temp --password 'sim-パス'",
      &out);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find("\"decrypted_evidence_id\"") != std::string::npos);
  CHECK_FALSE(sim.will_encrypt());  // restored to what it was
  auto log = sim.log();
  CHECK(contains(log, "ChangePassword ok (encryption on)"));
  CHECK(contains(log, "ChangePassword ok (encryption off)"));
  REQUIRE(test::run_cli("--json custody show --case " + q(case_dir), &out) == 0);
  CHECK(out.find("acquire ios: temporary backup encryption") != std::string::npos);
  CHECK(out.find("acquire ios: backup encryption restored") != std::string::npos);
  CHECK(out.find("sim-パス") == std::string::npos);
  // A wrong temporary password (the simulated device refuses) fails cleanly and changes nothing.
  sim.mutable_config().encrypted_password = "other";
  CHECK(test::run_cli("acquire ios --case " + q(case_dir) + " --exhibit C-2 --encrypt-temp --password x",
                      &out) == 3);
  CHECK_FALSE(sim.will_encrypt());
}

TEST_CASE(
    "acquire ios --media --crashlogs: AFC media area and crash reports file by file, hashed, links named",
    "[ios][acquire][cli]") {
  const Samples* s = samples_or_skip();
  if (!s) return;
  test::TempDir dir;
  fs::create_directories(dir / "media/DCIM/100APPLE");
  fs::create_directories(dir / "media/Downloads");
  fs::copy_file(s->plain / "3c/3c98dc5a603c78d530327f76b987cee397e665d6",
                dir / "media/DCIM/100APPLE/IMG_0001.JPG");
  std::ofstream(dir / "media/Downloads/振込先メモ.txt") << "三井住友銀行 新宿支店";
  std::string big(300000, 'x');
  std::ofstream(dir / "media/Downloads/big.bin", std::ios::binary) << big;
  fs::create_symlink("/etc/passwd", dir / "media/Downloads/link");
  fs::create_directories(dir / "crash/Retired");
  std::ofstream(dir / "crash/Retired/WhatsApp-2024-05-01-101010.ips") << "{\"bug_type\":\"309\"}";

  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name '鑑識 五郎'") == 0);
  fs::path case_dir = dir / "case";
  REQUIRE(test::run_cli("case create --case " + q(case_dir)) == 0);
  auto config = sim_config(dir / "mux.sock", s->plain);
  config.media = dir / "media";
  config.crash_reports = dir / "crash";
  config.syslog_lines = {"Dec  1 10:00:00 iPhone kernel[0] <Notice>: 起動",
                         "Dec  1 10:00:01 iPhone WhatsApp[321] <Error>: x"};
  ios_sim::Simulator sim(config);
  sim.start();
  MuxEnv env(sim);
  std::string out;
  int rc = test::run_cli(
      "--json acquire ios --case " + q(case_dir) + " --exhibit D-1 --media --crashlogs --syslog 1", &out);
  INFO(out);
  REQUIRE(rc == 0);
  fs::path got = case_dir / "acquisitions/D-1/media";
  for (const char* rel : {"DCIM/100APPLE/IMG_0001.JPG", "Downloads/振込先メモ.txt", "Downloads/big.bin"}) {
    INFO(rel);
    REQUIRE(fs::exists(got / rel));
    CHECK(test::file_sha256(got / rel) == test::file_sha256(dir / "media" / rel));
  }
  CHECK_FALSE(fs::exists(got / "Downloads/link"));
  std::string manifest = slurp(case_dir / "acquisitions/D-1/manifest.tsv");
  CHECK(manifest.find("media/Downloads/振込先メモ.txt") != std::string::npos);
  CHECK(out.find("S_IFLNK; not pulled") != std::string::npos);
  CHECK(out.find("\"media_evidence_id\"") != std::string::npos);
  CHECK(
      test::file_sha256(case_dir / "acquisitions/D-1/crash_reports/Retired/WhatsApp-2024-05-01-101010.ips") ==
      test::file_sha256(dir / "crash/Retired/WhatsApp-2024-05-01-101010.ips"));
  CHECK(contains(sim.log(), "service com.apple.crashreportmover"));
  std::string syslog = slurp(case_dir / "acquisitions/D-1/syslog.raw");
  CHECK(syslog.find("kernel[0] <Notice>: 起動") != std::string::npos);
  CHECK(slurp(case_dir / "acquisitions/D-1/manifest.tsv").find("syslog.raw\t") != std::string::npos);
  CHECK(test::run_cli("verify --case " + q(case_dir), &out) == 0);
  // Debian's idevicebackup2 still succeeds when AFC is there (it takes the sync lock through it).
  if (have_tool("idevicebackup2")) {
    fs::create_directories(dir / "out");
    REQUIRE(run_against(sim, "idevicebackup2 backup --full " + q(dir / "out"), &out) == 0);
    CHECK(out.find("Backup Successful.") != std::string::npos);
    CHECK(contains(sim.log(), "afc open /com.apple.itunes.lock_sync"));
  }
}
