// `kanshiki thumbnails` (engine/thumbnails.h): content-addressed thumbnails inside the case, made by the
// confined kanshiki-thumb-worker. Fixtures are generated here (a BMP needs no library) or taken from the
// sample case and ../shared/realdata.
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/case_db.h"
#include "core/sqlite_util.h"
#include "engine/thumbnails.h"
#include "test_support.h"

using namespace kanshiki;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A 24-bit BMP (BITMAPINFOHEADER, bottom-up rows padded to 4 bytes) with a fixed colour pattern.
std::string make_bmp(int width, int height) {
  const int row_bytes = (width * 3 + 3) & ~3;
  const uint32_t pixels = static_cast<uint32_t>(row_bytes * height);
  std::string b;
  auto u16 = [&b](uint16_t v) { b.append({static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)}); };
  auto u32 = [&b](uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  b += "BM";
  u32(54 + pixels);
  u32(0);
  u32(54);
  u32(40);
  u32(static_cast<uint32_t>(width));
  u32(static_cast<uint32_t>(height));
  u16(1);
  u16(24);
  u32(0);
  u32(pixels);
  u32(2835);
  u32(2835);
  u32(0);
  u32(0);
  for (int y = 0; y < height; ++y) {
    std::string row(static_cast<size_t>(row_bytes), '\0');
    for (int x = 0; x < width; ++x) {
      row[static_cast<size_t>(x * 3)] = static_cast<char>((x * 255) / width);       // blue
      row[static_cast<size_t>(x * 3 + 1)] = static_cast<char>((y * 255) / height);  // green
      row[static_cast<size_t>(x * 3 + 2)] = static_cast<char>(((x / 40 + y / 40) % 2) * 200);
    }
    b += row;
  }
  return b;
}

void write_file(const fs::path& p, std::string_view bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Every file of a folder with its SHA-256: what "evidence unchanged" is checked against.
std::map<std::string, std::string> folder_hashes(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = test::file_sha256(e.path());
  return out;
}

// A case with the folder ingested and media.exif run over it (without the thumbnails step that ends
// `process`, so each test runs it itself); KANSHIKI_HOME points at a fresh examiner.
fs::path case_from_folder(const test::TempDir& tmp, const fs::path& evidence) {
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name 'Thumb Tester'") == 0);
  const fs::path c = tmp / "case";
  REQUIRE(test::run_cli("case create --case '" + c.string() + "'") == 0);
  std::string out;
  REQUIRE(test::run_cli("ingest '" + evidence.string() + "' --case '" + c.string() + "'", &out) == 0);
  REQUIRE(test::run_cli("process --case '" + c.string() + "' --parser media.exif --no-thumbnails", &out) ==
          0);
  return c;
}

json run_thumbnails(const fs::path& c, int expected_rc) {
  std::string out;
  const int rc = test::run_cli("--json thumbnails --case '" + c.string() + "'", &out);
  INFO(out);
  REQUIRE(rc == expected_rc);
  // stderr is merged into `out`; the JSON summary is the last object printed.
  return json::parse(out.substr(out.find('{')));
}

struct ThumbRow {
  std::string status, path, thumb_sha256, reason, note;
  int64_t width = 0, height = 0, source_width = 0, source_height = 0;
};

std::map<std::string, ThumbRow> thumbnail_rows(const fs::path& c) {
  sql::Db db(c / "case.db", SQLITE_OPEN_READONLY);
  sql::Stmt st(
      db,
      "SELECT sha256, status, path, thumb_sha256, reason, note, COALESCE(width, 0), COALESCE(height, 0), "
      "COALESCE(source_width, 0), COALESCE(source_height, 0) FROM thumbnails");
  std::map<std::string, ThumbRow> rows;
  while (st.step())
    rows[st.text(0)] = {st.text(1), st.text(2), st.text(3), st.text(4), st.text(5),
                        st.i64(6),  st.i64(7),  st.i64(8),  st.i64(9)};
  return rows;
}

int64_t count(const fs::path& c, const std::string& sql) {
  sql::Db db(c / "case.db", SQLITE_OPEN_READONLY);
  sql::Stmt st(db, sql);
  st.step();
  return st.i64(0);
}

}  // namespace

