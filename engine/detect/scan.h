#pragma once
// `kanshiki scan`: runs the entity detectors and the watchlists over every text field of every artifact
// (message bodies, contact names/numbers/notes, web visits, call numbers, account ids, ...) and stores each
// hit with the artifact it came from (the artifact row carries evidence id, item path and SHA-256, source
// table, rowid, parser and version, recovered flag). One scan is one transaction: a killed scan leaves
// nothing.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kanshiki {
class CaseDb;
}

namespace kanshiki::detect {

struct WatchlistEntry {
  std::string term;  // as written in the file ("re:" prefix removed for regexes)
  bool regex = false;
  int line = 0;
  std::shared_ptr<pcre2_code> code;
};

struct Watchlist {
  std::string name;  // "# name:" header, else the file stem
  std::filesystem::path file;
  std::string sha256;
  std::vector<WatchlistEntry> entries;
};

// Reads and compiles a list; throws Error(usage) naming the file and line of a bad regular expression.
Watchlist load_watchlist(const std::filesystem::path& file);
// The shipped lists: $KANSHIKI_WATCHLISTS, else <source>/data/watchlists, else
// /usr/share/kanshiki/watchlists.
std::vector<std::filesystem::path> default_watchlist_files();

struct WatchlistMatch {
  size_t offset = 0, length = 0;
  const WatchlistEntry* entry = nullptr;
};
std::vector<WatchlistMatch> match_watchlist(const Watchlist& list, std::string_view text);

// Up to `bytes` bytes either side of [offset, offset+length), widened/narrowed to UTF-8 character boundaries.
std::string hit_context(std::string_view text, size_t offset, size_t length, size_t bytes = 60);

struct ScanOptions {
  std::vector<Watchlist> watchlists;
  bool detectors = true;
  bool progress = false;
};

struct ScanResult {
  int64_t scan_run_id = 0;
  uint64_t fields = 0, hits = 0;
  std::map<std::string, uint64_t> by_category;
};

ScanResult scan_case(CaseDb& c, int64_t run_id, const ScanOptions& options);

}  // namespace kanshiki::detect
