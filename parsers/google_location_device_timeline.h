#pragma once
// Google Maps Timeline exported on the device (2024+: Android "Timeline.json", iOS "location-history.json").
// Not SQLite: streams the JSON itself (parsers/json_stream.h).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::google_location_device_timeline {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::google_location_device_timeline
