// Android acquisition over ADB, without a phone: protocol unit tests, the fake adbd checked against Debian's
// real `adb` (fidelity), and our client against the fake with every switch that matters.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "acquire/android/adb_protocol.h"
#include "acquire/android/adb_services.h"
#include "acquire/android/fake/fake_adbd.h"
#include "hashing/multi_hash.h"
#include "tests/test_support.h"

using namespace kanshiki;
using namespace kanshiki::adb;
namespace fs = std::filesystem;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// A small device tree: Japanese names, an empty file, a file larger than one sync chunk and than 1 MiB.
fs::path make_device_tree(const fs::path& root) {
  fs::create_directories(root / "sdcard/DCIM/Camera");
  fs::create_directories(root / "sdcard/Download/書類");
  fs::create_directories(root / "data/data/jp.naver.line.android");
  std::ofstream(root / "sdcard/hello.txt") << "こんにちは\n";
  std::ofstream(root / "sdcard/Download/書類/受け渡し.txt") << "本日は即日即金\n";
  std::ofstream(root / "sdcard/empty.bin");
  std::string big(3 * 1024 * 1024 + 17, '\0');
  std::mt19937 rng(7);
  for (auto& c : big) c = static_cast<char>(rng());
  std::ofstream(root / "sdcard/DCIM/Camera/IMG_0001.jpg", std::ios::binary) << big;
  return root;
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string run(const std::string& cmd, int* rc = nullptr) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string pull_all(Connection& c, const std::string& path) {
  SyncSession s(c);
  std::string data;
  s.recv(path, [&](const char* p, size_t n) { data.append(p, n); });
  return data;
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("adb: header encoding, checksum and magic", "[adb]") {
  adb::Message m{kCnxn, kVersionSkipChecksum, 0x00100000, std::string("host::\0", 7)};
  unsigned char h[kHeaderSize];
  encode_header(m, h);
  // The host CNXN Debian adb 29 sends (formats-and-protocols.md 1.1).
  const unsigned char want[] = {0x43, 0x4e, 0x58, 0x4e, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00,
                                0x07, 0x00, 0x00, 0x00, 0x32, 0x02, 0x00, 0x00, 0xbc, 0xb1, 0xa7, 0xb1};
  CHECK(std::equal(h, h + kHeaderSize, want));
  Header d = decode_header(h);
  CHECK(d.command == kCnxn);
  CHECK(d.length == 7);
  CHECK(command_name(kWrte) == "WRTE");
}

TEST_CASE("adb: key files, token signature and the Android public key blob", "[adb]") {
  test::TempDir dir;
  AdbKey key = AdbKey::load_or_create(dir / "adb");
  CHECK(fs::exists(dir / "adb/adbkey"));
  CHECK((fs::status(dir / "adb/adbkey").permissions() & fs::perms::others_read) == fs::perms::none);
  std::string token(20, '\x5a');
  std::string sig = key.sign_token(token);
  CHECK(sig.size() == 256);
  CHECK(verify_token_signature(key.public_key_line(), token, sig));
  CHECK_FALSE(verify_token_signature(key.public_key_line(), std::string(20, 'x'), sig));
  AdbKey again = AdbKey::load(dir / "adb/adbkey");
  CHECK(again.public_key_line() == key.public_key_line());
  // Debian's adb writes the same format: its key must load, and its .pub must equal our encoding of it.
  if (std::system("command -v adb >/dev/null 2>&1") == 0) {
    int rc = 0;
    run("adb keygen " + q(dir / "debian_adbkey"), &rc);
    if (rc == 0) {
      AdbKey theirs = AdbKey::load(dir / "debian_adbkey");
      std::string pub = file_bytes(dir / "debian_adbkey.pub");
      CHECK(pub.substr(0, pub.find(' ')) ==
            theirs.public_key_line().substr(0, theirs.public_key_line().find(' ')));
    }
  }
}

TEST_CASE("adb fidelity: Debian's adb connects to the fake, runs shell and pull", "[adb][fidelity]") {
  if (std::system("command -v adb >/dev/null 2>&1") != 0) {
    std::cout << "KANSHIKI-SKIP: Debian's adb is not installed (apt-get install adb)" << std::endl;
    return;
  }
  test::TempDir dir;
  fs::path root = make_device_tree(dir / "device");
  fake::FakeOptions opt;
  opt.auth = fake::AuthMode::known_keys;
  auto device = fake::sample_device(root);
  std::string backup_bytes = "ANDROID BACKUP\n5\n0\nnone\n" + std::string(10240, '\0');  // an empty tar
  std::ofstream(dir / "device.ab", std::ios::binary) << backup_bytes;
  device.backup_file = dir / "device.ab";
  fake::FakeAdbd fake(device, opt);
  uint16_t server_port = free_port();
  fs::create_directories(dir / "home");
  std::string env =
      "HOME=" + q(dir / "home") + " ADB_VENDOR_KEYS= timeout 60 adb -P " + std::to_string(server_port);
  std::string serial = fake.address();
  struct KillServer {  // the adb server this test started never outlives it
    std::string cmd;
    ~KillServer() { run(cmd + " kill-server"); }
  } kill_server{env};
  // The adb server creates its key on start; the fake "phone" knows it already (USB debugging allowed
  // before), so the fake verifies the real adb's token signature with it.
  run(env + " start-server");
  std::string pub = file_bytes(dir / "home/.android/adbkey.pub");
  REQUIRE(!pub.empty());
  opt.known_keys = {pub};
  fake.set_options(opt);
  std::string out = run(env + " connect " + serial);
  INFO(out);
  CHECK(out.find("connected to " + serial) != std::string::npos);
  run(env + " -s " + serial + " wait-for-device");
  int rc = -1;
  out = run(env + " -s " + serial + " shell echo 鑑識", &rc);
  CHECK(out == "鑑識\n");
  CHECK(rc == 0);
  out = run(env + " -s " + serial + " shell no-such-command", &rc);
  CHECK(rc == 127);  // shell v2 exit status reached the real client
  out = run(env + " -s " + serial + " pull /sdcard/DCIM/Camera/IMG_0001.jpg " + q(dir / "pulled.jpg"), &rc);
  INFO(out);
  CHECK(rc == 0);
  CHECK(test::file_sha256(dir / "pulled.jpg") == test::file_sha256(root / "sdcard/DCIM/Camera/IMG_0001.jpg"));
  out = run(env + " -s " + serial + " pull /sdcard/Download " + q(dir / "dl"), &rc);
  CHECK(rc == 0);
  CHECK(file_bytes(dir / "dl/書類/受け渡し.txt") == "本日は即日即金\n");
  // adb backup reads the backup: service to its end.
  out = run(env + " -s " + serial + " backup -f " + q(dir / "taken.ab") + " -all", &rc);
  INFO(out);
  CHECK(rc == 0);
  CHECK(file_bytes(dir / "taken.ab") == backup_bytes);
}

TEST_CASE("adb client: handshake, shell v2, sync against the fake with every protocol switch", "[adb]") {
  test::TempDir dir;
  fs::path root = make_device_tree(dir / "device");
  AdbKey key = AdbKey::load_or_create(dir / "key");
  const std::string big_sha = test::file_sha256(root / "sdcard/DCIM/Camera/IMG_0001.jpg");
  struct Variant {
    const char* name;
    uint32_t version, max_payload;
    size_t split;
    std::vector<std::string> features;
  };
  std::vector<Variant> variants = {
      {"new, 1 MiB, v2 features",
       kVersionSkipChecksum,
       kMaxPayload,
       0,
       {"shell_v2", "cmd", "stat_v2", "ls_v2"}},
      {"old protocol with checksums, 4 KiB", kVersionMin, kMaxPayloadV1, 0, {}},
      {"256 KiB, split WRTEs", kVersionSkipChecksum, 256 * 1024, 1000, {"shell_v2", "stat_v2", "ls_v2"}},
  };
  for (const auto& v : variants) {
    INFO(v.name);
    fake::FakeOptions opt;
    opt.version = v.version;
    opt.max_payload = v.max_payload;
    opt.split_writes = v.split;
    opt.features = v.features;
    fake::FakeAdbd fake(fake::sample_device(root), opt);
    Connection c(connect_tcp("127.0.0.1", fake.port()), key);
    CHECK(c.version() == v.version);
    CHECK(c.max_payload() == v.max_payload);
    CHECK(c.banner_property("ro.product.model") == "Pixel 7");
    ShellResult r = shell(c, "getprop ro.build.version.release");
    CHECK(r.out == "13\n");
    if (c.has_feature("shell_v2")) {
      CHECK(r.exit_code == 0);
      ShellResult bad = shell(c, "nope");
      CHECK(bad.exit_code == 127);
      CHECK(bad.err.find("not found") != std::string::npos);
    }
    {
      SyncSession s(c);
      FileStat st = s.stat("/sdcard/DCIM/Camera/IMG_0001.jpg");
      CHECK(st.exists);
      CHECK(st.is_regular());
      CHECK(st.size == 3 * 1024 * 1024 + 17);
      CHECK_FALSE(s.stat("/sdcard/missing").exists);
      auto list = s.list("/sdcard/Download");
      REQUIRE(list.size() == 1);
      CHECK(list[0].name == "書類");
      CHECK(list[0].stat.is_dir());
    }
    std::string data = pull_all(c, "/sdcard/DCIM/Camera/IMG_0001.jpg");
    CHECK(sha256_hex(data) == big_sha);
    CHECK(pull_all(c, "/sdcard/empty.bin").empty());
    CHECK_THROWS_AS(pull_all(c, "/sdcard/missing"), AdbError);
  }
}

TEST_CASE("adb client: auth modes give their own clear result", "[adb]") {
  test::TempDir dir;
  fs::path root = make_device_tree(dir / "device");
  AdbKey key = AdbKey::load_or_create(dir / "key");
  {
    fake::FakeOptions opt;
    opt.auth = fake::AuthMode::known_keys;
    opt.known_keys = {key.public_key_line()};
    fake::FakeAdbd fake(fake::sample_device(root), opt);
    bool prompted = false;
    ConnectOptions co;
    co.on_prompt = [&](const std::string&) { prompted = true; };
    Connection c(connect_tcp("127.0.0.1", fake.port()), key, co);
    CHECK_FALSE(prompted);  // a known key signs in without asking the user
  }
  {
    fake::FakeOptions opt;
    opt.auth = fake::AuthMode::known_keys;  // unknown key: prompt, accepted
    fake::FakeAdbd fake(fake::sample_device(root), opt);
    std::string prompt;
    ConnectOptions co;
    co.on_prompt = [&](const std::string& m) { prompt = m; };
    Connection c(connect_tcp("127.0.0.1", fake.port()), key, co);
    CHECK(prompt.find("Allow USB debugging") != std::string::npos);
  }
  {
    fake::FakeOptions opt;
    opt.auth = fake::AuthMode::reject;
    fake::FakeAdbd fake(fake::sample_device(root), opt);
    try {
      Connection c(connect_tcp("127.0.0.1", fake.port()), key);
      FAIL("rejected key was accepted");
    } catch (const AdbError& e) {
      CHECK(e.failure() == Failure::auth_refused);
    }
  }
  {
    fake::FakeOptions opt;
    opt.auth = fake::AuthMode::no_answer;
    fake::FakeAdbd fake(fake::sample_device(root), opt);
    ConnectOptions co;
    co.prompt_timeout = std::chrono::milliseconds(300);
    try {
      Connection c(connect_tcp("127.0.0.1", fake.port()), key, co);
      FAIL("unanswered prompt was accepted");
    } catch (const AdbError& e) {
      CHECK(e.failure() == Failure::auth_refused);
      CHECK(std::string(e.what()).find("in time") != std::string::npos);
    }
  }
  // Nothing listening: offline.
  try {
    connect_tcp("127.0.0.1", free_port());
    FAIL("connected to nothing");
  } catch (const AdbError& e) {
    CHECK(e.failure() == Failure::offline);
  }
}

TEST_CASE("adb client: faults are named (drop mid-file, bad checksum, slow device)", "[adb]") {
  test::TempDir dir;
  fs::path root = make_device_tree(dir / "device");
  AdbKey key = AdbKey::load_or_create(dir / "key");
  {
    fake::FakeOptions opt;
    opt.drop_after_file_bytes = 100000;
    fake::FakeAdbd fake(fake::sample_device(root), opt);
    Connection c(connect_tcp("127.0.0.1", fake.port()), key);
    try {
      pull_all(c, "/sdcard/DCIM/Camera/IMG_0001.jpg");
      FAIL("drop not noticed");
    } catch (const AdbError& e) {
      CHECK(e.failure() == Failure::disconnected);
    }
  }
  {
    fake::FakeOptions opt;
    opt.version = kVersionMin;
    opt.bad_checksum = true;
    fake::FakeAdbd fake(fake::sample_device(root), opt);
    try {
      Connection c(connect_tcp("127.0.0.1", fake.port()), key);
      shell(c, "getprop");
      FAIL("bad checksum not noticed");
    } catch (const AdbError& e) {
      CHECK(e.failure() == Failure::protocol);
      CHECK(std::string(e.what()).find("checksum") != std::string::npos);
    }
  }
  {
    fake::FakeOptions opt;
    opt.delay = std::chrono::milliseconds(400);
    fake::FakeAdbd fake(fake::sample_device(root), opt);
    ConnectOptions co;
    co.io_timeout = std::chrono::milliseconds(100);
    try {
      Connection c(connect_tcp("127.0.0.1", fake.port(), co.io_timeout), key, co);
      FAIL("slow device not noticed");
    } catch (const AdbError& e) {
      CHECK(e.failure() == Failure::timeout);
    }
  }
}

// ---------------------------------------------------------------- content query parser

#include "acquire/android/acquisition.h"
#include "parsers/android_content_query.h"

TEST_CASE("content query: rows with ', ', '=', newlines and NULL split by the projection", "[adb][parser]") {
  using parsers::android_content_query::parse_rows;
  std::string out =
      "Row: 0 _id=1, address=+81 90, body=a, b=c\n"
      "second line, address=x\n"
      "Row: 1 _id=2, address=NULL, body=\n"
      "Row: 2 _id=3, body=missing address\n";
  auto rows = parse_rows(out, {"_id", "address", "body"});
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].values.at("address") == std::optional<std::string>("+81 90"));
  CHECK(rows[0].values.at("body") == std::optional<std::string>("a, b=c\nsecond line, address=x"));
  CHECK_FALSE(rows[1].values.at("address").has_value());
  CHECK(rows[1].values.at("body") == std::optional<std::string>(""));
  CHECK(rows[2].problems.size() == 1);
  CHECK(parse_rows("No result found.\n", {"_id"}).empty());
}

