// media.exif on the real photos of ianare/exif-samples (values cross-checked with exiftool 12.57 -n):
// JPEG and HEIC with GPS, the iPhone 13 HEIC without GPS, and the malformed files that crashed exif-py.
#include <fmt/format.h>

#include <fstream>

#include "core/case_db.h"
#include "tests/test_support.h"

using namespace kanshiki;
using namespace kanshiki::test;

namespace {

struct Expected {
  const char* file;
  const char* mime;
  const char* lat;  // 6 decimals; nullptr: no GPS
  const char* lon;
  const char* captured_raw;  // nullptr: no DateTimeOriginal
  const char* captured_utc;  // "" when the camera wrote no offset
  const char* make;
  const char* model;
  const char* software;
};

const Expected kPhotos[] = {
    {"heic_IMG_5195.HEIC", "image/heic", "39.051344", "-94.288772", "2021:04:11 15:47:53 -05:00",
     "2021-04-11T20:47:53.000Z", "Apple", "iPhone 11 Pro Max", "14.4.2"},
    {"heic_mobile_HMD_Nokia_8.3_5G.heif", "image/heic", "40.788685", "-4.005141", nullptr, "", "", "",
     "00WW_2_270_SP04"},
    {"heic_mobile_iphone_13_pro_max.HEIC", "image/heic", nullptr, nullptr, "2022:02:16 12:55:41 +01:00",
     "2022-02-16T11:55:41.000Z", "Apple", "iPhone 13 Pro Max", "15.2.1"},
    {"jpg_gps_DSCN0010.jpg", "image/jpeg", "43.467448", "11.885127", "2008:10:22 16:28:39", "", "NIKON",
     "COOLPIX P6000", "Nikon Transfer 1.1 W"},
    {"jpg_hdr_iphone_hdr_NO.jpg", "image/jpeg", "40.446972", "-3.724753", "2015:04:10 20:12:23", "", "Apple",
     "iPhone 6", "8.3"},
    {"jpg_mobile_HMD_Nokia_8.3_5G.jpg", "image/jpeg", "60.146706", "24.906772", "2022:08:14 14:12:31 +03:00",
     "2022-08-14T11:12:31.000Z", "HMD Global", "Nokia 8.3 5G", "00WW_3_380_SP02"},
    {"jpg_mobile_jolla.jpg", "image/jpeg", nullptr, nullptr, "2014:09:21 16:00:56", "", "Jolla", "Jolla", ""},
    {"jpg_tests_67-0_length_string.jpg", "image/jpeg", "51.025000", "7.591944", nullptr, "", "samsung",
     "SM-G930F", ""},
};

std::string fixed6(double v) { return fmt::format("{:.6f}", v); }

}  // namespace

TEST_CASE("media.exif reads capture time, GPS and camera from real JPEG and HEIC photos", "[media]") {
  KANSHIKI_REALDATA_OR_SKIP(dir, "photos_exif/exif-samples");
  for (const auto& e : kPhotos) {
    INFO(e.file);
    const fs::path file = dir / e.file;
    auto sink = run_parser("media.exif", file, std::string("DCIM/100APPLE/") + e.file);
    CHECK(sink.warnings.empty());
    auto media = sink.of_type<MediaItem>();
    auto points = sink.of_type<LocationPoint>();
    REQUIRE(media.size() == 1);
    REQUIRE(points.size() == (e.lat ? 1u : 0u));
    const auto& [prov, m] = media[0];
    CHECK(m.path == std::string("DCIM/100APPLE/") + e.file);
    CHECK(m.sha256 == file_sha256(file));
    CHECK(m.size == static_cast<int64_t>(fs::file_size(file)));
    CHECK(m.mime_type == e.mime);
    CHECK(m.make == e.make);
    CHECK(m.model == e.model);
    CHECK(m.software == e.software);
    if (e.captured_raw) {
      CHECK(m.captured.raw == e.captured_raw);
      CHECK(m.captured.kind == EpochKind::iso8601);
      CHECK(m.captured.utc_iso() == e.captured_utc);
    } else {
      CHECK(m.captured.empty());
    }
    CHECK(prov.source_table == "exif");
    CHECK(prov.parser_id == "media.exif");
    if (e.lat) {
      REQUIRE(m.latitude);
      REQUIRE(m.longitude);
      CHECK(fixed6(*m.latitude) == e.lat);
      CHECK(fixed6(*m.longitude) == e.lon);
      const auto& [pprov, p] = points[0];
      CHECK(p.kind == "photo");
      CHECK(fixed6(p.latitude) == e.lat);
      CHECK(fixed6(p.longitude) == e.lon);
      CHECK(p.time.raw == m.captured.raw);
      CHECK(pprov.source_detail == "EXIF GPS IFD");
    } else {
      CHECK(!m.latitude);
      CHECK(!m.longitude);
    }
  }
}

