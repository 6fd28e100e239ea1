// The HTML court report and the CSV/JSONL exports, on a small case built at test time: several artifact
// types, Japanese text, an XSS payload, a recovered row, a signed custody log, warnings and limitations.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/case_db.h"
#include "core/case_schema.h"
#include "core/custody.h"
#include "core/examiner.h"
#include "kanshiki/version.h"
#include "report/export.h"
#include "report/html_report.h"
#include "report/report_common.h"
#include "core/xml_escape.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;

namespace {

const std::string kJapanese = "「ホワイト案件、即日即金」";
const std::string kXss = "<script>alert(1)</script>";
const std::string kCsvNasty = "He said \"hi\", then\nleft";
const std::string kItemSha = "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t occurrences(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size()))
    ++n;
  return n;
}

Provenance prov(int64_t rowid, std::string table = "message") {
  Provenance p;
  p.evidence_id = 1;
  p.item_id = 1;
  p.item_path = "data/data/com.android.providers.telephony/databases/mmssms.db";
  p.item_sha256 = kItemSha;
  p.source_table = std::move(table);
  p.source_rowid = rowid;
  p.parser_id = "android.sms";
  p.parser_version = "1.2.0";
  return p;
}

Message message(std::string text, int64_t unix_ms, Direction d) {
  Message m;
  m.app = "sms";
  m.thread_key = "7";
  m.sender = d == Direction::incoming ? "+819012345678" : "";
  m.sender_name = "山田 太郎";
  m.recipients = {"+819011112222", "+819033334444"};
  m.direction = d;
  if (unix_ms) m.time = Timestamp::from_int(unix_ms, EpochKind::unix_ms);
  m.text = std::move(text);
  m.kind = "sms";
  return m;
}

// Builds the fixture case in dir/case. Returns the number of artifacts written.
struct Fixture {
  test::TempDir tmp;
  fs::path case_dir = tmp / "case";
  size_t artifacts = 0;

  Fixture() {
    CaseDb c = CaseDb::create(case_dir, "令和6年-警-0042");
    Examiner ex = Examiner::create("鑑識 花子", tmp / "home");
    CustodyAction create;
    create.action = "case-create";
    append_custody(c, ex, create);

    auto& db = c.db();
    const int64_t run = c.begin_run("process", "kanshiki process --case case", "鑑識 花子");
    db.exec(
        "INSERT INTO evidence(id, exhibit, label, source_path, source_kind, container_size, container_md5, "
        "container_sha1, container_sha256, item_count, total_bytes, status, ingested_utc) VALUES(1, "
        "'甲第1号', "
        "'Pixel 7', '/evidence/pixel7.tar', 'archive', 4096, 'md5md5', 'sha1sha1', "
        "'c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffee0000', 3, 3000, 'ok', "
        "'2024-05-02T00:00:00.000Z')");
    db.exec(
        "INSERT INTO items(id, evidence_id, path, physical, size, md5, sha1, sha256) VALUES"
        "(1, 1, 'data/data/com.android.providers.telephony/databases/mmssms.db', 'mmssms.db', 1000, 'm1', "
        "'s1', '" +
        kItemSha +
        "'),(2, 1, 'sdcard/写真/<img>.jpg', 'x', 1000, 'm2', 's2', 'h2'),"
        "(3, 1, 'sdcard/notes.txt', 'y', 1000, 'm3', 's3', 'h3')");
    db.exec(
        "INSERT INTO parser_runs(id, run_id, evidence_id, item_id, parser_id, parser_version, status, "
        "artifact_count, warning_count, started_utc, ended_utc, limitations) VALUES(1, " +
        std::to_string(run) +
        ", 1, 1, 'android.sms', '1.2.0', 'ok', 9, 1, 't0', 't1', "
        "'[\"MMS parts are not decoded\", \"<b>drafts</b> are skipped\"]')");

    sql::Transaction tx(db);
    ArtifactWriter w(c, run, 1);
    // Five messages in time order t1 < t2 < ... ; one without a time sorts first.
    w.emit({prov(42), message(kJapanese, 1714566896789, Direction::incoming)});
    Record xss{prov(43), message(kXss, 1714566900000, Direction::outgoing)};
    xss.provenance.recovered = true;
    xss.provenance.source_rowid.reset();
    xss.provenance.source_offset = 4096;
    xss.provenance.source_detail = "freelist page 7";
    w.emit(std::move(xss));
    w.emit({prov(44), message(kCsvNasty, 1714567000000, Direction::incoming)});
    w.emit({prov(45), message("no time here", 0, Direction::unknown)});
    Message with_attachment = message("写真を送ります", 1714568000000, Direction::outgoing);
    Attachment photo;
    photo.path = "sdcard/写真/<img>.jpg";
    photo.mime_type = "image/jpeg";
    photo.sha256 = "h2";
    photo.size = 1000;
    with_attachment.attachments.push_back(photo);
    w.emit({prov(46), with_attachment});

    Call call;
    call.app = "phone";
    call.number = "0312345678";
    call.direction = CallDirection::missed;
    call.time = Timestamp::from_int(1714566000000, EpochKind::unix_ms);
    call.duration_s = 0;
    w.emit({prov(7, "calls"), call});

    Contact contact;
    contact.app = "contacts";
    contact.name = "佐藤, \"サトウ\"";
    contact.phones = {"090-1234-5678", "+81 3 1234 5678"};
    contact.emails = {"sato@example.jp"};
    w.emit({prov(8, "raw_contacts"), contact});

    WebVisit visit;
    visit.browser = "chrome";
    visit.url = "javascript:alert('x')";
    visit.title = "<b>闇バイト</b> 求人";
    visit.time = Timestamp::from_int(13359040496789000, EpochKind::webkit_us);
    visit.visit_count = 3;
    w.emit({prov(9, "urls"), visit});

    w.emit({prov(1, "plist"), DeviceFact{"SerialNumber", "F17XYZ"}});
    c.add_warning({Severity::warning, 1, 1, "data/.../mmssms.db", "android.sms", "sms", 99, "bad date <x>"},
                  run, 1);
    tx.commit();
    artifacts = w.artifact_count();
    c.end_run(run, "ok");

    CustodyAction process;
    process.action = "process";
    process.inputs =
        nlohmann::json::array({{{"path", "/evidence/pixel7.tar"}, {"sha256", std::string(64, 'c')}}});
    append_custody(c, ex, process);
  }

