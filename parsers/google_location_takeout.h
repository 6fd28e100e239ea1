#pragma once
// Google Takeout Location History: Records.json (raw fixes) and Semantic Location History monthly files.
// Not SQLite: streams the JSON itself (parsers/json_stream.h).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::google_location_takeout {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::google_location_takeout
