// Known-file hash sets through the CLI: a sha256sum-style list, a Project VIC (VICS) JSON and an NSRL RDSv3
// shaped SQLite set, each matched against an ingested folder; custody entries, and clear errors for a file
// without hashes.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/sqlite_util.h"
#include "hashing/multi_hash.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

TEST_CASE("hashset: list, VICS JSON and NSRL RDSv3 sets flag known-good and known-bad items", "[hashset][cli]") {
  test::TempDir tmp;
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  fs::path phone = tmp / "phone";
  fs::create_directories(phone / "system/lib");
  fs::create_directories(phone / "sdcard/DCIM");
  std::ofstream(phone / "system/lib/libc.so") << "a system library";
  std::ofstream(phone / "sdcard/DCIM/IMG_0001.JPG") << "contraband picture bytes";
  std::ofstream(phone / "sdcard/DCIM/IMG_0002.JPG") << "an ordinary picture";
  Digests lib = hash_file(phone / "system/lib/libc.so");
  Digests bad = hash_file(phone / "sdcard/DCIM/IMG_0001.JPG");

  fs::path c = tmp / "case";
  std::string out;
  REQUIRE(test::run_cli("examiner init --name T", &out) == 0);
  REQUIRE(test::run_cli("case create --case " + q(c), &out) == 0);
  REQUIRE(test::run_cli("ingest " + q(phone) + " --case " + q(c) + " --exhibit H-1", &out) == 0);

  // A sha256sum listing with a comment and a line that is not a hash.
  fs::path list = tmp / "good.sha256";
  std::ofstream(list) << "# lab known-good list\n" << lib.sha256 << "  libc.so\nnot-a-hash  x\n";
  REQUIRE(test::run_cli("--json hashset import " + q(list) + " --case " + q(c) + " --name 'Lab OS files v1'", &out) == 0);
  INFO(out);
  auto j = json::parse(out);
  CHECK(j["format"] == "list");
  CHECK(j["entries"] == 1);
  CHECK(j["rejected"] == 1);
  CHECK(j["matches"] == 1);

  // Project VIC style: records under "value", MD5 + SHA1, category, file names under MediaFiles.
  fs::path vics = tmp / "vics.json";
  std::ofstream(vics) << json{{"odata.metadata", "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media"},
                              {"value",
                               json::array({json{{"MediaID", 1},
                                                 {"Category", 1},
                                                 {"MD5", upper(bad.md5)},
                                                 {"SHA1", bad.sha1},
                                                 {"MediaFiles", json::array({json{{"FileName", "IMG_0001.JPG"}}})}},
                                            json{{"MediaID", 2}, {"Category", 2}, {"MD5", std::string(32, 'a')}}})}}
                                     .dump();
  REQUIRE(test::run_cli("--json hashset import " + q(vics) + " --case " + q(c) + " --kind known-bad --name 'VIC 2024'",
                        &out) == 0);
  j = json::parse(out);
  CHECK(j["format"] == "vics");
  CHECK(j["entries"] == 3);
  CHECK(j["matches"] == 1);  // one item, matched on MD5 and SHA-1, is one (item, set) match

  // NSRL RDSv3 shape: FILE with upper-case hex, no index (matched by one pass over the set).
  fs::path nsrl = tmp / "RDS_modern_minimal.db";
  {
    sql::Db db(nsrl, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, crc32 VARCHAR "
            "NOT NULL, file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL, package_id INTEGER NOT NULL)");
    sql::Stmt ins(db, "INSERT INTO FILE VALUES (?1, ?2, ?3, '00000000', ?4, 16, 1)");
    ins.bind(1, upper(lib.sha256)).bind(2, upper(lib.sha1)).bind(3, upper(lib.md5)).bind(4, "libc.so").run();
    ins.bind(1, std::string(64, 'F')).bind(2, std::string(40, 'F')).bind(3, std::string(32, 'F')).bind(4, "x").run();
  }
  const std::string nsrl_sha = test::file_sha256(nsrl);
  REQUIRE(test::run_cli("--json hashset import " + q(nsrl) + " --case " + q(c) + " --name 'NSRL 2024.03'", &out) == 0);
  j = json::parse(out);
  CHECK(j["format"] == "nsrl");
  CHECK(j["entries"] == 2);
  CHECK(j["matches"] == 1);
  CHECK(test::file_sha256(nsrl) == nsrl_sha);  // matched in place, never written

  REQUIRE(test::run_cli("--json hashset hits --case " + q(c) + " --kind known-bad", &out) == 0);
  j = json::parse(out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["path"] == "sdcard/DCIM/IMG_0001.JPG");
  CHECK(j[0]["set"] == "VIC 2024");
  CHECK(j[0]["category"] == "1");
  CHECK(j[0]["exhibit"] == "H-1");
  REQUIRE(test::run_cli("--json hashset hits --case " + q(c), &out) == 0);
  CHECK(json::parse(out).size() == 3);

  // The HTML report names the sets and lists the known-bad match with its exhibit, path and category.
  REQUIRE(test::run_cli("report --case " + q(c) + " --format html --all --lang en", &out) == 0);
  {
    std::ifstream in(c / "reports" / "report_en.html");
    std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(html.find("id=\"known-files\"") != std::string::npos);
    CHECK(html.find("VIC 2024") != std::string::npos);
    CHECK(html.find("NSRL 2024.03") != std::string::npos);
    CHECK(html.find("sdcard/DCIM/IMG_0001.JPG") != std::string::npos);
    CHECK(html.find("Matches with known-bad files (1)") != std::string::npos);
    CHECK(html.find("Items matching known-good sets: 1") != std::string::npos);
  }

  // Re-matching is idempotent.
  REQUIRE(test::run_cli("--json hashset match --case " + q(c), &out) == 0);
  CHECK(json::parse(out)["matches"] == 3);

  // A file with no hash at all: a clear error, and the failure is in the custody log.
  fs::path junk = tmp / "notes.txt";
  std::ofstream(junk) << "hello\nworld\n";
  CHECK(test::run_cli("hashset import " + q(junk) + " --case " + q(c), &out) == 4);
  CHECK(out.find("no hashes found") != std::string::npos);
  REQUIRE(test::run_cli("custody show --case " + q(c), &out) == 0);
  CHECK(out.find("hashset import") != std::string::npos);
  CHECK(out.find("failed") != std::string::npos);
  REQUIRE(test::run_cli("custody verify --case " + q(c), &out) == 0);
}

}  // namespace
}  // namespace kanshiki