  ReportResult report(const std::string& lang, size_t rows_per_page,
                      const std::string& name = "report.html") {
    CaseDb c = CaseDb::open(case_dir);
    HtmlReportOptions o;
    o.output = case_dir / "reports" / name;
    o.lang = lang;
    o.rows_per_page = rows_per_page;
    return write_html_report(c, o);
  }
};

std::string all_files(const ReportResult& r) {
  std::string all;
  for (const auto& f : r.files) all += slurp(f);
  return all;
}

// Minimal RFC 4180 reader for checking the export: returns rows of fields.
std::vector<std::vector<std::string>> parse_csv(std::string_view s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, in_quotes = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    if (in_quotes) {
      if (ch == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        in_quotes = false;
      } else {
        field += ch;
      }
    } else if (ch == '"' && field.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (ch == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
      quoted = false;
    } else if (ch == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      quoted = false;
      ++i;
      rows.emplace_back();
    } else {
      field += ch;
    }
  }
  if (rows.back().empty() && field.empty()) rows.pop_back();
  return rows;
}

}  // namespace

TEST_CASE("report: the Japanese index states case, examiners, evidence, custody, parsers, warnings",
          "[report]") {
  Fixture f;
  const ReportResult r = f.report("ja", 1000);
  REQUIRE(r.index == f.case_dir / "reports" / "report.html");
  REQUIRE(!r.files.empty());
  CHECK(r.files.front() == r.index);
  const std::string index = slurp(r.index);

  CHECK(index.find("<!DOCTYPE html>") == 0);
  CHECK(index.find("<html lang=\"ja\">") != std::string::npos);
  CHECK(index.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(index.find("Noto Sans CJK JP") != std::string::npos);
  CHECK(index.find("IPAexGothic") != std::string::npos);
  for (const char* heading :
       {"事件情報", "検査官", "証拠品", "保管の連鎖 (Chain of custody)", "解析結果", "警告"})
    CHECK(index.find(std::string(">") + heading + "</h2>") != std::string::npos);

  CHECK(index.find("令和6年-警-0042") != std::string::npos);
  CHECK(index.find("鑑識 花子") != std::string::npos);
  {
    CaseDb c = CaseDb::open(f.case_dir);
    sql::Stmt st(c.db(), "SELECT fingerprint FROM examiners");
    REQUIRE(st.step());
    CHECK(index.find(st.text(0)) != std::string::npos);  // the full key fingerprint
  }
  // Evidence with its container hashes and a link to its item list.
  CHECK(index.find("甲第1号") != std::string::npos);
  CHECK(index.find("c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffee0000") != std::string::npos);
  CHECK(index.find("href=\"report_items_E1_0001.html\"") != std::string::npos);
  // Custody: verified OK, both entries listed.
  CHECK(index.find("class=\"verify-ok\"") != std::string::npos);
  CHECK(index.find("class=\"verify-bad\"") == std::string::npos);
  CHECK(index.find(">case-create<") != std::string::npos);
  CHECK(index.find("/evidence/pixel7.tar") != std::string::npos);
  // Tool/run, parser counts and limitations (escaped), warnings.
  CHECK(index.find("kanshiki process --case case") != std::string::npos);
  CHECK(index.find("<td>android.sms</td><td>1.2.0</td>") != std::string::npos);
  CHECK(index.find("MMS parts are not decoded") != std::string::npos);
  CHECK(index.find("&lt;b&gt;drafts&lt;/b&gt; are skipped") != std::string::npos);
  CHECK(index.find("bad date &lt;x&gt;") != std::string::npos);
  CHECK(index.find("href=\"report_warnings_0001.html\"") != std::string::npos);
  // TOC links to the artifact pages of every type present.
  for (const char* page : {"report_messages_0001.html", "report_calls_0001.html", "report_contacts_0001.html",
                           "report_web_visits_0001.html", "report_device_info_0001.html"})
    CHECK(index.find(std::string("href=\"") + page + "\"") != std::string::npos);
  CHECK(index.find("report_locations_0001.html") == std::string::npos);  // no locations: no page
  // Footer.
  CHECK(index.find("Kanshiki " + std::string(kToolVersion)) != std::string::npos);
  CHECK(index.find("UTC+09:00") != std::string::npos);
  CHECK(index.find("読み取り専用") != std::string::npos);
  CHECK(index.find("raw values with their epoch are kept in the case") != std::string::npos);

  // Nothing else is loaded: no scripts, no network resources.
  const std::string all = all_files(r);
  CHECK(all.find("<script") == std::string::npos);
  CHECK(all.find("http://") == std::string::npos);
  CHECK(all.find("https://") == std::string::npos);
  CHECK(all.find("<link") == std::string::npos);
}

TEST_CASE("report: English headings and labels", "[report]") {
  Fixture f;
  const ReportResult r = f.report("en", 1000, "report_en.html");
  const std::string index = slurp(r.index);
  CHECK(index.find("<html lang=\"en\">") != std::string::npos);
  for (const char* heading :
       {"Case", "Examiners", "Evidence", "Chain of custody", "Analysis results", "Warnings"})
    CHECK(index.find(std::string(">") + heading + "</h2>") != std::string::npos);
  CHECK(index.find("事件情報") == std::string::npos);
  CHECK(index.find("Generated by Kanshiki") != std::string::npos);
  CHECK(index.find(
            "Times are shown in UTC and in UTC+09:00; raw values with their epoch are kept in the case") !=
        std::string::npos);
  CHECK(index.find("opened read-only") != std::string::npos);
  // Pages carry the index's stem, so this report did not touch a ja report's pages.
  CHECK(fs::exists(f.case_dir / "reports" / "report_en_messages_0001.html"));
  CHECK(!fs::exists(f.case_dir / "reports" / "report_messages_0001.html"));
  const std::string calls = slurp(f.case_dir / "reports" / "report_en_calls_0001.html");
  CHECK(calls.find(">missed<") != std::string::npos);
}

TEST_CASE("report: evidence text is escaped and Japanese is byte-exact", "[report]") {
  Fixture f;
  const ReportResult r = f.report("ja", 1000);
  const std::string all = all_files(r);
  const std::string messages = slurp(f.case_dir / "reports" / "report_messages_0001.html");
  CHECK(messages.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(all.find(kXss) == std::string::npos);
  CHECK(messages.find(kJapanese) != std::string::npos);
  CHECK(messages.find("山田 太郎") != std::string::npos);
  CHECK(messages.find("sdcard/写真/&lt;img&gt;.jpg") != std::string::npos);  // attachment path, escaped
  const std::string web = slurp(f.case_dir / "reports" / "report_web_visits_0001.html");
  CHECK(web.find("&lt;b&gt;闇バイト&lt;/b&gt; 求人") != std::string::npos);
  CHECK(web.find("javascript:alert(&#39;x&#39;)") != std::string::npos);
  CHECK(web.find("href=\"javascript") == std::string::npos);  // URLs are text, never links
  const std::string contacts = slurp(f.case_dir / "reports" / "report_contacts_0001.html");
  CHECK(contacts.find("佐藤, &quot;サトウ&quot;") != std::string::npos);
  CHECK(contacts.find("090-1234-5678<br>+81 3 1234 5678") != std::string::npos);  // JSON array as a list
  const std::string items = slurp(f.case_dir / "reports" / "report_items_E1_0001.html");
  CHECK(items.find("sdcard/写真/&lt;img&gt;.jpg") != std::string::npos);
  CHECK(items.find(kItemSha) != std::string::npos);  // item pages show full hashes

  CHECK(report::html_escape(std::string("a\x01z")) == "a<span class=\"ctl\">\\x01</span>z");
  CHECK(report::html_escape("\"'&") == "&quot;&#39;&amp;");
  // XML documents (KML, GPX, GraphML): a control character XML cannot carry stays visible as text.
  CHECK(xml_escape(std::string("東京\x01<A&B>'\"\t")) == "東京\\x01&lt;A&amp;B&gt;&apos;&quot;\t");
}

TEST_CASE("report: artifact rows show UTC and zone time, raw value, direction and provenance", "[report]") {
  Fixture f;
  f.report("ja", 1000);
  const std::string messages = slurp(f.case_dir / "reports" / "report_messages_0001.html");
  // 1714566896789 ms = 2024-05-01T12:34:56.789Z = 21:34:56 in JST.
  CHECK(messages.find("2024-05-01T12:34:56.789Z<br>2024-05-01 21:34:56 (UTC+09:00)") != std::string::npos);
  CHECK(messages.find("raw 1714566896789 (unix_ms)") != std::string::npos);
  CHECK(messages.find("受信 (incoming)") != std::string::npos);
  CHECK(messages.find("送信 (outgoing)") != std::string::npos);
  // Provenance of the first message: evidence, item path, table + rowid, parser + version, sha256 prefix.
  CHECK(messages.find(
            "E1 · data/data/com.android.providers.telephony/databases/mmssms.db<br>message rowid 42<br>"
            "android.sms 1.2.0<br>SHA-256 <span class=\"hash\" title=\"" +
            kItemSha + "\">ab12cd34ef56ab12…</span>") != std::string::npos);
  // The recovered row: shaded, marked, with its offset and detail instead of a rowid.
  CHECK(occurrences(messages, "<tr id=\"a") == 5);
  CHECK(occurrences(messages, "class=\"recovered\"") == 1);
  CHECK(messages.find("message オフセット 4096 · freelist page 7") != std::string::npos);
  CHECK(messages.find("<span class=\"rec\">復元データ (RECOVERED)</span></td></tr>") != std::string::npos);
  // The message without a time is listed (first: rows without a time sort first), not dropped.
  CHECK(messages.find("no time here") < messages.find(kJapanese));

  const std::string calls = slurp(f.case_dir / "reports" / "report_calls_0001.html");
  CHECK(calls.find("不在着信 (missed)") != std::string::npos);
  const std::string web = slurp(f.case_dir / "reports" / "report_web_visits_0001.html");
  CHECK(web.find("raw 13359040496789000 (webkit_us)") != std::string::npos);
  CHECK(web.find("2024-05-01T12:34:56.789Z") != std::string::npos);
}

TEST_CASE("report: pagination writes rows_per_page rows per file with prev/next links", "[report]") {
  Fixture f;
  const ReportResult r = f.report("ja", 2);
  const fs::path dir = f.case_dir / "reports";
  // 5 messages at 2 per page: 3 pages, no fourth.
  for (int i = 1; i <= 3; ++i) CHECK(fs::exists(dir / fmt::format("report_messages_{:04}.html", i)));
  CHECK(!fs::exists(dir / "report_messages_0004.html"));
  const std::string p1 = slurp(dir / "report_messages_0001.html");
  const std::string p2 = slurp(dir / "report_messages_0002.html");
  const std::string p3 = slurp(dir / "report_messages_0003.html");
  CHECK(occurrences(p1, "<tr id=\"a") == 2);
  CHECK(occurrences(p2, "<tr id=\"a") == 2);
  CHECK(occurrences(p3, "<tr id=\"a") == 1);
  CHECK(p1.find("rel=\"prev\"") == std::string::npos);
  CHECK(p1.find("<a href=\"report_messages_0002.html\" rel=\"next\">") != std::string::npos);
  CHECK(p1.find("<a href=\"report_messages_0003.html\">") != std::string::npos);  // last
  CHECK(p1.find("ページ 1 / 3") != std::string::npos);
  CHECK(p2.find("<a href=\"report_messages_0001.html\" rel=\"prev\">") != std::string::npos);
  CHECK(p2.find("<a href=\"report_messages_0003.html\" rel=\"next\">") != std::string::npos);
  CHECK(p3.find("<a href=\"report_messages_0002.html\" rel=\"prev\">") != std::string::npos);
  CHECK(p3.find("rel=\"next\"") == std::string::npos);
  CHECK(p3.find("href=\"report.html\"") != std::string::npos);  // back to the index
  // Items (3 at 2 per page) too.
  CHECK(fs::exists(dir / "report_items_E1_0002.html"));
  CHECK(!fs::exists(dir / "report_items_E1_0003.html"));

  // Every written file is returned, exists, and no temporary file is left behind.
  std::set<fs::path> returned(r.files.begin(), r.files.end());
  CHECK(returned.size() == r.files.size());
  size_t html_files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    CHECK(e.path().extension() != ".tmp");
    ++html_files;
    CHECK(returned.count(e.path()) == 1);
  }
  CHECK(html_files == r.files.size());
  // 1 index + 3 messages + calls + contacts + web + device + 2 item pages + 1 warnings page.
  CHECK(r.files.size() == 11);
}

TEST_CASE("report: a broken chain of custody is shown prominently", "[report]") {
  Fixture f;
  fs::remove(f.case_dir / "custody.anchor");
  const ReportResult r = f.report("en", 1000);
  const std::string index = slurp(r.index);
  CHECK(index.find("class=\"verify-bad\"") != std::string::npos);
  CHECK(index.find("class=\"verify-ok\"") == std::string::npos);
  CHECK(index.find("custody.anchor is missing") != std::string::npos);
  CHECK(index.find("verify-bad") < index.find("id=\"toc\""));  // above everything else
}

TEST_CASE("report: refuses bad options", "[report]") {
  Fixture f;
  CaseDb c = CaseDb::open(f.case_dir);
  HtmlReportOptions o;
  o.output = f.case_dir / "reports" / "r.html";
  o.rows_per_page = 0;
  CHECK_THROWS_AS(write_html_report(c, o), Error);
  o.rows_per_page = 10;
  o.lang = "fr";
  CHECK_THROWS_AS(write_html_report(c, o), Error);
}

TEST_CASE("report: each artifact cursor walks the index without sorting", "[report]") {
  Fixture f;
  CaseDb c = CaseDb::open(f.case_dir);
  for (const auto& [type, table] : kArtifactTables) {
    const auto layout = report::artifact_layout(c.db(), type, table);
    sql::Stmt st(c.db(), "EXPLAIN QUERY PLAN " + layout.select_sql);
    st.bind(1, type);
    std::string plan;
    while (st.step()) plan += st.text(3) + "\n";
    INFO(type << ":\n" << plan);
    CHECK(plan.find("TEMP B-TREE") == std::string::npos);
    CHECK(plan.find("artifacts_type_time") != std::string::npos);
  }
}

TEST_CASE("export: jsonl has one typed object per artifact with provenance", "[report]") {
  Fixture f;
  CaseDb c = CaseDb::open(f.case_dir);
  std::ostringstream out;
  const size_t n = export_artifacts(c, ExportFormat::jsonl, out);
  CHECK(n == f.artifacts);
  CHECK(n == 9);
  std::istringstream in(out.str());
  std::string line;
  std::vector<nlohmann::json> rows;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE(!j.is_discarded());
    REQUIRE(j.is_object());
    CHECK(j["type"].is_string());
    CHECK(j["artifact_id"].is_number_integer());
    CHECK(j["recovered"].is_boolean());
    const auto& p = j["provenance"];
    REQUIRE(p.is_object());
    for (const char* k : {"evidence_id", "item_id", "item_path", "item_sha256", "source_table",
                          "source_rowid", "source_offset", "source_detail", "parser_id", "parser_version"})
      CHECK(p.contains(k));
    CHECK(p["evidence_id"] == 1);
    CHECK(p["item_sha256"] == kItemSha);
    rows.push_back(std::move(j));
  }
  REQUIRE(rows.size() == n);
  CHECK(out.str().find(kJapanese) != std::string::npos);  // not \u-escaped: byte-exact

  auto find = [&](const std::string& type, const std::function<bool(const nlohmann::json&)>& pred) {
    for (const auto& r : rows)
      if (r["type"] == type && pred(r)) return r;
    FAIL("no " << type << " row matched");
    return nlohmann::json();
  };
  const auto ja = find("message", [](const auto& r) { return r["text"] == kJapanese; });
  CHECK(ja["recovered"] == false);
  CHECK(ja["provenance"]["source_table"] == "message");
  CHECK(ja["provenance"]["source_rowid"] == 42);
  CHECK(ja["provenance"]["source_offset"].is_null());
  CHECK(ja["provenance"]["parser_id"] == "android.sms");
  CHECK(ja["provenance"]["parser_version"] == "1.2.0");
  CHECK(ja["direction"] == "incoming");
  CHECK(ja["recipients"] == nlohmann::json::array({"+819011112222", "+819033334444"}));
  CHECK(ja["attachments"] == nlohmann::json::array());
  CHECK(ja["edited"] == false);
  CHECK(ja["time"] ==
        nlohmann::json{{"raw", "1714566896789"}, {"epoch", "unix_ms"}, {"utc", "2024-05-01T12:34:56.789Z"}});
  CHECK(ja["sender_name"] == "山田 太郎");

  const auto xss = find("message", [](const auto& r) { return r["text"] == kXss; });
  CHECK(xss["recovered"] == true);
  CHECK(xss["provenance"]["source_rowid"].is_null());
  CHECK(xss["provenance"]["source_offset"] == 4096);
  CHECK(xss["provenance"]["source_detail"] == "freelist page 7");

  const auto no_time = find("message", [](const auto& r) { return r["text"] == "no time here"; });
  CHECK(no_time["time"].is_null());
  const auto att = find("message", [](const auto& r) { return r["attachments"].size() == 1; });
  CHECK(att["attachments"][0]["path"] == "sdcard/写真/<img>.jpg");
  CHECK(att["attachments"][0]["size"] == 1000);

  const auto contact = find("contact", [](const auto&) { return true; });
  CHECK(contact["phones"] == nlohmann::json::array({"090-1234-5678", "+81 3 1234 5678"}));
  CHECK(contact["emails"] == nlohmann::json::array({"sato@example.jp"}));
  const auto call = find("call", [](const auto&) { return true; });
  CHECK(call["duration_s"] == 0);
  CHECK(call["video"] == false);
  const auto fact = find("device_info", [](const auto&) { return true; });
  CHECK(fact["key"] == "SerialNumber");
  CHECK(fact["value"] == "F17XYZ");
}

