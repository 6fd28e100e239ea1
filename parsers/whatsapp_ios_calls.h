#pragma once
// WhatsApp for iOS: the call log, CallHistory.sqlite (Core Data).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::whatsapp_ios_calls {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::whatsapp_ios_calls
