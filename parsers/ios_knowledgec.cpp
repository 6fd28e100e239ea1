// CoreDuet's Knowledge store, knowledgeC.db: iOS private/var/mobile/Library/CoreDuet/Knowledge/knowledgeC.db,
// macOS /private/var/db/CoreDuet/Knowledge/knowledgeC.db and ~/Library/Application Support/Knowledge/.
//   ZOBJECT: one event per row: ZSTREAMNAME ("/app/inFocus", "/safari/history", "/app/locationActivity",
//   ...),
//     ZVALUESTRING (bundle id, URL, ...), ZSTARTDATE / ZENDDATE / ZCREATIONDATE (Cocoa seconds),
//     ZSECONDSFROMGMT (the device's zone offset then), ZSOURCE -> ZSOURCE, ZSTRUCTUREDMETADATA ->
//     ZSTRUCTUREDMETADATA.
//   ZSTRUCTUREDMETADATA: one column per metadata key, Core Data naming "Z_<CLASS>__<KEY>":
//     _DKLocationApplicationActivityMetadataKey (stream /app/locationActivity: a place an app showed the
//     user,
//       e.g. a restaurant opened in Maps): LATITUDE, LONGITUDE, DISPLAYNAME, LOCATIONNAME,
//       FULLYFORMATTEDADDRESS, THOROUGHFARE, SUBTHOROUGHFARE, CITY, STATEORPROVINCE, POSTALCODE_V2, COUNTRY,
//       URL;
//     _DKLocationMetadataKey (points of interest, e.g. /portrait/poi): LATITUDE, LONGITUDE, IDENTIFIER;
//     _DKSafariHistoryMetadataKey: TITLE (stream /safari/history, URL in ZVALUESTRING).
//   ZSOURCE: ZBUNDLEID of the app that donated the event.
// Schema source: the real macOS 10.13 / 10.14 files in plaso's test data (realdata/ios_misc/plaso) and the
// key names in CoreDuet.framework's _DKLocationApplicationActivityMetadataKey / _DKLocationMetadataKey
// classes. Which rows carry a position is decided by the position columns being filled, not by a list of
// stream names, so a stream this parser does not know still yields its points (its name is in the label).
#include "parsers/ios_knowledgec.h"

#include <fmt/format.h>

#include "parsers/location_row.h"

namespace kanshiki::parsers::ios_knowledgec {
namespace {

constexpr const char* kActivity = "Z_DKLOCATIONAPPLICATIONACTIVITYMETADATAKEY__";
constexpr const char* kPoi = "Z_DKLOCATIONMETADATAKEY__";

std::string col(const char* prefix, const char* key) { return std::string(prefix) + key; }

// Joins the non-empty parts with "; " (byte-exact: no trimming).
void append(std::string& out, std::string_view part) {
  if (part.empty()) return;
  if (!out.empty()) out += "; ";
  out += part;
}

// Who donated the event and over which period: the part of a label every event shares.
std::string event_context(const Row& r, RowEmitter& out) {
  std::string s = r.text("ZSTREAMNAME");
  if (auto bundle = r.text("ZBUNDLEID"); !bundle.empty()) s += " from " + bundle;
  Timestamp end = r.time("ZENDDATE", EpochKind::cocoa_s, out);
  if (end.utc_us) s += "; until " + end.utc_iso();
  if (auto gmt = r.i64("ZSECONDSFROMGMT")) s += fmt::format("; device zone offset {} s", *gmt);
  return s;
}

const std::string kEventColumns =
    "o.Z_PK AS _rowid, o.ZSTREAMNAME, o.ZVALUESTRING, o.ZSTARTDATE, o.ZENDDATE, o.ZSECONDSFROMGMT, "
    "s.ZBUNDLEID";
const std::string kJoins =
    " FROM ZOBJECT o LEFT JOIN ZSTRUCTUREDMETADATA m ON m.Z_PK = o.ZSTRUCTUREDMETADATA"
    " LEFT JOIN ZSOURCE s ON s.Z_PK = o.ZSOURCE ";
const std::vector<std::string> kObjectColumns = {"ZSTREAMNAME",        "ZVALUESTRING",    "ZSTARTDATE",
                                                 "ZENDDATE",           "ZSECONDSFROMGMT", "ZSOURCE",
                                                 "ZSTRUCTUREDMETADATA"};

void on_place_viewed(const Row& r, RowEmitter& out) {
  LocationPoint p;
  if (!location::read_position(r, "LATITUDE", "LONGITUDE", 1.0, p, out)) return;
  p.time = r.time("ZSTARTDATE", EpochKind::cocoa_s, out);
  p.kind = "place_viewed";
  p.source = "knowledgeC";
  std::string name = r.text("DISPLAYNAME");
  if (name.empty()) name = r.text("LOCATIONNAME");
  std::string address = r.text("FULLYFORMATTEDADDRESS");
  if (address.empty()) {
    for (const char* part :
         {"SUBTHOROUGHFARE", "THOROUGHFARE", "CITY", "STATEORPROVINCE", "POSTALCODE_V2", "COUNTRY"})
      if (auto t = r.text(part); !t.empty()) address += (address.empty() ? "" : " ") + t;
  }
  std::string label;
  append(label, name);
  append(label, address);
  append(label, r.text("URL"));
  append(label, event_context(r, out));
  p.label = std::move(label);
  out.emit(std::move(p));
}

void on_poi(const Row& r, RowEmitter& out) {
  LocationPoint p;
  if (!location::read_position(r, "LATITUDE", "LONGITUDE", 1.0, p, out)) return;
  p.time = r.time("ZSTARTDATE", EpochKind::cocoa_s, out);
  p.kind = "poi";
  p.source = "knowledgeC";
  std::string label;
  append(label, r.text("IDENTIFIER"));
  append(label, event_context(r, out));
  p.label = std::move(label);
  out.emit(std::move(p));
}

void on_safari(const Row& r, RowEmitter& out) {
  WebVisit v;
  v.browser = "safari";
  v.url = r.text("ZVALUESTRING");
  v.title = r.text("TITLE");
  v.time = r.time("ZSTARTDATE", EpochKind::cocoa_s, out);
  v.transition = "knowledgeC /safari/history";
  if (v.url.empty())
    out.warn("/safari/history event without a URL (ZVALUESTRING is empty); reported without URL");
  out.emit(std::move(v));
}

class KnowledgeCParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return ios_knowledgec::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    if (!db.table_exists("ZOBJECT") || !db.table_exists("ZSTRUCTUREDMETADATA"))
      out.warn("ZOBJECT or ZSTRUCTUREDMETADATA is missing: not a CoreDuet knowledgeC.db");
  }

