// locationd's cache on iOS 4 to 6: /private/var/root/Library/Caches/locationd/consolidated.db (in iTunes
// backups of iOS 4: RootDomain/Library/Caches/locationd/consolidated.db).
//   WifiLocation      (MAC TEXT, Timestamp FLOAT, Latitude FLOAT, Longitude FLOAT, HorizontalAccuracy FLOAT,
//                      Altitude FLOAT, VerticalAccuracy FLOAT, Speed FLOAT, Course FLOAT, Confidence INTEGER,
//                      PRIMARY KEY (MAC))
//   CellLocation      (MCC, MNC, LAC, CI INTEGER, then the same position columns; PRIMARY KEY (MCC, MNC, LAC,
//   CI)) CdmaCellLocation  (MCC, SID, NID, BSID, ZONEID, BANDCLASS, CHANNEL, PNOFFSET INTEGER, then the same
//                      position columns; PRIMARY KEY (MCC, SID, NID, BSID))
// Timestamp is Mac absolute time (Cocoa seconds since 2001). Schema source: the tables as published with
// iPhoneTracker (Allan and Warden, "Got an iPhone or 3G iPad? Apple is recording your moves", O'Reilly
// Radar, April 2011) and quoted in scripts reading the file since; the position is where Apple's location
// service places the access point or tower, downloaded when the phone saw it — not a fix of the phone.
// The tables have composite primary keys but are ordinary rowid tables, so provenance is the rowid.
#include "parsers/ios_consolidated.h"

#include <fmt/format.h>

#include <algorithm>

#include "parsers/location_row.h"

namespace kanshiki::parsers::ios_consolidated {
namespace {

struct TableSpec {
  const char* table;
  const char* kind;        // LocationPoint::kind
  const char* id_columns;  // selected verbatim, in label order
  std::vector<std::string> id_names;
};

const std::vector<TableSpec>& tables() {
  static const std::vector<TableSpec> specs = {
      {"WifiLocation", "wifi", "MAC", {"MAC"}},
      {"CellLocation", "cell", "MCC, MNC, LAC, CI", {"MCC", "MNC", "LAC", "CI"}},
      {"CdmaCellLocation", "cell", "MCC, SID, NID, BSID", {"MCC", "SID", "NID", "BSID"}},
  };
  return specs;
}

std::string label_of(const TableSpec& spec, const Row& r) {
  std::string label = spec.table == std::string_view("WifiLocation")   ? "Wi-Fi access point"
                      : spec.table == std::string_view("CellLocation") ? "GSM/UMTS cell"
                                                                       : "CDMA cell";
  for (const auto& col : spec.id_names)
    label += fmt::format(" {} {}", col, r.is_null(col) ? "NULL" : r.text(col));
  if (auto c = r.i64("Confidence")) label += fmt::format("; confidence {}", *c);
  return label;
}

void on_row(const TableSpec& spec, const Row& r, RowEmitter& out) {
  LocationPoint p;
  if (!location::read_position(r, "Latitude", "Longitude", 1.0, p, out)) return;
  // Core Location writes -1 for an accuracy it does not know; the altitude then means nothing either.
  if (auto acc = r.real("HorizontalAccuracy"); acc && *acc >= 0) p.accuracy_m = *acc;
  if (auto vacc = r.real("VerticalAccuracy"); vacc && *vacc >= 0) p.altitude_m = r.real("Altitude");
  p.time = r.time("Timestamp", EpochKind::cocoa_s, out);
  p.kind = spec.kind;
  p.source = "locationd consolidated.db";
  p.label = label_of(spec, r);
  out.emit(std::move(p));
}

class ConsolidatedParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return ios_consolidated::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    for (const auto& spec : tables()) present_.push_back(db.table_exists(spec.table));
    if (std::find(present_.begin(), present_.end(), true) == present_.end())
      out.warn("none of WifiLocation, CellLocation, CdmaCellLocation: not a locationd consolidated.db");
  }

  std::vector<Query> queries() override {
    std::vector<Query> qs;
    for (size_t i = 0; i < tables().size(); ++i) {
      const TableSpec& spec = tables()[i];
      std::vector<std::string> ids = spec.id_names;
      auto with = [&](std::vector<std::string> cols) {
        std::vector<std::string> all = ids;
        all.insert(all.end(), cols.begin(), cols.end());
        return all;
      };
      auto handler = [&spec](const Row& r, RowEmitter& out) { on_row(spec, r, out); };
      // A table that is present must be readable (unknown columns: a stored warning); an absent one is
      // simply not in this iOS version's file.
      const bool required = present_.at(i);
      qs.push_back(
          {spec.table,
           "iOS 4–6 (position, accuracies, altitude, confidence)",
           {{spec.table, with({"Timestamp", "Latitude", "Longitude", "HorizontalAccuracy", "Altitude",
                               "VerticalAccuracy", "Confidence"})}},
           fmt::format("SELECT rowid AS _rowid, {}, Timestamp, Latitude, Longitude, HorizontalAccuracy, "
                       "Altitude, VerticalAccuracy, Confidence FROM {} ORDER BY rowid",
                       spec.id_columns, spec.table),
           spec.table,
           required,
           handler});
      qs.push_back(
          {spec.table,
           "position and time only",
           {{spec.table, with({"Timestamp", "Latitude", "Longitude"})}},
           fmt::format("SELECT rowid AS _rowid, {}, Timestamp, Latitude, Longitude FROM {} ORDER BY rowid",
                       spec.id_columns, spec.table),
           spec.table,
           required,
           handler});
    }
    return qs;
  }

 private:
  std::vector<bool> present_;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.locationd.consolidated",
      "1.0.0",
      Platform::ios,
      "Location cache (locationd, iOS 4–6)",
      "Wi-Fi access point and cell tower positions cached by locationd in consolidated.db",
      {Locator::backup("RootDomain", "Library/Caches/locationd/consolidated.db"),
       Locator::path("**/root/Library/Caches/locationd/consolidated.db")},
      {"a point is where Apple's location service places the access point or cell tower, cached when the "
       "phone "
       "saw it: evidence that the phone was within radio range at about that time, not a fix of the phone",
       "the time is when locationd cached the position, which can be later than when the phone was near it",
       "only WifiLocation, CellLocation and CdmaCellLocation are read; other tables (harvest, counts, boxes, "
       "Lte/Scdma variants of later versions) are not reported",
       "checked on fixtures with the published table definitions, not on a real device's file (none in "
       "realdata)"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<ConsolidatedParser>(); }

}  // namespace kanshiki::parsers::ios_consolidated
