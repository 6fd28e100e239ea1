// iOS contact photos: Library/AddressBook/AddressBookImages.sqlitedb, the companion of AddressBook.sqlitedb.
//
// Schema sources (facts, not code): a public forensic query over real AddressBookImages.sqlitedb files
// (ABFullSizeImage.record_id, crop_x, crop_y, crop_width, data; ABThumbnailImage.record_id, format,
// derived_from_format, data; "record_id should correspond to the ROWID of ABPerson in AddressBook.sqlitedb"),
// and Apple's ABPersonImageFormat (0 = thumbnail, 2 = original size), which `format` and
// `derived_from_format` hold. Thumbnails are not always image files: some are a JPEG after a prefix byte,
// some raw pixels (as open-source iOS backup readers note); their bytes are hashed as stored and the type is
// named only when the leading bytes are a known image signature.
//
// Each image becomes a MediaItem whose `path` names the contact record it belongs to
// ("<item path>#ABFullSizeImage/record_id=12"); its sha256 and size are those of the stored bytes, so the
// image can be exported again from the evidence and checked.
#include "parsers/ios_addressbook_images.h"

#include <fmt/format.h>

#include "hashing/multi_hash.h"

namespace kanshiki::parsers::ios_addressbook_images {
namespace {

std::string mime_from_signature(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n") return "image/png";
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp" && (b.substr(8, 4) == "heic" || b.substr(8, 4) == "mif1"))
    return "image/heic";
  return "";
}

class AddressBookImagesParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return ios_addressbook_images::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    if (!db.table_exists("ABThumbnailImage") && !db.table_exists("ABFullSizeImage"))
      out.warn("neither `ABThumbnailImage` nor `ABFullSizeImage`: this file holds no contact images");
    for (const auto& need : needs())
      if (db.table_exists(need.table))
        if (std::string why = unmet_needs(db, {need}); !why.empty())
          out.warn(fmt::format("`{}` is present but not recognised ({}); it is not read", need.table, why));
  }

  std::vector<Query> queries() override {
    return {{"full_size",
             "`ABFullSizeImage` (iOS 5 to current)",
             {needs()[0]},
             "SELECT rowid AS _rowid, record_id, NULL AS format, data FROM ABFullSizeImage ORDER BY rowid",
             "ABFullSizeImage",
             false,
             [this](const Row& r, RowEmitter& out) { on_image(r, "ABFullSizeImage", out); }},
            {"thumbnails",
             "`ABThumbnailImage` (iOS 5 to current)",
             {needs()[1]},
             "SELECT rowid AS _rowid, record_id, format, data FROM ABThumbnailImage ORDER BY rowid",
             "ABThumbnailImage",
             false,
             [this](const Row& r, RowEmitter& out) { on_image(r, "ABThumbnailImage", out); }}};
  }

 private:
  static const std::vector<TableNeed>& needs() {
    static const std::vector<TableNeed> n = {{"ABFullSizeImage", {"record_id", "data"}},
                                             {"ABThumbnailImage", {"record_id", "format", "data"}}};
    return n;
  }

  void on_image(const Row& r, std::string_view table, RowEmitter& out) {
    auto record = r.i64("record_id");
    if (!record) {
      out.warn("image row has no record_id: its contact is unknown; reported without one");
    }
    if (r.is_null("data")) {
      out.warn(fmt::format("image row for record {} has no data; not reported",
                           record ? std::to_string(*record) : "?"));
      return;
    }
    std::string_view bytes = r.blob("data");
    MediaItem m;
    m.path =
        fmt::format("{}#{}/record_id={}", input().item_path, table, record ? std::to_string(*record) : "");
    if (auto format = r.i64("format")) m.path += fmt::format("/format={}", *format);
    m.sha256 = sha256_hex(bytes);
    m.size = static_cast<int64_t>(bytes.size());
    m.mime_type = mime_from_signature(bytes);
    out.emit(std::move(m));
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.addressbook.images",
      "1.0.0",
      Platform::ios,
      "Contacts photos (iOS address book)",
      "Contact photos (full size and thumbnails) from AddressBookImages.sqlitedb: one media record per "
      "image, "
      "with the contact's record id, SHA-256, size and image type.",
      {Locator::backup("HomeDomain", "Library/AddressBook/AddressBookImages.sqlitedb"),
       Locator::path("**/mobile/Library/AddressBook/AddressBookImages.sqlitedb")},
      {"The link to the contact is the record id in the media record's path "
       "(`...#ABFullSizeImage/record_id=N`), "
       "equal to the source_rowid of the ios.addressbook contact from AddressBook.sqlitedb of the same "
       "extraction; the contact record itself carries no image field.",
       "Image bytes are hashed and sized where they are stored (the SQLite row); they are not copied out as "
       "separate files. The image type is named for JPEG, PNG and HEIC signatures only; thumbnails stored as "
       "raw pixels or behind a prefix byte have no type.",
       "Crop rectangles, thumbnail sizes and derived_from_format are not reported."}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<AddressBookImagesParser>(); }

}  // namespace kanshiki::parsers::ios_addressbook_images
