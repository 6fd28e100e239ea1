#pragma once
// Location exports for mapping tools: KML 2.2 (Google Earth), GeoJSON (RFC 7946) and GPX 1.1. One
// point per `locations` row, streamed in time order, each with its provenance (evidence, item, parser,
// table/row or JSON path) and its time in UTC, the zone stated, next to the raw value and its epoch.
#include <cstddef>
#include <ostream>

namespace kanshiki {

class CaseDb;

enum class GeoFormat { kml, geojson, gpx };

// Returns the number of points written.
size_t export_locations(CaseDb& c, GeoFormat format, std::ostream& out);

}  // namespace kanshiki
