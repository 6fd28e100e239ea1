// Deleted-record recovery (core/sqlite_forensic): generated fixtures with known deleted rows for each
// recovery source, the shifted-input carving test, a bounded fuzz loop, the android.sms end-to-end path,
// the SQLite Forensic Corpus dropped-table cases from realdata, and the `kanshiki recover` command.
//
// Every fixture sets `PRAGMA secure_delete=OFF` explicitly: Debian's SQLite zeroes deleted content by
// default, real phones' SQLite does not.
#include <fmt/format.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "core/sqlite_forensic/page_reader.h"
#include "core/sqlite_forensic/recovery.h"
#include "core/sqlite_util.h"
#include "parsers/parser.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;
namespace sf = sqlite_forensic;

std::string body_of(int i) { return fmt::format("message number {} — 削除されたメッセージ {}", i, i * 7); }

// A table of 3-column rows: id (rowid alias), body (TEXT), ts (INTEGER).
void fill_messages(sql::Db& db, int from, int to) {
  sql::Transaction tx(db);
  sql::Stmt ins(db, "INSERT INTO msgs(id, body, ts) VALUES (?1, ?2, ?3)");
  for (int i = from; i <= to; ++i)
    ins.bind(1, i).bind(2, body_of(i)).bind(3, int64_t(1700000000000) + i).run();
  tx.commit();
}

sql::Db make_db(const fs::path& p, int page_size = 4096, const char* journal = "DELETE") {
  sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(fmt::format("PRAGMA page_size={}; PRAGMA secure_delete=OFF; PRAGMA journal_mode={};", page_size,
                      journal));
  db.exec("CREATE TABLE msgs (id INTEGER PRIMARY KEY, body TEXT NOT NULL, ts INTEGER)");
  return db;
}

sf::RecoveryResult recover_filtered(const fs::path& p) {
  auto res = sf::recover_file(p);
  sql::Db live(p, SQLITE_OPEN_READONLY);
  sf::drop_live_duplicates(live, res);
  return res;
}

std::set<std::string> bodies(const sf::RecoveryResult& res, std::string_view detail_part = "") {
  std::set<std::string> out;
  for (const auto& r : res.rows)
    if (r.table == "msgs" && r.values.size() == 3 && r.values[1].type == sf::Value::Type::text &&
        r.detail.find(detail_part) != std::string::npos)
      out.insert(r.values[1].s);
  return out;
}

TEST_CASE("recovery: rows deleted inside a leaf page come back from freeblocks", "[recovery]") {
  test::TempDir dir;
  fs::path p = dir / "leaf.db";
  {
    auto db = make_db(p);
    fill_messages(db, 1, 40);
    db.exec("DELETE FROM msgs WHERE id IN (10, 20, 30)");
  }
  auto res = recover_filtered(p);
  auto got = bodies(res);
  CHECK(got == std::set<std::string>{body_of(10), body_of(20), body_of(30)});
  for (const auto& r : res.rows) {
    CHECK(r.detail.find("page") != std::string::npos);
    CHECK(r.confidence > 0.5);
    REQUIRE(r.values.size() == 3);
    // The timestamp column survives with the text.
    int id = std::stoi(r.values[1].s.substr(15));
    CHECK(r.values[2].i == int64_t(1700000000000) + id);
  }
  CHECK(res.rows.size() == 3);  // no live row re-reported
}

TEST_CASE("recovery: pages moved to the freelist keep their rows", "[recovery]") {
  test::TempDir dir;
  fs::path p = dir / "freelist.db";
  {
    auto db = make_db(p, 1024);
    fill_messages(db, 1, 400);
    db.exec("DELETE FROM msgs WHERE id > 100");
  }
  {
    sf::MappedFile f(p);
    REQUIRE(sf::parse_db_header(f.bytes())->freelist_count > 0);
  }
  auto res = recover_filtered(p);
  auto from_freelist = bodies(res, "freelist");
  auto all = bodies(res);
  size_t found = 0;
  for (int i = 101; i <= 400; ++i) found += all.count(body_of(i));
  CHECK(found >= 270);  // >= 90 % of the 300 deleted rows
  CHECK(from_freelist.size() > 100);
  for (int i = 1; i <= 100; ++i) CHECK(all.count(body_of(i)) == 0);  // live rows are not "recovered"
  for (const auto& r : res.rows)
    if (r.detail.find("freelist leaf") != std::string::npos) CHECK(r.rowid.has_value());
}