TEST_CASE("export: csv is one RFC 4180 table with a BOM and correct quoting", "[report]") {
  Fixture f;
  CaseDb c = CaseDb::open(f.case_dir);
  std::ostringstream out;
  const size_t n = export_artifacts(c, ExportFormat::csv, out);
  CHECK(n == 9);
  const std::string s = out.str();
  REQUIRE(s.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(occurrences(s, "\xEF\xBB\xBF") == 1);
  CHECK(s.find("\"He said \"\"hi\"\", then\nleft\"") != std::string::npos);
  CHECK(s.find("\"佐藤, \"\"サトウ\"\"\"") != std::string::npos);

  const auto rows = parse_csv(std::string_view(s).substr(3));
  REQUIRE(rows.size() == n + 1);
  const auto& header = rows[0];
  for (const auto& row : rows) CHECK(row.size() == header.size());
  auto col = [&](const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<size_t>(it - header.begin());
  };
  CHECK(header[0] == "type");
  const size_t text = col("text"), type = col("type"), rowid = col("source_rowid"), rec = col("recovered");
  const size_t time_raw = col("time_raw"), time_utc = col("time_utc"), phones = col("phones");
  CHECK(occurrences(s.substr(0, s.find("\r\n")), "time_raw") == 1);  // shared columns appear once
  bool saw_nasty = false, saw_ja = false, saw_contact = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r[text] == kCsvNasty) {
      saw_nasty = true;
      CHECK(r[rowid] == "44");
    }
    if (r[text] == kJapanese) {
      saw_ja = true;
      CHECK(r[type] == "message");
      CHECK(r[time_raw] == "1714566896789");
      CHECK(r[time_utc] == "2024-05-01T12:34:56.789Z");
      CHECK(r[rec] == "0");
    }
    if (r[type] == "contact") {
      saw_contact = true;
      CHECK(r[phones] == "[\"090-1234-5678\",\"+81 3 1234 5678\"]");
      CHECK(r[text].empty());
    }
  }
  CHECK(saw_nasty);
  CHECK(saw_ja);
  CHECK(saw_contact);

  std::string field;
  report::append_csv_field(field, "plain");
  CHECK(field == "plain");
  field.clear();
  report::append_csv_field(field, "a,b");
  CHECK(field == "\"a,b\"");
  field.clear();
  report::append_csv_field(field, "cr\ronly");
  CHECK(field == "\"cr\ronly\"");
}

