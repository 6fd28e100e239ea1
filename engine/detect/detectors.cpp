#include "engine/detect/detectors.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/phone.h"
#include "engine/detect/keccak.h"

namespace kanshiki::detect {
namespace {

constexpr std::string_view kBase58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBech32Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

int base58_digit(char c) {
  auto pos = kBase58Alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::array<uint8_t, 32> sha256d(std::string_view data) {
  std::array<uint8_t, 32> first{}, second{};
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), first.data(), &n, EVP_sha256(), nullptr);
  EVP_Digest(first.data(), first.size(), second.data(), &n, EVP_sha256(), nullptr);
  return second;
}

// base58check: payload + first 4 bytes of double SHA-256.
std::optional<std::string> base58check_payload(std::string_view token) {
  auto raw = base58_decode(token);
  if (!raw || raw->size() < 5) return std::nullopt;
  std::string_view all(*raw);
  auto payload = all.substr(0, all.size() - 4);
  auto digest = sha256d(payload);
  if (!std::equal(digest.begin(), digest.begin() + 4,
                  reinterpret_cast<const uint8_t*>(all.data() + payload.size())))
    return std::nullopt;
  return std::string(payload);
}

// ---- bech32 / bech32m (BIP-173, BIP-350) ----
uint32_t bech32_polymod(const std::vector<uint8_t>& values) {
  constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i)
      if ((top >> i) & 1) chk ^= kGen[i];
  }
  return chk;
}

struct SegwitAddress {
  std::string hrp;
  int version = 0;
  bool bech32m = false;
};

std::optional<SegwitAddress> decode_segwit(std::string_view s) {
  if (s.size() < 8 || s.size() > 90) return std::nullopt;
  bool has_lower = false, has_upper = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= 'A' && c <= 'Z') has_upper = true;
  }
  if (has_lower && has_upper) return std::nullopt;  // mixed case is invalid by definition
  std::string str = to_lower(s);
  auto sep = str.rfind('1');
  if (sep == std::string::npos || sep == 0 || sep + 7 > str.size()) return std::nullopt;
  std::string hrp = str.substr(0, sep);
  std::vector<uint8_t> values;
  for (char c : hrp) values.push_back(static_cast<uint8_t>(c) >> 5);
  values.push_back(0);
  for (char c : hrp) values.push_back(static_cast<uint8_t>(c) & 31);
  std::vector<uint8_t> data;
  for (size_t i = sep + 1; i < str.size(); ++i) {
    auto pos = kBech32Alphabet.find(str[i]);
    if (pos == std::string_view::npos) return std::nullopt;
    data.push_back(static_cast<uint8_t>(pos));
  }
  values.insert(values.end(), data.begin(), data.end());
  uint32_t residue = bech32_polymod(values);
  bool is_bech32 = residue == 1, is_bech32m = residue == 0x2bc830a3;
  if (!is_bech32 && !is_bech32m) return std::nullopt;
  data.resize(data.size() - 6);  // drop the checksum
  if (data.empty() || data[0] > 16) return std::nullopt;
  int version = data[0];
  // 5-bit groups -> bytes; leftover bits must be fewer than 5 and zero.
  uint32_t acc = 0;
  int bits = 0;
  size_t program_bytes = 0;
  for (size_t i = 1; i < data.size(); ++i) {
    acc = (acc << 5) | data[i];
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      ++program_bytes;
    }
  }
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  if (program_bytes < 2 || program_bytes > 40) return std::nullopt;
  if (version == 0 && program_bytes != 20 && program_bytes != 32) return std::nullopt;
  if ((version == 0) != is_bech32) return std::nullopt;  // v0 uses bech32, v1+ bech32m
  return SegwitAddress{hrp, version, is_bech32m};
}

// ---- EIP-55 ----
bool eip55_valid(std::string_view token) {
  auto hex = token.substr(2);
  return eip55_encode(hex) == std::string("0x") + std::string(hex);
}

// ---- Monero ----
std::optional<Detection> classify_monero(std::string_view token) {
  if (token.size() != 95 && token.size() != 106) return std::nullopt;
  auto raw = monero_base58_decode(token);
  if (!raw) return std::nullopt;
  auto tag = static_cast<uint8_t>((*raw)[0]);
  // Main-net network bytes (single-byte varints): 18 standard, 19 integrated, 42 subaddress.
  bool standard_size = raw->size() == 69, integrated_size = raw->size() == 77;
  if (!((tag == 18 && standard_size) || (tag == 42 && standard_size) || (tag == 19 && integrated_size)))
    return std::nullopt;
  auto body = std::string_view(*raw).substr(0, raw->size() - 4);
  auto digest = keccak256(body);
  if (!std::equal(digest.begin(), digest.begin() + 4,
                  reinterpret_cast<const uint8_t*>(raw->data() + body.size())))
    return std::nullopt;
  return Detection{"wallet.xmr", std::string(token), std::string(token), "keccak", 0};
}

}  // namespace