TEST_CASE("recovery: 64 KiB pages and UTF-16 text", "[recovery]") {
  test::TempDir dir;
  for (const char* encoding : {"UTF-8", "UTF-16le", "UTF-16be"}) {
    INFO(encoding);
    fs::path p = dir / fmt::format("big-{}.db", encoding);
    {
      sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      db.exec(
          fmt::format("PRAGMA encoding='{}'; PRAGMA page_size=65536; PRAGMA secure_delete=OFF;", encoding));
      db.exec("CREATE TABLE msgs (id INTEGER PRIMARY KEY, body TEXT NOT NULL, ts INTEGER)");
      fill_messages(db, 1, 300);
      db.exec("DELETE FROM msgs WHERE id IN (5, 150, 299)");
    }
    auto res = recover_filtered(p);
    CHECK(bodies(res) == std::set<std::string>{body_of(5), body_of(150), body_of(299)});
  }
}

TEST_CASE("recovery: a vacuumed database yields nothing", "[recovery]") {
  test::TempDir dir;
  fs::path p = dir / "vacuumed.db";
  {
    auto db = make_db(p);
    fill_messages(db, 1, 200);
    db.exec("DELETE FROM msgs WHERE id % 3 = 0");
    db.exec("VACUUM");
  }
  auto res = recover_filtered(p);
  CHECK(res.rows.empty());
}

TEST_CASE("recovery: an overflow record on a freed page is reassembled from its chain", "[recovery]") {
  test::TempDir dir;
  fs::path p = dir / "overflow.db";
  std::string big;
  for (int i = 0; i < 300; ++i) big += fmt::format("長文{:04d} ", i);  // ~3.3 KB: 4 overflow pages of 1 KiB
  {
    auto db = make_db(p, 1024);
    fill_messages(db, 1, 100);
    db.exec(fmt::format("INSERT INTO msgs(id, body, ts) VALUES (101, '{}', 42)", big));
    fill_messages(db, 102, 140);
    db.exec("DELETE FROM msgs WHERE id > 60");
  }
  auto res = recover_filtered(p);
  bool found = false;
  for (const auto& r : res.rows)
    if (r.rowid == 101 && r.values.size() == 3 && r.values[1].s == big) {
      found = true;
      CHECK(r.values[2].i == 42);
      CHECK(r.how == "cell with overflow chain");
    }
  CHECK(found);
}

TEST_CASE("recovery: WAL keeps superseded versions and deleted rows", "[recovery]") {
  test::TempDir dir;
  fs::path p = dir / "wal.db";
  {
    auto db = make_db(p, 4096, "WAL");
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    db.exec("PRAGMA wal_autocheckpoint=0");
    fill_messages(db, 1, 10);
    db.exec("UPDATE msgs SET body = 'edited text of three' WHERE id = 3");
    db.exec("DELETE FROM msgs WHERE id = 5");
  }
  REQUIRE(fs::exists(p.string() + "-wal"));
  REQUIRE(fs::file_size(p.string() + "-wal") > 4096);
  // All content is in the WAL: the main file holds at most its first page or two.
  CHECK(fs::file_size(p) <= 8192);
  auto res = recover_filtered(p);
  {
    sql::Db live(p, SQLITE_OPEN_READONLY);  // the live state is the WAL applied
    sql::Stmt count(live, "SELECT count(*) FROM msgs");
    REQUIRE(count.step());
    CHECK(count.i64(0) == 9);
  }
  bool old3 = false, deleted5 = false;
  for (const auto& r : res.rows) {
    CHECK(r.file == sf::SourceFile::wal);
    CHECK(r.detail.find("WAL frame") != std::string::npos);
    if (r.rowid == 3 && r.values[1].s == body_of(3)) old3 = r.detail.find("superseded") != std::string::npos;
    if (r.rowid == 5 && r.values[1].s == body_of(5)) deleted5 = true;
  }
  CHECK(old3);
  CHECK(deleted5);
  for (const auto& r : res.rows) CHECK(r.values[1].s != "edited text of three");  // live version
  // Our reader never checkpoints: the WAL is untouched.
  CHECK(fs::file_size(p.string() + "-wal") > 4096);
}