TEST_CASE("thumbnails: one per distinct photo, fully specified, deduplicated, idempotent, evidence unchanged",
          "[thumbnails]") {
  test::TempDir tmp;
  const fs::path ev = tmp / "evidence";
  const std::string bmp = make_bmp(600, 300);
  // Extensions lie: media.exif and the thumbnailer go by content.
  write_file(ev / "sdcard/WhatsApp/Media/WhatsApp Images/IMG-20240311-WA0001.jpg", bmp);
  write_file(ev / "sdcard/DCIM/Camera/copy_of_the_same.jpg", bmp);  // same bytes: one thumbnail
  write_file(ev / "sdcard/DCIM/Camera/small.jpg", make_bmp(40, 90));
  const auto before = folder_hashes(ev);
  const fs::path c = case_from_folder(tmp, ev);

  json r = run_thumbnails(c, 0);
  CHECK(r["media"] == 3);
  CHECK(r["distinct_originals"] == 2);
  CHECK(r["made"] == 2);
  CHECK(r["failed"] == 0);
  CHECK(count(c, "SELECT COUNT(*) FROM warnings WHERE parser_id = 'thumbnails'") == 0);

  auto rows = thumbnail_rows(c);
  REQUIRE(rows.size() == 2);
  const std::string sha = test::file_sha256(ev / "sdcard/DCIM/Camera/copy_of_the_same.jpg");
  REQUIRE(rows.count(sha) == 1);
  const ThumbRow& t = rows[sha];
  CHECK(t.status == "ok");
  CHECK(t.path == "thumbnails/" + sha.substr(0, 2) + "/" + sha + ".jpg");
  CHECK(t.width == 256);  // 600x300 fitted into 256x256, aspect ratio kept
  CHECK(t.height == 128);
  CHECK(t.source_width == 600);
  CHECK(t.source_height == 300);
  CHECK(t.reason.empty());
  CHECK(t.note.empty());
  REQUIRE(fs::exists(c / t.path));
  CHECK(test::file_sha256(c / t.path) == t.thumb_sha256);
  // Deterministic: fixed JPEG quality and header, nothing from the original's metadata (Debian 12's
  // libjpeg-turbo 2.1.5 and Qt 6.4.2; another decoder build may round differently).
  CHECK(t.thumb_sha256 == "eb4bd2bf9d23f6f00940a156a428b7cbb170f5c3bd97404b43f6d86f2623de73");
  {
    std::ifstream f(c / t.path, std::ios::binary);
    char soi[3] = {};
    f.read(soi, 3);
    CHECK(std::string_view(soi, 3) == "\xFF\xD8\xFF");
  }
  const ThumbRow& small = rows[test::file_sha256(ev / "sdcard/DCIM/Camera/small.jpg")];
  CHECK(small.width == 40);  // never enlarged
  CHECK(small.height == 90);

  SECTION("a second run does nothing and duplicates nothing") {
    json again = run_thumbnails(c, 0);
    CHECK(again["made"] == 0);
    CHECK(again["already_done"] == 2);
    CHECK(count(c, "SELECT COUNT(*) FROM thumbnails") == 2);
  }
  SECTION("after a kill: a written file without its row, and a row without its file, are completed") {
    {
      sql::Db db(c / "case.db", SQLITE_OPEN_READWRITE);
      sql::Stmt del(db, "DELETE FROM thumbnails WHERE sha256 = ?1");
      del.bind(1, sha).run();
    }
    fs::remove(c / small.path);
    json again = run_thumbnails(c, 0);
    CHECK(again["made"] == 2);
    CHECK(count(c, "SELECT COUNT(*) FROM thumbnails") == 2);
    auto redone = thumbnail_rows(c);
    CHECK(redone[sha].thumb_sha256 == t.thumb_sha256);
    CHECK(fs::exists(c / small.path));
  }
  // Nothing was written beside the evidence, nothing in it changed; thumbnails live in the case only.
  CHECK(folder_hashes(ev) == before);
  CHECK(count(c, "SELECT COUNT(*) FROM custody WHERE action = 'thumbnails' AND status = 'ok'") >= 1);
}