TEST_CASE("media.exif: altitude and accuracy of the iPhone 11 HEIC", "[media]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "photos_exif/exif-samples/heic_IMG_5195.HEIC");
  auto sink = run_parser("media.exif", file);
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(points.size() == 1);
  REQUIRE(points[0].second.altitude_m);
  CHECK(fmt::format("{:.3f}", *points[0].second.altitude_m) == "260.561");
  REQUIRE(points[0].second.accuracy_m);
  CHECK(fmt::format("{:.2f}", *points[0].second.accuracy_m) == "38.81");
  CHECK(points[0].second.time.utc_iso() == "2021-04-11T20:47:53.000Z");
}

TEST_CASE("media.exif: malformed EXIF is a warning, never a crash — every file still reported", "[media]") {
  KANSHIKI_REALDATA_OR_SKIP(dir, "photos_exif/exif-samples");
  size_t files = 0, with_warnings = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    INFO(entry.path().filename().string());
    auto sink = run_parser("media.exif", entry.path());
    CHECK(sink.of_type<MediaItem>().size() == 1);
    ++files;
    if (!sink.warnings.empty()) ++with_warnings;
  }
  CHECK(files == 18);
  CHECK(with_warnings >= 1);
}

TEST_CASE("media.exif: a non-image file is reported by content type, without EXIF", "[media]") {
  TempDir dir;
  const fs::path file = dir / "IMG_0001.jpg";  // misnamed: it is an Ogg voice note
  { std::ofstream(file, std::ios::binary) << "OggS\0\x02rest of an opus stream"; }
  auto sink = run_parser("media.exif", file);
  auto media = sink.of_type<MediaItem>();
  REQUIRE(media.size() == 1);
  CHECK(media[0].second.mime_type == "audio/ogg");
  CHECK(media[0].second.captured.empty());
  CHECK(sink.warnings.empty());
}

// ---- PNG and MP4/MOV: fixtures from tests/fixtures/make_media_containers.py (layouts cited there) ----

namespace {

struct MediaFixtures {
  TempDir dir;
  MediaFixtures() {
    const std::string cmd = "/usr/bin/python3 '" +
                            (source_dir() / "tests/fixtures/make_media_containers.py").string() + "' '" +
                            dir.path().string() + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  fs::path operator/(const char* name) const { return dir.path() / name; }
};

MediaFixtures& fixtures() {
  static MediaFixtures f;
  return f;
}

}  // namespace

TEST_CASE("media.exif: iPhone MOV — QuickTime mdta keys give capture time with its offset, place, camera",
          "[media][mp4]") {
  const fs::path file = fixtures() / "IMG_0042.MOV";
  auto sink = run_parser("media.exif", file, "DCIM/100APPLE/IMG_0042.MOV");
  CHECK(sink.warnings.empty());
  auto media = sink.of_type<MediaItem>();
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(media.size() == 1);
  REQUIRE(points.size() == 1);
  const auto& [prov, m] = media[0];
  CHECK(m.path == "DCIM/100APPLE/IMG_0042.MOV");
  CHECK(m.sha256 == file_sha256(file));
  CHECK(m.mime_type == "video/quicktime");
  CHECK(m.size == static_cast<int64_t>(fs::file_size(file)));
  CHECK(m.captured.raw == "2024-05-03T13:22:05+0900");
  CHECK(m.captured.kind == EpochKind::iso8601);
  CHECK(m.captured.utc_iso() == "2024-05-03T04:22:05.000Z");
  REQUIRE(m.latitude);
  REQUIRE(m.longitude);
  CHECK(fixed6(*m.latitude) == "35.658600");
  CHECK(fixed6(*m.longitude) == "139.745400");
  CHECK(m.make == "Apple");
  CHECK(m.model == "iPhone 13 Pro");
  CHECK(m.software == "17.4.1");
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == "DCIM/100APPLE/IMG_0042.MOV");
  CHECK(prov.item_sha256 == file_sha256(file));
  CHECK(prov.source_table == "exif");
  CHECK(!prov.source_rowid);
  CHECK(prov.source_offset == 4140);  // moov at 4132 (after ftyp 20, wide 8, mdat 4104), mvhd right inside
  CHECK(prov.source_detail ==
        "ISO BMFF (brand qt  ); moov/mvhd created 3797554925 modified 3797554928 (mac1904_s), duration "
        "12.500 s; track 1 vide 1920x1080; track 2 soun; capture time from "
        "moov/meta/ilst[com.apple.quicktime.creationdate]");
  CHECK(prov.parser_id == "media.exif");
  CHECK(prov.parser_version == "1.1.0");
  CHECK(!prov.recovered);

