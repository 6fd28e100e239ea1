#pragma once
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::chrome_history {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::chrome_history
