#include "core/phone.h"

#include <cctype>

namespace kanshiki {
namespace {
struct Country {
  std::string_view iso, calling_code, intl_prefix;
  bool trunk_zero;
};
// Only the countries whose devices the lab meets most; others normalise only numbers that carry '+'.
constexpr Country kCountries[] = {
    {"JP", "81", "010", true}, {"US", "1", "011", false}, {"GB", "44", "00", true},
    {"KR", "82", "00", true},  {"CN", "86", "00", true},  {"DE", "49", "00", true},
};
}  // namespace

std::string normalize_phone_e164(std::string_view raw, std::string_view default_country) {
  std::string digits;
  bool plus = false;
  for (char c : raw) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isdigit(u)) {
      digits += c;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/') {
      continue;
    } else {
      return {};  // letters, '@', '*', '#': not a dialable number
    }
  }
  if (digits.size() < 7 || digits.size() > 15) return {};
  if (plus) return "+" + digits;
  const Country* home = nullptr;
  for (const auto& c : kCountries)
    if (c.iso == default_country) home = &c;
  if (!home) return {};
  if (digits.rfind(home->intl_prefix, 0) == 0) {
    std::string rest = digits.substr(home->intl_prefix.size());
    return rest.size() >= 7 ? "+" + rest : std::string();
  }
  if (digits.rfind("00", 0) == 0 && home->intl_prefix != "00") return {};  // not a prefix there
  if (home->trunk_zero) {
    if (digits[0] != '0') return {};  // local number without area code: cannot be placed
    return "+" + std::string(home->calling_code) + digits.substr(1);
  }
  if (home->iso == "US") {
    if (digits.size() == 10) return "+1" + digits;
    if (digits.size() == 11 && digits[0] == '1') return "+" + digits;
  }
  return {};
}

}  // namespace kanshiki
