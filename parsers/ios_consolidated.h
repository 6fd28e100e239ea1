#pragma once
// iOS 4–6 locationd cache consolidated.db: positions of Wi-Fi access points and cell towers the phone saw
// (WifiLocation, CellLocation, CdmaCellLocation).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_consolidated {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_consolidated
