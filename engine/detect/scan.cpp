#include "engine/detect/scan.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/case_db.h"
#include "core/error.h"
#include "engine/detect/detectors.h"
#include "engine/progress.h"
#include "hashing/multi_hash.h"

namespace kanshiki::detect {
namespace {

// Every text field worth scanning, as (artifact_id, field name, text). The field name is stored with each hit
// so the examiner sees where in the artifact the match is.
constexpr const char* kTextFieldsSql = R"SQL(
SELECT artifact_id, 'messages.text', text FROM messages WHERE text <> ''
UNION ALL SELECT artifact_id, 'messages.sender', sender FROM messages WHERE sender <> ''
UNION ALL SELECT artifact_id, 'messages.recipients', recipients FROM messages WHERE recipients <> ''
UNION ALL SELECT artifact_id, 'messages.attachments', attachments FROM messages WHERE attachments <> ''
UNION ALL SELECT artifact_id, 'threads.name', name FROM threads WHERE name <> ''
UNION ALL SELECT artifact_id, 'participants.identifier', identifier FROM participants WHERE identifier <> ''
UNION ALL SELECT artifact_id, 'participants.name', name FROM participants WHERE name <> ''
UNION ALL SELECT artifact_id, 'calls.number', number FROM calls WHERE number <> ''
UNION ALL SELECT artifact_id, 'calls.name', name FROM calls WHERE name <> ''
UNION ALL SELECT artifact_id, 'contacts.name', name FROM contacts WHERE name <> ''
UNION ALL SELECT artifact_id, 'contacts.phones', phones FROM contacts WHERE phones <> ''
UNION ALL SELECT artifact_id, 'contacts.emails', emails FROM contacts WHERE emails <> ''
UNION ALL SELECT artifact_id, 'contacts.organization', organization FROM contacts WHERE organization <> ''
UNION ALL SELECT artifact_id, 'contacts.note', note FROM contacts WHERE note <> ''
UNION ALL SELECT artifact_id, 'web_visits.url', url FROM web_visits WHERE url <> ''
UNION ALL SELECT artifact_id, 'web_visits.title', title FROM web_visits WHERE title <> ''
UNION ALL SELECT artifact_id, 'accounts.username', username FROM accounts WHERE username <> ''
UNION ALL SELECT artifact_id, 'accounts.identifier', identifier FROM accounts WHERE identifier <> ''
UNION ALL SELECT artifact_id, 'locations.label', label FROM locations WHERE label <> ''
UNION ALL SELECT artifact_id, 'device_info.value', value FROM device_info WHERE value <> ''
ORDER BY 1
)SQL";

bool is_utf8_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

}  // namespace

Watchlist load_watchlist(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ExitCode::usage, "cannot read watchlist " + file.string());
  Watchlist list;
  list.file = file;
  list.name = file.stem().string();
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  list.sha256 = sha256_hex(content);
  if (content.starts_with("\xEF\xBB\xBF")) content.erase(0, 3);  // a BOM from Windows editors
  size_t pos = 0;
  int line_no = 0;
  while (pos <= content.size()) {
    size_t eol = content.find('\n', pos);
    std::string line = trim(content.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos));
    pos = eol == std::string::npos ? content.size() + 1 : eol + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.starts_with("# name:")) list.name = trim(line.substr(7));
      continue;
    }
    WatchlistEntry e;
    e.line = line_no;
    e.regex = line.starts_with("re:");
    e.term = e.regex ? line.substr(3) : line;
    // Plain terms are literal and case-insensitive; Japanese is matched exactly (PCRE2_UTF). Recovered or
    // damaged text may hold invalid UTF-8: PCRE2_MATCH_INVALID_UTF matches around it instead of failing.
    uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_CASELESS | (e.regex ? 0u : PCRE2_LITERAL);
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(e.term.data()), e.term.size(), flags,
                                     &error, &error_offset, nullptr);
    if (!code) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      throw Error(
          ExitCode::usage,
          fmt::format("watchlist {} line {}: bad regular expression \"{}\" ({} at offset {})", file.string(),
                      line_no, e.term, reinterpret_cast<char*>(message), error_offset));
    }
    e.code.reset(code, pcre2_code_free);
    list.entries.push_back(std::move(e));
  }
  return list;
}

std::vector<std::filesystem::path> default_watchlist_files() {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("KANSHIKI_WATCHLISTS"); env && *env) candidates.emplace_back(env);
#ifdef KANSHIKI_SOURCE_DIR
  candidates.emplace_back(std::filesystem::path(KANSHIKI_SOURCE_DIR) / "data" / "watchlists");
#endif
  candidates.emplace_back("/usr/share/kanshiki/watchlists");
  std::error_code ec;
  for (const auto& dir : candidates) {
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".txt") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
  }
  return {};
}

