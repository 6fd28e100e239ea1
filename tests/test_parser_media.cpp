// media.exif on the real photos of ianare/exif-samples (values cross-checked with exiftool 12.57 -n):
// JPEG and HEIC with GPS, the iPhone 13 HEIC without GPS, and the malformed files that crashed exif-py.
#include <fmt/format.h>

#include <fstream>

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