TEST_CASE("content query parser: the sample device's SMS, calls and contacts", "[adb][parser]") {
  test::TempDir dir;
  auto dev = fake::sample_device(dir.path());
  const auto& q = adb::content_queries();
  auto write = [&](const std::string& name) {
    for (const auto& [n, cmd] : q)
      if (n == name) std::ofstream(dir / (name + ".txt"), std::ios::binary) << dev.commands.at(cmd).out;
    return dir / (name + ".txt");
  };
  auto sms = test::run_parser("android.content_query", write("content_sms"), "A-1/logical/content_sms.txt");
  REQUIRE(sms.records.size() == 3);
  const auto& m0 = std::get<kanshiki::Message>(sms.records[0].data);
  CHECK(m0.text == "本日は即日即金です。受け子は駅前で待機, address=どこ?");
  CHECK(m0.sender == "+819012345678");
  CHECK(m0.direction == Direction::incoming);
  CHECK(m0.time.utc_iso() == "2023-11-14T22:13:20.000Z");
  const auto& m1 = std::get<kanshiki::Message>(sms.records[1].data);
  CHECK(m1.text == "了解。\n二行目の本文 = 注意");
  CHECK(m1.direction == Direction::outgoing);
  CHECK(sms.records[0].provenance.source_detail == "Row: 0 (_id=1)");
  auto calls = test::run_parser("android.content_query", write("content_call_log"),
                                "A-1/logical/content_call_log.txt");
  REQUIRE(calls.records.size() == 2);
  CHECK(std::get<Call>(calls.records[0].data).name == "田中 一郎");
  CHECK(std::get<Call>(calls.records[0].data).duration_s == 125);
  CHECK(std::get<Call>(calls.records[1].data).direction == CallDirection::missed);
  auto contacts = test::run_parser("android.content_query", write("content_contacts"),
                                   "A-1/logical/content_contacts.txt");
  REQUIRE(contacts.records.size() == 2);
  CHECK(std::get<Contact>(contacts.records[1].data).name == "鈴木, 花子");
}

