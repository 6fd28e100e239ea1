#pragma once
// Photos and other media found in the extraction: hash (from ingest), type, and EXIF (capture time, GPS,
// make/model/software) from JPEG and HEIC/HEIF. Not SQLite: implements Parser::parse directly.
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::media_exif {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::media_exif