  const auto& [pprov, p] = points[0];
  CHECK(p.kind == "video");
  CHECK(p.source == "QuickTime metadata");
  CHECK(p.label == "DCIM/100APPLE/IMG_0042.MOV");
  CHECK(fixed6(p.latitude) == "35.658600");
  CHECK(fixed6(p.longitude) == "139.745400");
  REQUIRE(p.altitude_m);
  CHECK(fmt::format("{:.3f}", *p.altitude_m) == "45.123");
  REQUIRE(p.accuracy_m);
  CHECK(fmt::format("{:.6f}", *p.accuracy_m) == "14.084999");
  CHECK(p.time.raw == "2024-05-03T13:22:05+0900");
  CHECK(p.time.utc_iso() == "2024-05-03T04:22:05.000Z");
  CHECK(pprov.source_detail ==
        "moov/meta/ilst[com.apple.quicktime.location.ISO6709] \"+35.6586+139.7454+045.123/\"");
  REQUIRE(pprov.source_offset);
  CHECK(*pprov.source_offset > 4140);
}

TEST_CASE("media.exif: Android MP4 — mvhd time since 1904 and udta ©xyz, mdat with a 64-bit size skipped",
          "[media][mp4]") {
  const fs::path file = fixtures() / "VID_20240503_132205.mp4";
  auto sink = run_parser("media.exif", file, "DCIM/Camera/VID_20240503_132205.mp4");
  CHECK(sink.warnings.empty());
  auto media = sink.of_type<MediaItem>();
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(media.size() == 1);
  REQUIRE(points.size() == 1);
  const auto& m = media[0].second;
  CHECK(m.mime_type == "video/mp4");
  CHECK(m.captured.raw == "3797554925");
  CHECK(m.captured.kind == EpochKind::mac1904_s);
  CHECK(m.captured.utc_iso() == "2024-05-03T04:22:05.000Z");
  CHECK(m.make.empty());
  CHECK(media[0].first.source_detail ==
        "ISO BMFF (brand isom); moov/mvhd created 3797554925 modified 3797554928 (mac1904_s), duration 3.000 "
        "s; "
        "track 1 vide 1280x720; capture time from moov/mvhd");
  const auto& p = points[0].second;
  CHECK(p.kind == "video");
  CHECK(p.source == "MP4 udta ©xyz");
  CHECK(fixed6(p.latitude) == "34.693700");
  CHECK(fixed6(p.longitude) == "135.502300");
  CHECK(!p.altitude_m);
  CHECK(p.time.kind == EpochKind::mac1904_s);
  CHECK(points[0].first.source_detail == "moov/udta/©xyz \"+34.6937+135.5023/\"");
}

TEST_CASE(
    "media.exif: truncated MP4 and a position that is not ISO 6709 are warnings, the file is still reported",
    "[media][mp4]") {
  auto sink = run_parser("media.exif", fixtures() / "truncated.mp4");
  REQUIRE(sink.of_type<MediaItem>().size() == 1);
  CHECK(sink.of_type<LocationPoint>().empty());
  REQUIRE(sink.warnings.size() == 2);
  CHECK(sink.warnings[0].message.find("moov at offset 20: box of 5145 bytes runs past its container") !=
        std::string::npos);
  CHECK(sink.warnings[1].message.find("\"somewhere\" in moov/udta/©xyz is not ISO 6709") !=
        std::string::npos);
  CHECK(sink.of_type<MediaItem>()[0].second.captured.utc_iso() == "2024-05-03T04:22:05.000Z");
}

TEST_CASE("media.exif: PNG eXIf — EXIF capture time, GPS and camera, tIME stated as modification time",
          "[media][png]") {
  const fs::path file = fixtures() / "exif.png";
  auto sink = run_parser("media.exif", file, "Pictures/Screenshots/exif.png");
  CHECK(sink.warnings.empty());
  auto media = sink.of_type<MediaItem>();
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(media.size() == 1);
  REQUIRE(points.size() == 1);
  const auto& [prov, m] = media[0];
  CHECK(m.mime_type == "image/png");
  CHECK(m.make == "Google");
  CHECK(m.model == "Pixel 7");
  CHECK(m.software == "HDR+ 1.0.540104767zd");
  CHECK(m.captured.raw == "2024:05:03 14:22:05 +09:00");
  CHECK(m.captured.utc_iso() == "2024-05-03T05:22:05.000Z");
  CHECK(fixed6(*m.latitude) == "35.658600");
  CHECK(fixed6(*m.longitude) == "139.745400");
  CHECK(prov.source_offset == 33);  // after the signature (8) and IHDR (25)
  CHECK(prov.source_detail == "PNG eXIf; tIME (last modification, UTC) 2024-05-03T05:30:00Z");
  const auto& p = points[0].second;
  CHECK(p.kind == "photo");
  REQUIRE(p.altitude_m);
  CHECK(fmt::format("{:.1f}", *p.altitude_m) == "45.1");
  CHECK(p.time.utc_iso() == "2024-05-03T05:22:05.000Z");
}

