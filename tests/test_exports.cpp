// Standard exports and reproducibility on the demo case: CASE/UCO JSON-LD (structure, SHACL validation with
// tools/case-validate, a broken export rejected), XLSX (sheets, frozen header, autofilter, continuation
// sheets, Japanese text), CSV per type, and digest/reproduce (equal on the demo; one altered evidence byte
// reported as exactly one container, one item, one table and one artifact).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/case_db.h"
#include "report/sheet_export.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The demo case (samples, two exhibits, processed) in a fresh folder, with its own examiner.
struct DemoCase {
  test::TempDir dir;
  fs::path case_dir;
  DemoCase() {
    ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
    ::setenv("CI", "1", 1);
    REQUIRE(test::run_cli("examiner init --name '鑑識 太郎'") == 0);
    std::string out;
    int rc = test::run_cli("--quiet demo --out " + q(dir / "demo"), &out);
    INFO(out);
    REQUIRE(rc == 0);
    case_dir = dir / "demo/case";
  }
};

std::vector<json> nodes_of_type(const json& doc, const std::string& type) {
  std::vector<json> out;
  for (const auto& n : doc["@graph"]) {
    if (!n.contains("@type")) continue;
    const json& t = n["@type"];
    if ((t.is_string() && t == type) || (t.is_array() && std::find(t.begin(), t.end(), type) != t.end()))
      out.push_back(n);
  }
  return out;
}

json last_custody_entry(const fs::path& case_dir, const std::string& action) {
  std::string out;
  REQUIRE(test::run_cli("--json custody show --case " + q(case_dir), &out) == 0);
  json log = json::parse(out), last;
  for (const auto& e : log["entries"])
    if (e["action"] == action) last = e;
  return last;
}

}  // namespace

TEST_CASE("CASE/UCO export holds the investigation, actions, evidence, files and artifacts",
          "[exports][case-uco]") {
  DemoCase demo;
  fs::path out = demo.dir / "case.jsonld";
  REQUIRE(test::run_cli("export --case " + q(demo.case_dir) + " --format case-uco -o " + q(out)) == 0);
  json doc = json::parse(slurp(out));
  REQUIRE(doc["@context"].is_object());  // inline: validation never fetches a remote context
  CHECK(doc["@context"]["uco-core"] == "https://ontology.unifiedcyberontology.org/uco/core/");

  auto investigations = nodes_of_type(doc, "investigation:Investigation");
  REQUIRE(investigations.size() == 1);
  CHECK(investigations[0]["uco-core:name"] == "DEMO-2024-001");

  std::set<std::string> action_names;
  for (const auto& a : nodes_of_type(doc, "investigation:InvestigativeAction")) {
    action_names.insert(a["uco-core:name"].get<std::string>());
    CHECK(a.contains("uco-action:performer"));
    CHECK(a.contains("uco-action:instrument"));
  }
  for (const char* name : {"case create", "ingest", "process", "parse", "verify", "report"}) {
    INFO(name);
    CHECK(action_names.count(name) == 1);
  }
  auto people = nodes_of_type(doc, "uco-identity:Person");
  REQUIRE(people.size() == 1);
  CHECK(people[0]["uco-core:name"] == "鑑識 太郎");

  std::set<std::string> exhibits;
  for (const auto& r : nodes_of_type(doc, "investigation:ProvenanceRecord"))
    exhibits.insert(r["investigation:exhibitNumber"].get<std::string>());
  CHECK(exhibits == std::set<std::string>{"A-1", "B-1"});
  CHECK(nodes_of_type(doc, "uco-observable:MobileDevice").size() == 2);

  // Hashes are typed hexBinary with UCO's method names; every item File is Contained_Within its evidence.
  auto hashes = nodes_of_type(doc, "uco-types:Hash");
  REQUIRE(!hashes.empty());
  for (const auto& h : hashes) {
    CHECK(h["uco-types:hashValue"]["@type"] == "xsd:hexBinary");
    CHECK(std::set<std::string>{"MD5", "SHA1", "SHA256"}.count(
              h["uco-types:hashMethod"].get<std::string>()) == 1);
  }
  std::map<std::string, int> relationships;
  for (const auto& r : nodes_of_type(doc, "uco-observable:ObservableRelationship"))
    ++relationships[r["uco-core:kindOfRelationship"].get<std::string>()];
  CHECK(relationships["Contained_Within"] >= 21);  // every item of the demo evidence
  CHECK(relationships["Extracted_From"] >= 100);   // artifacts to the file they came from

  // Japanese message text byte-exact, with its provenance.
  bool found = false;
  for (const std::string type : {"uco-observable:Message", "uco-observable:SMSMessage"})
    for (const auto& m : nodes_of_type(doc, type)) {
      const auto& facet = m["uco-core:hasFacet"][0];
      if (facet.value("uco-observable:messageText", "").find("ホワイト案件だから安心して") ==
          std::string::npos)
        continue;
      found = true;
      CHECK(facet["uco-observable:sentTime"]["@type"] == "xsd:dateTime");
      CHECK(m["uco-core:description"][0].get<std::string>().find("parser") != std::string::npos);
    }
  CHECK(found);
  for (const char* type : {"uco-observable:Call", "uco-observable:Contact", "uco-observable:URLHistory",
                           "uco-location:Location", "uco-observable:MessageThread", "uco-types:Thread"}) {
    INFO(type);
    CHECK(!nodes_of_type(doc, type).empty());
  }

  // The export itself is in the custody log with the file's SHA-256.
  json entry = last_custody_entry(demo.case_dir, "export");
  REQUIRE(entry.is_object());
  CHECK(entry["outputs"][0]["sha256"] == test::file_sha256(out));
}

