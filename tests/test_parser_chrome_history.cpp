// chrome.history: real History files from several Chrome versions (Hindsight v1/v60 fixtures, plaso, IPED)
// and a generated fixture from the current schema with Japanese titles, redirect qualifiers and a dangling
// visit.
#include <string>

#include "core/sqlite_util.h"
#include "parsers/chrome_history.h"
#include "tests/test_support.h"

using namespace kanshiki;
using kanshiki::test::TempDir;

namespace {

void check_all_from(const CollectingSink& sink, std::string_view table, size_t n) {
  size_t count = 0;
  for (const auto& r : sink.records)
    if (r.provenance.source_table == table) ++count;
  CHECK(count == n);
}

}  // namespace

TEST_CASE("chrome.history: transition names", "[chrome]") {
  using parsers::chrome_history::transition_name;
  CHECK(transition_name(0) == "link");
  CHECK(transition_name(1) == "typed");
  CHECK(transition_name(805306374) == "auto_toplevel (chain_start, chain_end)");
  CHECK(transition_name(838860801) == "typed (from_address_bar, chain_start, chain_end)");
  CHECK(transition_name(-1610612736) == "link (chain_end, server_redirect)");  // 0xA0000000 stored signed
  CHECK(transition_name(1073741824) == "link (client_redirect)");
  CHECK(transition_name(10) == "keyword_generated");
  CHECK(transition_name(0x2A) == "core_42");
  CHECK(transition_name(0x00400008) == "reload (0x00400000)");
}

TEST_CASE("chrome.history: real History, Hindsight Chrome v1 fixture", "[chrome]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "chrome/hindsight/History_v01");
  auto sink = test::run_parser("chrome.history", file,
                               "Users/x/AppData/Local/Google/Chrome/User Data/Default/History");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 46);  // 46 visits; every URL has a visit
  check_all_from(sink, "visits", 46);
  auto visits = sink.of_type<WebVisit>();
  REQUIRE(visits.size() == 46);
  const auto& [p, v] = visits[0];
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == "Users/x/AppData/Local/Google/Chrome/User Data/Default/History");
  CHECK(p.item_sha256 == test::file_sha256(file));
  CHECK(p.source_table == "visits");
  CHECK(p.source_rowid == 1);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail.empty());
  CHECK(p.parser_id == "chrome.history");
  CHECK(p.parser_version == "1.1.0");
  CHECK_FALSE(p.recovered);
  CHECK(v.browser == "chrome");
  CHECK(v.url == "http://tools.google.com/chrome/intl/en-US/welcome.html");
  CHECK(v.title == "Getting Started");
  CHECK(v.time.raw == "13014880000671646");
  CHECK(v.time.kind == EpochKind::webkit_us);
  CHECK(v.time.utc_us == 1370406400671646);
  CHECK(v.time.utc_iso() == "2013-06-05T04:26:40.671Z");
  CHECK(v.visit_count == 1);
  CHECK(v.typed_count == 0);
  CHECK(v.transition == "auto_toplevel (chain_start, chain_end)");
}

