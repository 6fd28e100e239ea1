// bench_recovery: scan speed of deleted-record recovery (core/sqlite_forensic) on one core.
//
//   bench_recovery [MB]     (default 64: size of the generated database)
//
// Generates two messages databases (secure_delete OFF): typical (2 % of rows deleted in place) and heavy
// (33 %), each with a tenth of its rows deleted as a block (freelist pages), and times recover() on the
// memory-mapped file. Target: >= 200
// MB/s of database pages.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/sqlite_forensic/page_reader.h"
#include "core/sqlite_forensic/recovery.h"
#include "core/sqlite_util.h"

namespace fs = std::filesystem;
using namespace kanshiki;

namespace {

// Builds a database of about `mb` MB where every `nth` row is deleted in place and a tenth of the rows is
// deleted as a block (whole pages go to the freelist); returns its path.
fs::path make_db(const fs::path& dir, double mb, int nth) {
  fs::path p = dir / fmt::format("bench-{}.db", nth);
  sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec("PRAGMA secure_delete=OFF; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
  db.exec(
      "CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_id INTEGER, from_me INTEGER, ts INTEGER, "
      "text TEXT, status INTEGER)");
  sql::Transaction tx(db);
  sql::Stmt ins(db, "INSERT INTO message(chat_id, from_me, ts, text, status) VALUES (?1, ?2, ?3, ?4, ?5)");
  int64_t rows = static_cast<int64_t>(mb * 1024 * 1024 / 75);
  for (int64_t i = 0; i < rows; ++i)
    ins.bind(1, i % 97)
        .bind(2, i % 2)
        .bind(3, int64_t(1700000000000) + i * 1000)
        .bind(4, fmt::format("メッセージ {} about the meeting at station {}", i, i % 13))
        .bind(5, i % 5)
        .run();
  tx.commit();
  db.exec(fmt::format("DELETE FROM message WHERE _id % {} = 0", nth));
  db.exec(fmt::format("DELETE FROM message WHERE _id BETWEEN {} AND {}", rows / 2, rows / 2 + rows / 10));
  return p;
}

void measure(const fs::path& p, const char* label) {
  double file_mb = static_cast<double>(fs::file_size(p)) / (1024 * 1024);
  sqlite_forensic::MappedFile f(p);
  double best = 1e9;
  size_t rows_found = 0;
  uint64_t scanned = 0;
  for (int run = 0; run < 3; ++run) {
    auto t0 = std::chrono::steady_clock::now();
    auto res = sqlite_forensic::recover(f.bytes(), {}, {});
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    rows_found = res.rows.size();
    scanned = res.bytes_scanned;
  }
  double scanned_mb = static_cast<double>(scanned) / (1024 * 1024);
  std::cout << fmt::format(
      "{}: file {:.1f} MB, pages examined {:.1f} MB, {} candidate rows, best of 3: {:.3f} s, "
      "{:.0f} MB/s of examined pages (target >= 200)\n",
      label, file_mb, scanned_mb, rows_found, best, scanned_mb / best);
}

}  // namespace

int main(int argc, char** argv) {
  double target_mb = argc > 1 ? std::atof(argv[1]) : 64;
  fs::path dir = fs::temp_directory_path() / fmt::format("kanshiki-bench-recovery-{}", ::getpid());
  fs::create_directories(dir);
  measure(make_db(dir, target_mb, 50), "typical (2 % deleted in place, 10 % as a block)");
  measure(make_db(dir, target_mb, 3), "heavy (33 % deleted in place, 10 % as a block)");
  fs::remove_all(dir);
  return 0;
}
