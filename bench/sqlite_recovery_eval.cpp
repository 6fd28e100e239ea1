// sqlite_recovery_eval: measures deleted-record recovery against the SQLite Forensic Corpus answer keys
// (realdata sqlite_recovery/sqlite-dissect/corpus/EXPECTED.json) and runs the WAL/journal pairs, then
// writes the "## SQLite deleted-record recovery" section of docs/validation.md.
//
//   sqlite_recovery_eval [REALDATA_DIR] [VALIDATION_MD]
//
// Every database is copied (with its side files) to a temp folder first; originals are never opened.
// Matching follows SecurityRonin's method: a recovered row is a true positive when its full content equals
// an expected deleted row (multiset); rows equal to a live row are "live re-reported"; the rest are "other".
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/sqlite_forensic/page_reader.h"
#include "core/sqlite_forensic/recovery.h"
#include "core/sqlite_util.h"

namespace fs = std::filesystem;
using namespace kanshiki;
using namespace kanshiki::sqlite_forensic;

namespace {

fs::path copy_with_siblings(const fs::path& src, const fs::path& dir) {
  fs::create_directories(dir);
  fs::path dst = dir / src.filename();
  fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
  for (const char* suffix : {"-wal", "-journal", "-shm"}) {
    fs::path side = src.string() + suffix;
    if (fs::exists(side)) fs::copy_file(side, dst.string() + suffix, fs::copy_options::overwrite_existing);
  }
  return dst;
}

// Compares a recovered value with an answer-key string read with the column's affinity.
bool value_matches(const Value& v, const std::string& expected, const std::string& affinity) {
  if (v.type == Value::Type::text || v.type == Value::Type::blob) return v.s == expected;
  if (v.type == Value::Type::null) return false;
  char* end = nullptr;
  double want = std::strtod(expected.c_str(), &end);
  if (end == expected.c_str() || *end) return false;
  double got = v.type == Value::Type::integer ? static_cast<double>(v.i) : v.r;
  (void)affinity;
  return std::fabs(got - want) <= 1e-6 * std::max(1.0, std::fabs(want));
}

bool row_matches(const RecoveredRow& r, const std::vector<std::string>& expected,
                 const nlohmann::json& cols) {
  if (r.values.size() != expected.size()) return false;
  for (size_t i = 0; i < expected.size(); ++i) {
    // An INTEGER PRIMARY KEY whose rowid was destroyed is unknown, not wrong: compare the other columns.
    if (r.values[i].type == Value::Type::null && !r.rowid && i == 0) continue;
    if (!value_matches(r.values[i], expected[i], cols[i]["affinity"].get<std::string>())) return false;
  }
  return true;
}

struct DbScore {
  std::string file, scenario;
  size_t deleted = 0, recoverable = 0, tp = 0, tp_recoverable = 0, tp_in_page = 0, tp_freelist = 0;
  size_t live_rereported = 0, other = 0, recovered = 0;
  bool crashed = false;
  std::string error;
};

DbScore score_corpus_db(const fs::path& corpus, const std::string& name, const nlohmann::json& db,
                        const fs::path& tmp) {
  DbScore s;
  s.file = name;
  s.scenario = db.value("category_subject", "");
  try {
    fs::path copy = copy_with_siblings(corpus / name, tmp / name);
    RecoveryResult res = recover_file(copy);
    {
      sql::Db live(copy, SQLITE_OPEN_READONLY);
      drop_live_duplicates(live, res);
    }
    s.recovered = res.rows.size();
    for (const auto& t : db["tables"]) {
      const auto& cols = t["columns"];
      std::vector<std::vector<std::string>> deleted =
          t["deleted_rows"].get<std::vector<std::vector<std::string>>>();
      std::vector<std::string> evidence;
      if (t.contains("deleted_rows_raw_evidence"))
        evidence = t["deleted_rows_raw_evidence"].get<std::vector<std::string>>();
      auto live = t["live_rows"].get<std::vector<std::vector<std::string>>>();
      s.deleted += deleted.size();
      for (size_t i = 0; i < deleted.size(); ++i)
        s.recoverable += (i < evidence.size() && evidence[i] == "record_body");
      std::vector<bool> used(deleted.size(), false);
      for (const auto& r : res.rows) {
        bool matched = false;
        for (size_t i = 0; i < deleted.size() && !matched; ++i) {
          if (used[i] || !row_matches(r, deleted[i], cols)) continue;
          used[i] = matched = true;
          ++s.tp;
          if (i < evidence.size() && evidence[i] == "record_body") ++s.tp_recoverable;
          (r.detail.find("freelist") != std::string::npos ? s.tp_freelist : s.tp_in_page)++;
        }
        if (matched) continue;
        bool is_live = false;
        for (const auto& l : live) is_live = is_live || row_matches(r, l, cols);
        // A second copy of an already matched deleted row is neither live nor new: ignore it.
        bool dup = false;
        for (size_t i = 0; i < deleted.size() && !is_live; ++i) dup = dup || row_matches(r, deleted[i], cols);
        if (is_live)
          ++s.live_rereported;
        else if (!dup) {
          ++s.other;
          std::cerr << name << ": unmatched " << r.table
                    << " rowid=" << (r.rowid ? std::to_string(*r.rowid) : "?") << " " << r.detail << " conf "
                    << r.confidence << ":";
          for (const auto& v : r.values) std::cerr << ' ' << v.to_string();
          std::cerr << '\n';
        }
      }
    }
  } catch (const std::exception& e) {
    s.crashed = true;
    s.error = e.what();
  }
  return s;
}

struct PairScore {
  std::string file;
  size_t wal_frames = 0, rows = 0, from_wal = 0, from_journal = 0, from_main = 0, live_rereported = 0;
  bool crashed = false;
  std::string error;
};

PairScore run_pair(const fs::path& db_path, const fs::path& tmp) {
  PairScore p;
  p.file = db_path.filename().string();
  try {
    fs::path copy = copy_with_siblings(db_path, tmp / ("pair-" + p.file));
    RecoveryResult res = recover_file(copy);
    {
      MappedFile wal(copy.string() + "-wal");
      p.wal_frames = read_wal(wal.bytes(), 0).frames.size();
    }
    // Open the copy only after our own reader is done; SQLite may then apply (not checkpoint) the WAL.
    sql::Db live(copy, SQLITE_OPEN_READONLY);
    drop_live_duplicates(live, res);
    p.rows = res.rows.size();
    for (const auto& r : res.rows) {
      (r.file == SourceFile::wal       ? p.from_wal
       : r.file == SourceFile::journal ? p.from_journal
                                       : p.from_main)++;
      // Independent live check: any live row of that table with exactly these values (rowid included).
      if (r.table_dropped || !live.table_exists(r.table)) continue;
      sql::Stmt st(live, "SELECT * FROM \"" + r.table + "\"");
      while (st.step()) {
        bool same = st.column_count() == static_cast<int>(r.values.size());
        for (int i = 0; same && i < st.column_count(); ++i) {
          const Value& v = r.values[i];
          switch (st.type(i)) {
            case SQLITE_INTEGER:
              same = v.type == Value::Type::integer && v.i == st.i64(i);
              break;
            case SQLITE_FLOAT:
              same = (v.type == Value::Type::real && v.r == st.real(i)) ||
                     (v.type == Value::Type::integer && double(v.i) == st.real(i));
              break;
            case SQLITE_NULL:
              same = v.type == Value::Type::null;
              break;
            default:
              same = v.s == std::string(st.type(i) == SQLITE_TEXT ? st.text_view(i) : st.blob(i));
          }
        }
        if (same && r.rowid) {
          p.live_rereported++;
          break;
        }
      }
    }
  } catch (const std::exception& e) {
    p.crashed = true;
    p.error = e.what();
  }
  return p;
}

std::string pct(size_t a, size_t b) {
  return b ? fmt::format("{:.1f} %", 100.0 * double(a) / double(b)) : "–";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--dump") {  // debugging aid: every recovered row of one copy
    RecoveryResult res = recover_file(argv[2]);
    sql::Db live(argv[2], SQLITE_OPEN_READONLY);
    drop_live_duplicates(live, res);
    for (const auto& r : res.rows) {
      std::cout << r.table << " rowid=" << (r.rowid ? std::to_string(*r.rowid) : "?") << " off=" << r.offset
                << " [" << r.detail << "] " << r.how << " conf " << r.confidence << ":";
      for (const auto& v : r.values) std::cout << ' ' << v.to_string();
      std::cout << '\n';
    }
    for (const auto& n : res.notes) std::cout << "note: " << n << '\n';
    return 0;
  }
  fs::path realdata = argc > 1 ? fs::path(argv[1]) : fs::path(KANSHIKI_SOURCE_DIR) / "../shared/realdata";
  fs::path out_md = argc > 2 ? fs::path(argv[2]) : fs::path(KANSHIKI_SOURCE_DIR) / "docs/validation.md";
  fs::path corpus = realdata / "sqlite_recovery/sqlite-dissect/corpus";
  std::ifstream in(corpus / "EXPECTED.json");
  if (!in) {
    std::cerr << "answer key not found: " << (corpus / "EXPECTED.json") << '\n';
    return 2;
  }
  nlohmann::json key = nlohmann::json::parse(in);
  fs::path tmp = fs::temp_directory_path() / fmt::format("kanshiki-recovery-eval-{}", ::getpid());

