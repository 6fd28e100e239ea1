#pragma once
// Private helpers shared by the HTML report and the exports: the column layout of each artifact type (read
// from the case database, so a column added by a later migration shows up without code changes), the one
// streaming cursor per type, escaping, and files that only appear under their final name once complete.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/sqlite_util.h"

namespace kanshiki::report {

// Writes `path` as `path.tmp` and renames it over `path` in commit(), so a killed or failed run never leaves
// a half-written file under the real name. Buffered; write errors throw Error (ENOSPC -> disk_full).
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();  // removes the .tmp file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view s);
  AtomicFile& operator<<(std::string_view s) {
    write(s);
    return *this;
  }
  void commit();  // flush, fsync, close, rename
  const std::filesystem::path& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what);
  std::filesystem::path path_, tmp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

// A read transaction around a whole report/export, so every page and count comes from one consistent
// snapshot even while another process appends (WAL). Joins the caller's transaction when one is open.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(sql::Db& db);
  ~ReadSnapshot();  // ends the read transaction (nothing was written, so ROLLBACK == COMMIT)
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  sql::Db& db_;
  bool owned_ = false;
};

// How a column of an artifact type table is rendered/exported.
enum class ColumnKind {
  value,       // scalar as stored (text, integer, real or NULL)
  boolean,     // 0/1 flag (edited, deleted, is_group, video)
  json_array,  // JSON array stored as text (recipients, phones, emails, attachments)
  time,        // the triplet <base>_raw, <base>_epoch, <base>_utc
};

struct ArtifactColumn {
  std::string name;  // the column name; for time columns the base ("time" for time_raw/time_epoch/time_utc)
  ColumnKind kind = ColumnKind::value;
  int index = 0;  // result column of the value in the cursor (time: *_raw; *_epoch and *_utc follow)
};

// Result columns of the provenance part of every artifact cursor, in this order.
enum ProvenanceColumn : int {
  kArtifactId = 0,
  kEvidenceId,
  kItemId,
  kItemPath,
  kItemSha256,
  kSourceTable,
  kSourceRowid,
  kSourceOffset,
  kSourceDetail,
  kParserId,
  kParserVersion,
  kRecovered,
  kTimeUtcUs,
  kProvenanceColumnCount,
};

struct ArtifactLayout {
  std::string type, table;
  std::vector<ArtifactColumn> columns;  // table order, artifact_id excluded
  // One cursor over every artifact of the type: provenance columns then the type columns, ordered by the
  // artifact's time then id. It walks the artifacts_type_time index, so SQLite never sorts (nothing is held
  // in memory) and an artifact without its type row still appears (LEFT JOIN) instead of vanishing.
  std::string select_sql;  // bind ?1 = type
};

ArtifactLayout artifact_layout(const sql::Db& db, std::string_view type, std::string_view table);

// Number of artifacts of a type (the cursor above yields exactly this many rows).
int64_t artifact_count(const sql::Db& db, std::string_view type);

// Appends s with & < > " ' escaped; C0 control characters (other than tab, LF, CR) are shown as a visible
// \xNN so they can neither break the page nor disappear.
void append_html_escaped(std::string& out, std::string_view s);
std::string html_escape(std::string_view s);

// RFC 4180 field: quoted (with "" for ") when it contains a comma, quote, CR or LF; otherwise as is.
void append_csv_field(std::string& out, std::string_view s);

// Shortest text that reads back as the same double (latitude/longitude stay exact).
std::string format_real(double v);

}  // namespace kanshiki::report
