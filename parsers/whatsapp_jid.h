#pragma once
// WhatsApp JIDs shared by the WhatsApp parsers (Android and iOS). A user JID ("818012345678@s.whatsapp.net", possibly
// with ".agent:device") carries the account's international number; "@lid" (linked identity) and group
// ("@g.us") JIDs do not.
#include <string>
#include <string_view>

#include "core/phone.h"

namespace kanshiki::parsers::whatsapp_jid {

inline std::string to_e164(std::string_view jid) {
  constexpr std::string_view kUserServer = "@s.whatsapp.net";
  if (jid.size() <= kUserServer.size() || jid.substr(jid.size() - kUserServer.size()) != kUserServer)
    return {};
  std::string_view user = jid.substr(0, jid.size() - kUserServer.size());
  user = user.substr(0, user.find_first_of(".:"));
  return normalize_phone_e164("+" + std::string(user));
}

}  // namespace kanshiki::parsers::whatsapp_jid
