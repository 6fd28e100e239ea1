#include "report/report_common.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/error.h"

namespace kanshiki::report {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------------------
// AtomicFile

AtomicFile::AtomicFile(fs::path path) : path_(std::move(path)) {
  tmp_ = path_;
  tmp_ += ".tmp";
  file_ = std::fopen(tmp_.c_str(), "wb");
  if (!file_) fail("cannot create");
  // A large buffer keeps a 1M-row report from making millions of small write() calls.
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (file_) std::fclose(file_);
  std::error_code ec;
  fs::remove(tmp_, ec);
}

void AtomicFile::fail(const std::string& what) {
  const int err = errno;
  std::string msg = what + " " + tmp_.string() + ": " + std::strerror(err);
  throw Error(err == ENOSPC || err == EDQUOT ? ExitCode::disk_full : ExitCode::failure, msg);
}

void AtomicFile::write(std::string_view s) {
  if (s.empty()) return;
  if (std::fwrite(s.data(), 1, s.size(), file_) != s.size()) fail("cannot write");
}

void AtomicFile::commit() {
  if (std::fflush(file_) != 0) fail("cannot write");
  if (::fsync(::fileno(file_)) != 0) fail("cannot sync");
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) fail("cannot close");
  std::error_code ec;
  fs::rename(tmp_, path_, ec);
  if (ec)
    throw Error(ExitCode::failure,
                "cannot rename " + tmp_.string() + " to " + path_.string() + ": " + ec.message());
  committed_ = true;
}

// ---------------------------------------------------------------------------------------------------------
// ReadSnapshot

ReadSnapshot::ReadSnapshot(sql::Db& db) : db_(db) {
  if (sqlite3_get_autocommit(db_.get()) == 0) return;  // the caller's transaction already pins a snapshot
  db_.exec("BEGIN DEFERRED");
  owned_ = true;
}

ReadSnapshot::~ReadSnapshot() {
  if (owned_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

// ---------------------------------------------------------------------------------------------------------
// Artifact layout

namespace {
// Schema facts (core/case_schema.h): which columns hold flags and which hold JSON arrays.
constexpr std::array<std::string_view, 4> kBooleanColumns = {"edited", "deleted", "is_group", "video"};
constexpr std::array<std::string_view, 4> kJsonArrayColumns = {"recipients", "phones", "emails",
                                                               "attachments"};

bool contains(const auto& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string quoted_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}
}  // namespace

ArtifactLayout artifact_layout(const sql::Db& db, std::string_view type, std::string_view table) {
  ArtifactLayout layout;
  layout.type = std::string(type);
  layout.table = std::string(table);
  const std::vector<std::string> names = db.columns(table);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };

  std::string select =
      "SELECT a.id, a.evidence_id, a.item_id, a.item_path, a.item_sha256, a.source_table, a.source_rowid, "
      "a.source_offset, a.source_detail, a.parser_id, a.parser_version, a.recovered, a.time_utc_us";
  int index = kProvenanceColumnCount;
  for (const std::string& name : names) {
    if (name == "artifact_id") continue;
    const std::string_view n = name;
    if (n.ends_with("_epoch") || n.ends_with("_utc")) {
      const std::string base(n.substr(0, n.rfind('_')));
      if (has(base + "_raw") && has(base + "_epoch") && has(base + "_utc")) continue;  // part of a triplet
    }
    ArtifactColumn col{name, ColumnKind::value, index};
    if (n.ends_with("_raw")) {
      const std::string base(n.substr(0, n.size() - 4));
      if (has(base + "_epoch") && has(base + "_utc")) {
        col = {base, ColumnKind::time, index};
        for (const char* suffix : {"_raw", "_epoch", "_utc"})
          select += ", t." + quoted_identifier(base + suffix);
        index += 3;
        layout.columns.push_back(std::move(col));
        continue;
      }
    }
    if (contains(kBooleanColumns, n)) col.kind = ColumnKind::boolean;
    if (contains(kJsonArrayColumns, n)) col.kind = ColumnKind::json_array;
    select += ", t." + quoted_identifier(name);
    ++index;
    layout.columns.push_back(std::move(col));
  }
  select += " FROM artifacts a";
  if (!names.empty()) select += " LEFT JOIN " + quoted_identifier(table) + " t ON t.artifact_id = a.id";
  select += " WHERE a.type = ?1 ORDER BY a.time_utc_us, a.id";
  layout.select_sql = std::move(select);
  return layout;
}

int64_t artifact_count(const sql::Db& db, std::string_view type) {
  sql::Stmt st(db, "SELECT COUNT(*) FROM artifacts WHERE type = ?1");
  st.bind(1, type);
  return st.step() ? st.i64(0) : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Escaping

void append_html_escaped(std::string& out, std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += ch;
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789ABCDEF";
          out += "<span class=\"ctl\">\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
          out += "</span>";
        } else {
          out += ch;  // UTF-8 bytes pass through untouched: Japanese stays byte-exact
        }
    }
  }
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  append_html_escaped(out, s);
  return out;
}

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string format_real(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

}  // namespace kanshiki::report