TEST_CASE("thumbnails: shown in the HTML report's media pages and beside the media rows of the court PDF",
          "[thumbnails][report]") {
  test::TempDir tmp;
  const fs::path ev = tmp / "evidence";
  write_file(ev / "sdcard/DCIM/Camera/wide.jpg", make_bmp(600, 300));
  write_file(ev / "sdcard/DCIM/Camera/tall.jpg", make_bmp(120, 360));
  write_file(ev / "sdcard/DCIM/Camera/broken.jpg", "not an image");
  const fs::path c = case_from_folder(tmp, ev);
  run_thumbnails(c, 10);
  const std::string wide = test::file_sha256(ev / "sdcard/DCIM/Camera/wide.jpg");
  const std::string wide_rel = "thumbnails/" + wide.substr(0, 2) + "/" + wide + ".jpg";

  std::string out;
  REQUIRE(test::run_cli("report --case '" + c.string() + "' --format html --all", &out) == 0);
  std::ifstream page(c / "reports" / "report_media_0001.html");
  const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  CHECK(html.find("<th>サムネイル</th>") != std::string::npos);
  CHECK(html.find("<img src=\"" + wide_rel + "\" width=\"256\" height=\"128\"") != std::string::npos);
  CHECK(html.find("not a readable image") != std::string::npos);  // the reason, where there is no thumbnail
  REQUIRE(fs::exists(c / "reports" / wide_rel));  // copied beside the report: the folder is self-contained
  CHECK(test::file_sha256(c / "reports" / wide_rel) == test::file_sha256(c / wide_rel));

  REQUIRE(test::run_cli("report --case '" + c.string() + "' --format pdf --all", &out) == 0);
  std::string images;
  REQUIRE(test::run_command("pdfimages -list '" + (c / "reports" / "report_ja.pdf").string() + "'",
                            &images) == 0);
  int jpeg_images = 0;
  std::istringstream lines(images);
  for (std::string line; std::getline(lines, line);)
    if (line.find(" image ") != std::string::npos && line.find("jpeg") != std::string::npos) ++jpeg_images;
  CHECK(jpeg_images == 2);  // the two thumbnails; the broken file has none
  CHECK(images.find("256   128") != std::string::npos);
}

TEST_CASE("thumbnails: malformed images, decoder crashes and hangs are stored warnings, the run goes on",
          "[thumbnails]") {
  test::TempDir tmp;
  const fs::path ev = tmp / "evidence";
  write_file(ev / "sdcard/DCIM/Camera/good.jpg", make_bmp(300, 600));
  write_file(ev / "sdcard/DCIM/Camera/not_an_image.jpg", "this is text, not a JPEG");
  std::string truncated = make_bmp(200, 200);
  // Cut inside the info header. (Cut inside the pixels, Qt's BMP reader returns the image with the missing
  // rows blank and no message, so such a file gets a thumbnail; libjpeg does report a cut JPEG, see the
  // real-data case below.)
  truncated.resize(30);
  write_file(ev / "sdcard/DCIM/Camera/truncated.jpg", truncated);
  // Test hook of the worker (KANSHIKI_TEST_FAULTS=1): these make the decoder child crash and hang.
  write_file(ev / "sdcard/WhatsApp/Media/WhatsApp Images/crash.gif", "GIF89a KANSHIKI-FAULT:segv");
  write_file(ev / "sdcard/WhatsApp/Media/WhatsApp Images/hang.gif", "GIF89a KANSHIKI-FAULT:sleep");
  const auto before = folder_hashes(ev);
  const fs::path c = case_from_folder(tmp, ev);

  ::setenv("KANSHIKI_TEST_FAULTS", "1", 1);
  std::string out;
  const int rc = test::run_cli("--json thumbnails --decode-timeout 2 --case '" + c.string() + "'", &out);
  ::unsetenv("KANSHIKI_TEST_FAULTS");
  INFO(out);
  CHECK(rc == 10);  // completed with warnings
  json r = json::parse(out.substr(out.find('{')));
  CHECK(r["distinct_originals"] == 5);
  CHECK(r["made"] == 1);
  CHECK(r["failed"] == 4);

  auto rows = thumbnail_rows(c);
  auto row_of = [&](const std::string& rel) { return rows[test::file_sha256(ev / rel)]; };
  CHECK(row_of("sdcard/DCIM/Camera/good.jpg").status == "ok");
  CHECK(row_of("sdcard/DCIM/Camera/good.jpg").width == 128);
  CHECK(row_of("sdcard/DCIM/Camera/not_an_image.jpg").status == "failed");
  CHECK(row_of("sdcard/DCIM/Camera/not_an_image.jpg").reason.find("not a readable image") !=
        std::string::npos);
  CHECK(row_of("sdcard/DCIM/Camera/truncated.jpg").status == "failed");
#if defined(__SANITIZE_ADDRESS__)
  // An ASan-built decoder catches the fault itself ("AddressSanitizer: SEGV") and exits 1 instead of dying.
  CHECK(row_of("sdcard/WhatsApp/Media/WhatsApp Images/crash.gif").reason == "decoder exited with status 1");
#else
  CHECK(row_of("sdcard/WhatsApp/Media/WhatsApp Images/crash.gif").reason ==
        "decoder crashed (signal 11 SIGSEGV)");
#endif
  CHECK(row_of("sdcard/WhatsApp/Media/WhatsApp Images/hang.gif").reason ==
        "decoder killed after 2 s (wall-clock limit)");
  CHECK(
      count(c,
            "SELECT COUNT(*) FROM warnings WHERE parser_id = 'thumbnails' AND message LIKE 'no thumbnail: %' "
            "AND item_path != ''") == 4);
  CHECK(count(c, "SELECT COUNT(*) FROM custody WHERE action = 'thumbnails' AND status = 'warnings'") == 1);

  // Failures are recorded once: a re-run neither retries them nor repeats their warnings.
  json again = run_thumbnails(c, 0);
  CHECK(again["already_done"] == 5);
  CHECK(count(c, "SELECT COUNT(*) FROM warnings WHERE parser_id = 'thumbnails'") == 4);
  CHECK(folder_hashes(ev) == before);
}

