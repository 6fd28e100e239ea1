#pragma once
// Chrome / Chromium browsing history (the profile's `History` SQLite database), desktop and Android.
#include <cstdint>
#include <memory>
#include <string>

#include "parsers/parser.h"

namespace kanshiki::parsers::chrome_history {
const ParserInfo& info();
std::unique_ptr<Parser> make();

// visits.transition in words: the core type (low byte) and any qualifier bits, e.g. "link" or
// "typed (from_address_bar, chain_start, chain_end)". Unknown values are shown by number.
std::string transition_name(int64_t transition);
}  // namespace kanshiki::parsers::chrome_history
