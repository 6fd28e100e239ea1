#pragma once
// Facebook Messenger for Android (com.facebook.orca; also the Facebook app, com.facebook.katana):
// threads_db2 (messages, threads, thread_users, thread_participants; calls from admin messages).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::facebook_messenger_android {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::facebook_messenger_android
