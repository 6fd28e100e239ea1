#pragma once
// Android saved Wi-Fi networks: WifiConfigStore.xml (Android 8+).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::android_wifi {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::android_wifi