TEST_CASE("CASE/UCO export validates with zero violations, a broken export fails",
          "[exports][case-uco][shacl]") {
  fs::path ontology = test::source_dir() / "../shared/case-uco";
  fs::path validator = test::source_dir() / "tools/case-validate";
  if (!fs::exists(ontology / "monolithic/case-1.4.0.ttl") ||
      !fs::exists(validator / "node_modules/shacl-engine") ||
      std::system("node --version >/dev/null 2>&1") != 0) {
    std::cout << "KANSHIKI-SKIP: CASE/UCO validation needs ../shared/case-uco, node and `npm ci` in "
                 "tools/case-validate (scripts/test runs it)"
              << std::endl;
    return;
  }
  DemoCase demo;
  fs::path good = demo.dir / "case.jsonld";
  REQUIRE(test::run_cli("export --case " + q(demo.case_dir) + " --format case-uco -o " + q(good)) == 0);

  // Two deliberate breaks the SHACL shapes and the term check must catch.
  json doc = json::parse(slurp(good));
  json bad_hash = doc, bad_term = doc;
  for (auto& n : bad_hash["@graph"])
    if (n.value("@type", "") == "uco-types:Hash") {
      n["uco-types:hashValue"]["@value"] = "not-hex";
      break;
    }
  for (auto& n : bad_term["@graph"])
    if (n.value("@type", "") == "uco-observable:SMSMessage") {
      auto& facet = n["uco-core:hasFacet"][0];
      facet["uco-observable:messageTxt"] = facet["uco-observable:messageText"];
      facet.erase("uco-observable:messageText");
      break;
    }
  std::ofstream(demo.dir / "bad_hash.jsonld") << bad_hash.dump();
  std::ofstream(demo.dir / "bad_term.jsonld") << bad_term.dump();

  std::string cmd = "node " + q(validator / "validate.mjs") + " --ontology " + q(ontology) + " " + q(good) +
                    " " + q(demo.dir / "bad_hash.jsonld") + " " + q(demo.dir / "bad_term.jsonld") + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = ::pclose(p);
  INFO(out);
  CHECK(WEXITSTATUS(status) == 1);  // at least one file does not conform
  CHECK(out.find(good.string() + ": CONFORMS — ") != std::string::npos);
  CHECK(out.find(good.string() + ": Violation") == std::string::npos);
  CHECK(out.find((demo.dir / "bad_hash.jsonld").string() + ": DOES NOT CONFORM") != std::string::npos);
  CHECK(out.find("DatatypeConstraintComponent") != std::string::npos);
  CHECK(out.find((demo.dir / "bad_term.jsonld").string() + ": DOES NOT CONFORM") != std::string::npos);
  CHECK(
      out.find(
          "undefined ontology term <https://ontology.unifiedcyberontology.org/uco/observable/messageTxt>") !=
      std::string::npos);
}

