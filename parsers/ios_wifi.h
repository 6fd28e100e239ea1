#pragma once
// iOS known Wi-Fi networks: com.apple.wifi.plist (up to iOS 13) and com.apple.wifi.known-networks.plist
// (iOS 14+), with the access points' positions where iOS kept them.
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_wifi {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_wifi
