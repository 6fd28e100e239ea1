// Case database: schema versioning, refusal of newer cases, artifact storage with provenance, FTS trigram search.
#include <catch2/catch.hpp>

#include "core/case_db.h"
#include "engine/engine.h"
#include "tests/test_support.h"

using namespace kanshiki;

TEST_CASE("a new case has the current schema and refuses to be created twice", "[case]") {
  test::TempDir dir;
  {
    CaseDb c = CaseDb::create(dir / "c", "K-1");
    CHECK(c.schema_version() == CaseDb::kSchemaVersion);
    CHECK(c.meta("case_number") == "K-1");
    sql::Stmt st(c.db(), "PRAGMA journal_mode");
    REQUIRE(st.step());
    CHECK(st.text(0) == "wal");
  }
  CHECK_THROWS_AS(CaseDb::create(dir / "c", "K-1"), Error);
  CHECK_NOTHROW(CaseDb::open(dir / "c"));
}

TEST_CASE("a case from a newer schema is refused with a clear error", "[case]") {
  test::TempDir dir;
  {
    CaseDb c = CaseDb::create(dir / "c", "K-1");
    c.set_meta("schema_version", "999");
  }
  try {
    CaseDb::open(dir / "c");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::case_error);
    CHECK(std::string(e.what()).find("newer Kanshiki") != std::string::npos);
  }
  CHECK_THROWS_AS(CaseDb::open(dir / "missing"), Error);
}

TEST_CASE("artifacts are stored with provenance and found by Japanese substring search", "[case][search]") {
  test::TempDir dir;
  CaseDb c = CaseDb::create(dir / "c", "K-1");
  test::seed_parser_run(c, 7, "data/mmssms.db", "android.sms");
  {
    sql::Transaction tx(c.db());
    ArtifactWriter w(c, 1, 1);
    Message m;
    m.app = "sms";
    m.thread_key = "3";
    m.sender = "09012345678";
    m.direction = Direction::incoming;
    m.time = Timestamp::from_int(1714563296000, EpochKind::unix_ms);
    m.text = "今日はホワイト案件があります。即日即金で高額報酬。";
    m.recipients = {"me"};
    Provenance p{1, 7, "data/mmssms.db", "abc", "sms", 42, std::nullopt, "", "android.sms", "1.0.0", false};
    w.emit(Record{p, m});
    Message m2 = m;
    m2.text = "叩きはやらない";
    p.source_rowid = 43;
    p.recovered = true;
    w.emit(Record{p, m2});
    Contact ct;
    ct.name = "佐藤 一郎";
    ct.phones = {"090-1111-2222"};
    p.source_table = "raw_contacts";
    w.emit(Record{p, ct});
    CHECK(w.artifact_count() == 3);
    w.finish();
    tx.commit();
  }
  sql::Stmt st(c.db(), "SELECT a.type, a.item_sha256, a.source_table, a.source_rowid, a.parser_id, a.recovered, m.time_raw, "
                       "m.time_epoch, m.time_utc, m.recipients FROM artifacts a JOIN messages m ON m.artifact_id = a.id ORDER BY a.id");
  REQUIRE(st.step());
  CHECK(st.text(0) == "message");
  CHECK(st.text(1) == "abc");
  CHECK(st.text(2) == "sms");
  CHECK(st.i64(3) == 42);
  CHECK(st.text(4) == "android.sms");
  CHECK(st.i64(5) == 0);
  CHECK(st.text(6) == "1714563296000");
  CHECK(st.text(7) == "unix_ms");
  CHECK(st.text(8) == "2024-05-01T11:34:56.000Z");
  CHECK(st.text(9) == "[\"me\"]");

  auto hits = search_case(c, "ホワイト案件");
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].text.find("即日即金") != std::string::npos);
  CHECK(hits[0].source_rowid == 42);
  // Two-character word: below trigram size, found by the instr() fallback; the recovered flag is reported.
  auto short_hits = search_case(c, "叩き");
  REQUIRE(short_hits.size() == 1);
  CHECK(short_hits[0].recovered);
  CHECK(search_case(c, "佐藤").size() == 1);
  CHECK(search_case(c, "1111-2222").size() == 1);
  CHECK(search_case(c, "\"quoted\" OR x").empty());  // operators are taken literally
  CHECK(search_case(c, "100%").empty());
  CHECK(search_case(c, "即日即金").size() == 1);
}