  std::vector<DbScore> scores;
  for (const auto& [name, db] : key["databases"].items())
    scores.push_back(score_corpus_db(corpus, name, db, tmp));
  std::vector<PairScore> pairs;
  for (const char* rel :
       {"sqlite_recovery/plaso/wal_database.db", "sqlite_recovery/sqlite-dissect/version_history_test.sqlite",
        "sqlite_recovery/sqlite-dissect/chinook.sqlite"})
    if (fs::exists(realdata / rel)) pairs.push_back(run_pair(realdata / rel, tmp));
  fs::remove_all(tmp);

  DbScore total;
  size_t crashes = 0;
  std::ostringstream md;
  md << "## SQLite deleted-record recovery\n\n"
     << "Generated by `build/<dir>/bench/sqlite_recovery_eval` (bench/sqlite_recovery_eval.cpp) over\n"
     << "`realdata/sqlite_recovery/sqlite-dissect/corpus/` (answer key `EXPECTED.json`: corpus ground "
        "truth,\n"
     << "whose live rows equal DC3 sqlite-dissect `corpus_test.py`) and the WAL/journal pairs. Do not edit "
        "by hand.\n\n"
     << "Recoverable = deleted rows whose full record body is still in the file. A true positive equals an\n"
     << "expected deleted row in every column (an INTEGER PRIMARY KEY whose rowid was destroyed is compared "
        "on\n"
     << "the other columns). *Live re-reported* counts recovered rows equal to a live row (goal 0). "
        "*Other*:\n"
     << "recovered rows equal to no expected row, e.g. deleted rows whose last bytes were overwritten (the\n"
     << "command lists them on stderr; such rows carry a lower confidence).\n\n"
     << "| database | scenario | deleted | recoverable | found (in page / freelist) | recall (recoverable) | "
        "recall (all deleted) | live re-reported | other | crash |\n"
     << "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& s : scores) {
    md << fmt::format("| {} | {} | {} | {} | {} ({} / {}) | {} | {} | {} | {} | {} |\n", s.file, s.scenario,
                      s.deleted, s.recoverable, s.tp, s.tp_in_page, s.tp_freelist,
                      pct(s.tp_recoverable, s.recoverable), pct(s.tp, s.deleted), s.live_rereported, s.other,
                      s.crashed ? "**yes**: " + s.error : "no");
    total.deleted += s.deleted;
    total.recoverable += s.recoverable;
    total.tp += s.tp;
    total.tp_recoverable += s.tp_recoverable;
    total.tp_in_page += s.tp_in_page;
    total.tp_freelist += s.tp_freelist;
    total.live_rereported += s.live_rereported;
    total.other += s.other;
    crashes += s.crashed;
  }
  md << fmt::format("| **total** | | {} | {} | {} ({} / {}) | **{}** | {} | **{}** | {} | {} |\n\n",
                    total.deleted, total.recoverable, total.tp, total.tp_in_page, total.tp_freelist,
                    pct(total.tp_recoverable, total.recoverable), pct(total.tp, total.deleted),
                    total.live_rereported, total.other, crashes);
  md << "WAL and rollback-journal pairs (no answer key: rows recovered from older page versions; a row is\n"
     << "counted as *live re-reported* when a live row has exactly its rowid and values):\n\n"
     << "| database | WAL frames | rows recovered | from WAL | from journal | from main file | live "
        "re-reported | crash |\n"
     << "|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& p : pairs) {
    md << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", p.file, p.wal_frames, p.rows, p.from_wal,
                      p.from_journal, p.from_main, p.live_rereported,
                      p.crashed ? "**yes**: " + p.error : "no");
    crashes += p.crashed;
  }
  md << '\n';

  // Replace only our own section of docs/validation.md.
  std::string doc;
  if (std::ifstream f(out_md); f) doc.assign(std::istreambuf_iterator<char>(f), {});
  const std::string heading = "## SQLite deleted-record recovery";
  size_t start = doc.find(heading);
  if (start == std::string::npos) {
    if (doc.empty()) doc = "# Validation\n\n";
    if (doc.back() != '\n') doc += '\n';
    if (doc.size() < 2 || doc.substr(doc.size() - 2) != "\n\n") doc += '\n';
    doc += md.str();
  } else {
    size_t end = doc.find("\n## ", start + heading.size());
    doc.replace(start, end == std::string::npos ? std::string::npos : end + 1 - start, md.str());
  }
  std::ofstream(out_md) << doc;
  std::cout << md.str();
  return crashes ? 1 : 0;
}
