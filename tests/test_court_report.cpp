// The court report end to end on the demo case: PDF in Japanese and English (text extracted with pdftotext is
// the evidence text exactly; every section heading; embedded CJK fonts; pages render and are not blank),
// tags through the CLI (custody-logged, chain still verifies), --tagged-only vs --all, administrative facts,
// and the report's own SHA-256 in the custody log.
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "core/case_db.h"
#include "core/custody.h"
#include "report/court_report.h"
#include "report/pdf/pdf_report.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Output of a shell command (poppler tools).
std::string capture(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return out;
  std::array<char, 65536> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  ::pclose(f);
  return out;
}

std::string without_newlines(std::string s) {
  std::erase(s, '\n');
  std::erase(s, '\f');
  return s;
}

// One demo case for the whole file (built once: the demo runs every step of the CLI).
struct DemoCase {
  test::TempDir dir;
  fs::path case_dir;
  DemoCase() {
    ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
    REQUIRE(test::run_cli("examiner init --name '検査 花子'") == 0);
    std::string out;
    const int rc = test::run_cli("demo --out " + q(dir / "demo"), &out);
    INFO(out);
    REQUIRE(rc == 0);
    case_dir = dir / "demo/case";
  }
  int64_t message_id(const std::string& text) {
    CaseDb c = CaseDb::open(case_dir);
    sql::Stmt st(c.db(), "SELECT artifact_id FROM messages WHERE text = ?1 ORDER BY artifact_id LIMIT 1");
    st.bind(1, text);
    return st.step() ? st.i64(0) : 0;
  }
};

DemoCase& demo() {
  static DemoCase d;
  return d;
}

// From samples/scenario.json: a message the test tags (日 is also a Kangxi radical in Noto CJK, 〜 is a wave
// dash), and one it never tags.
const std::string kTagged = "連絡ありがとう。ホワイト案件だから安心して。即日即金で日給3万〜5万";
const std::string kUntagged = "詳しい指示は明日グループで";

const std::vector<std::string> kHeadingsJa = {
    "1 管理情報", "2 証拠品",   "3 保管の連鎖",       "4 検査方法",        "5 完全性の確認",
    "6 検査結果", "7 制限事項", "8 検査官及び確認者", "付録 ハッシュ一覧", "目次"};
const std::vector<std::string> kHeadingsEn = {"1 Administrative information",
                                              "2 Evidence items",
                                              "3 Chain of custody",
                                              "4 Method",
                                              "5 Integrity",
                                              "6 Results",
                                              "7 Limitations",
                                              "8 Examiner and reviewer",
                                              "Appendix: hash manifest",
                                              "Contents"};

void tag_test_message(DemoCase& d) {
  const int64_t id = d.message_id(kTagged);
  REQUIRE(id > 0);
  std::string out;
  REQUIRE(test::run_cli("--json tags --case " + q(d.case_dir), &out) == 0);
  for (const auto& t : json::parse(out))
    if (t["artifact_id"] == id) return;
  REQUIRE(test::run_cli("tag --case " + q(d.case_dir) + " --artifact " + std::to_string(id) +
                        " --tag 重要 --note 'テスト用のタグ'") == 0);
}

// Counts pixels darker than near-white in a binary PGM (P5) file.
size_t dark_pixels(const fs::path& pgm) {
  std::ifstream in(pgm, std::ios::binary);
  std::string magic;
  size_t w = 0, h = 0, maxv = 0;
  in >> magic >> w >> h >> maxv;
  in.get();
  if (magic != "P5" || maxv != 255) return 0;
  std::string pixels(w * h, '\0');
  in.read(pixels.data(), static_cast<std::streamsize>(pixels.size()));
  size_t dark = 0;
  for (unsigned char p : pixels) dark += p < 200;
  return dark;
}

}  // namespace

