// samples/generate_samples.py: the sample evidence the demo and many tests use. Checks that two runs are
// byte-identical, that the Android tar holds the expected paths (including a WAL whose rows the main file
// lacks), that Japanese text survives byte-exact, and that the iOS backup's Manifest.db maps sms.db to a real
// hashed file whose attributedBody-only message decodes as EXPECTED.json says.
#include <archive.h>
#include <archive_entry.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "core/sqlite_util.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPython = "/usr/bin/python3";  // Debian's interpreter: the generator uses its stdlib only

const char* kMmssms = "data/data/com.android.providers.telephony/databases/mmssms.db";
const char* kMsgstore = "data/data/com.whatsapp/databases/msgstore.db";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the generator into `out`; false when the interpreter is missing (the caller skips).
bool generate(const fs::path& out) {
  if (!fs::exists(kPython)) return false;
  const fs::path script = test::source_dir() / "samples" / "generate_samples.py";
  const std::string cmd = std::string(kPython) + " '" + script.string() + "' --out '" + out.string() + "'";
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  return true;
}

#define GENERATE_OR_SKIP(dir)                                                         \
  if (!generate(dir)) {                                                               \
    std::cout << "KANSHIKI-SKIP: " << kPython << " not found" << std::endl;          \
    return;                                                                           \
  }

// Lists the tar's members and extracts the ones named in `wanted` (tar path -> destination file).
std::set<std::string> read_tar(const fs::path& tar, const std::map<std::string, fs::path>& wanted) {
  std::set<std::string> names;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  REQUIRE(archive_read_open_filename(a, tar.c_str(), 64 * 1024) == ARCHIVE_OK);
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    const char* name = archive_entry_pathname(entry);
    REQUIRE(name != nullptr);
    names.insert(name);
    auto it = wanted.find(name);
    if (it == wanted.end()) continue;
    std::ofstream out(it->second, std::ios::binary);
    REQUIRE(out);
    char buf[16384];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) out.write(buf, n);
    REQUIRE(n == 0);
  }
  CHECK(r == ARCHIVE_EOF);
  archive_read_free(a);
  return names;
}

int64_t count(const sql::Db& db, const std::string& table) {
  sql::Stmt st(db, "SELECT count(*) FROM " + table);
  REQUIRE(st.step());
  return st.i64(0);
}

json load_expected(const fs::path& out) { return json::parse(read_file(out / "EXPECTED.json")); }

TEST_CASE("samples: two runs write byte-identical files", "[samples]") {
  test::TempDir a, b;
  GENERATE_OR_SKIP(a.path());
  GENERATE_OR_SKIP(b.path());
  const std::string sums = read_file(a / "SHA256SUMS");
  CHECK(sums == read_file(b / "SHA256SUMS"));

  // SHA256SUMS covers every file written, and each line is the file's real hash.
  std::istringstream lines(sums);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    REQUIRE(line.size() > 66);
    const std::string digest = line.substr(0, 64), rel = line.substr(66);
    CHECK(test::file_sha256(a.path() / rel) == digest);
    ++n;
  }
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(a.path()))
    if (e.is_regular_file() && e.path().filename() != "SHA256SUMS") ++files;
  CHECK(n == files);
  CHECK(n >= 9);  // tar, EXPECTED.json, 4 backup control files, 3 hashed files
}