// ---------------------------------------------------------------- logical acquisition

namespace {

// Every regular file under root/sdcard -> its SHA-256, keyed by device path.
std::map<std::string, std::string> tree_hashes(const fs::path& root, const std::string& sub) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root / sub))
    if (e.is_regular_file()) out["/" + fs::relative(e.path(), root).string()] = test::file_sha256(e.path());
  return out;
}

}  // namespace

TEST_CASE(
    "acquisition: full logical extraction from the fake is byte-exact - a drop is incomplete and then "
    "resumes",
    "[adb][acquire]") {
  test::TempDir dir;
  fs::path root = make_device_tree(dir / "device");
  AdbKey key = AdbKey::load_or_create(dir / "key");
  auto want = tree_hashes(root, "sdcard");
  fs::path box = dir / "container";

  fake::FakeOptions opt;
  opt.drop_after_file_bytes = 2 * 1024 * 1024;  // mid-way through the 3 MiB photo
  fake::FakeAdbd fake(fake::sample_device(root), opt);
  adb::AcquireOptions ao;
  ao.container = box;
  ao.sdcard = true;
  std::vector<adb::DeviceCommand> commands;
  ao.on_command = [&](const adb::DeviceCommand& d) { commands.push_back(d); };
  {
    Connection c(connect_tcp("127.0.0.1", fake.port()), key);
    auto r = adb::acquire_logical(c, ao);
    CHECK_FALSE(r.complete);
    REQUIRE(r.failure);
    CHECK(*r.failure == Failure::disconnected);
    CHECK(r.facts.at("model") == "Pixel 7");
    CHECK(r.facts.at("serial") == "KSK0000FAKE01");
    CHECK(r.facts.at("security_patch") == "2023-10-05");
    std::ifstream in(box / "acquisition.json");
    auto j = nlohmann::json::parse(in);
    CHECK(j["status"] == "incomplete");
    CHECK(j["error"].get<std::string>().find("disconnected") != std::string::npos);
    CHECK(commands.back().status == "failed");
  }
  // Resume without the fault: verified files are skipped, the rest is fetched, everything is byte-exact.
  opt.drop_after_file_bytes = -1;
  fake.set_options(opt);
  Connection c(connect_tcp("127.0.0.1", fake.port()), key);
  auto r = adb::acquire_logical(c, ao);
  CHECK(r.complete);
  CHECK(r.skipped_verified > 0);
  for (const auto& [path, sha] : want) {
    INFO(path);
    CHECK(test::file_sha256(box / ("files" + path)) == sha);
  }
  // The manifest's hashes are those of the bytes on disk.
  std::ifstream m(box / "manifest.tsv");
  std::string line;
  int checked = 0;
  while (std::getline(m, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("path\t", 0) == 0) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) f.push_back(cell);
    CHECK(test::file_sha256(box / f[0]) == f[2]);
    ++checked;
  }
  CHECK(checked >= static_cast<int>(want.size()) + 5);
  for (const auto& e : fs::recursive_directory_iterator(box)) CHECK(e.path().extension() != ".partial");
}

