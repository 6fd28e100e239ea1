#pragma once
// WhatsApp for iOS: messages, chats and group members from ChatStorage.sqlite (Core Data).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::whatsapp_ios_chatstorage {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::whatsapp_ios_chatstorage