TEST_CASE("samples: Android tar holds the app databases, a WAL, media and Japanese text byte-exact",
          "[samples]") {
  test::TempDir out, work;
  GENERATE_OR_SKIP(out.path());
  const json expected = load_expected(out.path());
  const json& android = expected["android_ffs"];

  const fs::path mmssms = work / "mmssms.db";
  const fs::path msgstore = work / "msgstore.db", msgstore_wal = work / "msgstore.db-wal";
  const std::set<std::string> names =
      read_tar(out / "android_ffs.tar", {{kMmssms, mmssms},
                                         {kMsgstore, msgstore},
                                         {std::string(kMsgstore) + "-wal", msgstore_wal}});
  for (const char* p : {kMmssms, "data/data/com.android.providers.contacts/databases/calllog.db",
                        "data/data/com.android.providers.contacts/databases/calllog.db-wal",
                        "data/data/com.android.providers.contacts/databases/contacts2.db", kMsgstore,
                        "data/data/com.whatsapp/databases/msgstore.db-wal", "data/data/com.whatsapp/databases/wa.db",
                        "data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml",
                        "data/data/com.android.chrome/app_chrome/Default/History",
                        "sdcard/DCIM/Camera/PXL_20240314_100512345.jpg",
                        "sdcard/Documents/業務連絡テンプレ.txt", "system/build.prop", "data/", "sdcard/"})
    CHECK(names.count(p) == 1);
  for (const auto& [path, info] : android["files"].items()) CHECK(names.count(path) == 1);
  for (const auto& n : names) CHECK(n.find("-shm") == std::string::npos);  // no stray shared-memory files

  SECTION("mmssms.db: a Japanese SMS body is byte-exact (WAVE DASH U+301C, not FULLWIDTH TILDE)") {
    const json& rec = android["databases"][kMmssms]["key_records"][0];
    REQUIRE(rec["what"] == "s_yamada_2");
    const fs::path copy = test::copy_sqlite_to(mmssms, work / "copy");
    sql::Db db(copy, SQLITE_OPEN_READONLY);
    sql::Stmt st(db, "SELECT body, date, address, type FROM sms WHERE _id = ?");
    st.bind(1, rec["rowid"].get<int64_t>());
    REQUIRE(st.step());
    const std::string body = st.text(0);
    CHECK(body == "連絡ありがとう。ホワイト案件だから安心して。即日即金で日給3万〜5万");
    CHECK(body == rec["text"].get<std::string>());
    CHECK(body.find("\xE3\x80\x9C") != std::string::npos);  // 〜 U+301C WAVE DASH
    CHECK(body.find("\xEF\xBD\x9E") == std::string::npos);  // ～ U+FF5E FULLWIDTH TILDE
    CHECK(std::to_string(st.i64(1)) == rec["time"]["raw"].get<std::string>());
    CHECK(st.text(2) == "+818002956140");
    CHECK(st.i64(3) == 2);  // sent
    CHECK(count(db, "sms") == android["databases"][kMmssms]["tables"]["sms"].get<int64_t>());
  }

  SECTION("msgstore.db: the newest messages are only in the -wal") {
    const json& exp = android["databases"][kMsgstore];
    const fs::path with_wal = test::copy_sqlite_to(msgstore, work / "with_wal");
    {
      sql::Db db(with_wal, SQLITE_OPEN_READONLY);
      CHECK(count(db, "message") == exp["tables"]["message"].get<int64_t>());
      CHECK(count(db, "call_log") == exp["tables"]["call_log"].get<int64_t>());
      // The coercion message sent on 2024-03-15 exists only in the WAL.
      const json& rec = exp["key_records"][3];
      REQUIRE(rec["what"] == "w_yam_9");
      CHECK(rec["in_wal_only"] == true);
      sql::Stmt st(db, "SELECT text_data, timestamp, from_me FROM message WHERE _id = ?");
      st.bind(1, rec["rowid"].get<int64_t>());
      REQUIRE(st.step());
      CHECK(st.text(0) == "今さら無理。身分証も実家の住所もこっちは押さえてる");
      CHECK(std::to_string(st.i64(1)) == rec["time"]["raw"].get<std::string>());
      CHECK(st.i64(2) == 1);
    }
    fs::create_directories(work / "main_only");
    fs::copy_file(msgstore, work / "main_only" / "msgstore.db");
    sql::Db db(work / "main_only" / "msgstore.db", SQLITE_OPEN_READONLY);
    CHECK(count(db, "message") == exp["tables_without_wal"]["message"].get<int64_t>());
    CHECK(count(db, "message") < exp["tables"]["message"].get<int64_t>());
  }
}

