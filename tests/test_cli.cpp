// The CLI end to end on the bundled samples: demo, search in Japanese, exports, hash, exit codes.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {
std::string q(const fs::path& p) { return "'" + p.string() + "'"; }
}  // namespace

TEST_CASE("hash prints MD5, SHA-1 and SHA-256", "[cli]") {
  test::TempDir dir;
  std::ofstream(dir / "abc.txt") << "abc";
  std::string out;
  REQUIRE(test::run_cli("--json hash " + q(dir / "abc.txt"), &out) == 0);
  auto j = json::parse(out);
  CHECK(j[0]["md5"] == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(j[0]["sha1"] == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(j[0]["sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(test::run_cli("hash " + q(dir / "missing"), &out) == 3);
}

TEST_CASE("usage errors and missing examiner identity have their own exit codes", "[cli]") {
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "nobody").c_str(), 1);
  std::string out;
  CHECK(test::run_cli("frobnicate", &out) == 2);
  CHECK(test::run_cli("case create --case " + q(dir / "c"), &out) == 9);
  CHECK(out.find("examiner init") != std::string::npos);
  CHECK(test::run_cli("examiner init --name X") == 0);
  CHECK(test::run_cli("process --case " + q(dir / "no-case"), &out) == 7);
}

TEST_CASE("demo builds the sample case and report — Japanese search and exports work", "[cli][demo]") {
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  std::string out;
  REQUIRE(test::run_cli("examiner init --name '検査 花子'") == 0);  // the demo signs with the examiner's identity
  int rc = test::run_cli("demo --out " + q(dir / "demo"), &out);
  INFO(out);
  REQUIRE(rc == 0);
  fs::path case_dir = dir / "demo/case";
  fs::path report = case_dir / "reports/report.html";
  REQUIRE(fs::exists(report));
  CHECK(out.find(report.string()) != std::string::npos);

  std::string html;
  {
    std::ifstream in(report);
    std::stringstream ss;
    ss << in.rdbuf();
    html = ss.str();
  }
  CHECK(html.find("DEMO-2024-001") != std::string::npos);

  REQUIRE(test::run_cli("--json search --case " + q(case_dir) + " 'ホワイト案件'", &out) == 0);
  auto hits = json::parse(out);
  REQUIRE(hits.size() >= 1);
  CHECK(hits[0]["text"].get<std::string>().find("ホワイト案件") != std::string::npos);

  REQUIRE(test::run_cli("export --case " + q(case_dir) + " --format jsonl -o " + q(dir / "a.jsonl")) == 0);
  std::ifstream in(dir / "a.jsonl");
  std::string line;
  size_t n = 0;
  std::set<std::string> types;
  while (std::getline(in, line)) {
    auto j = json::parse(line);
    REQUIRE(j.contains("type"));
    REQUIRE(j["recovered"].is_boolean());
    REQUIRE(j.contains("provenance"));
    CHECK(j["provenance"]["item_sha256"].get<std::string>().size() == 64);
    types.insert(j["type"].get<std::string>());
    ++n;
  }
  CHECK(n > 20);
  for (const char* t : {"message", "call", "contact", "web_visit", "device_info"}) {
    INFO(t);
    CHECK(types.count(t) == 1);
  }
  CHECK(test::run_cli("custody verify --case " + q(case_dir)) == 0);
  CHECK(test::run_cli("verify --case " + q(case_dir)) == 0);
}

TEST_CASE("a password given on the command line is never stored in the case", "[cli]") {
  test::TempDir tmp;
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  fs::path ev = tmp / "ev";
  fs::create_directories(ev);
  std::ofstream(ev / "a.txt") << "x";
  fs::path c = tmp / "case";
  const std::string secret = "Zq9-never-stored";
  REQUIRE(test::run_cli("examiner init --name T") == 0);
  REQUIRE(test::run_cli("case create --case '" + c.string() + "'") == 0);
  REQUIRE(test::run_cli("ingest '" + ev.string() + "' --case '" + c.string() + "' --password " + secret) == 0);
  REQUIRE(test::run_cli("ingest '" + ev.string() + "' --case '" + c.string() + "' --password=" + secret) == 0);
  for (const auto& f : fs::recursive_directory_iterator(c)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(f.path().string());
    CHECK(bytes.find(secret) == std::string::npos);
  }
}