TEST_CASE("kanshiki acquire android: CLI over TCP, incomplete then resumed, ingested, parsed, verified",
          "[adb][acquire][cli]") {
  test::TempDir dir;
  fs::path root = make_device_tree(dir / "device");
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  REQUIRE(test::run_cli("examiner init --name '鑑識 太郎'") == 0);
  fs::path c = dir / "case";
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  fake::FakeOptions opt;
  opt.auth = fake::AuthMode::reject;
  fake::FakeAdbd fake(fake::sample_device(root), opt);
  std::string cmd = "acquire android --tcp " + fake.address() + " --case " + q(c) + " --exhibit A-1 --sdcard";
  std::string out;
  CHECK(test::run_cli(cmd, &out) == 3);
  CHECK(out.find("authorisation refused") != std::string::npos);
  CHECK(out.find("incomplete") != std::string::npos);

  opt.auth = fake::AuthMode::none;
  opt.drop_after_file_bytes = 1024 * 1024;
  fake.set_options(opt);
  CHECK(test::run_cli(cmd, &out) == 3);
  CHECK(out.find("disconnected") != std::string::npos);
  std::string status = run("sqlite3 " + q(c / "case.db") + " 'SELECT status FROM acquisitions'");
  CHECK(status == "incomplete\n");

  opt.drop_after_file_bytes = -1;
  fake.set_options(opt);
  REQUIRE(test::run_cli("--json " + cmd, &out) == 0);
  auto j = nlohmann::json::parse(out.substr(out.find('{')));
  CHECK(j["acquisitions"][0]["status"] == "complete");
  CHECK(j["acquisitions"][0]["skipped_verified"].get<int>() > 0);
  // Ingest's independent re-hash agrees with the SHA-256 taken on the way in, for every file.
  CHECK(j["acquisitions"][0]["hash_cross_check"]["files"].get<int>() >= 12);
  CHECK(j["acquisitions"][0]["hash_cross_check"]["mismatched"].empty());
  CHECK(run("sqlite3 " + q(c / "case.db") + " 'SELECT status, device_serial FROM acquisitions'") ==
        "complete|KSK0000FAKE01\n");
  REQUIRE(test::run_cli("process --case " + q(c), &out) == 0);
  CHECK(run("sqlite3 " + q(c / "case.db") +
            " \"SELECT type, count(*) FROM artifacts WHERE parser_id = 'android.content_query' GROUP BY type "
            "ORDER BY type\"") ==
        "account|2\ncall|2\ncontact|2\ndevice_info|10\ninstalled_app|1\nmessage|3\n");
  CHECK(test::run_cli("verify --case " + q(c)) == 0);
  CHECK(test::run_cli("custody verify --case " + q(c)) == 0);
  std::string custody =
      run("sqlite3 " + q(c / "case.db") +
          " \"SELECT count(*) FROM custody WHERE action = 'acquire android: device command'\"");
  CHECK(std::stoi(custody) >= 10);
}

