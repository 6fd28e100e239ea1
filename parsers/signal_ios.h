#pragma once
// Signal for iOS: grdb/signal.sqlite after decryption (`kanshiki decrypt signal`; on the phone it is
// SQLCipher 4).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::signal_ios {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::signal_ios