TEST_CASE("court report: Japanese PDF has the evidence text exactly, every section, embedded CJK fonts",
          "[court][pdf]") {
  DemoCase& d = demo();
  tag_test_message(d);
  const fs::path pdf = d.dir / "court_ja.pdf";
  std::string out;
  REQUIRE(test::run_cli("report --case " + q(d.case_dir) + " --format pdf --lang ja -o " + q(pdf), &out) ==
          0);
  INFO(out);
  REQUIRE(fs::exists(pdf));

  const std::string text = capture("pdftotext -raw " + q(pdf) + " -");
  CHECK(without_newlines(text).find(kTagged) != std::string::npos);  // exact, after un-wrapping cell lines
  for (const auto& h : kHeadingsJa) CHECK(text.find(h) != std::string::npos);
  CHECK(text.find("DEMO-2024-001") != std::string::npos);  // running header / title page
  CHECK(text.find("ページ 1 / ") != std::string::npos);    // page numbers
  CHECK(without_newlines(text).find("原本証拠は変更されていない") != std::string::npos);  // fresh verify
  CHECK(text.find("正常：ハッシュ連鎖と全署名を確認") != std::string::npos);
  CHECK(text.find("whatsapp.android.msgstore") != std::string::npos);  // parser and version in the method
  CHECK(text.find("rowid") != std::string::npos);                      // provenance
  CHECK(text.find("⽇") == std::string::npos);  // no Kangxi radical where the evidence has 日

  const std::string fonts = capture("pdffonts " + q(pdf));
  INFO(fonts);
  CHECK(fonts.find("NotoSansCJKjp") != std::string::npos);
  bool embedded = false;
  std::istringstream lines(fonts);
  for (std::string line; std::getline(lines, line);)
    if (line.find("CJK") != std::string::npos && line.find(" yes ") != std::string::npos) embedded = true;
  CHECK(embedded);

  // Pages render, and none is blank (the header, footer and body all draw something).
  const fs::path pages = d.dir / "pages";
  fs::create_directories(pages);
  REQUIRE(std::system(("pdftoppm -r 50 -gray " + q(pdf) + " " + q(pages / "p")).c_str()) == 0);
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(pages)) {
    ++n;
    INFO(e.path());
    CHECK(dark_pixels(e.path()) > 500);
  }
  CHECK(n >= 5);

  // The report, with its SHA-256, is in the custody log, and the log still verifies.
  CaseDb c = CaseDb::open(d.case_dir);
  bool recorded = false;
  for (const auto& e : read_custody(c))
    if (e.action == "report" && e.status == "ok")
      for (const auto& o : e.outputs)
        if (o.value("path", "") == fs::absolute(pdf).string() &&
            o.value("sha256", "") == test::file_sha256(pdf))
          recorded = true;
  CHECK(recorded);
  CHECK(verify_custody(c).ok);
}

TEST_CASE("court report: English PDF has English headings and the Japanese text exactly", "[court][pdf]") {
  DemoCase& d = demo();
  tag_test_message(d);
  const fs::path pdf = d.dir / "court_en.pdf";
  REQUIRE(test::run_cli("report --case " + q(d.case_dir) + " --format pdf --lang en -o " + q(pdf)) == 0);
  const std::string text = capture("pdftotext -raw " + q(pdf) + " -");
  for (const auto& h : kHeadingsEn) CHECK(text.find(h) != std::string::npos);
  CHECK(text.find("Page 1 of ") != std::string::npos);
  CHECK(without_newlines(text).find(kTagged) != std::string::npos);
  CHECK(text.find("管理情報") == std::string::npos);
}

TEST_CASE("court report: --tagged-only shows only tagged findings, --all shows every one", "[court][pdf]") {
  DemoCase& d = demo();
  tag_test_message(d);
  const fs::path tagged = d.dir / "tagged.pdf", all = d.dir / "all.pdf";
  REQUIRE(test::run_cli("report --case " + q(d.case_dir) + " --format pdf --lang ja --tagged-only -o " +
                        q(tagged)) == 0);
  REQUIRE(test::run_cli("report --case " + q(d.case_dir) + " --format pdf --lang ja --all -o " + q(all)) ==
          0);
  const std::string t = without_newlines(capture("pdftotext -raw " + q(tagged) + " -"));
  const std::string a = without_newlines(capture("pdftotext -raw " + q(all) + " -"));
  CHECK(t.find(kTagged) != std::string::npos);
  CHECK(t.find(kUntagged) == std::string::npos);
  CHECK(t.find("報告対象：タグ付けされた所見") != std::string::npos);
  CHECK(a.find(kTagged) != std::string::npos);
  CHECK(a.find(kUntagged) != std::string::npos);
  CHECK(a.find("報告対象：全所見") != std::string::npos);

  // The HTML court report follows the same scope.
  const fs::path html = d.dir / "html" / "court.html";
  REQUIRE(test::run_cli("report --case " + q(d.case_dir) + " --format html --lang ja -o " + q(html)) == 0);
  std::ifstream in(html);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string index = ss.str();
  CHECK(index.find(kTagged) != std::string::npos);
  CHECK(index.find(kUntagged) == std::string::npos);
  for (const auto& h : kHeadingsJa)
    if (h != "目次") CHECK(index.find(">" + h + "</h2>") != std::string::npos);
  CHECK(!fs::exists(d.dir / "html" / "court_messages_0001.html"));  // no per-type pages for tagged findings
}

