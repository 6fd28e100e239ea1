// Sandboxed parsing (engine/parse_sandbox.h, docs/sandbox.md): the wire protocol rejects malformed or
// misattributed output, and crafted files that make a parser abort, loop, sleep, exhaust memory or try to
// write cost only their own file — worker killed, warning stored, others parsed, report lists the file.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/case_db.h"
#include "core/custody.h"
#include "core/sqlite_util.h"
#include "engine/parse_protocol.h"
#include "engine/parse_sandbox.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;
namespace pp = kanshiki::parse_protocol;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

Record sample_record() {
  Record r;
  r.provenance = {
      1,       2,    "data/x/mmssms.db", std::string(64, 'a'), "sms", 7, std::nullopt, "", "android.sms",
      "1.0.0", false};
  Message m;
  m.app = "sms";
  m.text = "ホワイト案件の件 🙂";
  m.recipients = {"09012345678", "09087654321"};
  m.direction = Direction::outgoing;
  m.time = Timestamp::from_int(1714563296000, EpochKind::unix_ms);
  m.expires_in_s = 3600;
  m.attachments.push_back({"DCIM/a.jpg", "a.jpg", "image/jpeg", "", 1234});
  r.data = m;
  return r;
}

std::string payload_of(const std::string& frame) { return frame.substr(pp::kFrameHeader); }

// An Android SMS database whose message bodies carry `body` (e.g. a fault-injection marker).
void make_sms_db(const fs::path& p, const std::string& body) {
  fs::create_directories(p.parent_path());
  sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.exec(
      "CREATE TABLE sms (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, address TEXT, person "
      "INTEGER, "
      "date INTEGER, date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0, status INTEGER "
      "DEFAULT -1, "
      "type INTEGER, reply_path_present INTEGER, subject TEXT, body TEXT, service_center TEXT, locked "
      "INTEGER DEFAULT 0, "
      "error_code INTEGER DEFAULT 0, creator TEXT, seen INTEGER DEFAULT 0)");
  sql::Stmt ins(
      db,
      "INSERT INTO sms(thread_id, address, date, type, body, read) VALUES(1, '09011112222', ?1, 1, ?2, 1)");
  for (int i = 0; i < 5; ++i)
    ins.bind(1, int64_t{1714563296000} + i * 60000).bind(2, body + " " + std::to_string(i)).run();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("parse protocol: records and warnings survive the round trip exactly", "[sandbox]") {
  Record r = sample_record();
  std::string frame;
  pp::append_record(frame, r);
  REQUIRE(frame[0] == 'R');
  Record back = pp::decode_record(payload_of(frame));
  const auto& m = std::get<Message>(back.data);
  CHECK(m.text == "ホワイト案件の件 🙂");
  CHECK(m.recipients.size() == 2);
  CHECK(m.direction == Direction::outgoing);
  CHECK(m.time.utc_us == std::get<Message>(r.data).time.utc_us);
  CHECK(m.expires_in_s == 3600);
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].size == 1234);
  CHECK(back.provenance.source_rowid == 7);
  CHECK(back.provenance.item_sha256 == r.provenance.item_sha256);

  Warning w;
  w.severity = Severity::error;
  w.message = "行 3 を読めません";
  w.source_rowid = 3;
  std::string wf;
  pp::append_warning(wf, w);
  Warning wb = pp::decode_warning(payload_of(wf));
  CHECK(wb.message == w.message);
  CHECK(wb.severity == Severity::error);
  CHECK(wb.source_rowid == 3);

  pp::Request req{"android.sms", "1.0.0", {1, 2, "a/mmssms.db", "ff", "/tmp/x/mmssms.db", true}};
  pp::Request rb = pp::decode_request(pp::encode_request(req));
  CHECK(rb.parser_id == "android.sms");
  CHECK(rb.input.working_copy == fs::path("/tmp/x/mmssms.db"));
}

TEST_CASE("parse protocol: truncated, oversized or out-of-range frames are rejected, never trusted",
          "[sandbox]") {
  std::string frame;
  pp::append_record(frame, sample_record());
  const std::string payload = payload_of(frame);
  // Every truncation fails cleanly.
  for (size_t n = 0; n < payload.size(); n += 7)
    CHECK_THROWS_AS(pp::decode_record(payload.substr(0, n)), Error);
  // Trailing bytes.
  CHECK_THROWS_AS(pp::decode_record(payload + "x"), Error);
  // An artifact type that does not exist (byte after the provenance).
  {
    std::string pf;
    Record r = sample_record();
    r.data = DeviceFact{"k", "v"};
    pp::append_record(pf, r);
    std::string p = payload_of(pf);
    size_t type_at = p.size() - (4 + 1) - (4 + 1) - 1;  // two 1-byte strings, then the type byte before them
    REQUIRE(static_cast<uint8_t>(p[type_at]) == r.data.index());
    p[type_at] = 99;
    CHECK_THROWS_AS(pp::decode_record(p), Error);
  }
  // A list count larger than the frame (a worker trying to make us allocate).
  {
    Warning w;
    std::string wf;
    pp::append_warning(wf, w);
    std::string p = payload_of(wf);
    CHECK_NOTHROW(pp::decode_warning(p));
    p[0] = 7;  // severity enum out of range
    CHECK_THROWS_AS(pp::decode_warning(p), Error);
  }
  CHECK_THROWS_AS(pp::decode_error(""), Error);
}