TEST_CASE("report: many rows are streamed into the right number of pages", "[report]") {
  test::TempDir tmp;
  const fs::path case_dir = tmp / "case";
  constexpr int kRows = 10'000;
  {
    CaseDb c = CaseDb::create(case_dir, "BULK-1");
    const int64_t run = c.begin_run("process", "bulk", "tester");
    c.db().exec(
        "INSERT INTO evidence(id, exhibit, source_path, source_kind, status, ingested_utc) "
        "VALUES(1, 'E', '/x', 'folder', 'ok', 't')");
    c.db().exec(
        "INSERT INTO items(id, evidence_id, path, physical, size, md5, sha1, sha256) "
        "VALUES(1, 1, 'sms.db', 'sms.db', 1, 'm', 's', 'h')");
    sql::Transaction tx(c.db());
    ArtifactWriter w(c, run, 1);
    for (int i = 0; i < kRows; ++i)
      w.emit({prov(i), message("本文 " + std::to_string(i), 1700000000000 + (kRows - i) * 1000LL,
                               Direction::incoming)});
    tx.commit();
  }
  CaseDb c = CaseDb::open(case_dir);
  HtmlReportOptions o;
  o.output = case_dir / "reports" / "bulk.html";
  o.rows_per_page = 1000;
  const ReportResult r = write_html_report(c, o);
  // index + 10 message pages + 1 item page (the custody verification of an empty log is OK)
  CHECK(r.files.size() == 12);
  size_t rows = 0;
  for (int page = 1; page <= 10; ++page) {
    const std::string html = slurp(case_dir / "reports" / fmt::format("bulk_messages_{:04}.html", page));
    rows += occurrences(html, "<tr id=\"a");
  }
  CHECK(rows == kRows);
  // Ordered by time: the last inserted message is the earliest and opens page 1.
  const std::string p1 = slurp(case_dir / "reports" / "bulk_messages_0001.html");
  CHECK(p1.find("本文 9999") < p1.find("本文 9998"));
}

TEST_CASE("report: a rerun replaces its own earlier pages and leaves other reports alone", "[report]") {
  Fixture f;
  const fs::path dir = f.case_dir / "reports";
  f.report("ja", 2);
  f.report("en", 2, "report_en.html");
  std::ofstream(dir / "notes.txt") << "examiner notes";
  std::ofstream(dir / "report_messages_0009.html.tmp") << "<html>half";  // left by a killed run
  REQUIRE(fs::exists(dir / "report_messages_0003.html"));
  const ReportResult r = f.report("ja", 1000);
  CHECK(fs::exists(dir / "report_messages_0001.html"));
  CHECK(!fs::exists(dir / "report_messages_0002.html"));
  CHECK(!fs::exists(dir / "report_messages_0003.html"));
  CHECK(!fs::exists(dir / "report_items_E1_0002.html"));
  CHECK(!fs::exists(dir / "report_messages_0009.html.tmp"));
  CHECK(fs::exists(dir / "notes.txt"));
  CHECK(fs::exists(dir / "report_en_messages_0003.html"));  // the other report keeps its pages
  CHECK(fs::exists(dir / "report_en.html"));
  for (const auto& p : r.files) CHECK(fs::exists(p));
}
