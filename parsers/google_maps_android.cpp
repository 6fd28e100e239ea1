// Google Maps for Android (com.google.android.apps.maps/databases/):
//   da_destination_history  CREATE TABLE destination_history (time INTEGER PRIMARY KEY, dest_lat INTEGER NOT
//       NULL, dest_lng INTEGER NOT NULL, dest_title STRING, dest_address STRING, dest_token STRING,
//       source_lat INTEGER NOT NULL, source_lng INTEGER NOT NULL, day_of_week INTEGER NOT NULL, hour_of_day
//       INTEGER NOT NULL) — one row per destination navigated to; `time` (Unix ms) is also the rowid;
//       positions in microdegrees; source_* is where the route started (the phone's position when it was
//       asked for, or a chosen start).
//   gmm_myplaces.db  CREATE TABLE sync_item (corpus INTEGER, key_string TEXT, timestamp BIGINT, merge_key
//   BIGINT,
//       feature_fprint BIGINT, latitude INTEGER, longitude INTEGER, is_local BOOLEAN, sync_item BLOB, PRIMARY
//       KEY (corpus, key_string)) — starred / saved places and the home/work aliases synced with the account;
//       `timestamp` Unix ms, position in microdegrees, name and address only inside the protobuf `sync_item`.
// Schema source: the CREATE TABLE statements in the Maps APK (the SQLiteOpenHelper classes that create
// da_destination_history and gmm_myplaces.db, as decompiled in public repositories); microdegree scaling as
// read by ALEAPP and published Android Maps research. A value that is not a plausible position after scaling
// is a stored warning, so a wrong scale cannot pass unnoticed.
#include "parsers/google_maps_android.h"

#include <fmt/format.h>

#include "parsers/location_row.h"

namespace kanshiki::parsers::google_maps_android {
namespace {

constexpr double kMicrodegrees = 1e-6;
constexpr const char* kSource = "Google Maps";

void on_destination(const Row& r, RowEmitter& out) {
  const Timestamp when = r.time("time", EpochKind::unix_ms, out);
  LocationPoint dest;
  if (location::read_position(r, "dest_lat", "dest_lng", kMicrodegrees, dest, out)) {
    dest.time = when;
    dest.kind = "destination";
    dest.source = kSource;
    std::string label = "navigation destination";
    for (const char* col : {"dest_title", "dest_address"})
      if (auto t = r.text(col); !t.empty()) label += "; " + t;
    dest.label = std::move(label);
    out.emit(std::move(dest));
  }
  // The start of the route: where the phone was when directions were asked for, unless the user chose another
  // start. 0/0 means Maps had no start position (read_position then warns), so an absent start is not silent.
  LocationPoint start;
  if (location::read_position(r, "source_lat", "source_lng", kMicrodegrees, start, out)) {
    start.time = when;
    start.kind = "route_start";
    start.source = kSource;
    start.label = "start of the route to " +
                  (r.text("dest_title").empty() ? std::string("the destination") : r.text("dest_title"));
    out.emit(std::move(start));
  }
}

void on_saved_place(const Row& r, RowEmitter& out) {
  LocationPoint p;
  if (!location::read_position(r, "latitude", "longitude", kMicrodegrees, p, out)) return;
  p.time = r.time("timestamp", EpochKind::unix_ms, out);
  p.kind = "saved_place";
  p.source = kSource;
  p.label = fmt::format("saved place, corpus {}, key {}{}", r.is_null("corpus") ? "NULL" : r.text("corpus"),
                        r.text("key_string"), r.i64_or("is_local", 0) != 0 ? ", not yet synced" : "");
  out.emit(std::move(p));
}

class GoogleMapsParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return google_maps_android::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    has_destinations_ = db.table_exists("destination_history");
    has_places_ = db.table_exists("sync_item");
    if (!has_destinations_ && !has_places_)
      out.warn(
          "neither destination_history (da_destination_history) nor sync_item (gmm_myplaces.db): not a "
          "Google Maps database this parser reads");
  }

  std::vector<Query> queries() override {
    return {
        {"destinations",
         "da_destination_history `destination_history`",
         {{"destination_history",
           {"time", "dest_lat", "dest_lng", "dest_title", "dest_address", "source_lat", "source_lng"}}},
         "SELECT rowid AS _rowid, time, dest_lat, dest_lng, dest_title, dest_address, source_lat, source_lng "
         "FROM destination_history ORDER BY rowid",
         "destination_history",
         has_destinations_,
         on_destination},
        {"saved places",
         "gmm_myplaces.db `sync_item`",
         {{"sync_item", {"corpus", "key_string", "timestamp", "latitude", "longitude", "is_local"}}},
         "SELECT rowid AS _rowid, corpus, key_string, timestamp, latitude, longitude, is_local FROM "
         "sync_item "
         "ORDER BY rowid",
         "sync_item",
         has_places_,
         on_saved_place},
    };
  }

 private:
  bool has_destinations_ = false, has_places_ = false;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "google.maps.android",
      "1.0.0",
      Platform::android,
      "Google Maps (Android)",
      "Navigation destinations with their route starts (da_destination_history) and saved places "
      "(gmm_myplaces.db) of Google Maps for Android",
      {Locator::path("**/com.google.android.apps.maps/databases/da_destination_history"),
       Locator::path("**/com.google.android.apps.maps/databases/gmm_myplaces.db")},
      {"saved places: the name, address and list of a place are inside the protobuf `sync_item` blob and are "
       "not "
       "decoded; the label gives the sync corpus and key",
       "search history (gmm_storage.db, protobuf blobs) and the offline/cached map tiles are not read",
       "a destination is where the user asked to be guided to, not proof of arrival; a route start is the "
       "phone's position when directions were asked for unless the user typed another start",
       "positions are read as microdegrees (value × 10⁻⁶); a value out of range after scaling is a stored "
       "warning",
       "checked on fixtures with the APK's table definitions, not on a real device's files (none in "
       "realdata)"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<GoogleMapsParser>(); }

}  // namespace kanshiki::parsers::google_maps_android