std::vector<WatchlistMatch> match_watchlist(const Watchlist& list, std::string_view text) {
  std::vector<WatchlistMatch> matches;
  for (const auto& entry : list.entries) {
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(entry.code.get(), nullptr), pcre2_match_data_free);
    PCRE2_SIZE start = 0;
    while (start <= text.size()) {
      int rc = pcre2_match(entry.code.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start, 0,
                           md.get(), nullptr);
      if (rc < 0) break;  // no (further) match; invalid UTF-8 is skipped over (PCRE2_MATCH_INVALID_UTF)
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
      if (ov[1] == ov[0]) {  // an empty match: step one character to avoid looping
        start = ov[1] + 1;
        while (start < text.size() && is_utf8_continuation(static_cast<unsigned char>(text[start]))) ++start;
        continue;
      }
      matches.push_back({ov[0], ov[1] - ov[0], &entry});
      start = ov[1];
    }
  }
  // Overlapping entries of one list ("テレグラ" inside "テレグラム") are one hit: the longest, earliest match
  // wins and matches inside it are dropped, so a mention is not counted twice.
  std::sort(matches.begin(), matches.end(), [](auto& a, auto& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.length > b.length;
  });
  std::vector<WatchlistMatch> kept;
  for (const auto& m : matches) {
    if (!kept.empty() && m.offset < kept.back().offset + kept.back().length) continue;
    kept.push_back(m);
  }
  return kept;
}

std::string hit_context(std::string_view text, size_t offset, size_t length, size_t bytes) {
  size_t begin = offset > bytes ? offset - bytes : 0;
  size_t end = std::min(text.size(), offset + length + bytes);
  while (begin > 0 && is_utf8_continuation(static_cast<unsigned char>(text[begin]))) --begin;
  while (end < text.size() && is_utf8_continuation(static_cast<unsigned char>(text[end]))) ++end;
  std::string out;
  if (begin > 0) out += "…";
  out += text.substr(begin, end - begin);
  if (end < text.size()) out += "…";
  return out;
}

ScanResult scan_case(CaseDb& c, int64_t run_id, const ScanOptions& options) {
  sql::Db& db = c.db();
  nlohmann::json lists = nlohmann::json::array();
  for (const auto& l : options.watchlists)
    lists.push_back(
        {{"name", l.name}, {"file", l.file.string()}, {"sha256", l.sha256}, {"entries", l.entries.size()}});

  ScanResult result;
  sql::Transaction tx(db);
  {
    sql::Stmt st(
        db,
        "INSERT INTO scan_runs(run_id, started_utc, status, detector_version, watchlists) VALUES(?,?,?,?,?)");
    st.bind(1, run_id).bind(2, now_utc_iso()).bind(3, "running").bind(4, std::string(kDetectorVersion));
    st.bind(5, lists.dump());
    st.run();
    result.scan_run_id = db.last_insert_rowid();
  }
  sql::Stmt insert(
      db,
      "INSERT INTO hits(scan_run_id, artifact_id, field, byte_offset, source, category, term, value, "
      "normalized, validation, context) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  auto store = [&](int64_t artifact_id, const std::string& field, size_t offset, const char* source,
                   const std::string& category, const std::string& term, std::string_view value,
                   const std::string& normalized, const std::string& validation, std::string_view text) {
    insert.bind(1, result.scan_run_id)
        .bind(2, artifact_id)
        .bind(3, field)
        .bind(4, static_cast<int64_t>(offset));
    insert.bind(5, source)
        .bind(6, category)
        .bind(7, term)
        .bind(8, value)
        .bind(9, normalized)
        .bind(10, validation);
    insert.bind(11, hit_context(text, offset, value.size()));
    insert.run();
    ++result.hits;
    ++result.by_category[category];
  };

  Progress progress("scan", 0, options.progress);
  sql::Stmt fields(db, kTextFieldsSql);
  int64_t last_artifact = -1;
  uint64_t artifacts_seen = 0;
  while (fields.step()) {
    const int64_t artifact_id = fields.i64(0);
    const std::string field = fields.text(1);
    const std::string text = fields.text(2);
    ++result.fields;
    if (artifact_id != last_artifact) {
      last_artifact = artifact_id;
      if (++artifacts_seen % 1000 == 0) progress.update(0, artifacts_seen);
    }
    if (options.detectors) {
      for (const auto& d : detect_entities(text))
        store(artifact_id, field, d.offset, "detector", d.kind, "", d.value, d.normalized, d.validation,
              text);
    }
    for (const auto& list : options.watchlists) {
      for (const auto& m : match_watchlist(list, text)) {
        std::string_view value = std::string_view(text).substr(m.offset, m.length);
        store(artifact_id, field, m.offset, "watchlist", list.name, m.entry->term, value, std::string(value),
              m.entry->regex ? "regex" : "text", text);
      }
    }
  }
  progress.finish();
  {
    sql::Stmt st(db,
                 "UPDATE scan_runs SET ended_utc=?, status='done', fields_scanned=?, hit_count=? WHERE id=?");
    st.bind(1, now_utc_iso())
        .bind(2, static_cast<int64_t>(result.fields))
        .bind(3, static_cast<int64_t>(result.hits));
    st.bind(4, result.scan_run_id);
    st.run();
  }
  tx.commit();
  return result;
}

}  // namespace kanshiki::detect
