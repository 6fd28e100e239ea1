#pragma once
// iOS Phone and FaceTime call history: CallHistory.storedata (Core Data).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_callhistory {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_callhistory
