#pragma once
// WhatsApp for iOS: the app's address book, ContactsV2.sqlite (Core Data).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::whatsapp_ios_contacts {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::whatsapp_ios_contacts
