#pragma once
// Display names from separate name parts, in the order the phone shows them: family name first when a part
// holds kana, CJK ideographs or hangul ("山田 太郎", as iOS does in Japanese, Chinese and Korean), given name
// first otherwise ("Taro Yamada"). Parts are joined with one space; empty parts are left out; bytes are kept.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace kanshiki::parsers::person_name {

inline bool has_cjk(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    const size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
    if (i + n > s.size()) return false;
    uint32_t cp = n == 1 ? b : b & (0xFFu >> (n + 1));
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xFF66 && cp <= 0xFF9F))
      return true;
    i += n;
  }
  return false;
}

inline std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

inline std::string display(std::string_view given, std::string_view middle, std::string_view family) {
  return has_cjk(given) || has_cjk(family) ? join({family, given, middle}) : join({given, middle, family});
}

}  // namespace kanshiki::parsers::person_name