  std::vector<Query> queries() override {
    auto object_and = [](std::vector<std::string> meta) {
      return std::vector<TableNeed>{
          {"ZOBJECT", kObjectColumns}, {"ZSOURCE", {"ZBUNDLEID"}}, {"ZSTRUCTUREDMETADATA", std::move(meta)}};
    };
    const std::string lat = col(kActivity, "LATITUDE"), lon = col(kActivity, "LONGITUDE");
    std::vector<std::string> activity_cols = {lat, lon};
    std::string activity_select;
    for (const char* key :
         {"DISPLAYNAME", "LOCATIONNAME", "FULLYFORMATTEDADDRESS", "THOROUGHFARE", "SUBTHOROUGHFARE", "CITY",
          "STATEORPROVINCE", "POSTALCODE_V2", "COUNTRY", "URL"}) {
      activity_cols.push_back(col(kActivity, key));
      activity_select += fmt::format(", m.{}{} AS {}", kActivity, key, key);
    }
    const std::string poi_lat = col(kPoi, "LATITUDE"), poi_lon = col(kPoi, "LONGITUDE");
    // The location columns are absent in older stores; a store without them holds no such events, so the
    // groups are optional. Every row with either coordinate filled is read, so that half a position is a
    // warning rather than a silent drop.
    return {
        {"places viewed", "_DKLocationApplicationActivityMetadataKey columns (iOS 10+ / macOS 10.13+)",
         object_and(activity_cols),
         "SELECT " + kEventColumns + fmt::format(", m.{0} AS LATITUDE, m.{1} AS LONGITUDE", lat, lon) +
             activity_select + kJoins +
             fmt::format("WHERE m.{} IS NOT NULL OR m.{} IS NOT NULL ORDER BY o.Z_PK", lat, lon),
         "ZOBJECT", false, on_place_viewed},
        {"points of interest", "_DKLocationMetadataKey columns",
         object_and({poi_lat, poi_lon, col(kPoi, "IDENTIFIER")}),
         "SELECT " + kEventColumns +
             fmt::format(", m.{0} AS LATITUDE, m.{1} AS LONGITUDE, m.{2}IDENTIFIER AS IDENTIFIER", poi_lat,
                         poi_lon, kPoi) +
             kJoins +
             fmt::format("WHERE m.{} IS NOT NULL OR m.{} IS NOT NULL ORDER BY o.Z_PK", poi_lat, poi_lon),
         "ZOBJECT", false, on_poi},
        {"safari history", "/safari/history with _DKSafariHistoryMetadataKey title",
         object_and({"Z_DKSAFARIHISTORYMETADATAKEY__TITLE"}),
         "SELECT " + kEventColumns + ", m.Z_DKSAFARIHISTORYMETADATAKEY__TITLE AS TITLE" + kJoins +
             "WHERE o.ZSTREAMNAME = '/safari/history' ORDER BY o.Z_PK",
         "ZOBJECT", false, on_safari},
    };
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.knowledgec",
      "1.0.0",
      Platform::ios,
      "CoreDuet Knowledge (knowledgeC.db)",
      "Places viewed in apps and points of interest with coordinates, and Safari history events, from "
      "knowledgeC.db",
      {Locator::path("**/mobile/Library/CoreDuet/Knowledge/knowledgeC.db"),
       Locator::path("**/db/CoreDuet/Knowledge/knowledgeC.db"),
       Locator::path("**/Library/Application Support/Knowledge/knowledgeC.db")},
      {"a `place_viewed` point (stream /app/locationActivity) is a place an app showed the user (a search "
       "result, a restaurant page), not where the phone was; `poi` points are places CoreDuet learned as "
       "relevant; neither is a fix of the phone",
       "app usage, focus, lock, backlight, battery, audio, intents and other streams without coordinates are "
       "not reported (there is no event artifact type yet); their rows stay in the file",
       "the event end time and the device's zone offset (ZSECONDSFROMGMT) go into the label; phone numbers "
       "(PHONENUMBERS blob) of a viewed place are not decoded",
       "checked on the real macOS 10.13 / 10.14 stores (no location rows in them) and on fixtures with their "
       "columns; knowledgeC.db is not in iTunes/Finder backups: a full file system is needed"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<KnowledgeCParser>(); }

}  // namespace kanshiki::parsers::ios_knowledgec
