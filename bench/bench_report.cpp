// Times the HTML report and the JSONL/CSV exports over generated cases of N/10 and N messages (default
// N = 1,000,000) and prints each step's peak RSS. Each step runs in its own forked process so its peak RSS is
// its own; streaming is working when peak RSS minus SQLite's heap (its page cache, capped by the case's
// cache_size) stays flat from N/10 to N rows.
//
//   bench_report [rows] [work_dir]      (work_dir default: a fresh folder under $TMPDIR, removed afterwards)
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "core/case_db.h"
#include "report/case_uco.h"
#include "report/export.h"
#include "report/sheet_export.h"
#include "report/html_report.h"

using namespace kanshiki;
namespace fs = std::filesystem;

namespace {

// SQLite's own heap high-water mark (page cache included; the case opens with cache_size = 64 MiB). Peak RSS
// minus this is what the report/export itself holds, which must not grow with the row count.
double sqlite_peak_mb() { return static_cast<double>(sqlite3_memory_highwater(0)) / (1024.0 * 1024.0); }

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Runs fn in a child process; returns false when it failed.
bool in_child(const std::function<void()>& fn) {
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int code = 0;
    try {
      fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_report: %s\n", e.what());
      code = 1;
    }
    std::fflush(stdout);
    std::_Exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void generate(const fs::path& case_dir, int64_t rows) {
  const auto t0 = std::chrono::steady_clock::now();
  CaseDb c = CaseDb::create(case_dir, fmt::format("BENCH-{}", rows));
  const int64_t run = c.begin_run("process", "bench_report", "bench");
  c.db().exec(
      "INSERT INTO evidence(id, exhibit, source_path, source_kind, status, ingested_utc) VALUES(1, 'E1', "
      "'/bench', "
      "'folder', 'ok', '2024-01-01T00:00:00.000Z');"
      "INSERT INTO items(id, evidence_id, path, physical, size, md5, sha1, sha256) VALUES(1, 1, "
      "'data/data/com.android.providers.telephony/databases/mmssms.db', 'mmssms.db', 1, 'm', 's', "
      "'0000000000000000000000000000000000000000000000000000000000000000');"
      "INSERT INTO parser_runs(id, run_id, evidence_id, item_id, parser_id, parser_version, status, "
      "started_utc, "
      "ended_utc) VALUES(1, 1, 1, 1, 'android.sms', '1.0.0', 'ok', 't', 't')");
  constexpr int64_t kBatch = 50'000;
  for (int64_t start = 0; start < rows; start += kBatch) {
    sql::Transaction tx(c.db());
    ArtifactWriter w(c, run, 1);
    for (int64_t i = start; i < std::min(rows, start + kBatch); ++i) {
      Record r;
      r.provenance.evidence_id = 1;
      r.provenance.item_id = 1;
      r.provenance.item_path = "data/data/com.android.providers.telephony/databases/mmssms.db";
      r.provenance.item_sha256 = std::string(64, '0');
      r.provenance.source_table = "sms";
      r.provenance.source_rowid = i + 1;
      r.provenance.parser_id = "android.sms";
      r.provenance.parser_version = "1.0.0";
      r.provenance.recovered = i % 1000 == 999;
      Message m;
      m.app = "sms";
      m.thread_key = std::to_string(i % 500);
      m.sender = fmt::format("+8190{:08}", i % 100'000);
      m.sender_name = "山田 太郎";
      m.recipients = {"+819011112222"};
      m.direction = i % 2 ? Direction::incoming : Direction::outgoing;
      m.time = Timestamp::from_int(1'700'000'000'000 + i * 1'000, EpochKind::unix_ms);
      m.text = fmt::format(
          "「ホワイト案件、即日即金」 メッセージ番号 {} <b>escaped</b> & more text to reach a typical length",
          i);
      m.kind = "sms";
      r.data = std::move(m);
      w.emit(std::move(r));
    }
    tx.commit();
  }
  c.end_run(run, "ok");
  std::printf("bench_report rows=%lld generate: %.1f s\n", static_cast<long long>(rows), seconds_since(t0));
}

void bench_html(const fs::path& case_dir, int64_t rows) {
  CaseDb c = CaseDb::open(case_dir);
  const auto t0 = std::chrono::steady_clock::now();
  HtmlReportOptions o;
  o.output = c.reports_dir() / "report.html";
  o.rows_per_page = 1000;
  const ReportResult r = write_html_report(c, o);
  const double s = seconds_since(t0);
  uintmax_t bytes = 0;
  for (const auto& f : r.files) bytes += fs::file_size(f);
  std::printf("bench_report rows=%lld html: %.1f s (%.0f rows/s), %zu files, %.1f MB, peak RSS %.1f MB (SQLite heap %.1f MB)\n",
              static_cast<long long>(rows), s, static_cast<double>(rows) / s, r.files.size(),
              static_cast<double>(bytes) / 1e6, peak_rss_mb(), sqlite_peak_mb());
}

void bench_export(const fs::path& case_dir, int64_t rows, ExportFormat format) {
  CaseDb c = CaseDb::open(case_dir);
  const char* name = format == ExportFormat::jsonl ? "jsonl" : "csv";
  const fs::path out_path = case_dir / fmt::format("export.{}", name);
  const auto t0 = std::chrono::steady_clock::now();
  size_t n = 0;
  {
    std::ofstream out(out_path, std::ios::binary);
    n = export_artifacts(c, format, out);
  }
  const double s = seconds_since(t0);
  std::printf("bench_report rows=%lld %s: %.1f s (%.0f rows/s), %zu artifacts, %.1f MB, peak RSS %.1f MB (SQLite heap %.1f MB)\n",
              static_cast<long long>(rows), name, s, static_cast<double>(n) / s, n,
              static_cast<double>(fs::file_size(out_path)) / 1e6, peak_rss_mb(), sqlite_peak_mb());
}

// CASE/UCO JSON-LD and XLSX (docs/exports.md): both stream, so peak RSS must stay flat from N/10 to N too.
void bench_standard_exports(const fs::path& case_dir, int64_t rows, bool xlsx) {
  CaseDb c = CaseDb::open(case_dir);
  const fs::path out_path = case_dir / (xlsx ? "export.xlsx" : "export.jsonld");
  const auto t0 = std::chrono::steady_clock::now();
  size_t n = 0;
  if (xlsx) {
    n = export_xlsx(c, out_path).artifacts;
  } else {
    std::ofstream out(out_path, std::ios::binary);
    n = export_case_uco(c, out).artifacts;
  }
  const double s = seconds_since(t0);
  std::printf("bench_report rows=%lld %s: %.1f s (%.0f rows/s), %zu artifacts, %.1f MB, peak RSS %.1f MB (SQLite heap %.1f MB)\n",
              static_cast<long long>(rows), xlsx ? "xlsx" : "case-uco", s, static_cast<double>(n) / s, n,
              static_cast<double>(fs::file_size(out_path)) / 1e6, peak_rss_mb(), sqlite_peak_mb());
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const bool own_dir = argc <= 2;
  const fs::path work = own_dir
                            ? fs::temp_directory_path() / fmt::format("kanshiki-bench-report-{}", ::getpid())
                            : fs::path(argv[2]);
  if (rows <= 0) {
    std::fprintf(stderr, "usage: bench_report [rows] [work_dir]\n");
    return 2;
  }
  bool ok = true;
  for (const int64_t n : {std::max<int64_t>(1, rows / 10), rows}) {
    const fs::path case_dir = work / fmt::format("case-{}", n);
    fs::remove_all(case_dir);
    ok = ok && in_child([&] { generate(case_dir, n); });
    ok = ok && in_child([&] { bench_html(case_dir, n); });
    ok = ok && in_child([&] { bench_export(case_dir, n, ExportFormat::jsonl); });
    ok = ok && in_child([&] { bench_export(case_dir, n, ExportFormat::csv); });
    ok = ok && in_child([&] { bench_standard_exports(case_dir, n, false); });
    ok = ok && in_child([&] { bench_standard_exports(case_dir, n, true); });
  }
  if (own_dir) fs::remove_all(work);
  return ok ? 0 : 1;
}
