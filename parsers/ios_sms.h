#pragma once
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_sms {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_sms
