#pragma once
// Examiner tags on findings and the administrative facts of a case and its evidence items.
//
// Tags mark the findings a court report shows by default ("tagged findings"); every change is a signed
// custody entry ("tag" / "untag") whose seq is stored beside the tag. Case and evidence facts (lab, agency
// case number, legal authority, device make/model/IMEI, seals, ...) are what SWGDE and ISO/IEC 27042 ask a
// report to state; they are keyed by a fixed, documented list (kCaseFactKeys / kEvidenceFactKeys, listed in
// docs/cli.md) so a typo cannot silently create a fact no report prints. Setting facts is custody-logged too
// ("case set" / "evidence set").
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case_db.h"
#include "core/examiner.h"

namespace kanshiki {

struct Tag {
  int64_t id;
  int64_t artifact_id;
  std::string tag;
  std::string note;
  std::string examiner;
  std::string created_utc;
};

// Adds a tag to an artifact and appends a signed custody entry ("tag"); throws Error(usage) for an unknown
// artifact.
int64_t add_tag(CaseDb& db, const Examiner& examiner, int64_t artifact_id, const std::string& tag,
                const std::string& note = "");
// Removes a tag (custody entry "untag").
void remove_tag(CaseDb& db, const Examiner& examiner, int64_t tag_id);
std::vector<Tag> tags_for_artifact(CaseDb& db, int64_t artifact_id);
std::vector<std::string> tag_names(CaseDb& db);  // distinct, sorted
// Every tag of the case, ordered by artifact then tag id (for `kanshiki tags` and reports).
std::vector<Tag> all_tags(CaseDb& db);

// One administrative fact a report prints, with its label in both report languages.
struct FactKey {
  std::string_view key, label_en, label_ja;
};

inline constexpr std::array<FactKey, 18> kCaseFactKeys = {{
    {"lab", "Laboratory", "鑑定機関"},
    {"lab_case_id", "Laboratory case number", "鑑定機関の受付番号"},
    {"agency_case_number", "Agency case number", "事件番号"},
    {"requester", "Requested by", "嘱託者"},
    {"requesting_agency", "Requesting agency", "嘱託機関"},
    {"request_date", "Date of request", "嘱託日"},
    {"offence", "Offence", "罪名"},
    {"legal_authority", "Legal authority", "法的根拠（令状等）"},
    {"purpose", "Purpose of examination", "鑑定事項"},
    {"report_date", "Date of report", "報告日"},
    {"supplemental", "Supplemental report (yes/no; which report it supplements)",
     "補充報告（有無・対象報告）"},
    {"extraction_type", "Extraction type", "抽出の種類"},
    {"deviations", "Deviations from standard procedure", "標準手順からの逸脱"},
    {"time_zone", "Time-zone statement", "タイムゾーンに関する記載"},
    {"examiner_title", "Examiner title / qualification", "鑑定人の職・資格"},
    {"reviewer", "Reviewer", "確認者"},
    {"reviewer_title", "Reviewer title", "確認者の職"},
    {"review_date", "Date of review", "確認日"},
}};

inline constexpr std::array<FactKey, 14> kEvidenceFactKeys = {{
    {"make", "Make", "メーカー"},
    {"model", "Model", "機種"},
    {"serial", "Serial number", "製造番号"},
    {"imei", "IMEI", "IMEI"},
    {"iccid", "ICCID", "ICCID"},
    {"phone_number", "Phone number", "電話番号"},
    {"os_version", "Operating system", "OS バージョン"},
    {"condition", "Condition when received", "受領時の状態"},
    {"seal_numbers", "Seal numbers", "封印番号"},
    {"received_from", "Received from", "受領元"},
    {"received_how", "How received", "受領方法"},
    {"received_utc", "When received", "受領日時"},
    {"extraction_type", "Extraction type", "抽出の種類"},
    {"notes", "Notes", "備考"},
}};

const FactKey* find_case_fact_key(std::string_view key);
const FactKey* find_evidence_fact_key(std::string_view key);

// Sets (or, with an empty value, clears) case facts in one transaction and one custody entry ("case set").
// Throws Error(usage) naming the valid keys when a key is not in kCaseFactKeys.
void set_case_facts(CaseDb& db, const Examiner& examiner, const std::map<std::string, std::string>& facts);
// Same for one evidence item, found by exhibit number ("evidence set"); throws Error(usage) for an unknown
// exhibit.
void set_evidence_facts(CaseDb& db, const Examiner& examiner, const std::string& exhibit,
                        const std::map<std::string, std::string>& facts);
std::map<std::string, std::string> case_facts(CaseDb& db);
std::map<std::string, std::string> evidence_facts(CaseDb& db, int64_t evidence_id);

// Splits "KEY=VALUE" command-line words; throws Error(usage) for a word without '='.
std::map<std::string, std::string> parse_fact_assignments(const std::vector<std::string>& words);

}  // namespace kanshiki
