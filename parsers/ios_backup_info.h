#pragma once
// iOS backup Info.plist (device identity, installed apps). Not SQLite: implements Parser::parse directly.
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_backup_info {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_backup_info