TEST_CASE("recovery: rollback journal before-images", "[recovery]") {
  test::TempDir dir;
  fs::path p = dir / "journal.db";
  {
    auto db = make_db(p, 4096, "PERSIST");
    fill_messages(db, 1, 20);
    // secure_delete ON for the delete: the main file is zeroed, only the journal keeps the old page.
    db.exec("PRAGMA secure_delete=ON");
    db.exec("DELETE FROM msgs WHERE id IN (4, 8)");
  }
  REQUIRE(fs::exists(p.string() + "-journal"));
  auto res = recover_filtered(p);
  CHECK(bodies(res) == std::set<std::string>{body_of(4), body_of(8)});
  for (const auto& r : res.rows) {
    CHECK(r.file == sf::SourceFile::journal);
    CHECK(r.detail.find("rollback journal page 2") != std::string::npos);
    CHECK(r.rowid.has_value());
  }
}

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST_CASE("recovery: shifted input reports the same records 65 bytes later", "[recovery]") {
  test::TempDir dir;
  fs::path p = dir / "shift.db";
  {
    auto db = make_db(p);
    fill_messages(db, 1, 60);
    db.exec("DELETE FROM msgs WHERE id % 7 = 0");
  }
  std::string image = read_all(p);
  auto carve = [](const std::string& blob) {
    size_t at = blob.find(std::string("SQLite format 3\0", 16));
    REQUIRE(at != std::string::npos);
    sf::RecoveryOptions opt;
    opt.base_offset = at;
    return sf::recover(std::string_view(blob).substr(at), {}, {}, opt);
  };
  auto a = carve(image);
  auto b = carve(std::string(65, '\x5a') + image);
  REQUIRE(a.rows.size() >= 8);
  REQUIRE(a.rows.size() == b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    CHECK(a.rows[i].values == b.rows[i].values);
    CHECK(a.rows[i].rowid == b.rows[i].rowid);
    CHECK(b.rows[i].offset == a.rows[i].offset + 65);
  }
}

TEST_CASE("recovery: random corruption of pages never crashes", "[recovery][fuzz]") {
  test::TempDir dir;
  fs::path p = dir / "fuzz.db";
  {
    auto db = make_db(p, 1024);
    fill_messages(db, 1, 150);
    db.exec("DELETE FROM msgs WHERE id % 4 = 0");
    db.exec("DELETE FROM msgs WHERE id > 120");
  }
  const std::string image = read_all(p);
  std::mt19937 rng(20261122);
  auto start = std::chrono::steady_clock::now();
  size_t runs = 0, rows = 0;
  while (runs < 400 && std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    std::string img = image;
    int edits = 1 + static_cast<int>(rng() % 40);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % img.size();
      size_t len = 1 + rng() % (rng() % 8 == 0 ? 64 : 4);
      for (size_t k = 0; k < len && at + k < img.size(); ++k) img[at + k] = static_cast<char>(rng());
    }
    if (runs % 50 == 0) img.resize(rng() % img.size());  // truncated files too
    auto res = sf::recover(img, img.substr(0, img.size() / 3), img.substr(img.size() / 3));
    rows += res.rows.size();
    // The record decoder on raw garbage.
    for (int k = 0; k < 50 && !img.empty(); ++k) {
      size_t at = rng() % img.size();
      (void)sf::decode_record(std::string_view(img).substr(at, rng() % 300), sf::TextEncoding::utf16le);
    }
    ++runs;
  }
  CHECK(runs >= 20);
  CHECK(rows > 0);
}

