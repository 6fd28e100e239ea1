#pragma once
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::android_calllog {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::android_calllog
