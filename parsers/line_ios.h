#pragma once
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::line_ios {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::line_ios
