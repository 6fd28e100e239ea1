#pragma once
// Helpers shared by the SQLite location parsers (locationd consolidated.db, knowledgeC, Google Maps): one
// plausibility rule for a WGS84 position and one way to read it from a row, so that a row without a usable
// position is always a stored warning naming its columns and values, never a silent drop.
#include <fmt/format.h>

#include <optional>
#include <string_view>

#include "parsers/parser.h"

namespace kanshiki::parsers::location {

// (0, 0) is excluded: apps write it for "no fix", and a real point in the Gulf of Guinea is not worth the
// false positives.
inline bool plausible(double lat, double lon) {
  return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0);
}

// Reads the two columns (times `scale`, e.g. 1e-6 for microdegrees) into p. Returns false after a warning
// when either is NULL or the position is not plausible; the caller then does not emit the row.
inline bool read_position(const Row& r, std::string_view lat_col, std::string_view lon_col, double scale,
                          LocationPoint& p, RowEmitter& out) {
  std::optional<double> lat = r.real(lat_col), lon = r.real(lon_col);
  if (lat && lon && plausible(*lat * scale, *lon * scale)) {
    p.latitude = *lat * scale;
    p.longitude = *lon * scale;
    return true;
  }
  auto shown = [](const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string("NULL"); };
  out.warn(fmt::format("no usable position ({} = {}, {} = {}); row not reported as a location", lat_col,
                       shown(lat), lon_col, shown(lon)));
  return false;
}

}  // namespace kanshiki::parsers::location
