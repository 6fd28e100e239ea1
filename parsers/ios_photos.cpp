// Photos.sqlite (Media/PhotoData/Photos.sqlite; CameraRollDomain in a backup) lists every asset of the photo
// library, including those whose file is gone or was never synced to the phone, with the coordinates Photos
// stored for it. The asset table is ZASSET on iOS 14+ and ZGENERICASSET before; both have ZDATECREATED (Cocoa
// seconds), ZLATITUDE/ZLONGITUDE (degrees; -180 when the asset has no location), ZDIRECTORY + ZFILENAME (the
// file under Media/), ZKIND (0 photo, 1 video) and ZUNIFORMTYPEIDENTIFIER.
// Schema source: the columns read by iLEAPP's photosMetadata / Photos.sqlite artifacts and Scott Koenig's
// published Photos.sqlite queries, per iOS version. Checked on fixtures with those columns (no real
// Photos.sqlite in realdata).
#include "parsers/ios_photos.h"

#include <fmt/format.h>

namespace kanshiki::parsers::ios_photos {
namespace {

std::string mime_from_uti(const std::string& uti) {
  if (uti == "public.jpeg") return "image/jpeg";
  if (uti == "public.heic") return "image/heic";
  if (uti == "public.png") return "image/png";
  if (uti == "com.compuserve.gif") return "image/gif";
  if (uti == "com.apple.quicktime-movie") return "video/quicktime";
  if (uti == "public.mpeg-4") return "video/mp4";
  return {};
}

class PhotosParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return ios_photos::info(); }

 protected:
  std::vector<Query> queries() override {
    const std::vector<std::string> cols = {"ZDATECREATED", "ZLATITUDE", "ZLONGITUDE", "ZDIRECTORY", "ZFILENAME",
                                           "ZKIND", "ZUNIFORMTYPEIDENTIFIER"};
    auto select = [](const char* table) {
      return fmt::format(
          "SELECT rowid AS _rowid, ZDATECREATED, ZLATITUDE, ZLONGITUDE, ZDIRECTORY, ZFILENAME, ZKIND, "
          "ZUNIFORMTYPEIDENTIFIER FROM {} ORDER BY rowid",
          table);
    };
    auto row = [](const Row& r, RowEmitter& out) { on_asset(r, out); };
    return {
        {"assets", "iOS 14+ `ZASSET`", {{"ZASSET", cols}}, select("ZASSET"), "ZASSET", true, row},
        {"assets", "iOS 9-13 `ZGENERICASSET`", {{"ZGENERICASSET", cols}}, select("ZGENERICASSET"), "ZGENERICASSET",
         true, row},
    };
  }

 private:
  static void on_asset(const Row& r, RowEmitter& out) {
    MediaItem m;
    std::string dir = r.text("ZDIRECTORY"), name = r.text("ZFILENAME");
    // ZDIRECTORY is relative to the Media folder ("DCIM/100APPLE"); shared-album and iCloud assets use
    // other roots, kept as stored.
    m.path = name.empty() ? std::string() : "Media/" + (dir.empty() ? "" : dir + "/") + name;
    m.mime_type = mime_from_uti(r.text("ZUNIFORMTYPEIDENTIFIER"));
    if (m.mime_type.empty()) m.mime_type = r.i64_or("ZKIND", 0) == 1 ? "video" : "image";
    m.captured = r.time("ZDATECREATED", EpochKind::cocoa_s, out);
    auto lat = r.real("ZLATITUDE"), lon = r.real("ZLONGITUDE");
    // -180/-180 is Photos' "no location"; 0/0 is not a place anyone photographs in practice either.
    bool located = lat && lon && *lat >= -90 && *lat <= 90 && *lon > -180 && *lon <= 180 && !(*lat == 0 && *lon == 0);
    if (located) {
      m.latitude = lat;
      m.longitude = lon;
    }
    std::string path = m.path;
    Timestamp captured = m.captured;
    out.emit(std::move(m));
    if (located) {
      LocationPoint p;
      p.latitude = *lat;
      p.longitude = *lon;
      p.time = captured;
      p.kind = "photo";
      p.source = "Photos.sqlite";
      p.label = path;
      out.emit(std::move(p));
    }
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.photos",
      "1.0.0",
      Platform::ios,
      "Photos library (Photos.sqlite)",
      "Every asset of the iOS photo library with its creation time, file path and stored coordinates; assets "
      "with coordinates also as location points",
      {Locator::path("CameraRollDomain/Media/PhotoData/Photos.sqlite"),
       Locator::path("**/Media/PhotoData/Photos.sqlite")},
      {"checked on fixtures with the columns published Photos.sqlite queries read, not yet on a real library",
       "the Recently Deleted state (ZTRASHEDSTATE), albums, people/faces, edits, iCloud sharing and the asset's "
       "own EXIF (read by media.exif from the file) are not reported",
       "the same photo can appear twice: as a Photos.sqlite asset (this parser) and as a file (media.exif); "
       "each has its own provenance"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<PhotosParser>(); }

}  // namespace kanshiki::parsers::ios_photos
