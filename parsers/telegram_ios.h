#pragma once
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::telegram_ios {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::telegram_ios
