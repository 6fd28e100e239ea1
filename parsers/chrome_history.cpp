// PLACEHOLDER: to be implemented (see parsers/_template.cpp). Registered so the tree links meanwhile.
#include "parsers/chrome_history.h"

namespace kanshiki::parsers::chrome_history {
const ParserInfo& info() {
  static const ParserInfo i{"chrome.history", "0.0.0", Platform::any, "placeholder", "not implemented yet", {}, {}};
  return i;
}
std::unique_ptr<Parser> make() { return nullptr; }
}  // namespace kanshiki::parsers::chrome_history