TEST_CASE("court report: tag, untag and facts are custody-logged and shown — the chain still verifies",
          "[court][tags]") {
  DemoCase& d = demo();
  std::string out;
  const int64_t id = d.message_id(kUntagged);
  REQUIRE(id > 0);
  REQUIRE(test::run_cli("--json tag --case " + q(d.case_dir) + " --artifact " + std::to_string(id) +
                            " --tag 確認中 --note 'メモ'",
                        &out) == 0);
  const int64_t tag_id = json::parse(out)["tag_id"].get<int64_t>();
  CHECK(test::run_cli("tag --case " + q(d.case_dir) + " --artifact 99999999 --tag x") ==
        2);  // unknown artifact
  REQUIRE(test::run_cli("case set --case " + q(d.case_dir) +
                        " lab='警視庁 刑事部 鑑識課' agency_case_number='令和6年 第123号' offence=詐欺") ==
          0);
  CHECK(test::run_cli("case set --case " + q(d.case_dir) + " no_such_key=1") == 2);
  REQUIRE(
      test::run_cli(
          "evidence set --case " + q(d.case_dir) +
          " --exhibit A-1 make=Google model='Pixel 7' imei=356938035643809 seal_numbers='封印 第0042号'") ==
      0);
  CHECK(test::run_cli("evidence set --case " + q(d.case_dir) + " --exhibit Z-9 make=x") == 2);

  {
    CaseDb c = CaseDb::open(d.case_dir);
    const auto entries = read_custody(c);
    bool tag_logged = false, facts_logged = false;
    for (const auto& e : entries) {
      if (e.action == "tag" && e.parameters.value("tag_id", int64_t{0}) == tag_id) tag_logged = true;
      if (e.action == "evidence set" && e.status == "ok") facts_logged = true;
    }
    CHECK(tag_logged);
    CHECK(facts_logged);
    sql::Stmt st(c.db(), "SELECT custody_seq FROM tags WHERE id = ?1");
    st.bind(1, tag_id);
    REQUIRE(st.step());
    CHECK(!st.is_null(0));
  }
  REQUIRE(test::run_cli("custody verify --case " + q(d.case_dir)) == 0);

  const fs::path pdf = d.dir / "facts.pdf";
  REQUIRE(test::run_cli("report --case " + q(d.case_dir) + " --format pdf --lang ja -o " + q(pdf)) == 0);
  const std::string text = without_newlines(capture("pdftotext -raw " + q(pdf) + " -"));
  CHECK(text.find("警視庁 刑事部 鑑識課") != std::string::npos);
  CHECK(text.find("356938035643809") != std::string::npos);
  CHECK(text.find("封印 第0042号") != std::string::npos);
  CHECK(text.find(kUntagged) != std::string::npos);  // now tagged

  REQUIRE(test::run_cli("untag --case " + q(d.case_dir) + " --tag-id " + std::to_string(tag_id)) == 0);
  CHECK(test::run_cli("untag --case " + q(d.case_dir) + " --tag-id " + std::to_string(tag_id)) == 2);
  {
    CaseDb c = CaseDb::open(d.case_dir);
    bool untag_logged = false;
    for (const auto& e : read_custody(c))
      if (e.action == "untag" && e.parameters.value("tag_id", int64_t{0}) == tag_id) untag_logged = true;
    CHECK(untag_logged);
  }
  REQUIRE(test::run_cli("custody verify --case " + q(d.case_dir)) == 0);
}