TEST_CASE("thumbnails: process makes them for the demo sample case, one per photo", "[thumbnails]") {
  test::TempDir tmp;
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  REQUIRE(test::run_cli("examiner init --name 'Thumb Tester'") == 0);
  std::string out;
  const int demo_rc = test::run_cli("demo --out '" + (tmp / "demo").string() + "'", &out);
  if (demo_rc != 0 && out.find("python") != std::string::npos) {
    std::cout << "KANSHIKI-SKIP: the sample generator needs /usr/bin/python3" << std::endl;
    return;
  }
  REQUIRE(demo_rc == 0);
  const fs::path c = tmp / "demo" / "case";
  json r = run_thumbnails(c, 0);
  const int64_t photos = count(c, "SELECT COUNT(DISTINCT sha256) FROM media");
  CHECK(photos == 2);
  // `process` (inside `demo`) already made them: this run has nothing left to do.
  CHECK(r["made"] == 0);
  CHECK(r["already_done"] == photos);
  CHECK(count(c, "SELECT COUNT(*) FROM runs WHERE command = 'thumbnails'") == 2);
  CHECK(count(c, "SELECT COUNT(*) FROM thumbnails WHERE status = 'ok' AND width = 8 AND height = 8") ==
        photos);
}

TEST_CASE("thumbnails: real JPEG and HEIC photos (HEIC through libheif), a truncated JPEG is a warning",
          "[thumbnails][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(photos, "photos_exif/exif-samples");
  test::TempDir tmp;
  const fs::path ev = tmp / "evidence";
  fs::create_directories(ev / "DCIM/100APPLE");
  for (const char* name : {"heic_IMG_5195.HEIC", "jpg_gps_DSCN0010.jpg", "jpg_tests_35-empty.jpg"})
    fs::copy_file(photos / name, ev / "DCIM/100APPLE" / name);
  std::ifstream in(photos / "jpg_gps_DSCN0010.jpg", std::ios::binary);
  std::string head(30000, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  write_file(ev / "DCIM/100APPLE/cut_short.jpg", head);
  const fs::path c = case_from_folder(tmp, ev);

  json r = run_thumbnails(c, 0);
  CHECK(r["made"] == 4);
  auto rows = thumbnail_rows(c);
  const ThumbRow& heic = rows[test::file_sha256(photos / "heic_IMG_5195.HEIC")];
  CHECK(heic.status == "ok");
  CHECK(heic.source_width == 2566);  // as displayed: libheif applies the container's crop and rotation
  CHECK(heic.source_height == 3313);
  CHECK(heic.width == 198);
  CHECK(heic.height == 256);
  const ThumbRow& jpeg = rows[test::file_sha256(photos / "jpg_gps_DSCN0010.jpg")];
  CHECK(jpeg.width == 256);
  CHECK(jpeg.height == 192);
  CHECK(jpeg.note.empty());
  const ThumbRow& cut = rows[test::file_sha256(ev / "DCIM/100APPLE/cut_short.jpg")];
  CHECK(cut.status == "ok");
  CHECK(cut.note.find("premature end") != std::string::npos);
  // Good photos leave no warning; the truncated one leaves exactly one.
  CHECK(count(c, "SELECT COUNT(*) FROM warnings WHERE parser_id = 'thumbnails'") == 1);
}
