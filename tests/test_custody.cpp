// Chain-of-custody tampering: editing, deleting, inserting, reordering an entry, and a wrong key are each
// detected and the offending entry is named.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "core/case_db.h"
#include "core/custody.h"
#include "core/examiner.h"
#include "tests/test_support.h"

using namespace kanshiki;

namespace {

struct Fixture {
  test::TempDir dir;
  Examiner examiner = Examiner::create("鑑識 太郎", dir / "home");
  CaseDb db = CaseDb::create(dir / "case", "TEST-001");

  Fixture() {
    for (int i = 1; i <= 5; ++i)
      append_custody(db, examiner, CustodyAction{"step", "ok", {{"n", i}, {"note", "証拠品 " + std::to_string(i)}}});
  }
  // Tampering needs the append-only triggers out of the way, as an attacker with file access would do.
  void drop_guards() { db.db().exec("DROP TRIGGER custody_no_update; DROP TRIGGER custody_no_delete;"); }
  bool mentions(const CustodyVerification& v, const std::string& what) {
    for (const auto& p : v.problems)
      if (p.find(what) != std::string::npos) return true;
    return false;
  }
};

}  // namespace

TEST_CASE("an untouched custody log verifies", "[custody]") {
  Fixture f;
  auto v = verify_custody(f.db);
  CHECK(v.ok);
  CHECK(v.entries == 5);
  CHECK(v.summary().find("5 entries") != std::string::npos);
  auto entries = read_custody(f.db);
  REQUIRE(entries.size() == 5);
  CHECK(entries[0].prev_hash == std::string(64, '0'));
  CHECK(entries[1].prev_hash == entries[0].entry_hash);
  CHECK(entries[2].parameters["note"] == "証拠品 3");
  CHECK(entries[0].examiner == "鑑識 太郎");
}

TEST_CASE("the database refuses updates and deletes of custody entries", "[custody]") {
  Fixture f;
  CHECK_THROWS(f.db.db().exec("UPDATE custody SET action = 'x' WHERE seq = 2"));
  CHECK_THROWS(f.db.db().exec("DELETE FROM custody WHERE seq = 2"));
}

TEST_CASE("an edited entry is detected and named", "[custody]") {
  Fixture f;
  f.drop_guards();
  f.db.db().exec("UPDATE custody SET parameters = '{\"n\":3,\"note\":\"改ざん\"}' WHERE seq = 3");
  auto v = verify_custody(f.db);
  CHECK_FALSE(v.ok);
  CHECK(f.mentions(v, "entry 3"));
  CHECK(f.mentions(v, "edited"));
}

TEST_CASE("a deleted entry is detected", "[custody]") {
  Fixture f;
  f.drop_guards();
  f.db.db().exec("DELETE FROM custody WHERE seq = 3");
  auto v = verify_custody(f.db);
  CHECK_FALSE(v.ok);
  CHECK(f.mentions(v, "entry 4"));
}

TEST_CASE("deleting the last entries is detected through the anchor", "[custody]") {
  Fixture f;
  f.drop_guards();
  f.db.db().exec("DELETE FROM custody WHERE seq >= 4");
  auto v = verify_custody(f.db);
  CHECK_FALSE(v.ok);
  CHECK(f.mentions(v, "anchor"));
}

TEST_CASE("an inserted entry is detected", "[custody]") {
  Fixture f;
  f.drop_guards();
  // Forge an entry between 2 and 3 with a correct hash and a valid signature of the same examiner: the chain
  // still breaks, because entry 3 points at the original entry 2.
  auto entries = read_custody(f.db);
  CustodyEntry forged = entries[1];
  f.db.db().exec("UPDATE custody SET seq = seq + 100 WHERE seq >= 3");
  forged.seq = 3;
  forged.action = "forged";
  forged.prev_hash = entries[1].entry_hash;
  forged.entry_hash = custody_entry_hash(forged);
  forged.signature = f.examiner.sign_hex(forged.entry_hash);
  sql::Stmt ins(f.db.db(),
                "INSERT INTO custody VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)");
  ins.bind(1, forged.seq).bind(2, forged.utc).bind(3, forged.examiner).bind(4, forged.examiner_fingerprint);
  ins.bind(5, forged.host).bind(6, forged.tool_version).bind(7, forged.action).bind(8, forged.status);
  ins.bind(9, forged.parameters.dump()).bind(10, forged.inputs.dump()).bind(11, forged.outputs.dump());
  ins.bind(12, forged.error).bind(13, forged.prev_hash).bind(14, forged.entry_hash).bind(15, forged.signature).run();
  f.db.db().exec("UPDATE custody SET seq = seq - 99 WHERE seq >= 100");
  auto v = verify_custody(f.db);
  CHECK_FALSE(v.ok);
  CHECK(f.mentions(v, "entry 4"));
}

TEST_CASE("reordered entries are detected", "[custody]") {
  Fixture f;
  f.drop_guards();
  f.db.db().exec("UPDATE custody SET seq = 100 WHERE seq = 2; UPDATE custody SET seq = 2 WHERE seq = 3; "
                 "UPDATE custody SET seq = 3 WHERE seq = 100;");
  auto v = verify_custody(f.db);
  CHECK_FALSE(v.ok);
  CHECK(f.mentions(v, "entry 2"));
}

TEST_CASE("an entry signed with a wrong key is detected", "[custody]") {
  Fixture f;
  Examiner intruder = Examiner::create("Intruder", f.dir / "intruder");
  // The intruder appends with their own key: it verifies only against the keys registered in the case, so
  // verification against the examiner's trusted key names it.
  append_custody(f.db, intruder, CustodyAction{"step", "ok", {{"n", 6}}});
  auto v = verify_custody(f.db, f.examiner.public_key_pem());
  CHECK_FALSE(v.ok);
  CHECK(f.mentions(v, "entry 6"));
  CHECK(f.mentions(v, "not the trusted key"));

  // A signature replaced by one from another key is detected even without a trusted key.
  f.drop_guards();
  auto e = read_custody(f.db)[2];
  std::string bad = intruder.sign_hex(e.entry_hash);
  sql::Stmt up(f.db.db(), "UPDATE custody SET signature = ?1 WHERE seq = 3");
  up.bind(1, bad).run();
  auto v2 = verify_custody(f.db);
  CHECK_FALSE(v2.ok);
  CHECK(f.mentions(v2, "entry 3: signature is not valid"));
}
