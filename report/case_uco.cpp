// CASE/UCO JSON-LD export. Mapping (also in docs/exports.md):
//   case                      -> investigation:Investigation (+ investigation:Authorization from the legal
//   authority fact) custody entry             -> investigation:InvestigativeAction (performer = examiner
//   identity:Person,
//                                instrument = Kanshiki tool:Tool of that version, result = files with
//                                SHA-256)
//   parser run                -> InvestigativeAction "parse" (+ "recover" when it recovered deleted records),
//                                instrument = the parser as tool:Tool with its version, object = the item
//                                File
//   evidence                  -> investigation:ProvenanceRecord (exhibit number) over an
//   observable:MobileDevice
//                                and, for containers, the container observable:File with its hashes
//   item                      -> observable:File (FileFacet, ContentDataFacet with MD5/SHA1/SHA256
//   types:Hash)
//                                Contained_Within its evidence; derived evidence is Decrypted_From its source
//                                item
//   message/thread/participant-> observable:Message (SMSMessage for SMS) / MessageThread + types:Thread /
//   accounts call, contact, web visit, location, media, account, installed app -> Call, Contact, URLHistory,
//   location:Location,
//                                File, ApplicationAccount, Application
//   every artifact            -> Extracted_From relationship to its item File; core:description carries the
//                                provenance (table, rowid/offset, parser + version, recovered); core:tag its
//                                tags
//
// Literal typing follows UCO exactly (VALIDATING.md "Literal typing"): dateTimes, hexBinary hashes and
// decimal coordinates are typed strings; values that are not valid for their type are left out of the typed
// property and kept in core:description instead, so nothing is silently dropped and nothing invalid is
// asserted.
#include "report/case_uco.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/case_db.h"
#include "core/custody.h"
#include "core/error.h"
#include "hashing/multi_hash.h"
#include "kanshiki/version.h"
#include "report/report_common.h"

