// ios.addressbook.images: an AddressBookImages.sqlitedb fixture with the tables and columns a public forensic
// query reads from real files (see parsers/ios_addressbook_images.cpp): a full-size JPEG, a JPEG thumbnail
// and a raw-pixel thumbnail for two contacts, and a row without data.
#include <catch2/catch.hpp>

#include "core/sqlite_util.h"
#include "hashing/multi_hash.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

constexpr const char* kItem = "HomeDomain/Library/AddressBook/AddressBookImages.sqlitedb";

TEST_CASE("ios.addressbook.images: AddressBookImages.sqlitedb fixture", "[ios][contacts]") {
  test::TempDir dir;
  fs::path p = dir / "AddressBookImages.sqlitedb";
  const std::string jpeg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 full-size photo", 24);
  const std::string thumb("\xFF\xD8\xFF\xDB thumbnail", 14);
  const std::string pixels(64, '\x7F');
  {
    sql::Db db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(
        "CREATE TABLE ABFullSizeImage (record_id INTEGER, crop_x INTEGER, crop_y INTEGER, crop_width "
        "INTEGER, "
        "data, UNIQUE(record_id));"
        "CREATE TABLE ABThumbnailImage (record_id INTEGER, format INTEGER, derived_from_format INTEGER, "
        "data, "
        "UNIQUE(record_id, format));");
    sql::Stmt full(
        db, "INSERT INTO ABFullSizeImage (record_id, crop_x, crop_y, crop_width, data) VALUES (?,0,0,640,?)");
    full.bind(1, int64_t{12}).bind_blob(2, jpeg.data(), jpeg.size()).run();
    sql::Stmt th(
        db, "INSERT INTO ABThumbnailImage (record_id, format, derived_from_format, data) VALUES (?,?,2,?)");
    th.bind(1, int64_t{12}).bind(2, int64_t{0}).bind_blob(3, thumb.data(), thumb.size()).run();
    th.bind(1, int64_t{15}).bind(2, int64_t{0}).bind_blob(3, pixels.data(), pixels.size()).run();
    th.bind(1, int64_t{16}).bind(2, int64_t{0}).bind_null(3).run();
  }
  auto sink = test::run_parser("ios.addressbook.images", p, kItem);
  auto media = sink.of_type<MediaItem>();
  REQUIRE(media.size() == 3);
  CHECK(sink.records.size() == 3);
  // The row without data is a warning and is not reported.
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "ABThumbnailImage");
  CHECK(sink.warnings[0].source_rowid == 3);

  const auto& [mp, m] = media[0];
  CHECK(mp.evidence_id == 1);
  CHECK(mp.item_id == 1);
  CHECK(mp.item_path == kItem);
  CHECK(mp.item_sha256 == test::file_sha256(p));
  CHECK(mp.source_table == "ABFullSizeImage");
  CHECK(mp.source_rowid == 1);
  CHECK_FALSE(mp.source_offset);
  CHECK(mp.source_detail.empty());
  CHECK(mp.parser_id == "ios.addressbook.images");
  CHECK(mp.parser_version == "1.0.0");
  CHECK_FALSE(mp.recovered);
  CHECK(m.path == std::string(kItem) + "#ABFullSizeImage/record_id=12");
  CHECK(m.sha256 == sha256_hex(jpeg));
  CHECK(m.mime_type == "image/jpeg");
  CHECK(m.size == 24);
  CHECK(m.captured.empty());
  CHECK_FALSE(m.latitude);
  CHECK_FALSE(m.longitude);
  CHECK(m.make.empty());
  CHECK(m.model.empty());
  CHECK(m.software.empty());

  CHECK(media[1].second.path == std::string(kItem) + "#ABThumbnailImage/record_id=12/format=0");
  CHECK(media[1].second.mime_type == "image/jpeg");
  CHECK(media[2].second.path == std::string(kItem) + "#ABThumbnailImage/record_id=15/format=0");
  CHECK(media[2].second.mime_type.empty());  // raw pixels: no image type is claimed
  CHECK(media[2].second.sha256 == sha256_hex(pixels));
}

}  // namespace
}  // namespace kanshiki
