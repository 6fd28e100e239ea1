// PLACEHOLDER: to be implemented (see parsers/_template.cpp). Registered so the tree links meanwhile.
#include "parsers/whatsapp_android_contacts.h"

namespace kanshiki::parsers::whatsapp_android_contacts {
const ParserInfo& info() {
  static const ParserInfo i{"whatsapp.android.contacts", "0.0.0", Platform::any, "placeholder", "not implemented yet", {}, {}};
  return i;
}
std::unique_ptr<Parser> make() { return nullptr; }
}  // namespace kanshiki::parsers::whatsapp_android_contacts