// ---- End to end through a parser ----

const char* kSmsSchema =
    "CREATE TABLE sms (_id INTEGER PRIMARY KEY,thread_id INTEGER,address TEXT,person INTEGER,date INTEGER,"
    "date_sent INTEGER DEFAULT 0,protocol INTEGER,read INTEGER DEFAULT 0,status INTEGER DEFAULT -1,type "
    "INTEGER,"
    "reply_path_present INTEGER,subject TEXT,body TEXT,service_center TEXT,locked INTEGER DEFAULT 0,sub_id "
    "INTEGER DEFAULT -1, error_code INTEGER DEFAULT -1, creator TEXT,seen INTEGER DEFAULT 0);"
    "CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT,thread_id INTEGER,date INTEGER,date_sent "
    "INTEGER "
    "DEFAULT 0,msg_box INTEGER,read INTEGER DEFAULT 0,m_id TEXT,sub TEXT,sub_cs INTEGER,ct_t TEXT,ct_l "
    "TEXT,exp "
    "INTEGER,m_cls TEXT,m_type INTEGER,v INTEGER,m_size INTEGER,pri INTEGER,rr INTEGER,rpt_a INTEGER,resp_st "
    "INTEGER,st INTEGER,tr_id TEXT,retr_st INTEGER,retr_txt TEXT,retr_txt_cs INTEGER,read_status "
    "INTEGER,ct_cls "
    "INTEGER,resp_txt TEXT,d_tm INTEGER,d_rpt INTEGER,locked INTEGER DEFAULT 0,sub_id INTEGER DEFAULT -1, "
    "seen "
    "INTEGER DEFAULT 0,creator TEXT,text_only INTEGER DEFAULT 0);"
    "CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT,mid INTEGER,seq INTEGER DEFAULT 0,ct TEXT,name "
    "TEXT,chset INTEGER,cd TEXT,fn TEXT,cid TEXT,cl TEXT,ctt_s INTEGER,ctt_t TEXT,_data TEXT,text "
    "TEXT,sub_id "
    "INTEGER DEFAULT -1);"
    "CREATE TABLE addr (_id INTEGER PRIMARY KEY,msg_id INTEGER,contact_id INTEGER,address TEXT,type "
    "INTEGER,charset INTEGER,sub_id INTEGER DEFAULT -1);"
    "CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT,date INTEGER DEFAULT 0,message_count "
    "INTEGER "
    "DEFAULT 0,recipient_ids TEXT,snippet TEXT,snippet_cs INTEGER DEFAULT 0,read INTEGER DEFAULT 1,archived "
    "INTEGER DEFAULT 0,type INTEGER DEFAULT 0,error INTEGER DEFAULT 0,has_attachment INTEGER DEFAULT "
    "0,sub_id "
    "INTEGER DEFAULT -1);"
    "CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT,address TEXT,sub_id INTEGER "
    "DEFAULT -1);";

std::string sms_text(int i) {
  return fmt::format("SMS {}: 明日の取引は中止。金は駅のロッカー {}", i, 100 + i);
}

CollectingSink parse_sms(const fs::path& db, bool recover) {
  test::TempDir work;
  fs::path copy = test::copy_sqlite_to(db, work.path());
  ParseInput in;
  in.evidence_id = 1;
  in.item_id = 1;
  in.item_path = "data/data/com.android.providers.telephony/databases/mmssms.db";
  in.working_copy = copy;
  in.recover_deleted = recover;
  CollectingSink sink;
  find_parser("android.sms")->make()->parse(in, sink);
  return sink;
}