TEST_CASE("samples: iOS backup Manifest.db maps HomeDomain/Library/SMS/sms.db to its hashed file", "[samples]") {
  test::TempDir out, work;
  GENERATE_OR_SKIP(out.path());
  const json expected = load_expected(out.path());
  const fs::path backup = out / "ios_backup";
  for (const char* f : {"Info.plist", "Manifest.plist", "Status.plist", "Manifest.db"})
    CHECK(fs::is_regular_file(backup / f));
  CHECK(read_file(backup / "Info.plist").find("<string>山田の iPhone</string>") != std::string::npos);

  std::string file_id;
  {
    sql::Db manifest(test::copy_sqlite_to(backup / "Manifest.db", work / "m"), SQLITE_OPEN_READONLY);
    sql::Stmt st(manifest, "SELECT fileID, flags, length(file) FROM Files WHERE domain = ? AND relativePath = ?");
    st.bind(1, "HomeDomain").bind(2, "Library/SMS/sms.db");
    REQUIRE(st.step());
    file_id = st.text(0);
    CHECK(st.i64(1) == 1);   // a file, not a directory
    CHECK(st.i64(2) > 100);  // the MBFile archive
    CHECK_FALSE(st.step());
    // Every file row has its hashed file; fileID = sha1(domain + "-" + relativePath).
    sql::Stmt files(manifest, "SELECT fileID FROM Files WHERE flags = 1");
    int n = 0;
    while (files.step()) {
      const std::string id = files.text(0);
      CHECK(fs::is_regular_file(backup / id.substr(0, 2) / id));
      ++n;
    }
    CHECK(n == expected["ios_backup"]["manifest"]["file_rows"].get<int>());
  }
  CHECK(file_id == "3d0d7e5fb2ce288813306e4d4636395e047a3d28");  // sha1("HomeDomain-Library/SMS/sms.db")
  const fs::path sms = backup / file_id.substr(0, 2) / file_id;
  REQUIRE(fs::is_regular_file(sms));
  CHECK(read_file(sms).substr(0, 16) == std::string("SQLite format 3\0", 16));

  SECTION("the attributedBody-only message: text is NULL, the typedstream holds it") {
    const json& rec = expected["ios_backup"]["databases"]["HomeDomain/Library/SMS/sms.db"]["key_records"][0];
    REQUIRE(rec["what"] == "i_suz_4");
    sql::Db db(test::copy_sqlite_to(sms, work / "s"), SQLITE_OPEN_READONLY);
    sql::Stmt st(db, "SELECT text, attributedBody, date, is_from_me FROM message WHERE ROWID = ?");
    st.bind(1, rec["rowid"].get<int64_t>());
    REQUIRE(st.step());
    CHECK(st.is_null(0));
    const std::string blob(st.blob(1));
    const std::string text = rec["text"];
    CHECK(text == "もう辞める。警察に相談しようかな");
    const std::string header(
        "\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x19NSMutableAttributedString\x00\x84\x84\x12"
        "NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x0fNSMutableString\x01\x84\x84\x08"
        "NSString\x01\x95\x84\x01+",
        121);
    REQUIRE(blob.size() > header.size() + 1 + text.size());
    CHECK(blob.substr(0, header.size()) == header);
    CHECK(static_cast<unsigned char>(blob[header.size()]) == text.size());  // 48 bytes < 0x80: one length byte
    CHECK(blob.substr(header.size() + 1, text.size()) == text);
    CHECK(static_cast<unsigned char>(blob[header.size() + 1 + text.size()]) == 0x86);  // end of the string
    CHECK(std::to_string(st.i64(2)) == rec["time"]["raw"].get<std::string>());
    CHECK(st.i64(3) == 1);
  }
}

}  // namespace
}  // namespace kanshiki
