#pragma once
// iOS Photos library database (Photos.sqlite): every asset with its creation date, file and coordinates.
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_photos {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_photos