TEST_CASE("kanshiki acquire android: several devices in parallel, with adb backup", "[adb][acquire][cli]") {
  test::TempDir dir;
  fs::path root = make_device_tree(dir / "device");
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  REQUIRE(test::run_cli("examiner init --name '鑑識 太郎'") == 0);
  fs::path c = dir / "case";
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  // The backup the phone streams: a reference-encoder .ab (unencrypted, zlib).
  std::string gen = "/usr/bin/python3 " + q(test::source_dir() / "tests/fixtures/make_android_backup.py") +
                    " " + q(dir / "ab") + " > /dev/null";
  REQUIRE(std::system(gen.c_str()) == 0);
  auto dev = fake::sample_device(root);
  dev.backup_file = dir / "ab/zlib_v1.ab";
  fake::FakeAdbd one(dev), two(dev);
  std::string out;
  REQUIRE(test::run_cli("--json acquire android --all --tcp " + one.address() + " --tcp " + two.address() +
                            " --case " + q(c) + " --exhibit B --backup",
                        &out) == 0);
  auto j = nlohmann::json::parse(out.substr(out.find('{')));
  REQUIRE(j["acquisitions"].size() == 2);
  for (const auto& a : j["acquisitions"]) {
    CHECK(a["status"] == "complete");
    CHECK(a.contains("backup_evidence_id"));
    fs::path ab = fs::path(a["container"].get<std::string>()) / "backup/backup.ab";
    CHECK(test::file_sha256(ab) == test::file_sha256(dir / "ab/zlib_v1.ab"));
  }
  CHECK(run("sqlite3 " + q(c / "case.db") +
            " \"SELECT group_concat(exhibit) FROM (SELECT exhibit FROM evidence ORDER BY exhibit)\"") ==
        "B-1,B-1-AB,B-2,B-2-AB\n");
  CHECK(test::run_cli("custody verify --case " + q(c)) == 0);
}

