// routined ("significant locations") on iOS 10+:
//   Caches/com.apple.routined/Cache.sqlite  ZRTCLLOCATIONMO: one row per Core Location fix the daemon kept
//       (ZTIMESTAMP Cocoa seconds, ZLATITUDE/ZLONGITUDE degrees, ZHORIZONTALACCURACY and ZVERTICALACCURACY in
//       metres, ZALTITUDE metres, ZSPEED m/s, ZCOURSE degrees);
//   Caches/com.apple.routined/Local.sqlite  ZRTLEARNEDLOCATIONOFINTERESTVISITMO: visits (ZENTRYDATE, ZEXITDATE
//       Cocoa seconds, ZLOCATIONLATITUDE/ZLOCATIONLONGITUDE, ZLOCATIONHORIZONTALUNCERTAINTY metres, ZCONFIDENCE
//       on iOS 14+) to learned places.
// Schema source: the Core Data entity tables as listed by iLEAPP's routineD artifacts (scripts/artifacts/
// routineD*.py) and the published "Significant Locations" research (Sarah Edwards, mac4n6); coordinates are
// WGS84. Checked on fixtures with those columns (no real routined store in realdata).
#include "parsers/ios_routined.h"

#include <fmt/format.h>

namespace kanshiki::parsers::ios_routined {
namespace {

bool plausible(double lat, double lon) { return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0); }

class RoutinedParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return ios_routined::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    // Each file holds one of the two tables: the group whose table is present must be readable (an
    // unknown column set is then a stored warning), the other is simply not in this file.
    has_fixes_ = db.table_exists("ZRTCLLOCATIONMO");
    has_visits_ = db.table_exists("ZRTLEARNEDLOCATIONOFINTERESTVISITMO");
    if (!has_fixes_ && !has_visits_)
      out.warn("neither ZRTCLLOCATIONMO (Cache.sqlite) nor ZRTLEARNEDLOCATIONOFINTERESTVISITMO (Local.sqlite): "
               "not a routined store");
  }

  std::vector<Query> queries() override {
    return {
        {"fixes",
         "Cache.sqlite `ZRTCLLOCATIONMO`",
         {{"ZRTCLLOCATIONMO", {"ZTIMESTAMP", "ZLATITUDE", "ZLONGITUDE", "ZHORIZONTALACCURACY", "ZALTITUDE"}}},
         "SELECT rowid AS _rowid, ZTIMESTAMP, ZLATITUDE, ZLONGITUDE, ZHORIZONTALACCURACY, ZALTITUDE FROM "
         "ZRTCLLOCATIONMO ORDER BY rowid",
         "ZRTCLLOCATIONMO",
         has_fixes_,
         [](const Row& r, RowEmitter& out) { on_fix(r, out); }},
        {"visits",
         "Local.sqlite visits with `ZCONFIDENCE` (iOS 14+)",
         {{"ZRTLEARNEDLOCATIONOFINTERESTVISITMO",
           {"ZENTRYDATE", "ZEXITDATE", "ZLOCATIONLATITUDE", "ZLOCATIONLONGITUDE", "ZLOCATIONHORIZONTALUNCERTAINTY",
            "ZCONFIDENCE"}}},
         "SELECT rowid AS _rowid, ZENTRYDATE, ZEXITDATE, ZLOCATIONLATITUDE, ZLOCATIONLONGITUDE, "
         "ZLOCATIONHORIZONTALUNCERTAINTY, ZCONFIDENCE FROM ZRTLEARNEDLOCATIONOFINTERESTVISITMO ORDER BY rowid",
         "ZRTLEARNEDLOCATIONOFINTERESTVISITMO",
         has_visits_,
         [](const Row& r, RowEmitter& out) { on_visit(r, out); }},
        {"visits",
         "Local.sqlite visits without a confidence column",
         {{"ZRTLEARNEDLOCATIONOFINTERESTVISITMO",
           {"ZENTRYDATE", "ZEXITDATE", "ZLOCATIONLATITUDE", "ZLOCATIONLONGITUDE", "ZLOCATIONHORIZONTALUNCERTAINTY"}}},
         "SELECT rowid AS _rowid, ZENTRYDATE, ZEXITDATE, ZLOCATIONLATITUDE, ZLOCATIONLONGITUDE, "
         "ZLOCATIONHORIZONTALUNCERTAINTY FROM ZRTLEARNEDLOCATIONOFINTERESTVISITMO ORDER BY rowid",
         "ZRTLEARNEDLOCATIONOFINTERESTVISITMO",
         has_visits_,
         [](const Row& r, RowEmitter& out) { on_visit(r, out); }},
    };
  }

 private:
  static bool position(const Row& r, const char* lat_col, const char* lon_col, LocationPoint& p, RowEmitter& out) {
    auto lat = r.real(lat_col), lon = r.real(lon_col);
    if (!lat || !lon || !plausible(*lat, *lon)) {
      out.warn(fmt::format("no usable position ({} = {}, {} = {}); row not reported as a location", lat_col,
                           lat ? fmt::format("{}", *lat) : "NULL", lon_col, lon ? fmt::format("{}", *lon) : "NULL"));
      return false;
    }
    p.latitude = *lat;
    p.longitude = *lon;
    return true;
  }

  static void on_fix(const Row& r, RowEmitter& out) {
    LocationPoint p;
    if (!position(r, "ZLATITUDE", "ZLONGITUDE", p, out)) return;
    // Core Location reports a negative accuracy for an invalid value.
    if (auto acc = r.real("ZHORIZONTALACCURACY"); acc && *acc >= 0) p.accuracy_m = *acc;
    p.altitude_m = r.real("ZALTITUDE");
    p.time = r.time("ZTIMESTAMP", EpochKind::cocoa_s, out);
    p.kind = "gps";
    p.source = "routined";
    out.emit(std::move(p));
  }

  static void on_visit(const Row& r, RowEmitter& out) {
    LocationPoint p;
    if (!position(r, "ZLOCATIONLATITUDE", "ZLOCATIONLONGITUDE", p, out)) return;
    if (auto u = r.real("ZLOCATIONHORIZONTALUNCERTAINTY"); u && *u >= 0) p.accuracy_m = *u;
    p.time = r.time("ZENTRYDATE", EpochKind::cocoa_s, out);
    p.kind = "visit";
    p.source = "routined";
    Timestamp exit = r.time("ZEXITDATE", EpochKind::cocoa_s, out);
    std::string label;
    if (exit.utc_us) label += (label.empty() ? "" : "; ") + std::string("until ") + exit.utc_iso();
    if (auto c = r.real("ZCONFIDENCE")) label += fmt::format("{}confidence {:.2f}", label.empty() ? "" : "; ", *c);
    p.label = label;
    out.emit(std::move(p));
  }

  bool has_fixes_ = false, has_visits_ = false;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.routined",
      "1.0.0",
      Platform::ios,
      "Significant Locations (routined)",
      "Location fixes kept by routined (Cache.sqlite) and visits to learned places (Local.sqlite)",
      {Locator::path("**/com.apple.routined/Cache.sqlite"), Locator::path("**/com.apple.routined/Local.sqlite")},
      {"checked on fixtures with the Core Data columns iLEAPP reads, not yet on a real device's store",
       "visits: the exit time and the confidence are written into the point's label; learned places' "
       "addresses (map items), transitions and the Cloud-V2.sqlite mirror are not reported",
       "routined is not in iTunes/Finder backups (its folders are caches): a full file system is needed"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<RoutinedParser>(); }

}  // namespace kanshiki::parsers::ios_routined