namespace {
struct CountingSink final : ArtifactSink {
  void emit(Record r) override { records.push_back(std::move(r)); }
  void warn(Warning) override { ++warnings; }
  std::vector<Record> records;
  size_t warnings = 0;
};
}  // namespace

TEST_CASE("one fork server parses file after file, and a crashing child costs only its own file",
          "[sandbox]") {
  test::TempDir dir;
  ::setenv("KANSHIKI_TEST_FAULTS", "1", 1);  // read by the zygote's children (inherited at its start)
  make_sms_db(dir / "a/mmssms.db", "一通目");
  make_sms_db(dir / "crash/mmssms.db", "KANSHIKI-FAULT:segv");
  make_sms_db(dir / "b/mmssms.db", "二通目");
  const ParserEntry* sms = find_parser("android.sms");
  REQUIRE(sms);
#if defined(__SANITIZE_ADDRESS__)
  // scripts/asan-suite sends sanitizer reports to files (ASAN_OPTIONS=log_path=...). The confined child
  // cannot create one, so the zygote started here must keep reporting to stderr, which the parent reads.
  std::string asan_options;
  if (const char* current = std::getenv("ASAN_OPTIONS")) {
    std::stringstream tokens(current);
    for (std::string token; std::getline(tokens, token, ':');)
      if (!token.starts_with("log_path=")) asan_options += (asan_options.empty() ? "" : ":") + token;
    ::setenv("ASAN_OPTIONS", asan_options.c_str(), 1);
  }
#endif
  ParseSandbox sandbox(SandboxOptions{});
  auto parse = [&](const std::string& name, CountingSink& sink) {
    ParseInput in{1, 7, name + "/mmssms.db", std::string(64, 'c'), dir / name / "mmssms.db"};
    sandbox.parse(sms->info(), in, sink);
  };
  CountingSink first, crashed, second;
  parse("a", first);
  try {
    parse("crash", crashed);
    FAIL("the crashing child was not reported");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::corrupt_input);
    // "SIGSEGV" from the parent; an ASan-built child catches the fault itself ("AddressSanitizer: SEGV").
    CHECK_THAT(e.what(), Catch::Contains("SEGV"));
  }
  parse("b", second);  // same zygote, fresh child: unaffected by the crash before it
  REQUIRE(first.records.size() >= 5);
  CHECK(second.records.size() == first.records.size());
  CHECK(crashed.records.empty());
  const Message* m = nullptr;
  for (const auto& r : second.records)
    if (!m) m = std::get_if<Message>(&r.data);
  REQUIRE(m);
  CHECK(m->text.starts_with("二通目"));
  CHECK(second.records.front().provenance.item_path == "b/mmssms.db");
  ::unsetenv("KANSHIKI_TEST_FAULTS");
}

