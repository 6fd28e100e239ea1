// Identity graph (issue 10): a generated ring — organiser (D-0000) ↔ three instructors ↔ twelve runners, one
// seized phone each, SIM numbers recorded in the manifest — processed as a batch. The organiser must rank
// first (betweenness), the device pairs must be exactly the ring's links, and the exports must be well
// formed.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.h"

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace kanshiki;

namespace {
std::string q(const fs::path& p) { return "'" + p.string() + "'"; }
}  // namespace

TEST_CASE("links: the organiser of a generated ring ranks first — pairs, shared ids, GraphML, CSV",
          "[links]") {
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name '関係 分析'") == 0);
  std::string py = "/usr/bin/python3 ";
  REQUIRE(std::system((py + q(test::source_dir() / "samples/generate_samples.py") + " --out " +
                       q(dir / "samples") + " > /dev/null")
                          .c_str()) == 0);
  REQUIRE(std::system((py + q(test::source_dir() / "bench/make_batch_devices.py") + " --samples " +
                       q(dir / "samples") + " --count 16 --scenario ring --out " + q(dir / "ring"))
                          .c_str()) == 0);
  fs::path c = dir / "case";
  std::string out;
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  REQUIRE(test::run_cli(
              "batch run --case " + q(c) + " --manifest " + q(dir / "ring/manifest.csv") + " --workers 2",
              &out) == 0);

  REQUIRE(test::run_cli("--json links --case " + q(c) + " --query rank", &out) == 0);
  auto rank = json::parse(out);
  REQUIRE(rank["ranking"].size() == 16);
  CHECK(rank["ranking"][0]["exhibit"] == "D-0000");
  CHECK(rank["ranking"][0]["betweenness"].get<double>() > rank["ranking"][1]["betweenness"].get<double>());
  for (int i = 1; i <= 3; ++i) {
    INFO(rank["ranking"][i].dump());
    std::string ex = rank["ranking"][i]["exhibit"];
    CHECK((ex == "D-0001" || ex == "D-0002" || ex == "D-0003"));  // instructors next
  }
  CHECK(rank["ranking"][15]["degree"] == 1);  // a runner knows only its instructor

  REQUIRE(test::run_cli("--json links --case " + q(c) + " --query pairs", &out) == 0);
  auto pairs = json::parse(out)["pairs"];
  CHECK(pairs.size() == 15);                            // a tree over 16 devices
  for (const auto& p : pairs) CHECK(p["weight"] == 6);  // 3 messages on each side

  REQUIRE(test::run_cli("--json links --case " + q(c) + " --query shared", &out) == 0);
  CHECK(json::parse(out)["shared"].empty());  // every number belongs to a seized device

  REQUIRE(test::run_cli("links --case " + q(c) + " --format graphml -o " + q(dir / "g.graphml")) == 0);
  std::ifstream in(dir / "g.graphml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string xml = ss.str();
  CHECK(xml.find("<graphml") != std::string::npos);
  CHECK(xml.find("端末000") != std::string::npos);
  CHECK(std::system(("xmllint --noout " + q(dir / "g.graphml")).c_str()) == 0);

  REQUIRE(test::run_cli("links --case " + q(c) + " --format csv -o " + q(dir / "e.csv")) == 0);
  std::ifstream csv(dir / "e.csv");
  std::string header;
  std::getline(csv, header);
  CHECK(header.starts_with("source,source_type"));
  CHECK(test::run_cli("links --case " + q(c) + " --format dot", &out) == 2);
  CHECK(test::run_cli("custody verify --case " + q(c)) == 0);
}
