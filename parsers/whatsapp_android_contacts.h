#pragma once
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::whatsapp_android_contacts {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::whatsapp_android_contacts
