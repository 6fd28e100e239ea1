#pragma once
// Text for XML documents the tool writes (GraphML, KML, GPX): the five special characters as entities, and the
// control characters XML 1.0 cannot carry at all (U+0000–U+001F except tab, LF, CR) as the visible text
// "\xNN", so nothing from the evidence is silently dropped and the document stays well-formed.
#include <cstdio>
#include <string>
#include <string_view>

namespace kanshiki {

inline std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02X", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out;
}

}  // namespace kanshiki
