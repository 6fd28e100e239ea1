#pragma once
// iOS Messages: SMS, MMS and iMessage from sms.db (same schema family as macOS Messages chat.db).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_sms {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_sms