TEST_CASE("adb USB rules: zero-length packets and rounded read buffers", "[adb][usb]") {
  CHECK(usb_needs_zero_length_packet(512, 512));
  CHECK(usb_needs_zero_length_packet(4096, 512));
  CHECK(usb_needs_zero_length_packet(2048, 1024));  // SuperSpeed
  CHECK_FALSE(usb_needs_zero_length_packet(513, 512));
  CHECK_FALSE(usb_needs_zero_length_packet(0, 512));  // no payload: nothing was sent after the header
  CHECK(usb_read_buffer_size(1, 512) == 512);
  CHECK(usb_read_buffer_size(512, 512) == 512);
  CHECK(usb_read_buffer_size(513, 512) == 1024);
  CHECK(usb_read_buffer_size(24, 1024) == 1024);
}

TEST_CASE("adb client: garbage from the other end is a protocol error, never a crash", "[adb]") {
  test::TempDir dir;
  AdbKey key = AdbKey::load_or_create(dir / "key");
  for (unsigned seed = 1; seed <= 20; ++seed) {
    int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ::listen(lfd, 1);
    socklen_t len = sizeof a;
    ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
    std::thread server([lfd, seed] {
      int fd = ::accept(lfd, nullptr, nullptr);
      std::mt19937 rng(seed);
      std::string junk(64 + rng() % 4096, '\0');
      for (auto& c : junk) c = static_cast<char>(rng());
      if (seed % 2) {  // half the time: a valid magic on a huge length, the rest random
        uint32_t cmd = kCnxn, len = 0x7fffffff, magic = cmd ^ 0xffffffffu;
        std::memcpy(junk.data(), &cmd, 4);
        std::memcpy(junk.data() + 12, &len, 4);
        std::memcpy(junk.data() + 20, &magic, 4);
      }
      ::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
      ::shutdown(fd, SHUT_WR);
      char sink[4096];
      while (::recv(fd, sink, sizeof sink, 0) > 0) {
      }
      ::close(fd);
    });
    ConnectOptions co;
    co.io_timeout = std::chrono::seconds(5);
    try {
      Connection c(connect_tcp("127.0.0.1", ntohs(a.sin_port)), key, co);
      FAIL("garbage accepted as a device");
    } catch (const AdbError& e) {
      CHECK((e.failure() == Failure::protocol || e.failure() == Failure::disconnected));
    }
    server.join();
    ::close(lfd);
  }
}

