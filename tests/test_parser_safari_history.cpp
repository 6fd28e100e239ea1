// safari.history: the real History.db from plaso's test data (macOS Safari, the same schema as iOS), and a
// fixture from its DDL with Japanese titles, an older schema without flags, and a dangling visit.
#include "tests/ios2_test_util.h"

using namespace kanshiki;
using kanshiki::test::TempDir;
namespace ios2 = kanshiki::test::ios2;

namespace {

constexpr const char* kItem = "HomeDomain/Library/Safari/History.db";

// Column for column as in the real plaso file.
constexpr const char* kDdl = R"(
CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,url TEXT NOT NULL UNIQUE,domain_expansion TEXT NULL,visit_count INTEGER NOT NULL,daily_visit_counts BLOB NOT NULL,weekly_visit_counts BLOB NULL,autocomplete_triggers BLOB NULL,should_recompute_derived_visit_counts INTEGER NOT NULL,visit_count_score INTEGER NOT NULL);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,visit_time REAL NOT NULL,title TEXT NULL,load_successful BOOLEAN NOT NULL DEFAULT 1,http_non_get BOOLEAN NOT NULL DEFAULT 0,synthesized BOOLEAN NOT NULL DEFAULT 0,redirect_source INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,redirect_destination INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,origin INTEGER NOT NULL DEFAULT 0,generation INTEGER NOT NULL DEFAULT 0,attributes INTEGER NOT NULL DEFAULT 0,score INTEGER NOT NULL DEFAULT 0);
)";

}  // namespace

TEST_CASE("safari.history: real History.db (plaso)", "[ios][safari]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "ios_misc/plaso/safari_History.db");
  auto sink = test::run_parser("safari.history", file, kItem);
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 25);
  auto visits = sink.of_type<WebVisit>();
  REQUIRE(visits.size() == 25);

  // Visit 38: https://www.facebook.com/, reached by a redirect from visit 37 (http://facebook.com/).
  const auto& [p, v] = visits[2];
  ios2::check_live_provenance(p, kItem, file, "history_visits", 38, "safari.history");
  CHECK(v.browser == "safari");
  CHECK(v.url == "https://www.facebook.com/");
  CHECK(v.title == "Facebook - Log In or Sign Up");
  CHECK(v.time.raw == "531955468.829831");
  CHECK(v.time.kind == EpochKind::cocoa_s);
  CHECK(v.time.utc_us == int64_t{1510262668829831});
  CHECK(v.time.utc_iso() == "2017-11-09T21:24:28.829Z");
  CHECK(v.visit_count == 1);
  CHECK_FALSE(v.typed_count);
  CHECK(v.transition == "redirected from visit 37");

  CHECK(visits[1].second.url == "http://facebook.com/");
  CHECK(visits[1].second.transition == "redirected to visit 38");
  CHECK(visits[1].second.visit_count == 2);
  CHECK(visits[0].second.transition.empty());
  CHECK(visits[15].second.transition == "redirected from visit 50|redirected to visit 52");
}

TEST_CASE("safari.history: Japanese titles, failed load and a visit without its item", "[ios][safari]") {
  TempDir dir;
  auto file = ios2::make_db(dir, "History.db", std::string(kDdl) + R"(
    INSERT INTO history_items (id, url, domain_expansion, visit_count, daily_visit_counts,
        should_recompute_derived_visit_counts, visit_count_score)
      VALUES (1, 'https://example.jp/%E6%B1%82%E4%BA%BA', 'example', 3, x'00', 0, 100);
    INSERT INTO history_visits (id, history_item, visit_time, title, load_successful, http_non_get)
      VALUES (1, 1, 736259696.789, '高額バイト 即日払い', 1, 0),
             (2, 1, 736259700, '高額バイト 即日払い', 0, 1),
             (3, 99, 736259710, '消えた項目', 1, 0);
  )");
  auto sink = test::run_parser("safari.history", file, kItem);
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "history_visits");
  CHECK(sink.warnings[0].source_rowid == 3);
  CHECK(sink.warnings[0].message.find("history item 99") != std::string::npos);
  auto visits = sink.of_type<WebVisit>();
  REQUIRE(visits.size() == 2);
  CHECK(visits[0].second.title ==
        "\xe9\xab\x98\xe9\xa1\x8d\xe3\x83\x90\xe3\x82\xa4\xe3\x83\x88\x20\xe5\x8d\xb3\xe6\x97\xa5\xe6\x89\x95"
        "\xe3\x81\x84");  // 高額バイト 即日払い, byte-exact
  CHECK(visits[0].second.time.utc_iso() == "2024-05-01T12:34:56.789Z");
  CHECK(visits[0].second.visit_count == 3);
  CHECK(visits[1].second.transition == "load failed|non-GET request");

  // Older History.db without the flag columns.
  auto old = ios2::make_db(dir, "old.db", R"(
    CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, visit_count INTEGER NOT NULL);
    CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT, history_item INTEGER NOT NULL, visit_time REAL NOT NULL, title TEXT NULL);
    INSERT INTO history_items VALUES (1, 'https://example.jp/', 1);
    INSERT INTO history_visits VALUES (1, 1, 420000000, 'トップ');)");
  auto old_sink = test::run_parser("safari.history", old, kItem);
  CHECK(old_sink.warnings.empty());
  REQUIRE(old_sink.records.size() == 1);
  CHECK(old_sink.of_type<WebVisit>()[0].second.title == "トップ");
  CHECK(old_sink.of_type<WebVisit>()[0].second.transition.empty());
}