TEST_CASE("recovery: android.sms emits deleted messages flagged recovered", "[recovery][android]") {
  // Rollback-journal mode (deleted rows in freeblocks) and WAL mode (deleted rows in older frames, the
  // main file never checkpointed).
  bool wal = GENERATE(false, true);
  INFO("WAL mode: " << wal);
  test::TempDir dir;
  fs::path p = dir / "mmssms.db";
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (wal) {
      db.exec("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;");
      sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    }
    db.exec("PRAGMA secure_delete=OFF; PRAGMA user_version=69;");
    db.exec(kSmsSchema);
    db.exec("INSERT INTO canonical_addresses(_id, address) VALUES (1, '+819012345678')");
    db.exec("INSERT INTO threads(_id, date, recipient_ids, snippet) VALUES (1, 1700000030000, '1', 'x')");
    sql::Stmt ins(
        db,
        "INSERT INTO sms(_id, thread_id, address, date, date_sent, read, status, type, body, sub_id) "
        "VALUES (?1, 1, '+819012345678', ?2, ?2, 1, -1, ?3, ?4, 1)");
    for (int i = 1; i <= 12; ++i)
      ins.bind(1, i)
          .bind(2, int64_t(1700000000000) + i * 1000)
          .bind(3, i % 2 ? 1 : 2)
          .bind(4, sms_text(i))
          .run();
    db.exec("DELETE FROM sms WHERE _id IN (3, 7, 11)");
  }
  auto live_only = parse_sms(p, false);
  auto sink = parse_sms(p, true);
  CHECK(sink.warnings.empty());
  auto msgs = sink.of_type<Message>();
  auto live_msgs = live_only.of_type<Message>();
  REQUIRE(live_msgs.size() == 9);
  REQUIRE(msgs.size() == 12);
  std::map<std::string, std::pair<Provenance, Message>> recovered;
  size_t live_seen = 0;
  for (const auto& [prov, m] : msgs) {
    if (prov.recovered)
      recovered[m.text] = {prov, m};
    else
      ++live_seen;
  }
  CHECK(live_seen == 9);
  REQUIRE(recovered.size() == 3);
  for (int i : {3, 7, 11}) {
    REQUIRE(recovered.count(sms_text(i)));
    const auto& [prov, m] = recovered[sms_text(i)];
    CHECK(prov.source_table == "sms");
    CHECK(prov.source_offset.has_value());
    CHECK(prov.source_detail.find("page") != std::string::npos);
    if (wal) {
      // Older WAL frames hold the whole cell: the rowid is known.
      CHECK(prov.source_rowid == i);
      CHECK(prov.source_detail.find("WAL") != std::string::npos);
    } else {
      // A freeblock header overwrote the cell head: the rowid is reported unknown, never invented.
      CHECK_FALSE(prov.source_rowid.has_value());
    }
    CHECK(prov.source_detail.find("conf ") != std::string::npos);
    CHECK(m.time.raw == std::to_string(int64_t(1700000000000) + i * 1000));
    CHECK(m.time.utc_us == (int64_t(1700000000000) + i * 1000) * 1000);
    CHECK(m.direction == (i % 2 ? Direction::incoming : Direction::outgoing));
    CHECK(m.thread_key == "1");
  }
  // Live records are unchanged by the recovery pass.
  for (size_t i = 0; i < live_msgs.size(); ++i) {
    CHECK(msgs[i].second.text == live_msgs[i].second.text);
    CHECK(msgs[i].first.source_rowid == live_msgs[i].first.source_rowid);
    CHECK_FALSE(msgs[i].first.recovered);
  }
}

// ---- Real data: the SQLite Forensic Corpus (dropped tables) ----

TEST_CASE("recovery: corpus 0A-01 dropped table comes back from the freelist trunk", "[recovery][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "sqlite_recovery/sqlite-dissect/corpus/0A-01.db");
  test::TempDir dir;
  fs::path copy = test::copy_sqlite_to(file, dir.path());
  auto res = recover_filtered(copy);
  REQUIRE(res.rows.size() == 20);
  for (const auto& r : res.rows) {
    CHECK(r.table == "users");
    CHECK(r.table_dropped);
    CHECK(r.detail.find("freelist trunk page 2") != std::string::npos);
  }
  // First row of the answer key (EXPECTED.json): 20001 Emil Becker 522823523 1653469962.37220.
  bool first = false;
  for (const auto& r : res.rows)
    if (r.values[0].i == 20001) {
      first = r.rowid == 1 && r.values[1].s == "Emil" && r.values[2].s == "Becker" &&
              r.values[3].i == 522823523 && std::abs(r.values[4].r - 1653469962.37220) < 1e-4;
    }
  CHECK(first);
}