TEST_CASE("adb logical parser: device facts, packages and accounts from the shell outputs", "[adb][parser]") {
  test::TempDir dir;
  fs::create_directories(dir / "device/data/data/jp.naver.line.android");
  auto dev = fake::sample_device(dir / "device");
  std::string getprop;
  for (const auto& [k, v] : dev.props) getprop += "[" + k + "]: [" + v + "]\n";
  std::ofstream(dir / "getprop.txt") << getprop;
  std::ofstream(dir / "packages.txt") << dev.commands.at("pm list packages -f").out;
  std::ofstream(dir / "dumpsys_account.txt") << dev.commands.at("dumpsys account").out;
  auto props = test::run_parser("android.content_query", dir / "getprop.txt", "logical/getprop.txt");
  std::map<std::string, std::string> facts;
  for (const auto& r : props.records) {
    const auto& f = std::get<DeviceFact>(r.data);
    facts[f.key] = f.value;
  }
  CHECK(facts.at("Model") == "Pixel 7");
  CHECK(facts.at("SerialNumber") == "KSK0000FAKE01");
  CHECK(facts.at("SecurityPatch") == "2023-10-05");
  CHECK(facts.at("Operator") == "NTT DOCOMO");
  auto apps = test::run_parser("android.content_query", dir / "packages.txt", "logical/packages.txt");
  REQUIRE(apps.records.size() == 1);
  CHECK(std::get<InstalledApp>(apps.records[0].data).identifier == "jp.naver.line.android");
  auto accounts =
      test::run_parser("android.content_query", dir / "dumpsys_account.txt", "logical/dumpsys_account.txt");
  REQUIRE(accounts.records.size() == 2);
  CHECK(std::get<Account>(accounts.records[1].data).username == "佐藤太郎");
  CHECK(std::get<Account>(accounts.records[1].data).app == "jp.naver.line.android");
}
