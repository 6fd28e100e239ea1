#pragma once
// Safari browsing history: History.db (iOS and macOS).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::safari_history {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::safari_history
