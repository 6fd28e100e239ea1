#pragma once
// knowledgeC.db (CoreDuet "Knowledge" store, iOS and macOS): location-bearing events (places viewed in apps,
// points of interest) and Safari history events.
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_knowledgec {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_knowledgec
