#pragma once
// Viber for Android: calls and the Viber phone book from `viber_data`; conversations, participants and
// messages from `viber_messages` (both in /data/data/com.viber.voip/databases/).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::viber_android {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::viber_android
