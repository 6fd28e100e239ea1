// `kanshiki scan` end to end on the sample case: detector and watchlist hits are stored with provenance,
// listed by `hits`, shown in the report, and the scan is in the custody log. A bad watchlist regex is a usage
// error that names the line, and is logged as a failed action.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "engine/detect/scan.h"
#include "test_support.h"

using namespace kanshiki;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {
std::string q(const fs::path& p) { return "'" + p.string() + "'"; }
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("watchlist files: literals, regexes, Japanese, context on character boundaries", "[scan]") {
  test::TempDir dir;
  fs::path file = dir / "list.txt";
  std::ofstream(file) << "# name: テスト\n闇バイト\nTelegram\nre:[0-9０-９]+万円\n\n# comment\n";
  auto list = detect::load_watchlist(file);
  CHECK(list.name == "テスト");
  REQUIRE(list.entries.size() == 3);
  std::string text = "簡単！闇バイトで日給５万円、連絡はTELEGRAMで";
  auto m = detect::match_watchlist(list, text);
  REQUIRE(m.size() == 3);
  CHECK(text.substr(m[0].offset, m[0].length) == "闇バイト");
  CHECK(text.substr(m[1].offset, m[1].length) == "５万円");
  CHECK(text.substr(m[2].offset, m[2].length) == "TELEGRAM");  // ASCII case-insensitive
  std::string ctx = detect::hit_context(text, m[0].offset, m[0].length, 4);
  CHECK(ctx.find("闇バイト") != std::string::npos);
  CHECK(ctx.starts_with("…"));
  // Invalid UTF-8 in recovered text neither throws nor hides the hit after it.
  std::string damaged = std::string("\xff\xfe") + "闇バイト";
  CHECK(detect::match_watchlist(list, damaged).size() == 1);

  fs::path bad = dir / "bad.txt";
  std::ofstream(bad) << "ok\nre:(unclosed\n";
  try {
    detect::load_watchlist(bad);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("line 2") != std::string::npos);
  }
}

TEST_CASE("scan stores hits with provenance — hits, report and custody show them", "[scan][cli]") {
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  std::string out;
  REQUIRE(test::run_cli("examiner init --name '検査 花子'") == 0);
  REQUIRE(test::run_cli("demo --out " + q(dir / "demo"), &out) == 0);
  fs::path case_dir = dir / "demo/case";

  REQUIRE(test::run_cli("--json scan --case " + q(case_dir), &out) == 0);
  auto summary = json::parse(out.substr(out.find('{')));
  CHECK(summary["hits"].get<int>() > 0);
  CHECK(summary["watchlists"].size() >= 3);

  REQUIRE(test::run_cli("hits --case " + q(case_dir) + " --format jsonl > " + q(dir / "hits.jsonl")) == 0);
  std::ifstream in(dir / "hits.jsonl");
  std::string line;
  bool wallet = false, white_job = false, telegram_url = false;
  while (std::getline(in, line)) {
    auto j = json::parse(line);
    CHECK(j["item_sha256"].get<std::string>().size() == 64);
    CHECK(!j["parser_id"].get<std::string>().empty());
    const auto value = j["value"].get<std::string>();
    CHECK(j["context"].get<std::string>().find(value) != std::string::npos);
    if (j["category"] == "wallet.btc" && value == "1BoatSLRHtKNngkdXEeobR76b53LETtpyT") wallet = true;
    if (j["source"] == "watchlist" && value == "ホワイト案件") white_job = true;
    if (j["category"] == "url" && value.find("t.me/") != std::string::npos) telegram_url = true;
  }
  CHECK(wallet);
  CHECK(white_job);
  CHECK(telegram_url);

  REQUIRE(test::run_cli("report --case " + q(case_dir) + " --format html -o " + q(dir / "r/report.html")) ==
          0);
  std::string html = slurp(dir / "r/report.html");
  CHECK(html.find("id=\"hits\"") != std::string::npos);
  CHECK(html.find("1BoatSLRHtKNngkdXEeobR76b53LETtpyT") != std::string::npos);

  fs::path bad = dir / "bad.txt";
  std::ofstream(bad) << "re:[\n";
  CHECK(test::run_cli("scan --case " + q(case_dir) + " --watchlist " + q(bad), &out) == 2);
  CHECK(out.find("line 1") != std::string::npos);
  REQUIRE(test::run_cli("--json custody show --case " + q(case_dir), &out) == 0);
  CHECK(out.find("\"scan\"") != std::string::npos);
  CHECK(out.find("failed") != std::string::npos);
  CHECK(test::run_cli("custody verify --case " + q(case_dir)) == 0);
}
