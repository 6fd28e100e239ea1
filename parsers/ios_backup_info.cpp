// PLACEHOLDER: to be implemented (see parsers/_template.cpp). Registered so the tree links meanwhile.
#include "parsers/ios_backup_info.h"

namespace kanshiki::parsers::ios_backup_info {
const ParserInfo& info() {
  static const ParserInfo i{"ios.backup_info", "0.0.0", Platform::any, "placeholder", "not implemented yet", {}, {}};
  return i;
}
std::unique_ptr<Parser> make() { return nullptr; }
}  // namespace kanshiki::parsers::ios_backup_info