namespace kanshiki {
namespace {

using ojson = nlohmann::ordered_json;

const ojson& context() {
  static const ojson ctx = {
      {"kb", "urn:kanshiki:"},
      {"co", "http://purl.org/co/"},
      {"investigation", "https://ontology.caseontology.org/case/investigation/"},
      {"uco-action", "https://ontology.unifiedcyberontology.org/uco/action/"},
      {"uco-core", "https://ontology.unifiedcyberontology.org/uco/core/"},
      {"uco-identity", "https://ontology.unifiedcyberontology.org/uco/identity/"},
      {"uco-location", "https://ontology.unifiedcyberontology.org/uco/location/"},
      {"uco-observable", "https://ontology.unifiedcyberontology.org/uco/observable/"},
      {"uco-tool", "https://ontology.unifiedcyberontology.org/uco/tool/"},
      {"uco-types", "https://ontology.unifiedcyberontology.org/uco/types/"},
      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
  };
  return ctx;
}

bool is_datetime(std::string_view s) {
  static const std::regex re(R"(^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$)");
  return std::regex_match(s.begin(), s.end(), re);
}

bool is_hex(std::string_view s) {
  if (s.empty() || s.size() % 2) return false;
  for (char ch : s)
    if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
  return true;
}

// UCO's action status vocabulary; the Kanshiki status itself stays in the action's description.
std::string action_status(const std::string& status) {
  if (status == "ok" || status == "done") return "Success";
  if (status == "started" || status == "running") return "Ongoing";
  if (status == "failed" || status == "partial") return "Fail";
  if (status == "warnings" || status == "done_with_failures") return "Complete/Finish";
  if (status == "error") return "Error";
  return "Unknown";
}

ojson id_ref(const std::string& iri) { return ojson{{"@id", iri}}; }
ojson typed(const char* type, const std::string& value) { return ojson{{"@type", type}, {"@value", value}}; }
ojson datetime(const std::string& s) { return typed("xsd:dateTime", s); }

// xsd:decimal has no exponent form, so coordinates are written in fixed notation, trailing zeros trimmed.
std::optional<ojson> decimal(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  std::string s = fmt::format("{:.9f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return typed("xsd:decimal", s);
}

// Streams {"@context": ..., "@graph": [ node, node, ... ]}.
class GraphWriter {
 public:
  explicit GraphWriter(std::ostream& out) : out_(out) {
    out_ << "{\n\"@context\": " << context().dump() << ",\n\"@graph\": [\n";
  }
  void node(const ojson& n) {
    separator();
    // Invalid UTF-8 in evidence text cannot be represented in JSON; U+FFFD replaces it in the export only.
    out_ << n.dump(-1, ' ', false, ojson::error_handler_t::replace);
    check();
  }
  // For a node whose one list property may be huge (a thread's messages): header, then elements one by one.
  void open_list_node(const ojson& head, const char* list_property) {
    separator();
    std::string h = head.dump(-1, ' ', false, ojson::error_handler_t::replace);
    h.pop_back();  // the closing brace
    out_ << h << (head.empty() ? "" : ",") << '"' << list_property << "\":[";
    first_element_ = true;
  }
  void list_element(const std::string& iri) {
    if (!first_element_) out_ << ',';
    first_element_ = false;
    out_ << id_ref(iri).dump();
  }
  void close_list_node() {
    out_ << "]}";
    check();
  }
  void finish() {
    out_ << "\n]\n}\n";
    out_.flush();
    check();
  }
  size_t nodes() const { return nodes_; }

 private:
  void separator() {
    if (nodes_++) out_ << ",\n";
  }
  void check() {
    if (!out_)
      throw Error(ExitCode::failure, "cannot write CASE/UCO export: output stream failed (disk full?)");
  }
  std::ostream& out_;
  size_t nodes_ = 0;
  bool first_element_ = true;
};

// A named-row view over a cursor (column names looked up once).
class Row {
 public:
  explicit Row(sql::Stmt& st) : st_(st) {
    for (int i = 0; i < st.column_count(); ++i) index_.emplace(st.column_name(i), i);
  }
  int col(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? -1 : it->second;
  }
  bool has(const std::string& name) const {
    int i = col(name);
    return i >= 0 && !st_.is_null(i);
  }
  std::string text(const std::string& name) const {
    int i = col(name);
    return i < 0 || st_.is_null(i) ? std::string() : st_.text(i);
  }
  std::optional<int64_t> i64(const std::string& name) const {
    int i = col(name);
    return i < 0 ? std::nullopt : st_.opt_i64(i);
  }
  std::optional<double> real(const std::string& name) const {
    int i = col(name);
    if (i < 0 || st_.is_null(i)) return std::nullopt;
    return st_.real(i);
  }

 private:
  sql::Stmt& st_;
  std::unordered_map<std::string, int> index_;
};

std::vector<std::string> json_strings(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) {
    out.push_back(text);
    return out;
  }
  for (const auto& v : j) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

bool looks_like_phone_number(std::string_view s) {
  static const std::regex re(R"(^\+?[0-9][0-9 ()\-]{3,}$)");
  return std::regex_match(s.begin(), s.end(), re);
}

class Exporter {
 public:
  Exporter(CaseDb& c, std::ostream& out, const std::function<void(size_t)>& progress)
      : c_(c), db_(c.db()), w_(out), progress_(progress) {
    namespace_ = c_.meta("case_number") + "\x1f" + c_.meta("created_utc");
  }

  CaseUcoResult run() {
    report::ReadSnapshot snapshot(db_);
    has_tags_ = db_.table_exists("tags");
    write_tools_and_examiners();
    write_evidence();
    write_items();
    write_custody_actions();
    write_parser_runs();
    write_messages();
    write_threads();
    write_calls();
    write_contacts();
    write_web_visits();
    write_locations();
    write_media();
    write_accounts();
    write_installed_apps();
    write_investigation();
    w_.finish();
    return CaseUcoResult{w_.nodes(), artifacts_};
  }

 private:
  // Deterministic IRIs: a name-based UUID (SHA-256 of case identity + kind + key, version/variant bits set),
  // so exporting the same case twice gives the same IRIs and cross-references need no lookup table.
  std::string iri(std::string_view kind, std::string_view key) const {
    std::string h = sha256_hex(namespace_ + "\x1f" + std::string(kind) + "\x1f" + std::string(key));
    h[12] = '5';
    h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
    return fmt::format("kb:{}-{}-{}-{}-{}-{}", kind, h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                       h.substr(16, 4), h.substr(20, 12));
  }
  std::string iri(std::string_view kind, int64_t id) const { return iri(kind, std::to_string(id)); }

  ojson hash_node(const std::string& owner, const char* method, const std::string& value) {
    std::string id = iri("hash", owner + "/" + method);
    w_.node({{"@id", id},
             {"@type", "uco-types:Hash"},
             {"uco-types:hashMethod", method},
             {"uco-types:hashValue", typed("xsd:hexBinary", value)}});
    return id_ref(id);
  }

  // ContentDataFacet with whichever hashes are valid hex.
  ojson content_facet(const std::string& owner, std::optional<int64_t> size, const std::string& md5,
                      const std::string& sha1, const std::string& sha256, const std::string& mime = "") {
    ojson f{{"@id", iri("content-data-facet", owner)}, {"@type", "uco-observable:ContentDataFacet"}};
    if (size) f["uco-observable:sizeInBytes"] = *size;
    if (!mime.empty()) f["uco-observable:mimeType"] = mime;
    ojson hashes = ojson::array();
    if (is_hex(md5)) hashes.push_back(hash_node(owner, "MD5", md5));
    if (is_hex(sha1)) hashes.push_back(hash_node(owner, "SHA1", sha1));
    if (is_hex(sha256)) hashes.push_back(hash_node(owner, "SHA256", sha256));
    if (!hashes.empty()) f["uco-observable:hash"] = hashes;
    return f;
  }

  std::string application(const std::string& name) {
    if (name.empty()) return {};
    std::string id = iri("application", name);
    if (written_.insert(id).second)
      w_.node({{"@id", id}, {"@type", "uco-observable:Application"}, {"uco-core:name", name}});
    return id;
  }

  // One account object per distinct identifier: phone numbers are PhoneAccounts shared by every app, other
  // identifiers ApplicationAccounts of their app.
  std::string account(const std::string& app, const std::string& identifier,
                      const std::string& display_name = "") {
    if (identifier.empty()) return {};
    bool phone = looks_like_phone_number(identifier);
    std::string key = phone ? "phone\x1f" + identifier : app + "\x1f" + identifier;
    std::string id = iri("account", key);
    if (!written_.insert(id).second) return id;
    ojson facets = ojson::array();
    facets.push_back({{"@id", iri("account-facet", key)},
                      {"@type", "uco-observable:AccountFacet"},
                      {"uco-observable:accountIdentifier", identifier}});
    if (phone) {
      facets.push_back({{"@id", iri("phone-account-facet", key)},
                        {"@type", "uco-observable:PhoneAccountFacet"},
                        {"uco-observable:phoneNumber", identifier}});
    } else if (!app.empty()) {
      facets.push_back({{"@id", iri("application-account-facet", key)},
                        {"@type", "uco-observable:ApplicationAccountFacet"},
                        {"uco-observable:application", id_ref(application(app))}});
    }
    if (!display_name.empty())
      facets.push_back({{"@id", iri("digital-account-facet", key)},
                        {"@type", "uco-observable:DigitalAccountFacet"},
                        {"uco-observable:displayName", display_name}});
    w_.node({{"@id", id},
             {"@type", phone ? "uco-observable:PhoneAccount" : "uco-observable:ApplicationAccount"},
             {"uco-core:hasFacet", facets}});
    return id;
  }

  std::string kanshiki_tool(const std::string& version) {
    std::string id = iri("tool", "kanshiki/" + version);
    if (written_.insert(id).second)
      w_.node({{"@id", id},
               {"@type", "uco-tool:Tool"},
               {"uco-core:name", kToolName},
               {"uco-tool:version", version},
               {"uco-tool:toolType", "mobile device forensic examination"}});
    return id;
  }

  std::string parser_tool(const std::string& parser_id, const std::string& version) {
    std::string id = iri("tool", "parser/" + parser_id + "/" + version);
    if (written_.insert(id).second)
      w_.node({{"@id", id},
               {"@type", "uco-tool:Tool"},
               {"uco-core:name", parser_id},
               {"uco-tool:version", version},
               {"uco-tool:toolType", "Kanshiki parser"}});
    return id;
  }

  void write_tools_and_examiners() {
    kanshiki_tool(kToolVersion);
    sql::Stmt st(db_, "SELECT name, fingerprint, public_key_pem, first_seen_utc FROM examiners ORDER BY id");
    while (st.step()) {
      std::string id = iri("examiner", st.text(1));
      examiner_by_fingerprint_[st.text(1)] = id;
      examiner_by_name_.emplace(st.text(0), id);
      w_.node(
          {{"@id", id},
           {"@type", "uco-identity:Person"},
           {"uco-core:name", st.text(0)},
           {"uco-core:description", "Kanshiki examiner; Ed25519 key fingerprint (SHA-256) " + st.text(1)}});
    }
  }

  // Device facts: the examiner's evidence facts first (make/model/serial/IMEI), then what the parsers read
  // from the device itself (device_info artifacts).
  void write_evidence() {
    sql::Stmt st(
        db_,
        "SELECT e.id, e.exhibit, e.label, e.source_path, e.source_kind, e.container_size, e.container_md5, "
        "e.container_sha1, e.container_sha256, e.status, e.ingested_utc, e.derived_from_item, e.derivation, "
        "(SELECT s.exhibit FROM items i JOIN evidence s ON s.id = i.evidence_id WHERE i.id = "
        "e.derived_from_item) "
        "FROM evidence e ORDER BY e.id");
    while (st.step()) {
      int64_t eid = st.i64(0);
      std::string exhibit = st.text(1), label = st.text(2);
      bool derived = !st.is_null(11);
      ojson objects = ojson::array();
      std::string root;
      if (!derived) {
        std::string device = iri("device", eid);
        write_device(eid, device, label.empty() ? exhibit : label);
        objects.push_back(id_ref(device));
        root = device;
      }
      bool has_container = !st.text(8).empty() || derived;
      if (has_container) {
        std::string file = iri("evidence-file", eid);
        std::string path = st.text(3);
        ojson ff{{"@id", iri("file-facet", "evidence/" + std::to_string(eid))},
                 {"@type", "uco-observable:FileFacet"},
                 {"uco-observable:filePath", path},
                 {"uco-observable:fileName", fs::path(path).filename().string()}};
        if (!st.is_null(5)) ff["uco-observable:sizeInBytes"] = st.i64(5);
        w_.node({{"@id", file},
                 {"@type", "uco-observable:File"},
                 {"uco-core:name", fmt::format("Exhibit {} ({})", exhibit, st.text(4))},
                 {"uco-core:hasFacet",
                  {ff, content_facet("evidence/" + std::to_string(eid), st.opt_i64(5), st.text(6), st.text(7),
                                     st.text(8))}}});
        objects.push_back(id_ref(file));
        if (!root.empty()) relationship(file, root, "Extracted_From", true, "extraction of the device");
        root = file;
      }
      if (derived) relationship(root, iri("file", st.i64(11)), "Decrypted_From", true, st.text(12));
      evidence_root_[eid] = root;
      ojson record{
          {"@id", iri("provenance-record", eid)},
          {"@type", "investigation:ProvenanceRecord"},
          {"investigation:exhibitNumber", exhibit},
          {"uco-core:name", fmt::format("Exhibit {}", exhibit)},
          {"uco-core:description", fmt::format("Kanshiki evidence E{}: {} ({}), status {}, ingested {}", eid,
                                               st.text(3), st.text(4), st.text(9), st.text(10))},
          {"uco-core:object", objects}};
      if (!label.empty())
        record["uco-core:description"] = {record["uco-core:description"], "label: " + label};
      if (derived && !st.is_null(13)) record["investigation:rootExhibitNumber"] = st.text(13);
      w_.node(record);
      provenance_records_.push_back(record["@id"]);
    }
  }

  void write_device(int64_t eid, const std::string& id, const std::string& name) {
    std::map<std::string, std::string> facts;
    if (db_.table_exists("evidence_facts")) {
      sql::Stmt f(db_, "SELECT key, value FROM evidence_facts WHERE evidence_id = ?1");
      f.bind(1, eid);
      while (f.step()) facts[f.text(0)] = f.text(1);
    }
    std::vector<std::string> lines;
    std::map<std::string, std::string> info;
    sql::Stmt d(db_,
                "SELECT a.id, d.key, d.value FROM artifacts a JOIN device_info d ON d.artifact_id = a.id "
                "WHERE a.evidence_id = ?1 AND a.type = 'device_info' ORDER BY a.id");
    d.bind(1, eid);
    while (d.step()) {
      info.emplace(d.text(1), d.text(2));
      lines.push_back(fmt::format("{} = {} (artifact {})", d.text(1), d.text(2), d.i64(0)));
      ++artifacts_;
    }
    auto pick = [&](const char* fact, std::initializer_list<const char*> keys) -> std::string {
      if (auto it = facts.find(fact); it != facts.end() && !it->second.empty()) return it->second;
      for (const char* k : keys)
        if (auto it = info.find(k); it != info.end() && !it->second.empty()) return it->second;
      return {};
    };
    ojson device_facet{{"@id", iri("device-facet", eid)}, {"@type", "uco-observable:DeviceFacet"}};
    if (auto v = pick("model", {"ProductName", "model", "ro.product.model"}); !v.empty())
      device_facet["uco-observable:model"] = v;
    if (auto v = pick("serial", {"SerialNumber", "serial", "ro.serialno"}); !v.empty())
      device_facet["uco-observable:serialNumber"] = v;
    device_facet["uco-observable:deviceType"] = "mobile phone";
    ojson mobile_facet{{"@id", iri("mobile-device-facet", eid)},
                       {"@type", "uco-observable:MobileDeviceFacet"}};
    if (auto v = pick("imei", {"IMEI", "imei"}); !v.empty()) mobile_facet["uco-observable:IMEI"] = v;
    ojson node{{"@id", id},
               {"@type", "uco-observable:MobileDevice"},
               {"uco-core:name", name},
               {"uco-core:hasFacet", {device_facet, mobile_facet}}};
    ojson desc = ojson::array();
    for (const auto& [k, v] : facts) desc.push_back("examiner fact " + k + ": " + v);
    for (const auto& l : lines) desc.push_back("read from the device: " + l);
    if (!desc.empty()) node["uco-core:description"] = desc;
    w_.node(node);
  }

  void relationship(const std::string& source, const std::string& target, const char* kind, bool observable,
                    const std::string& description = "") {
    ojson r{{"@id", iri("relationship", source + ">" + kind + ">" + target)},
            {"@type", observable ? "uco-observable:ObservableRelationship" : "uco-core:Relationship"},
            {"uco-core:source", id_ref(source)},
            {"uco-core:target", id_ref(target)},
            {"uco-core:kindOfRelationship", kind},
            {"uco-core:isDirectional", true}};
    if (!description.empty()) r["uco-core:description"] = description;
    w_.node(r);
  }

  void write_items() {
    sql::Stmt st(
        db_,
        "SELECT id, evidence_id, path, size, mtime_utc, ctime_utc, atime_utc, btime_utc, md5, sha1, sha256, "
        "note, physical FROM items ORDER BY id");
    while (st.step()) {
      int64_t id = st.i64(0);
      std::string key = "item/" + std::to_string(id), path = st.text(2);
      ojson ff{{"@id", iri("file-facet", key)},
               {"@type", "uco-observable:FileFacet"},
               {"uco-observable:filePath", path},
               {"uco-observable:fileName", fs::path(path).filename().string()},
               {"uco-observable:sizeInBytes", st.i64(3)}};
      const std::pair<int, const char*> times[] = {{4, "uco-observable:modifiedTime"},
                                                   {5, "uco-observable:metadataChangeTime"},
                                                   {6, "uco-observable:accessedTime"},
                                                   {7, "uco-observable:observableCreatedTime"}};
      for (auto [col, prop] : times)
        if (is_datetime(st.text(col))) ff[prop] = datetime(st.text(col));
      std::string file = iri("file", id);
      ojson node{
          {"@id", file},
          {"@type", "uco-observable:File"},
          {"uco-core:hasFacet", {ff, content_facet(key, st.i64(3), st.text(8), st.text(9), st.text(10))}}};
      if (!st.text(11).empty()) node["uco-core:description"] = st.text(11);
      w_.node(node);
      if (auto it = evidence_root_.find(st.i64(1)); it != evidence_root_.end())
        relationship(file, it->second, "Contained_Within", true);
    }
  }

  std::string performer_for_fingerprint(const std::string& fingerprint, const std::string& name) {
    if (auto it = examiner_by_fingerprint_.find(fingerprint); it != examiner_by_fingerprint_.end())
      return it->second;
    std::string id = iri("examiner", fingerprint);
    examiner_by_fingerprint_[fingerprint] = id;
    w_.node({{"@id", id}, {"@type", "uco-identity:Person"}, {"uco-core:name", name}});
    return id;
  }

  // Files named in a custody entry's inputs/outputs (evidence containers, manifests, exports, reports) with
  // the SHA-256 the entry recorded.
  ojson custody_files(int64_t seq, const char* side, const nlohmann::json& list) {
    ojson refs = ojson::array();
    if (!list.is_array()) return refs;
    for (size_t i = 0; i < list.size(); ++i) {
      const auto& f = list[i];
      if (!f.is_object() || !f.contains("path") || !f["path"].is_string()) continue;
      std::string key = fmt::format("custody/{}/{}/{}", seq, side, i);
      std::string path = f["path"].get<std::string>();
      auto str = [&](const char* k) {
        return f.contains(k) && f[k].is_string() ? f[k].get<std::string>() : "";
      };
      std::optional<int64_t> size;
      if (f.contains("size") && f["size"].is_number_integer()) size = f["size"].get<int64_t>();
      ojson ff{{"@id", iri("file-facet", key)},
               {"@type", "uco-observable:FileFacet"},
               {"uco-observable:filePath", path},
               {"uco-observable:fileName", fs::path(path).filename().string()}};
      std::string id = iri("custody-file", key);
      w_.node(
          {{"@id", id},
           {"@type", "uco-observable:File"},
           {"uco-core:hasFacet", {ff, content_facet(key, size, str("md5"), str("sha1"), str("sha256"))}}});
      refs.push_back(id_ref(id));
    }
    return refs;
  }

  void write_custody_actions() {
    for (const CustodyEntry& e : read_custody(c_)) {
      std::string id = iri("investigative-action", "custody/" + std::to_string(e.seq));
      actions_.push_back(id);
      ojson a{{"@id", id},
              {"@type", "investigation:InvestigativeAction"},
              {"uco-core:name", e.action},
              {"uco-action:actionStatus", action_status(e.status)},
              {"uco-action:performer", id_ref(performer_for_fingerprint(e.examiner_fingerprint, e.examiner))},
              {"uco-action:instrument", ojson::array({id_ref(kanshiki_tool(e.tool_version))})}};
      if (is_datetime(e.utc)) a["uco-action:startTime"] = datetime(e.utc);
      ojson desc = ojson::array({fmt::format("custody log entry {} ({}), host {}, entry hash {}", e.seq,
                                             e.status, e.host, e.entry_hash),
                                 "parameters: " + e.parameters.dump()});
      if (!e.error.empty()) desc.push_back("error: " + e.error);
      a["uco-core:description"] = desc;
      ojson objects = custody_files(e.seq, "in", e.inputs);
      ojson results = custody_files(e.seq, "out", e.outputs);
      const auto& p = e.parameters;
      if (e.action == "ingest" && e.status != "started" && p.contains("evidence_id") &&
          p["evidence_id"].is_number())
        results.push_back(id_ref(iri("provenance-record", p["evidence_id"].get<int64_t>())));
      if (e.action.rfind("decrypt", 0) == 0 && e.status != "started") {
        if (p.contains("item") && p["item"].is_number())
          objects.push_back(id_ref(iri("file", p["item"].get<int64_t>())));
        for (const auto& o : e.outputs)
          if (o.is_object() && o.contains("evidence_id") && o["evidence_id"].is_number())
            results.push_back(id_ref(iri("provenance-record", o["evidence_id"].get<int64_t>())));
      }
      if (e.action == "process" && p.contains("run_id") && p["run_id"].is_number())
        process_action_by_run_[p["run_id"].get<int64_t>()] = id;
      if (!objects.empty()) a["uco-action:object"] = objects;
      if (!results.empty()) a["uco-action:result"] = results;
      w_.node(a);
    }
  }

  void write_parser_runs() {
    std::unordered_map<int64_t, int64_t> recovered;
    {
      sql::Stmt r(db_,
                  "SELECT parser_run_id, count(*) FROM artifacts WHERE recovered = 1 GROUP BY parser_run_id");
      while (r.step()) recovered[r.i64(0)] = r.i64(1);
    }
    sql::Stmt st(
        db_,
        "SELECT p.id, p.run_id, p.item_id, p.parser_id, p.parser_version, p.status, p.artifact_count, "
        "p.warning_count, p.started_utc, p.ended_utc, r.examiner, p.limitations FROM parser_runs p "
        "LEFT JOIN runs r ON r.id = p.run_id ORDER BY p.id");
    while (st.step()) {
      int64_t id = st.i64(0);
      auto make = [&](const char* name, const std::string& key, const std::string& description) {
        std::string aid = iri("investigative-action", key);
        actions_.push_back(aid);
        ojson a{{"@id", aid},
                {"@type", "investigation:InvestigativeAction"},
                {"uco-core:name", name},
                {"uco-core:description", description},
                {"uco-action:actionStatus", action_status(st.text(5))},
                {"uco-action:instrument",
                 {id_ref(parser_tool(st.text(3), st.text(4))), id_ref(kanshiki_tool(kToolVersion))}},
                {"uco-action:object", {id_ref(iri("file", st.i64(2)))}}};
        if (is_datetime(st.text(8))) a["uco-action:startTime"] = datetime(st.text(8));
        if (is_datetime(st.text(9))) a["uco-action:endTime"] = datetime(st.text(9));
        if (auto it = examiner_by_name_.find(st.text(10)); it != examiner_by_name_.end())
          a["uco-action:performer"] = id_ref(it->second);
        if (auto it = process_action_by_run_.find(st.i64(1)); it != process_action_by_run_.end())
          a["investigation:wasInformedBy"] = {id_ref(it->second)};
        w_.node(a);
      };
      make("parse", "parser-run/" + std::to_string(id),
           fmt::format("parser run {} of {} {}: status {}, {} artifacts, {} warnings; limitations {}", id,
                       st.text(3), st.text(4), st.text(5), st.i64(6), st.i64(7), st.text(11)));
      if (auto it = recovered.find(id); it != recovered.end())
        make("recover", "parser-run-recover/" + std::to_string(id),
             fmt::format("deleted-record recovery in parser run {} of {} {}: {} records recovered", id,
                         st.text(3), st.text(4), it->second));
    }
  }

  // ---- artifacts -----------------------------------------------------------------------------------------
  std::string artifact_select(const char* table) const {
    std::string tags =
        has_tags_ ? "(SELECT json_group_array(tag) FROM tags WHERE tags.artifact_id = a.id)" : "NULL";
    return fmt::format(
        "SELECT a.*, t.*, {} AS kanshiki_tags FROM artifacts a JOIN {} t ON t.artifact_id = a.id "
        "ORDER BY a.id",
        tags, table);
  }

  // Provenance on the object itself (description + tags) and as a relationship to the item it came from.
  void finish_artifact(ojson& node, const Row& r, bool observable, std::vector<std::string> notes = {}) {
    ++artifacts_;
    if (progress_ && artifacts_ % 1000 == 0) progress_(artifacts_);
    std::string where = r.has("source_rowid")    ? fmt::format("rowid {}", *r.i64("source_rowid"))
                        : r.has("source_offset") ? fmt::format("offset {}", *r.i64("source_offset"))
                                                 : std::string("no rowid/offset");
    ojson desc = ojson::array();
    desc.push_back(fmt::format(
        "Kanshiki artifact {} ({}): evidence E{}, item {} (SHA-256 {}), table {} {}{}, parser {} {}, "
        "recovered: {}",
        *r.i64("id"), r.text("type"), *r.i64("evidence_id"), r.text("item_path"), r.text("item_sha256"),
        r.text("source_table"), where,
        r.text("source_detail").empty() ? "" : " (" + r.text("source_detail") + ")", r.text("parser_id"),
        r.text("parser_version"), r.i64("recovered").value_or(0) ? "yes" : "no"));
    for (auto& n : notes)
      if (!n.empty()) desc.push_back(std::move(n));
    node["uco-core:description"] = desc;
    if (auto tags = json_strings(r.text("kanshiki_tags")); !tags.empty()) node["uco-core:tag"] = tags;
    w_.node(node);
    relationship(node["@id"].get<std::string>(), iri("file", *r.i64("item_id")), "Extracted_From",
                 observable);
  }

  static std::string time_note(const Row& r, const std::string& base) {
    if (!r.has(base + "_raw")) return {};
    return fmt::format("{}: {} (raw {}, epoch {})", base, r.text(base + "_utc"), r.text(base + "_raw"),
                       r.text(base + "_epoch"));
  }

  void write_messages() {
    sql::Stmt st(db_, artifact_select("messages"));
    Row r(st);
    while (st.step()) {
      int64_t aid = *r.i64("id");
      std::string app = r.text("app");
      ojson facet{{"@id", iri("message-facet", aid)}, {"@type", "uco-observable:MessageFacet"}};
      if (r.has("text")) facet["uco-observable:messageText"] = r.text("text");
      if (is_datetime(r.text("time_utc"))) facet["uco-observable:sentTime"] = datetime(r.text("time_utc"));
      if (auto a = application(app); !a.empty()) facet["uco-observable:application"] = id_ref(a);
      std::string from = account(app, r.text("sender"), r.text("sender_name"));
      if (from.empty() && r.text("direction") == "outgoing") from = account(app, r.text("account"));
      if (!from.empty()) facet["uco-observable:from"] = id_ref(from);
      ojson to = ojson::array();
      for (const auto& rcpt : json_strings(r.text("recipients")))
        if (auto t = account(app, rcpt); !t.empty()) to.push_back(id_ref(t));
      if (to.empty() && r.text("direction") == "incoming")
        if (auto t = account(app, r.text("account")); !t.empty()) to.push_back(id_ref(t));
      if (!to.empty()) facet["uco-observable:to"] = to;
      if (r.has("kind")) facet["uco-observable:messageType"] = r.text("kind");
      ojson node{{"@id", iri("message", aid)},
                 {"@type", app == "sms" ? "uco-observable:SMSMessage" : "uco-observable:Message"},
                 {"uco-core:hasFacet", {facet}}};
      finish_artifact(
          node, r, true,
          {fmt::format("direction {}, status {}, thread {}, edited {}, deleted {}", r.text("direction"),
                       r.text("status"), r.text("thread_key"), r.text("edited"), r.text("deleted")),
           time_note(r, "time"),
           r.text("attachments").empty() || r.text("attachments") == "[]"
               ? ""
               : "attachments: " + r.text("attachments")});
    }
  }

  // Threads: a merge join of the threads cursor with two cursors of (thread, member) pairs ordered the same
  // way, so a thread's message list is streamed and never collected.
  void write_threads() {
    sql::Stmt threads(db_, artifact_select("threads"));
    Row r(threads);
    const std::string member_join =
        "FROM threads t JOIN artifacts ta ON ta.id = t.artifact_id JOIN {0} m ON m.thread_key = t.thread_key "
        "AND m.app IS t.app JOIN artifacts ma ON ma.id = m.artifact_id AND ma.evidence_id = ta.evidence_id "
        "ORDER BY t.artifact_id, m.artifact_id";
    sql::Stmt messages(
        db_, "SELECT t.artifact_id, m.artifact_id " + fmt::format(fmt::runtime(member_join), "messages"));
    sql::Stmt participants(
        db_, "SELECT t.artifact_id, m.artifact_id " + fmt::format(fmt::runtime(member_join), "participants"));
    bool have_message = messages.step(), have_participant = participants.step();
    while (threads.step()) {
      int64_t aid = *r.i64("id");
      std::string list = iri("thread-list", aid);
      ojson facet{{"@id", iri("message-thread-facet", aid)},
                  {"@type", "uco-observable:MessageThreadFacet"},
                  {"uco-observable:messageThread", id_ref(list)}};
      ojson members = ojson::array();
      while (have_participant && participants.i64(0) < aid) have_participant = participants.step();
      while (have_participant && participants.i64(0) == aid) {
        members.push_back(id_ref(iri("participant", participants.i64(1))));
        have_participant = participants.step();
      }
      if (!members.empty()) facet["uco-observable:participant"] = members;
      ojson node{{"@id", iri("thread", aid)},
                 {"@type", "uco-observable:MessageThread"},
                 {"uco-core:hasFacet", {facet}}};
      if (r.has("name")) node["uco-core:name"] = r.text("name");
      finish_artifact(node, r, true,
                      {fmt::format("app {}, account {}, thread key {}, group {}", r.text("app"),
                                   r.text("account"), r.text("thread_key"), r.text("is_group")),
                       time_note(r, "last_activity")});
      w_.open_list_node({{"@id", list}, {"@type", "uco-types:Thread"}}, "co:element");
      while (have_message && messages.i64(0) < aid) have_message = messages.step();
      while (have_message && messages.i64(0) == aid) {
        w_.list_element(iri("message", messages.i64(1)));
        have_message = messages.step();
      }
      w_.close_list_node();
    }
    sql::Stmt st(db_, artifact_select("participants"));
    Row p(st);
    while (st.step()) {
      int64_t aid = *p.i64("id");
      std::string app = p.text("app"), identifier = p.text("identifier");
      std::string key = "participant/" + std::to_string(aid);
      bool phone = looks_like_phone_number(identifier);
      ojson facets = ojson::array();
      if (!identifier.empty())
        facets.push_back({{"@id", iri("account-facet", key)},
                          {"@type", "uco-observable:AccountFacet"},
                          {"uco-observable:accountIdentifier", identifier}});
      if (phone)
        facets.push_back({{"@id", iri("phone-account-facet", key)},
                          {"@type", "uco-observable:PhoneAccountFacet"},
                          {"uco-observable:phoneNumber", identifier}});
      else if (auto a = application(app); !a.empty())
        facets.push_back({{"@id", iri("application-account-facet", key)},
                          {"@type", "uco-observable:ApplicationAccountFacet"},
                          {"uco-observable:application", id_ref(a)}});
      if (!p.text("name").empty())
        facets.push_back({{"@id", iri("digital-account-facet", key)},
                          {"@type", "uco-observable:DigitalAccountFacet"},
                          {"uco-observable:displayName", p.text("name")}});
      ojson node{{"@id", iri("participant", aid)},
                 {"@type", phone ? "uco-observable:PhoneAccount" : "uco-observable:ApplicationAccount"}};
      if (!facets.empty()) node["uco-core:hasFacet"] = facets;
      finish_artifact(
          node, p, true,
          {fmt::format("participant of thread {} ({}), role {}", p.text("thread_key"), app, p.text("role"))});
    }
  }

  void write_calls() {
    sql::Stmt st(db_, artifact_select("calls"));
    Row r(st);
    while (st.step()) {
      int64_t aid = *r.i64("id");
      std::string app = r.text("app");
      ojson facet{{"@id", iri("call-facet", aid)}, {"@type", "uco-observable:CallFacet"}};
      if (auto a = application(app); !a.empty()) facet["uco-observable:application"] = id_ref(a);
      if (is_datetime(r.text("time_utc"))) facet["uco-observable:startTime"] = datetime(r.text("time_utc"));
      if (auto d = r.i64("duration_s")) facet["uco-observable:duration"] = *d;
      std::string direction = r.text("direction");
      facet["uco-observable:callType"] = direction + (r.i64("video").value_or(0) ? " video" : "");
      std::string number = r.text("number_e164").empty() ? r.text("number") : r.text("number_e164");
      std::string other = account(app, number, r.text("name"));
      std::string self = account(app, r.text("account"));
      std::string from = direction == "outgoing" ? self : other, to = direction == "outgoing" ? other : self;
      if (!from.empty()) facet["uco-observable:from"] = id_ref(from);
      if (!to.empty()) facet["uco-observable:to"] = {id_ref(to)};
      ojson node{{"@id", iri("call", aid)}, {"@type", "uco-observable:Call"}, {"uco-core:hasFacet", {facet}}};
      finish_artifact(node, r, true,
                      {fmt::format("number as stored {}, name {}, country {}", r.text("number"),
                                   r.text("name"), r.text("country_iso")),
                       time_note(r, "time")});
    }
  }

  void write_contacts() {
    sql::Stmt st(db_, artifact_select("contacts"));
    Row r(st);
    while (st.step()) {
      int64_t aid = *r.i64("id");
      std::string app = r.text("app");
      ojson facet{{"@id", iri("contact-facet", aid)}, {"@type", "uco-observable:ContactFacet"}};
      if (r.has("name")) facet["uco-observable:displayName"] = r.text("name");
      if (auto a = application(app); !a.empty()) facet["uco-observable:sourceApplication"] = id_ref(a);
      ojson phones = ojson::array(), emails = ojson::array();
      auto numbers = json_strings(r.text("phones"));
      for (size_t i = 0; i < numbers.size(); ++i) {
        std::string id = iri("contact-phone", fmt::format("{}/{}", aid, i));
        ojson cp{{"@id", id}, {"@type", "uco-observable:ContactPhone"}};
        if (auto acc = account(app, numbers[i]); !acc.empty())
          cp["uco-observable:contactPhoneNumber"] = id_ref(acc);
        w_.node(cp);
        phones.push_back(id_ref(id));
      }
      auto addresses = json_strings(r.text("emails"));
      for (size_t i = 0; i < addresses.size(); ++i) {
        std::string address = iri("email-address", addresses[i]);
        if (written_.insert(address).second)
          w_.node({{"@id", address},
                   {"@type", "uco-observable:EmailAddress"},
                   {"uco-core:hasFacet",
                    {{{"@id", iri("email-address-facet", addresses[i])},
                      {"@type", "uco-observable:EmailAddressFacet"},
                      {"uco-observable:addressValue", addresses[i]}}}}});
        std::string id = iri("contact-email", fmt::format("{}/{}", aid, i));
        w_.node({{"@id", id},
                 {"@type", "uco-observable:ContactEmail"},
                 {"uco-observable:emailAddress", id_ref(address)}});
        emails.push_back(id_ref(id));
      }
      if (!phones.empty()) facet["uco-observable:contactPhone"] = phones;
      if (!emails.empty()) facet["uco-observable:contactEmail"] = emails;
      if (r.has("note")) facet["uco-observable:contactNote"] = r.text("note");
      if (auto n = r.i64("times_contacted")) facet["uco-observable:numberTimesContacted"] = *n;
      if (is_datetime(r.text("last_contacted_utc")))
        facet["uco-observable:lastTimeContacted"] = datetime(r.text("last_contacted_utc"));
      ojson node{
          {"@id", iri("contact", aid)}, {"@type", "uco-observable:Contact"}, {"uco-core:hasFacet", {facet}}};
      finish_artifact(node, r, true,
                      {r.text("organization").empty() ? "" : "organization: " + r.text("organization"),
                       time_note(r, "last_contacted")});
    }
  }

  void write_web_visits() {
    sql::Stmt st(db_, artifact_select("web_visits"));
    Row r(st);
    while (st.step()) {
      int64_t aid = *r.i64("id");
      std::string url = iri("url", aid), entry = iri("url-history-entry", aid);
      w_.node({{"@id", url},
               {"@type", "uco-observable:URL"},
               {"uco-core:hasFacet",
                {{{"@id", iri("url-facet", aid)},
                  {"@type", "uco-observable:URLFacet"},
                  {"uco-observable:fullValue", r.text("url")}}}}});
      ojson e{
          {"@id", entry}, {"@type", "uco-observable:URLHistoryEntry"}, {"uco-observable:url", id_ref(url)}};
      if (r.has("title")) e["uco-observable:pageTitle"] = r.text("title");
      if (is_datetime(r.text("time_utc"))) e["uco-observable:lastVisit"] = datetime(r.text("time_utc"));
      if (auto n = r.i64("visit_count")) e["uco-observable:visitCount"] = *n;
      if (auto n = r.i64("typed_count"); n && *n >= 0)
        e["uco-observable:manuallyEnteredCount"] = typed("xsd:nonNegativeInteger", std::to_string(*n));
      w_.node(e);
      ojson facet{{"@id", iri("url-history-facet", aid)},
                  {"@type", "uco-observable:URLHistoryFacet"},
                  {"uco-observable:urlHistoryEntry", {id_ref(entry)}}};
      if (auto b = application(r.text("browser")); !b.empty())
        facet["uco-observable:browserInformation"] = id_ref(b);
      ojson node{{"@id", iri("url-history", aid)},
                 {"@type", "uco-observable:URLHistory"},
                 {"uco-core:hasFacet", {facet}}};
      finish_artifact(node, r, true, {"transition: " + r.text("transition"), time_note(r, "time")});
    }
  }

  void write_locations() {
    sql::Stmt st(db_, artifact_select("locations"));
    Row r(st);
    while (st.step()) {
      int64_t aid = *r.i64("id");
      ojson facet{{"@id", iri("lat-long-facet", aid)}, {"@type", "uco-location:LatLongCoordinatesFacet"}};
      if (auto v = r.real("latitude"); v && decimal(*v)) facet["uco-location:latitude"] = *decimal(*v);
      if (auto v = r.real("longitude"); v && decimal(*v)) facet["uco-location:longitude"] = *decimal(*v);
      if (auto v = r.real("altitude_m"); v && decimal(*v)) facet["uco-location:altitude"] = *decimal(*v);
      ojson node{
          {"@id", iri("location", aid)}, {"@type", "uco-location:Location"}, {"uco-core:hasFacet", {facet}}};
      if (r.has("label")) node["uco-core:name"] = r.text("label");
      // A Location is not an observable, so its provenance link is a core:Relationship.
      finish_artifact(node, r, false,
                      {fmt::format("kind {}, source {}, accuracy {} m", r.text("kind"), r.text("source"),
                                   r.has("accuracy_m") ? report::format_real(*r.real("accuracy_m")) : "-"),
                       time_note(r, "time")});
    }
  }

  void write_media() {
    sql::Stmt st(db_, artifact_select("media"));
    Row r(st);
    while (st.step()) {
      int64_t aid = *r.i64("id");
      std::string key = "media/" + std::to_string(aid), path = r.text("path");
      ojson ff{{"@id", iri("file-facet", key)},
               {"@type", "uco-observable:FileFacet"},
               {"uco-observable:filePath", path},
               {"uco-observable:fileName", fs::path(path).filename().string()}};
      if (auto n = r.i64("size")) ff["uco-observable:sizeInBytes"] = *n;
      ojson node{{"@id", iri("media", aid)},
                 {"@type", "uco-observable:File"},
                 {"uco-core:hasFacet",
                  {ff, content_facet(key, r.i64("size"), "", "", r.text("sha256"), r.text("mime_type"))}}};
      std::string gps = r.has("latitude") && r.has("longitude")
                            ? fmt::format("GPS {}, {}", report::format_real(*r.real("latitude")),
                                          report::format_real(*r.real("longitude")))
                            : "";
      finish_artifact(
          node, r, true,
          {time_note(r, "captured"),
           fmt::format("camera {} {}, software {}", r.text("make"), r.text("model"), r.text("software")),
           gps});
    }
  }

  void write_accounts() {
    sql::Stmt st(db_, artifact_select("accounts"));
    Row r(st);
    while (st.step()) {
      int64_t aid = *r.i64("id");
      std::string key = "account-artifact/" + std::to_string(aid);
      std::string identifier = r.text("identifier").empty() ? r.text("username") : r.text("identifier");
      ojson facets = ojson::array();
      ojson af{{"@id", iri("account-facet", key)}, {"@type", "uco-observable:AccountFacet"}};
      if (!identifier.empty()) af["uco-observable:accountIdentifier"] = identifier;
      facets.push_back(af);
      if (auto a = application(r.text("app")); !a.empty())
        facets.push_back({{"@id", iri("application-account-facet", key)},
                          {"@type", "uco-observable:ApplicationAccountFacet"},
                          {"uco-observable:application", id_ref(a)}});
      ojson df{{"@id", iri("digital-account-facet", key)}, {"@type", "uco-observable:DigitalAccountFacet"}};
      if (r.has("display_name")) df["uco-observable:displayName"] = r.text("display_name");
      if (r.has("username")) df["uco-observable:accountLogin"] = {r.text("username")};
      facets.push_back(df);
      ojson node{{"@id", iri("account-artifact", aid)},
                 {"@type", "uco-observable:ApplicationAccount"},
                 {"uco-core:hasFacet", facets}};
      finish_artifact(node, r, true);
    }
  }

  void write_installed_apps() {
    sql::Stmt st(db_, artifact_select("installed_apps"));
    Row r(st);
    while (st.step()) {
      int64_t aid = *r.i64("id");
      ojson facet{{"@id", iri("application-facet", aid)}, {"@type", "uco-observable:ApplicationFacet"}};
      if (r.has("identifier")) facet["uco-observable:applicationIdentifier"] = r.text("identifier");
      if (r.has("version")) facet["uco-observable:version"] = r.text("version");
      ojson node{{"@id", iri("installed-app", aid)},
                 {"@type", "uco-observable:Application"},
                 {"uco-core:hasFacet", {facet}}};
      if (r.has("name")) node["uco-core:name"] = r.text("name");
      finish_artifact(node, r, true, {time_note(r, "installed")});
    }
  }

  void write_investigation() {
    ojson inv{{"@id", iri("investigation", "case")},
              {"@type", "investigation:Investigation"},
              {"uco-core:name", c_.meta("case_number")},
              {"investigation:investigationForm", "case"}};
    if (is_datetime(c_.meta("created_utc"))) inv["uco-core:startTime"] = datetime(c_.meta("created_utc"));
    ojson desc = ojson::array({fmt::format("Kanshiki case {}, exported by {} {}", c_.meta("case_number"),
                                           kToolName, kToolVersion)});
    if (db_.table_exists("case_facts")) {
      sql::Stmt f(db_, "SELECT key, value FROM case_facts ORDER BY key");
      while (f.step()) {
        desc.push_back(f.text(0) + ": " + f.text(1));
        if (f.text(0) == "legal_authority") {
          std::string auth = iri("authorization", "legal_authority");
          w_.node({{"@id", auth},
                   {"@type", "investigation:Authorization"},
                   {"investigation:authorizationType", "legal authority"},
                   {"investigation:authorizationIdentifier", {f.text(1)}}});
          inv["investigation:relevantAuthorization"] = {id_ref(auth)};
        }
        if (f.text(0) == "offence") inv["investigation:focus"] = {f.text(1)};
      }
    }
    inv["uco-core:description"] = desc;
    w_.open_list_node(inv, "uco-core:object");
    for (const auto& r : provenance_records_) w_.list_element(r);
    for (const auto& a : actions_) w_.list_element(a);
    w_.close_list_node();
  }

  CaseDb& c_;
  sql::Db& db_;
  GraphWriter w_;
  std::string namespace_;
  const std::function<void(size_t)>& progress_;
  bool has_tags_ = false;
  size_t artifacts_ = 0;
  std::unordered_set<std::string>
      written_;  // IRIs of shared nodes (accounts, applications, tools) already written
  std::unordered_map<std::string, std::string> examiner_by_fingerprint_;
  std::multimap<std::string, std::string> examiner_by_name_;
  std::unordered_map<int64_t, std::string> evidence_root_;
  std::unordered_map<int64_t, std::string> process_action_by_run_;
  std::vector<std::string> provenance_records_, actions_;
};

}  // namespace

CaseUcoResult export_case_uco(CaseDb& c, std::ostream& out, const std::function<void(size_t)>& progress) {
  return Exporter(c, out, progress).run();
}

}  // namespace kanshiki
