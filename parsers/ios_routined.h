#pragma once
// iOS location history kept by routined: raw fixes in Cache.sqlite (ZRTCLLOCATIONMO) and the visits to
// learned places in Local.sqlite (ZRTLEARNEDLOCATIONOFINTERESTVISITMO).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_routined {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_routined
