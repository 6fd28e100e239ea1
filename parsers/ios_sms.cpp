// PLACEHOLDER: to be implemented (see parsers/_template.cpp). Registered so the tree links meanwhile.
#include "parsers/ios_sms.h"

namespace kanshiki::parsers::ios_sms {
const ParserInfo& info() {
  static const ParserInfo i{"ios.sms", "0.0.0", Platform::any, "placeholder", "not implemented yet", {}, {}};
  return i;
}
std::unique_ptr<Parser> make() { return nullptr; }
}  // namespace kanshiki::parsers::ios_sms