TEST_CASE("XLSX export: one sheet per type, frozen header, autofilter, continuation sheets, Japanese",
          "[exports][xlsx]") {
  DemoCase demo;
  fs::path xlsx = demo.dir / "case.xlsx";
  // 30 rows per sheet so the 74 demo messages need two continuation sheets.
  REQUIRE(test::run_cli("export --case " + q(demo.case_dir) + " --format xlsx --xlsx-rows-per-sheet 30 -o " +
                        q(xlsx)) == 0);
  REQUIRE(!fs::exists(xlsx.string() + ".tmp"));
  const char* script = R"PY(
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
wb = z.read('xl/workbook.xml').decode('utf-8')
rels = z.read('xl/_rels/workbook.xml.rels').decode('utf-8')
target = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
target.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
out = {}
for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', wb):
    xml = z.read('xl/' + target[rid]).decode('utf-8')
    out[name] = {'rows': len(re.findall(r'<row ', xml)), 'frozen': 'state="frozen"' in xml,
                 'autofilter': '<autoFilter ' in xml, 'japanese': 'ホワイト案件' in xml,
                 'header': re.findall(r'<t>([^<]*)</t>', xml)[:3]}
print(json.dumps(out, ensure_ascii=False))
)PY";
  std::ofstream(demo.dir / "inspect.py") << script;
  std::string out;
  int rc = std::system(
      ("python3 " + q(demo.dir / "inspect.py") + " " + q(xlsx) + " > " + q(demo.dir / "sheets.json"))
          .c_str());
  REQUIRE(rc == 0);
  json sheets = json::parse(slurp(demo.dir / "sheets.json"));
  INFO(sheets.dump(1));
  REQUIRE(sheets.contains("概要 Summary"));
  REQUIRE(sheets.contains("message"));
  REQUIRE(sheets.contains("message (2)"));
  REQUIRE(sheets.contains("message (3)"));
  CHECK(sheets["message"]["rows"] == 31);  // header + 30
  CHECK(sheets["message (3)"]["rows"] == 1 + 74 - 60);
  bool japanese = false;
  for (const auto& name : {"message", "message (2)", "message (3)"}) {
    CHECK(sheets[name]["frozen"] == true);
    CHECK(sheets[name]["autofilter"] == true);
    CHECK(sheets[name]["header"][0] == "artifact_id");
    japanese = japanese || sheets[name]["japanese"].get<bool>();
  }
  CHECK(japanese);
  for (const auto& type : {"call", "contact", "web_visit", "location", "thread"})
    CHECK(sheets.contains(type));

  json entry = last_custody_entry(demo.case_dir, "export");
  CHECK(entry["outputs"][0]["sha256"] == test::file_sha256(xlsx));
  CHECK(entry["outputs"][1]["sheets"] == sheets.size());
}

TEST_CASE("CSV export split by type writes one file per artifact type with provenance columns",
          "[exports][csv]") {
  DemoCase demo;
  fs::path dir = demo.dir / "csv";
  REQUIRE(test::run_cli("export --case " + q(demo.case_dir) + " --format csv --split-by-type -o " + q(dir)) ==
          0);
  std::string messages = slurp(dir / "message.csv");
  CHECK(messages.rfind("\xEF\xBB\xBF"
                       "artifact_id,evidence_id,item_id,item_path,item_sha256,source_table,",
                       0) == 0);
  CHECK(messages.find("ホワイト案件") != std::string::npos);
  size_t lines = 0;
  for (char c : messages) lines += c == '\n';
  CHECK(lines == 75);  // header + 74 messages
  for (const char* type : {"call", "contact", "thread", "participant", "web_visit", "location", "media"})
    CHECK(fs::exists(dir / (std::string(type) + ".csv")));
  json entry = last_custody_entry(demo.case_dir, "export");
  CHECK(entry["outputs"].size() >= 8);  // every file with its SHA-256, then the summary
  CHECK(test::run_cli("export --case " + q(demo.case_dir) + " --format jsonl --split-by-type -o " + q(dir)) ==
        2);
}