TEST_CASE("media.exif: PNG XMP (compressed iTXt) — capture time with zone, GPS, Japanese creator tool exact",
          "[media][png]") {
  auto sink = run_parser("media.exif", fixtures() / "xmp.png");
  CHECK(sink.warnings.empty());
  auto media = sink.of_type<MediaItem>();
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(media.size() == 1);
  REQUIRE(points.size() == 1);
  const auto& [prov, m] = media[0];
  CHECK(m.captured.raw == "2024-05-04T09:15:30+09:00");
  CHECK(m.captured.kind == EpochKind::iso8601);
  CHECK(m.captured.utc_iso() == "2024-05-04T00:15:30.000Z");
  CHECK(m.make == "SONY");
  CHECK(m.model == "XQ-CT44");
  CHECK(m.software == "写真編集アプリ 2.1");
  CHECK(prov.source_detail == "PNG; capture time from XMP exif:DateTimeOriginal");
  CHECK(fixed6(points[0].second.latitude) == "34.694200");
  CHECK(fixed6(points[0].second.longitude) == "135.499300");
  CHECK(points[0].second.source == "XMP");
}

TEST_CASE("media.exif: damaged PNG — CRC mismatch and truncation are warnings, zone-less time has no UTC",
          "[media][png]") {
  auto sink = run_parser("media.exif", fixtures() / "damaged.png");
  auto media = sink.of_type<MediaItem>();
  REQUIRE(media.size() == 1);
  REQUIRE(sink.warnings.size() == 2);
  CHECK(sink.warnings[0].message.find("tEXt chunk at offset 33 fails its CRC") != std::string::npos);
  CHECK(sink.warnings[1].message.find("runs past the end of the file") != std::string::npos);
  CHECK(media[0].second.captured.raw == "2024-05-03T14:22:05");
  CHECK(!media[0].second.captured.utc_us);
}

TEST_CASE(
    "media.exif: movies and PNGs through ingest and the sandboxed process — points of kind video and photo",
    "[media][mp4][cli]") {
  TempDir tmp;
  ::setenv("KANSHIKI_HOME", (tmp / "home").c_str(), 1);
  ::setenv("CI", "1", 1);
  const fs::path phone = tmp / "phone";
  fs::create_directories(phone / "DCIM/100APPLE");
  fs::create_directories(phone / "Pictures/Screenshots");
  fs::copy_file(fixtures() / "IMG_0042.MOV", phone / "DCIM/100APPLE/IMG_0042.MOV");
  fs::copy_file(fixtures() / "VID_20240503_132205.mp4", phone / "DCIM/100APPLE/VID_20240503_132205.mp4");
  fs::copy_file(fixtures() / "xmp.png", phone / "Pictures/Screenshots/xmp.png");
  const std::string c = "'" + (tmp / "case").string() + "'";
  std::string out;
  REQUIRE(run_cli("examiner init --name T", &out) == 0);
  REQUIRE(run_cli("case create --case " + c, &out) == 0);
  REQUIRE(run_cli("ingest '" + phone.string() + "' --case " + c + " --exhibit M-1", &out) == 0);
  REQUIRE(run_cli("process --case " + c, &out) == 0);  // the confined worker carries the new epoch kind
  INFO(out);
  CaseDb db = CaseDb::open(tmp / "case");
  sql::Stmt w(db.db(), "SELECT count(*) FROM warnings");
  REQUIRE(w.step());
  CHECK(w.i64(0) == 0);
  sql::Stmt v(db.db(),
              "SELECT captured_raw, captured_epoch, captured_utc FROM media WHERE path LIKE '%.mp4'");
  REQUIRE(v.step());
  CHECK(v.text(0) == "3797554925");
  CHECK(v.text(1) == "mac1904_s");
  CHECK(v.text(2) == "2024-05-03T04:22:05.000Z");
  sql::Stmt p(db.db(), "SELECT kind, count(*) FROM locations GROUP BY kind ORDER BY kind");
  REQUIRE(p.step());
  CHECK(p.text(0) == "photo");
  CHECK(p.i64(1) == 1);
  REQUIRE(p.step());
  CHECK(p.text(0) == "video");
  CHECK(p.i64(1) == 2);
}
