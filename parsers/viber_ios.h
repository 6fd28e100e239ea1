#pragma once
// Viber for iOS: messages, conversations, contacts and calls from Contacts.data (Core Data).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::viber_ios {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::viber_ios