TEST_CASE("crafted files that crash, loop, hang, exhaust memory or try to write cost only their own file",
          "[sandbox][cli]") {
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  ::setenv("KANSHIKI_TEST_FAULTS", "1", 1);  // honoured only by kanshiki-parse-worker
  const fs::path ev = dir / "device", case_dir = dir / "case";
  make_sms_db(ev / "good/mmssms.db", "普通のメッセージ");
  make_sms_db(ev / "loop/mmssms.db", "KANSHIKI-FAULT:loop");
  make_sms_db(ev / "hang/mmssms.db", "KANSHIKI-FAULT:sleep");
  make_sms_db(ev / "write/mmssms.db", "KANSHIKI-FAULT:write");
#if !defined(__SANITIZE_ADDRESS__)
  make_sms_db(ev / "memory/mmssms.db", "KANSHIKI-FAULT:memory");
#endif
  std::ofstream(ev / "Info.plist")
      << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>Device Name</key>"
         "<string>KANSHIKI-FAULT:abort</string></dict></plist>\n";

  REQUIRE(test::run_cli("examiner init --name 'Sandbox Test'") == 0);
  REQUIRE(test::run_cli("case create --case " + q(case_dir)) == 0);
  REQUIRE(test::run_cli("ingest " + q(ev) + " --format folder --case " + q(case_dir)) == 0);
  std::string out;
  const int rc =
      test::run_cli("process --case " + q(case_dir) + " --parse-cpu 2 --parse-timeout 4 --parse-memory " +
                        std::to_string(512ull << 20),
                    &out);
  INFO(out);
  CHECK(rc == static_cast<int>(ExitCode::completed_with_warnings));

  CaseDb c = CaseDb::open(case_dir);
  auto run_of = [&](const std::string& path) {
    sql::Stmt st(
        c.db(),
        "SELECT p.status, p.artifact_count, coalesce((SELECT group_concat(message, ' | ') FROM warnings w "
        "WHERE w.parser_run_id = p.id), '') FROM parser_runs p JOIN items i ON i.id = p.item_id "
        "WHERE i.path = ?1 AND p.parser_id IN ('android.sms', 'ios.backup_info')");
    st.bind(1, path);
    REQUIRE(st.step());
    return std::tuple<std::string, int64_t, std::string>{st.text(0), st.i64(1), st.text(2)};
  };
  {
    auto [status, artifacts, warning] = run_of("good/mmssms.db");
    CHECK(status.starts_with("done"));  // the minimal schema lacks the MMS tables: done_with_warnings
    CHECK(artifacts >= 5);
  }
  {
    // The write attempt is refused (the worker aborts if it is not), and parsing goes on normally.
    auto [status, artifacts, warning] = run_of("write/mmssms.db");
    CHECK(status.starts_with("done"));  // the minimal schema lacks the MMS tables: done_with_warnings
    CHECK(artifacts >= 5);
  }
  {
    auto [status, artifacts, warning] = run_of("loop/mmssms.db");
    CHECK(status == "failed");
    // The CPU limit normally fires first; on a loaded machine the wall clock may win. Either way: killed.
    CHECK_THAT(warning, Catch::Contains("parser worker crashed: SIGXCPU") || Catch::Contains("SIGKILL") ||
                            Catch::Contains("wall-clock limit"));
  }
  {
    auto [status, artifacts, warning] = run_of("hang/mmssms.db");
    CHECK(status == "failed");
    CHECK_THAT(warning, Catch::Contains("wall-clock limit of 4 s"));
  }
#if !defined(__SANITIZE_ADDRESS__)
  {
    auto [status, artifacts, warning] = run_of("memory/mmssms.db");
    CHECK(status == "failed");
    CHECK_THAT(warning, Catch::Contains("out of memory") || Catch::Contains("crashed"));
  }
#endif
  {
    auto [status, artifacts, warning] = run_of("Info.plist");
    CHECK(status == "failed");
    CHECK_THAT(warning, Catch::Contains("SIGABRT"));
  }
  CHECK(verify_custody(c).ok);

  // The report's limitations name every failed file.
  REQUIRE(test::run_cli("report --case " + q(case_dir) + " --format html --lang en") == 0);
  std::string html;  // every page of the report (its file names are the report writer's business)
  for (const auto& e : fs::directory_iterator(case_dir / "reports"))
    if (e.path().extension() == ".html") html += slurp(e.path());
  CHECK_THAT(html, Catch::Contains("Files that could not be parsed"));
  CHECK_THAT(html, Catch::Contains("loop/mmssms.db"));
  CHECK_THAT(html, Catch::Contains("hang/mmssms.db"));
  CHECK_THAT(html, Catch::Contains("Info.plist"));
  ::unsetenv("KANSHIKI_TEST_FAULTS");
}

TEST_CASE("sandboxed and in-process parsing store identical artifacts for the sample evidence",
          "[sandbox][cli]") {
  if (!fs::exists("/usr/bin/python3")) {
    std::cout << "KANSHIKI-SKIP: /usr/bin/python3 not found" << std::endl;
    return;
  }
  test::TempDir dir;
  ::setenv("KANSHIKI_HOME", (dir / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  const fs::path samples = dir / "samples";
  REQUIRE(std::system(("/usr/bin/python3 " + q(test::source_dir() / "samples/generate_samples.py") +
                       " --out " + q(samples) + " >/dev/null")
                          .c_str()) == 0);
  REQUIRE(test::run_cli("examiner init --name 'Sandbox Test'") == 0);
  std::string exports[2];
  for (int sandboxed = 0; sandboxed < 2; ++sandboxed) {
    const fs::path c = dir / (sandboxed ? "case_sandbox" : "case_inprocess");
    REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
    REQUIRE(test::run_cli("ingest " + q(samples / "android_ffs.tar") + " --case " + q(c)) == 0);
    REQUIRE(test::run_cli("ingest " + q(samples / "ios_backup") + " --case " + q(c)) == 0);
    REQUIRE(test::run_cli("process --case " + q(c) + (sandboxed ? "" : " --no-sandbox")) == 0);
    REQUIRE(test::run_cli("export --case " + q(c) + " --format jsonl -o " + q(dir / "out.jsonl")) == 0);
    exports[sandboxed] = slurp(dir / "out.jsonl");
  }
  CHECK(exports[0].size() > 10000);
  CHECK(exports[0] == exports[1]);
}
