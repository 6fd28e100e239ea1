#pragma once
// Signal for Android: signal.db after decryption (`kanshiki decrypt signal`; the file on the phone is
// SQLCipher).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::signal_android {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::signal_android
