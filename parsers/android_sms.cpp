// PLACEHOLDER: to be implemented (see parsers/_template.cpp). Registered so the tree links meanwhile.
#include "parsers/android_sms.h"

namespace kanshiki::parsers::android_sms {
const ParserInfo& info() {
  static const ParserInfo i{"android.sms", "0.0.0", Platform::any, "placeholder", "not implemented yet", {}, {}};
  return i;
}
std::unique_ptr<Parser> make() { return nullptr; }
}  // namespace kanshiki::parsers::android_sms