std::optional<std::string> base58_decode(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::vector<uint8_t> number;  // big-endian magnitude
  for (char c : s) {
    int digit = base58_digit(c);
    if (digit < 0) return std::nullopt;
    uint32_t carry = static_cast<uint32_t>(digit);
    for (auto it = number.rbegin(); it != number.rend(); ++it) {
      carry += static_cast<uint32_t>(*it) * 58;
      *it = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry) {
      number.insert(number.begin(), static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  size_t leading_zeros = 0;
  while (leading_zeros < s.size() && s[leading_zeros] == '1') ++leading_zeros;
  std::string out(leading_zeros, '\0');
  out.append(number.begin(), number.end());
  return out;
}

std::optional<std::string> monero_base58_decode(std::string_view s) {
  // Encoded length of a block of 0..8 bytes; a full block is 8 bytes in 11 characters.
  constexpr int kEncodedSize[9] = {0, 2, 3, 5, 6, 7, 9, 10, 11};
  std::string out;
  for (size_t pos = 0; pos < s.size(); pos += 11) {
    auto block = s.substr(pos, 11);
    int bytes = -1;
    for (int n = 0; n <= 8; ++n)
      if (kEncodedSize[n] == static_cast<int>(block.size())) bytes = n;
    if (bytes <= 0) return std::nullopt;
    unsigned __int128 value = 0;
    for (char c : block) {
      int digit = base58_digit(c);
      if (digit < 0) return std::nullopt;
      value = value * 58 + static_cast<unsigned>(digit);
    }
    if (bytes < 16 && (value >> (8 * bytes)) != 0) return std::nullopt;  // overflow: not a valid block
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  return out;
}

std::string eip55_encode(std::string_view hex40) {
  std::string lower_hex = to_lower(hex40);
  auto digest = keccak256(lower_hex);
  std::string out = "0x";
  for (size_t i = 0; i < lower_hex.size(); ++i) {
    char c = lower_hex[i];
    int nibble = (i % 2 == 0) ? (digest[i / 2] >> 4) : (digest[i / 2] & 0x0f);
    out.push_back((c >= 'a' && nibble >= 8) ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

std::optional<Detection> classify_wallet(std::string_view token) {
  // Ethereum: 0x + 40 hex. Mixed case carries the EIP-55 checksum and must match it; a single-case address
  // has no checksum (many wallets print it so) and is reported as syntax-only.
  if (token.size() == 42 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X') &&
      std::all_of(token.begin() + 2, token.end(), is_hex)) {
    auto hex = token.substr(2);
    bool has_lower = std::any_of(hex.begin(), hex.end(), [](char c) { return c >= 'a' && c <= 'f'; });
    bool has_upper = std::any_of(hex.begin(), hex.end(), [](char c) { return c >= 'A' && c <= 'F'; });
    if (token[1] == 'X') return std::nullopt;
    if (has_lower && has_upper) {
      if (!eip55_valid(token)) return std::nullopt;
      return Detection{"wallet.eth", std::string(token), std::string(token), "eip55", 0};
    }
    return Detection{"wallet.eth", std::string(token), eip55_encode(hex), "syntax", 0};
  }
  // Segwit (bech32 / bech32m): Bitcoin "bc", Litecoin "ltc".
  if (token.size() >= 14) {
    auto lower_token = to_lower(token);
    bool btc = lower_token.rfind("bc1", 0) == 0, ltc = lower_token.rfind("ltc1", 0) == 0;
    if (btc || ltc) {
      auto sw = decode_segwit(token);
      if (sw && ((btc && sw->hrp == "bc") || (ltc && sw->hrp == "ltc")))
        return Detection{btc ? "wallet.btc" : "wallet.ltc", std::string(token), lower_token,
                         sw->bech32m ? "bech32m" : "bech32", 0};
      return std::nullopt;
    }
  }
  // Base58check: 25 bytes = version + 20-byte hash + 4-byte checksum.
  if (token.size() >= 26 && token.size() <= 35) {
    auto payload = base58check_payload(token);
    if (!payload || payload->size() != 21) return std::nullopt;
    auto version = static_cast<uint8_t>((*payload)[0]);
    const char* kind = nullptr;
    if (version == 0x00 || version == 0x05)
      kind = "wallet.btc";  // P2PKH "1...", P2SH "3..."
    else if (version == 0x30 || version == 0x32)
      kind = "wallet.ltc";  // "L...", "M..."
    else if (version == 0x41)
      kind = "wallet.trx";  // TRON "T..."
    if (!kind) return std::nullopt;
    return Detection{kind, std::string(token), std::string(token), "base58check", 0};
  }
  return classify_monero(token);
}

std::optional<Detection> classify_phone(std::string_view candidate) {
  std::string digits;
  for (char c : candidate)
    if (is_digit(c)) digits.push_back(c);
  bool international = !candidate.empty() && candidate[0] == '+';
  if (!international && (candidate.empty() || candidate[0] != '0')) return std::nullopt;
  if (international) {
    if (digits.size() < 8 || digits.size() > 15) return std::nullopt;
  } else {
    // Japanese domestic numbers have 10 digits (fixed, 0120 is 10 too) or 11 (070/080/090 mobiles, 050 IP).
    if (digits.size() != 10 && digits.size() != 11) return std::nullopt;
    if (digits.size() == 11 &&
        !(digits.starts_with("070") || digits.starts_with("080") || digits.starts_with("090") ||
          digits.starts_with("050") || digits.starts_with("0800") || digits.starts_with("020")))
      return std::nullopt;
    bool mobile_prefix = digits.starts_with("070") || digits.starts_with("080") || digits.starts_with("090");
    if (mobile_prefix && digits.size() != 11) return std::nullopt;
    if (digits.starts_with("00")) return std::nullopt;
  }
  std::string e164 = normalize_phone_e164(candidate, "JP");
  if (e164.empty()) return std::nullopt;
  return Detection{"phone", std::string(candidate), e164, "e164", 0};
}

std::vector<Detection> detect_entities(std::string_view text) {
  std::vector<Detection> found;
  std::vector<std::pair<size_t, size_t>> claimed;  // byte ranges already reported (URLs, e-mail)
  auto is_claimed = [&](size_t begin, size_t end) {
    return std::any_of(claimed.begin(), claimed.end(),
                       [&](auto& r) { return begin < r.second && end > r.first; });
  };
  const size_t n = text.size();

  // URLs: scheme up to whitespace, quotes/brackets or non-ASCII (Japanese prose often follows a URL
  // directly).
  for (size_t i = 0; i + 7 < n; ++i) {
    if (lower(text[i]) != 'h') continue;
    auto rest = to_lower(text.substr(i, 8));
    size_t scheme = rest.starts_with("https://") ? 8 : rest.starts_with("http://") ? 7 : 0;
    if (!scheme || (i > 0 && is_ascii_alnum(text[i - 1]))) continue;
    size_t end = i + scheme;
    while (end < n) {
      auto c = static_cast<unsigned char>(text[end]);
      if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`') break;
      ++end;
    }
    while (end > i + scheme && std::string_view(".,;:!?)]}").find(text[end - 1]) != std::string_view::npos)
      --end;
    if (end == i + scheme) continue;
    auto url = text.substr(i, end - i);
    auto host_end = url.find_first_of("/?#", scheme);
    std::string host =
        to_lower(url.substr(scheme, host_end == std::string_view::npos ? url.npos : host_end - scheme));
    if (host.find('.') == std::string::npos) continue;
    // Scheme and host are case-insensitive; the path is kept as written.
    std::string path(host_end == std::string_view::npos ? std::string_view() : url.substr(host_end));
    found.push_back({"url", std::string(url), to_lower(url.substr(0, scheme)) + host + path, "syntax", i});
    claimed.emplace_back(i, end);
    i = end;
  }

  // E-mail: local@domain.tld around each '@'.
  auto local_char = [](char c) {
    return is_ascii_alnum(c) || std::string_view("._%+-").find(c) != std::string_view::npos;
  };
  auto domain_char = [](char c) { return is_ascii_alnum(c) || c == '.' || c == '-'; };
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    size_t begin = at, end = at + 1;
    while (begin > 0 && local_char(text[begin - 1])) --begin;
    while (end < n && domain_char(text[end])) ++end;
    while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
    while (begin < at && text[begin] == '.') ++begin;
    if (begin == at || is_claimed(begin, end)) continue;
    auto domain = text.substr(at + 1, end - at - 1);
    auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) continue;
    auto tld = domain.substr(dot + 1);
    if (!std::all_of(tld.begin(), tld.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }))
      continue;
    auto value = text.substr(begin, end - begin);
    // WhatsApp ids look like e-mail (8190...@s.whatsapp.net, groups ...@g.us); they are messenger ids.
    auto lower_domain = to_lower(domain);
    bool whatsapp = lower_domain == "s.whatsapp.net" || lower_domain == "c.us" || lower_domain == "g.us" ||
                    lower_domain == "broadcast" || lower_domain == "lid";
    found.push_back(
        {whatsapp ? "messenger.whatsapp" : "email", std::string(value), to_lower(value), "syntax", begin});
    claimed.emplace_back(begin, end);
  }

  // Wallet addresses: maximal ASCII alphanumeric tokens (base58, bech32 and hex are all alphanumeric).
  for (size_t i = 0; i < n;) {
    if (!is_ascii_alnum(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < n && is_ascii_alnum(text[end])) ++end;
    size_t len = end - i;
    if (len >= 26 && len <= 106 && !is_claimed(i, end)) {
      if (auto d = classify_wallet(text.substr(i, len))) {
        d->offset = i;
        found.push_back(std::move(*d));
        claimed.emplace_back(i, end);
      }
    }
    i = end;
  }

  // Phone numbers: '+' or a digit, then digits with single separators (- space ( ) .), bounded by non-alnum.
  for (size_t i = 0; i < n; ++i) {
    char c = text[i];
    if (!(c == '+' || is_digit(c))) continue;
    if (i > 0 &&
        (is_ascii_alnum(text[i - 1]) || text[i - 1] == '+' || text[i - 1] == '-' || text[i - 1] == '.'))
      continue;
    size_t end = i + 1;
    while (end < n) {
      char d = text[end];
      if (is_digit(d)) {
        ++end;
        continue;
      }
      bool separator = d == '-' || d == ' ' || d == '(' || d == ')';
      if (separator && end + 1 < n && (is_digit(text[end + 1]) || text[end + 1] == '(') &&
          !(d == ' ' && text[end - 1] == ' ')) {
        ++end;
        continue;
      }
      break;
    }
    if (end < n &&
        (is_ascii_alnum(text[end]) || (text[end] == '.' && end + 1 < n && is_digit(text[end + 1])))) {
      i = end;
      continue;
    }
    if (!is_claimed(i, end)) {
      if (auto d = classify_phone(text.substr(i, end - i))) {
        d->offset = i;
        found.push_back(std::move(*d));
        claimed.emplace_back(i, end);
      }
    }
    i = end;
  }

  // Bare domains (no scheme): only well-known TLDs, so "file.txt" or "v1.2" are not reported.
  static const std::vector<std::string_view> kTlds = {
      "com",  "net",  "org",    "jp",   "io",  "me",   "info", "biz",  "xyz",   "top",
      "app",  "dev",  "ru",     "cn",   "co",  "cc",   "tk",   "ly",   "gg",    "to",
      "link", "site", "online", "shop", "vip", "club", "live", "asia", "tokyo", "kr",
      "hk",   "tw",   "sg",     "uk",   "us",  "ph",   "th",   "vn",   "id",    "in"};
  for (size_t i = 0; i < n;) {
    if (!is_ascii_alnum(text[i]) ||
        (i > 0 && (domain_char(text[i - 1]) || text[i - 1] == '@' || text[i - 1] == '/'))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < n && domain_char(text[end])) ++end;
    size_t trimmed = end;
    while (trimmed > i && (text[trimmed - 1] == '.' || text[trimmed - 1] == '-')) --trimmed;
    auto candidate = text.substr(i, trimmed - i);
    auto dot = candidate.rfind('.');
    bool after_ok = end >= n || text[end] != '@';
    if (dot != std::string_view::npos && dot > 0 && after_ok && !is_claimed(i, trimmed)) {
      auto tld = to_lower(candidate.substr(dot + 1));
      bool known = std::find(kTlds.begin(), kTlds.end(), tld) != kTlds.end();
      bool labels_ok =
          candidate.find("..") == std::string_view::npos &&
          !std::all_of(candidate.begin(), candidate.end(), [](char ch) { return is_digit(ch) || ch == '.'; });
      if (known && labels_ok) {
        found.push_back({"domain", std::string(candidate), to_lower(candidate), "syntax", i});
        claimed.emplace_back(i, trimmed);
      }
    }
    i = end;
  }

  std::sort(found.begin(), found.end(),
            [](const Detection& a, const Detection& b) { return a.offset < b.offset; });
  return found;
}

}  // namespace kanshiki::detect