TEST_CASE("recovery: corpus databases without deleted rows report none", "[recovery][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(corpus, "sqlite_recovery/sqlite-dissect/corpus");
  test::TempDir dir;
  for (const char* name :
       {"01-01.db", "02-02.db", "03-01.db", "04-01.db", "04-02.db", "07-01.db", "07-02.db", "08-01.db"}) {
    INFO(name);
    fs::path copy = test::copy_sqlite_to(corpus / name, dir.path());
    CHECK(recover_filtered(copy).rows.empty());
  }
}

}  // namespace
}  // namespace kanshiki

namespace kanshiki {
namespace {

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

TEST_CASE("recover command: every SQLite item by its header, resumable, evidence untouched", "[recovery][cli]") {
  test::TempDir tmp;
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  fs::path phone = tmp / "phone";
  fs::path app_db = phone / "data/data/com.example.notes/databases/notes.db";
  fs::path odd_name = phone / "data/local/tmp/cache.bin";  // a database whatever its name says
  fs::create_directories(app_db.parent_path());
  fs::create_directories(odd_name.parent_path());
  {
    auto db = make_db(app_db);
    fill_messages(db, 1, 30);
    db.exec("DELETE FROM msgs WHERE id IN (5, 6)");
  }
  {
    auto db = make_db(odd_name);
    fill_messages(db, 100, 120);
    db.exec("DELETE FROM msgs WHERE id = 110");
  }
  {
    std::ofstream(phone / "data/local/tmp/not_sqlite.db") << "plain text, not a database";
  }
  const std::string app_sha = test::file_sha256(app_db), odd_sha = test::file_sha256(odd_name);

  fs::path c = tmp / "case";
  std::string out;
  REQUIRE(test::run_cli("examiner init --name T", &out) == 0);
  REQUIRE(test::run_cli("case create --case " + quoted(c), &out) == 0);
  REQUIRE(test::run_cli("ingest " + quoted(phone) + " --case " + quoted(c) + " --exhibit R-1", &out) == 0);
  REQUIRE(test::run_cli("--json recover --case " + quoted(c), &out) == 0);
  INFO(out);
  CHECK(out.find("\"sqlite_databases\": 2") != std::string::npos);
  CHECK(out.find("\"records\": 3") != std::string::npos);

  {
    sql::Db db(c / "case.db", SQLITE_OPEN_READONLY);
    std::multiset<std::string> texts;
    sql::Stmt st(db,
                 "SELECT item_path, source_table, values_json, source_file, source_offset, confidence, detail "
                 "FROM recovered_records ORDER BY id");
    while (st.step()) {
      auto values = nlohmann::json::parse(st.text(2));
      REQUIRE(values.size() == 3);
      texts.insert(values[1].get<std::string>());
      CHECK(st.text(1) == "msgs");
      CHECK(st.text(3) == "main file");
      CHECK(st.i64(4) > 0);
      CHECK(st.real(5) > 0.5);
      CHECK_FALSE(st.text(6).empty());
    }
    CHECK(texts == std::multiset<std::string>{body_of(5), body_of(6), body_of(110)});
    sql::Stmt items(db, "SELECT count(*) FROM recover_items WHERE status = 'ok'");
    REQUIRE(items.step());
    CHECK(items.i64(0) == 2);
  }

  // Again: nothing new, nothing twice.
  REQUIRE(test::run_cli("--json recover --case " + quoted(c), &out) == 0);
  CHECK(out.find("\"already_done\": 2") != std::string::npos);
  CHECK(out.find("\"records\": 0") != std::string::npos);
  REQUIRE(test::run_cli("custody verify --case " + quoted(c), &out) == 0);
  CHECK(test::file_sha256(app_db) == app_sha);
  CHECK(test::file_sha256(odd_name) == odd_sha);
}

}  // namespace
}  // namespace kanshiki
