#pragma once
// COPY-ME TEMPLATE — not compiled, not registered (see docs/writing-a-parser.md).
//
// To start a parser: copy _template.h/.cpp to <app>.h/.cpp, rename the namespace and the id, add the .cpp to
// parsers/CMakeLists.txt and one line to parsers/registry.cpp. Every parser header looks exactly like this:
// two functions, nothing else; the parser class stays private to its .cpp.
//
// Check that the template still compiles after changing the framework:
//   g++ -std=c++20 -fsyntax-only -I. -Ibuild/<dir>/generated parsers/_template.cpp
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::template_example {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::template_example