TEST_CASE("chrome.history: real History files of other Chrome versions", "[chrome]") {
  struct Case {
    const char* path;
    size_t visits;
  };
  for (const Case& c :
       {Case{"chrome/hindsight/History_v10", 84}, Case{"chrome/hindsight/History_v20", 58},
        Case{"chrome/hindsight/History_v30", 46}, Case{"chrome/hindsight/History_v60", 61},
        Case{"chrome/plaso/History", 69}, Case{"chrome/plaso/History-57.0.2987.133", 1},
        Case{"chrome/plaso/History-58.0.3029.96", 1}, Case{"chrome/plaso/History-59.0.3071.86", 1}}) {
    KANSHIKI_REALDATA_OR_SKIP(file, c.path);
    INFO(c.path);
    auto sink = test::run_parser("chrome.history", file);
    CHECK(sink.warnings.empty());
    CHECK(sink.records.size() == c.visits);
    check_all_from(sink, "visits", c.visits);
  }

  // Chrome 59 (plaso): the single visit, fully.
  KANSHIKI_REALDATA_OR_SKIP(file, "chrome/plaso/History-59.0.3071.86");
  auto sink = test::run_parser("chrome.history", file, "home/u/.config/google-chrome/Default/History");
  auto visits = sink.of_type<WebVisit>();
  REQUIRE(visits.size() == 1);
  const auto& [p, v] = visits[0];
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == "home/u/.config/google-chrome/Default/History");
  CHECK(p.item_sha256 == test::file_sha256(file));
  CHECK(p.source_table == "visits");
  CHECK(p.source_rowid == 1);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail.empty());
  CHECK(p.parser_id == "chrome.history");
  CHECK(p.parser_version == "1.1.0");
  CHECK_FALSE(p.recovered);
  CHECK(v.browser == "chrome");
  CHECK(v.url == "https://raw.githubusercontent.com/dfirlabs/chrome-specimens/master/generate-specimens.sh");
  CHECK(v.title.empty());
  CHECK(v.time.raw == "13161017332037692");
  CHECK(v.time.kind == EpochKind::webkit_us);
  CHECK(v.time.utc_us == 1516543732037692);
  CHECK(v.time.utc_iso() == "2018-01-21T14:08:52.037Z");
  CHECK(v.visit_count == 1);
  CHECK(v.typed_count == 0);
  CHECK(v.transition == "auto_toplevel (chain_start, chain_end)");
}

TEST_CASE("chrome.history: real IPED History with redirects and never-visited URLs", "[chrome]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "chrome/iped/test_historyChrome");
  auto sink = test::run_parser("chrome.history", file);
  CHECK(sink.warnings.empty());
  // 73 visits; the 158 URLs without visits have last_visit_time 0 (never visited here) and are not reported.
  REQUIRE(sink.records.size() == 73);
  check_all_from(sink, "visits", 73);
  auto visits = sink.of_type<WebVisit>();
  CHECK(visits[1].first.source_rowid == 2);
  CHECK(visits[1].second.transition == "link (chain_end, server_redirect)");
  CHECK(visits[1].second.title == "Entrar na conta da Microsoft");
  CHECK(visits[1].second.time.utc_iso() == "2021-05-12T17:38:00.333Z");
}

