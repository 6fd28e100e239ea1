#pragma once
// The content of the court report, independent of its rendering (HTML in report/html_report.cpp, PDF in
// report/pdf/). Sections follow SWGDE's "Requirements for Report Writing", ISO/IEC 27042 and NIST CFTT:
//   1 administrative information   5 integrity (hashes, exported files, fresh verify)
//   2 evidence items (facts+hashes) 6 results (tagged findings by default, or all)
//   3 chain of custody + verification  7 limitations
//   4 method                        8 examiner and reviewer;  appendix: hash manifest
// Everything except the findings and the manifest is small and gathered up front (CourtReport); findings and
// manifest rows are streamed from SQLite cursors (FindingCursor, ManifestCursor) so a million findings never
// sit in memory. All user-facing strings come from one table in both languages (court_text()).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/custody.h"
#include "core/sqlite_util.h"
#include "engine/engine.h"
#include "report/known_files_section.h"

namespace kanshiki {

class CaseDb;

enum class FindingScope { tagged, all };

// Section headings and fixed labels in one language.
struct CourtText {
  std::string_view title, subtitle, contents, page, of_pages, case_number, not_stated, scope_tagged,
      scope_all;
  std::string_view s_admin, s_items, s_custody, s_method, s_integrity, s_results, s_limitations, s_signoff,
      s_appendix;
  std::string_view verified_ok, verified_failed, originals_unmodified, originals_modified,
      tz_statement_default, method_intro, no_findings, recovered, tags, examiner, reviewer, signature, date,
      fingerprint;
};
const CourtText& court_text(bool ja);

// Japanese or English label of an artifact type / artifact table column (falls back to the raw name).
std::string_view artifact_type_label(std::string_view type, bool ja);
std::string_view artifact_column_label(std::string_view column, bool ja);

using LabelValue = std::pair<std::string, std::string>;

struct CourtEvidenceItem {
  int64_t id = 0;
  // derived_from: "E<n> item <id>: <path>" when this evidence was made from an item of other evidence
  // (decryption); derivation: how the items were read (the decryption, the decoded view of an .ab, the
  // disk image's partitions and media hashes), empty when read directly.
  std::string derived_from;
  std::string exhibit, label, source_path, kind, status, ingested_utc, md5, sha1, sha256, derivation,
      manifest_path, manifest_sha256;
  int64_t items = 0, bytes = 0, problems = 0;
  std::vector<LabelValue> facts;  // make, model, IMEI, seals, ... in kEvidenceFactKeys order (set ones only)
};

struct CourtCustodyRow {
  int64_t seq = 0;
  std::string utc, examiner, action, status, detail, entry_hash;
};

struct CourtParserUse {
  std::string id, version;
  int64_t files = 0, artifacts = 0, warnings = 0, not_ok = 0;
  std::vector<std::string> limitations;
};

struct CourtFile {  // an exported or reported file named in the custody log with its hash
  int64_t seq = 0;
  std::string action, utc, path, sha256;
};

struct CourtTypeCount {
  std::string type, table;
  int64_t total = 0, in_scope = 0, recovered = 0;
};

struct CourtReport {
  bool ja = true;
  FindingScope scope = FindingScope::tagged;
  int offset_minutes = 540;
  std::string case_number, case_created_utc, generated_utc, tool;
  std::vector<LabelValue> admin;  // every kCaseFactKeys entry; unset ones say "not stated"
  std::vector<CourtEvidenceItem> evidence;
  std::vector<CourtCustodyRow> custody;
  CustodyVerification custody_verification;
  VerifyResult verify;             // the fresh verify run at report time
  std::vector<LabelValue> method;  // tool, extraction types, deviations, time-zone statement
  std::vector<CourtParserUse> parsers;
  std::vector<CourtFile> exported_files;
  std::vector<CourtTypeCount> types;
  int64_t findings_in_scope = 0, tagged_artifacts = 0;
  std::vector<LabelValue> warnings_by_severity;
  std::vector<std::string> failures;  // failed parser runs / error warnings (capped, see failures_total)
  int64_t failures_total = 0;
  std::string examiner_name, examiner_fingerprint, examiner_title, reviewer, reviewer_title, review_date;
  std::vector<LabelValue> examiners;  // every examiner in the case: name, fingerprint
  // Hash sets and their matches; empty without `hashset import`.
  std::optional<report::KnownFiles> known_files;
};

// Gathers everything but findings and manifest. `fresh_verify` is the verify run made for this report.
CourtReport gather_court_report(CaseDb& c, bool ja, FindingScope scope, int offset_minutes,
                                const VerifyResult& fresh_verify, const std::string& examiner_name,
                                const std::string& examiner_fingerprint);

// One finding as printed: type fields as label/value lines (Japanese exact), provenance and tags.
struct Finding {
  int64_t id = 0;
  std::string time_utc, time_local;  // empty when the artifact has no time
  std::vector<LabelValue> fields;    // non-empty type columns, labelled, in display order
  std::string evidence, item_path, item_sha256, location, parser;  // location: "table rowid N" / offset
  bool recovered = false;
  std::string tags;  // "tag (note); ..." when tagged
  // Media: the thumbnail made by `kanshiki thumbnails`, relative to the case folder ("" when there is none).
  std::string thumbnail;
};

// Streams the findings of one artifact type in time order (the artifacts_type_time index; no sorting).
class FindingCursor {
 public:
  FindingCursor(sql::Db& db, std::string_view type, std::string_view table, FindingScope scope, bool ja,
                int offset_minutes);
  ~FindingCursor();
  FindingCursor(const FindingCursor&) = delete;
  FindingCursor& operator=(const FindingCursor&) = delete;
  bool next(Finding& out);

 private:
  struct Impl;
  Impl* impl_;
};

// Streams every item of every evidence (the hash manifest), ordered by evidence then path.
struct ManifestRow {
  int64_t evidence_id = 0, size = 0;
  std::string path, md5, sha1, sha256;
};
class ManifestCursor {
 public:
  explicit ManifestCursor(sql::Db& db);
  bool next(ManifestRow& out);
  int64_t count() const { return count_; }

 private:
  sql::Stmt st_;
  int64_t count_ = 0;
};

// "UTC+09:00"
std::string utc_offset_label(int offset_minutes);

}  // namespace kanshiki