TEST_CASE("reproduce: the demo case reproduces, one altered evidence byte is reported precisely",
          "[exports][reproduce]") {
  DemoCase demo;
  fs::path digest = demo.dir / "digest.json";
  std::string out;
  REQUIRE(test::run_cli("digest --case " + q(demo.case_dir) + " -o " + q(digest), &out) == 0);
  json d = json::parse(slurp(digest));
  CHECK(d["format"] == "kanshiki-reproducibility-digest/1");
  CHECK(d["signature"]["algorithm"] == "Ed25519");
  CHECK(d["artifacts"]["tables"]["messages"]["count"] == 74);
  CHECK(last_custody_entry(demo.case_dir, "digest")["outputs"][0]["sha256"] == test::file_sha256(digest));

  // Unchanged evidence: everything matches.
  int rc = test::run_cli("--json reproduce " + q(digest) + " --scratch " + q(demo.dir / "scratch1"), &out);
  INFO(out);
  REQUIRE(rc == 0);
  json same = json::parse(out.substr(out.find('{')));
  CHECK(same["reproduced"] == true);
  CHECK(same["mismatches"] == 0);

  // A tampered digest is refused before anything runs.
  json tampered = d;
  tampered["evidence"][0]["label"] = "altered";
  std::ofstream(demo.dir / "tampered.json") << tampered.dump();
  CHECK(test::run_cli(
            "reproduce " + q(demo.dir / "tampered.json") + " --scratch " + q(demo.dir / "scratch-t"), &out) ==
        6);
  CHECK(out.find("changed after signing") != std::string::npos);

  // One byte of one live SMS in the Android extraction (inside the tar, so the container hash changes too):
  // 'ホ' (E3 83 9B) becomes 'ボ' (E3 83 9C).
  fs::path copy = demo.dir / "evidence";
  fs::copy(demo.dir / "demo/samples", copy, fs::copy_options::recursive);
  {
    fs::path tar = copy / "android_ffs.tar";
    std::string bytes = slurp(tar);
    const std::string text = "連絡ありがとう。ホワイト案件だから安心して";
    size_t at = bytes.find(text);
    REQUIRE(at != std::string::npos);
    REQUIRE(bytes.find(text, at + 1) == std::string::npos);
    size_t ho = at + std::string("連絡ありがとう。").size();
    REQUIRE(static_cast<unsigned char>(bytes[ho + 2]) == 0x9B);
    std::fstream f(tar, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(ho + 2));
    f.put(static_cast<char>(0x9C));
  }
  rc = test::run_cli("--json reproduce " + q(digest) + " --evidence-root " + q(copy) + " --case " +
                         q(demo.case_dir) + " --scratch " + q(demo.dir / "scratch2"),
                     &out);
  INFO(out);
  CHECK(rc == 6);
  json diff = json::parse(out.substr(out.find('{')));
  CHECK(diff["reproduced"] == false);
  std::map<std::string, std::vector<json>> by_kind;
  for (const auto& x : diff["differences"])
    if (x["mismatch"] == true) by_kind[x["kind"].get<std::string>()].push_back(x);
  REQUIRE(by_kind["evidence"].size() == 1);  // the tar's container hashes
  CHECK(by_kind["evidence"][0]["subject"] == "exhibit A-1");
  REQUIRE(by_kind["item"].size() == 1);
  CHECK(by_kind["item"][0]["subject"] ==
        "A-1: data/data/com.android.providers.telephony/databases/mmssms.db");
  REQUIRE(by_kind["table"].size() == 1);
  CHECK(by_kind["table"][0]["subject"] == "messages");
  REQUIRE(by_kind["artifacts"].size() == 1);
  REQUIRE(by_kind["artifact"].size() == 1);
  CHECK(by_kind["artifact"][0]["detail"].get<std::string>().rfind("changed: original artifact", 0) == 0);
  CHECK(by_kind["artifact"][0]["detail"].get<std::string>().find("(message, sms rowid 4)") !=
        std::string::npos);
  CHECK(by_kind.size() == 5);

  json logged = last_custody_entry(demo.case_dir, "reproduce");  // logged in the original case too
  REQUIRE(logged.is_object());
  CHECK(logged["status"] == "failed");
}

TEST_CASE("XLSX export marks cells over Excel's limit and characters XML cannot carry", "[exports][xlsx]") {
  test::TempDir dir;
  CaseDb c = CaseDb::create(dir / "case", "XLSX-LIMITS");
  std::string text;
  for (int i = 0; i < 40000; ++i) text += "あ";  // 40,000 characters: over the 32,767 a cell can hold
  text.insert(3, std::string("\0", 1));  // after the first character: a NUL must not cut the cell short
  c.db().exec(
      "INSERT INTO artifacts(id, type, evidence_id, item_id, item_path, item_sha256, source_table, "
      "source_rowid, "
      "parser_id, parser_version, parser_run_id) VALUES (1, 'message', 1, 1, 'sms.db', 'ab', 'sms', 7, 'p', "
      "'1', 1)");
  sql::Stmt ins(c.db(), "INSERT INTO messages(artifact_id, text) VALUES (1, ?1)");
  ins.bind(1, std::string_view(text));
  ins.run();
  SheetExportResult r = export_xlsx(c, dir / "limits.xlsx");
  CHECK(r.artifacts == 1);
  CHECK(r.truncated_cells == 1);
  const char* script = R"PY(
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
xml = z.read('xl/worksheets/sheet2.xml').decode('utf-8')
cells = re.findall(r'<t[^>]*>([^<]*)</t>', xml)
cell = max(cells, key=len)
print(len(cell), cell.startswith('あ\ufffdあ'), '[truncated: 120001 bytes in the case' in cell)
)PY";
  std::ofstream(dir / "inspect.py") << script;
  REQUIRE(std::system(
              ("python3 " + q(dir / "inspect.py") + " " + q(dir / "limits.xlsx") + " > " + q(dir / "out.txt"))
                  .c_str()) == 0);
  std::string out = slurp(dir / "out.txt");
  INFO(out);
  size_t length = std::stoul(out);
  CHECK(length <= 32767);
  CHECK(length > 32000);
  CHECK(out.find("True True") != std::string::npos);
}