TEST_CASE("chrome.history: generated fixture (current schema), Japanese titles, dangling visit", "[chrome]") {
  TempDir dir;
  auto path = dir / "History";
  {
    sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // DDL as in a real Chrome History (IPED test file, Chrome 90 era).
    db.exec(R"(
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,
  visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,
  last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY,url INTEGER NOT NULL,visit_time INTEGER NOT NULL,from_visit INTEGER,
  transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,visit_duration INTEGER DEFAULT 0 NOT NULL,
  incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,
  publicly_routable BOOLEAN DEFAULT FALSE NOT NULL);)");
    // 13359040496789000 = 2024-05-01T12:34:56.789Z in WebKit microseconds.
    db.exec(R"(
INSERT INTO urls VALUES (1, 'https://example.jp/求人?q=即日', '高収入バイト｜即日即金', 2, 1, 13359040556789000, 0);
INSERT INTO urls VALUES (2, 'https://bank.example.jp/login', 'ログイン', 1, 0, 13359040000000000, 0);
INSERT INTO urls VALUES (3, 'https://synced.example.jp/', '同期のみ', 0, 0, 0, 1);
INSERT INTO visits(id, url, visit_time, from_visit, transition) VALUES
  (1, 1, 13359040496789000, 0, 838860801),
  (2, 1, 13359040556789000, 1, -1610612736),
  (3, 99, 13359040600000000, 0, 0);)");
  }
  auto sink =
      test::run_parser("chrome.history", path, "data/data/com.android.chrome/app_chrome/Default/History");
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "visits");
  CHECK(sink.warnings[0].source_rowid == 3);
  CHECK(sink.warnings[0].message.find("urls.id 99") != std::string::npos);

  REQUIRE(sink.records.size() == 4);  // 3 visits (one dangling) + the URL whose visits are gone
  auto visits = sink.of_type<WebVisit>();
  const auto& [p, v] = visits[0];
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == "data/data/com.android.chrome/app_chrome/Default/History");
  CHECK(p.item_sha256 == test::file_sha256(path));
  CHECK(p.source_table == "visits");
  CHECK(p.source_rowid == 1);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail.empty());
  CHECK(p.parser_id == "chrome.history");
  CHECK(p.parser_version == "1.1.0");
  CHECK_FALSE(p.recovered);
  CHECK(v.browser == "chrome");
  CHECK(v.url == "https://example.jp/求人?q=即日");
  CHECK(v.title == "高収入バイト｜即日即金");
  CHECK(v.time.raw == "13359040496789000");
  CHECK(v.time.kind == EpochKind::webkit_us);
  CHECK(v.time.utc_us == 1714566896789000);
  CHECK(v.time.utc_iso() == "2024-05-01T12:34:56.789Z");
  CHECK(v.visit_count == 2);
  CHECK(v.typed_count == 1);
  CHECK(v.transition == "typed (from_address_bar, chain_start, chain_end)");

  CHECK(visits[1].second.transition == "link (chain_end, server_redirect)");
  CHECK(visits[2].second.url.empty());  // dangling: reported with its time, URL unknown
  CHECK(visits[2].second.time.raw == "13359040600000000");
  CHECK(visits[3].first.source_table == "urls");
  CHECK(visits[3].first.source_rowid == 2);
  CHECK(visits[3].second.url == "https://bank.example.jp/login");
  CHECK(visits[3].second.title == "ログイン");
  CHECK(visits[3].second.time.raw == "13359040000000000");
  CHECK(visits[3].second.transition.empty());
}

TEST_CASE("chrome.history: urls without a visits table", "[chrome]") {
  TempDir dir;
  auto path = dir / "History";
  {
    sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(R"(
CREATE TABLE urls(id INTEGER PRIMARY KEY,url LONGVARCHAR,title LONGVARCHAR,visit_count INTEGER DEFAULT 0 NOT NULL,
  typed_count INTEGER DEFAULT 0 NOT NULL,last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL,
  favicon_id INTEGER DEFAULT 0 NOT NULL);
INSERT INTO urls VALUES (1, 'https://example.jp/', 'トップ', 1, 0, 13359040496789000, 0, 0);)");
  }
  auto sink = test::run_parser("chrome.history", path);
  // The missing visits table is named in a warning; the URL is still reported from `urls`.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message.find("table `visits` is missing") != std::string::npos);
  REQUIRE(sink.records.size() == 1);
  CHECK(sink.records[0].provenance.source_table == "urls");
  CHECK(sink.of_type<WebVisit>()[0].second.title == "トップ");
}

TEST_CASE("chrome.history: Chromium-based Android browsers are named by their app folder", "[chrome]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "chrome/hindsight/History_v01");
  const std::pair<const char*, const char*> cases[] = {
      {"data/data/com.sec.android.app.sbrowser/app_sbrowser/Default/History", "samsung_internet"},
      {"data/data/com.microsoft.emmx/app_chrome/Default/History", "edge"},
      {"data/data/com.brave.browser/app_chrome/Default/History", "brave"},
      {"data/data/com.android.chrome/app_chrome/Default/History", "chrome"},
  };
  for (const auto& [path, browser] : cases) {
    auto sink = kanshiki::test::run_parser("chrome.history", file, path);
    REQUIRE(sink.records.size() == 46);
    CHECK(sink.of_type<kanshiki::WebVisit>()[0].second.browser == browser);
  }
  const kanshiki::ParserEntry* e = kanshiki::find_parser("chrome.history");
  REQUIRE(e);
  bool samsung = false;
  for (const auto& l : e->info().locators)
    samsung = samsung || kanshiki::glob_match(l.glob, "data/data/com.sec.android.app.sbrowser/app_sbrowser/Default/History");
  CHECK(samsung);
}