TEST_CASE("court report: the ToUnicode fix-up rewrites destinations only, in place", "[court][pdf]") {
  test::TempDir dir;
  const fs::path f = dir / "cmap.pdf";
  const std::string before =
      "%PDF-1.4\nstream\n/CIDInit /ProcSet findresource begin\nbegincmap\n2 beginbfrange\n"
      "<0000> <0000> <0000>\n<0001> <0003> [<2F47> <0041> <0009> ]\nendbfrange\n1 beginbfchar\n"
      "<2F47> <2F47>\nendbfchar\nendcmap\nendstream\n<2F47> outside any CMap\n";
  std::ofstream(f, std::ios::binary) << before;
  const std::unordered_map<uint16_t, uint16_t> alias{{0x2F47, 0x65E5}, {0x0009, 0x0020}};
  CHECK(fix_pdf_tounicode(f, alias) == 3);
  std::ifstream in(f, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string after = ss.str();
  CHECK(after.size() == before.size());  // byte offsets (the xref) stay valid
  CHECK(after.find("<0001> <0003> [<65E5> <0041> <0020> ]") != std::string::npos);
  CHECK(after.find("<2F47> <65E5>\nendbfchar") != std::string::npos);  // the source code is not a destination
  CHECK(after.find("<2F47> outside any CMap") != std::string::npos);
}

TEST_CASE("court report: the PDF lists hash sets and known-bad matches in Japanese and English",
          "[court][pdf][hashset]") {
  DemoCase& d = demo();
  tag_test_message(d);
  std::string path, sha256, exhibit;
  {
    CaseDb c = CaseDb::open(d.case_dir);
    sql::Stmt st(
        c.db(),
        "SELECT i.path, i.sha256, e.exhibit FROM items i JOIN evidence e ON e.id = i.evidence_id WHERE "
        "i.sha256 != '' AND i.size > 0 ORDER BY length(i.path), i.id LIMIT 1");
    REQUIRE(st.step());
    path = st.text(0);
    sha256 = st.text(1);
    exhibit = st.text(2);
  }
  const fs::path list = d.dir / "known_bad.sha256";
  std::ofstream(list) << "# test list\n" << sha256 << "  contraband.bin\n";
  std::string out;
  REQUIRE(test::run_cli("hashset import " + q(list) + " --case " + q(d.case_dir) +
                            " --kind known-bad --name '県警 要注意リスト'",
                        &out) == 0);
  const std::string set_sha256 = test::file_sha256(list);

  const fs::path ja_pdf = d.dir / "known_ja.pdf", en_pdf = d.dir / "known_en.pdf";
  REQUIRE(test::run_cli("report --case " + q(d.case_dir) + " --format pdf --lang ja -o " + q(ja_pdf)) == 0);
  REQUIRE(test::run_cli("report --case " + q(d.case_dir) + " --format pdf --lang en -o " + q(en_pdf)) == 0);
  const std::string ja = without_newlines(capture("pdftotext -raw " + q(ja_pdf) + " -"));
  const std::string en = without_newlines(capture("pdftotext -raw " + q(en_pdf) + " -"));
  INFO(path);
  CHECK(ja.find("既知ファイル（ハッシュセット）") != std::string::npos);
  CHECK(ja.find("県警 要注意リスト") != std::string::npos);
  CHECK(ja.find("要注意（既知の不正）") != std::string::npos);
  CHECK(ja.find("既知の不正ファイルとの一致 (1)") != std::string::npos);
  CHECK(ja.find(set_sha256) != std::string::npos);  // the set file, by its hash
  CHECK(ja.find(path) != std::string::npos);        // the matching item, by exhibit and path
  CHECK(ja.find(exhibit) != std::string::npos);
  CHECK(ja.find(sha256) != std::string::npos);
  CHECK(ja.find("既知の正常ファイルと一致した項目: 0") != std::string::npos);
  CHECK(en.find("Known files (hash sets)") != std::string::npos);
  CHECK(en.find("Matches with known-bad files (1)") != std::string::npos);
  CHECK(en.find("known-bad (alert)") != std::string::npos);
  CHECK(en.find(path) != std::string::npos);
  CHECK(en.find("Items matching known-good sets: 0") != std::string::npos);
}
