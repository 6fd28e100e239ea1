#pragma once
// Google Messages (and AOSP Messaging) on Android: conversations, participants and SMS/MMS/RCS messages with
// their parts from bugle_db.
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::android_bugle {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::android_bugle
