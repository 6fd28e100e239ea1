#include "core/timestamp.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace kanshiki {
namespace {
constexpr int64_t kCocoaOffsetS = 978307200;         // 2001-01-01 - 1970-01-01
constexpr int64_t kWebkitOffsetS = 11644473600;      // 1970-01-01 - 1601-01-01
constexpr int64_t kMac1904OffsetS = 2082844800;      // 1970-01-01 - 1904-01-01
// Plausibility window for normalised times: 1970 .. 2200. Outside it the raw value is kept, UTC is not.
constexpr int64_t kMaxUs = 7258118400LL * 1000000LL;

std::optional<int64_t> checked(long double us) {
  if (!std::isfinite(static_cast<double>(us)) || us < 0 || us > static_cast<long double>(kMaxUs)) return std::nullopt;
  return static_cast<int64_t>(std::llround(static_cast<double>(us)));
}

// A new EpochKind goes last in core/timestamp.h, here, and in enum_max<EpochKind> (engine/parse_protocol.cpp,
// the parse worker's wire check).
struct NameEntry {
  EpochKind kind;
  std::string_view name;
};
constexpr std::array<NameEntry, 10> kNames{{{EpochKind::none, "none"},
                                           {EpochKind::unix_s, "unix_s"},
                                           {EpochKind::unix_ms, "unix_ms"},
                                           {EpochKind::unix_us, "unix_us"},
                                           {EpochKind::unix_ns, "unix_ns"},
                                           {EpochKind::cocoa_s, "cocoa_s"},
                                           {EpochKind::cocoa_ns, "cocoa_ns"},
                                           {EpochKind::webkit_us, "webkit_us"},
                                           {EpochKind::iso8601, "iso8601"},
                                           {EpochKind::mac1904_s, "mac1904_s"}}};

std::optional<int64_t> to_utc_us(long double v, EpochKind kind) {
  switch (kind) {
    case EpochKind::unix_s: return checked(v * 1e6L);
    case EpochKind::unix_ms: return checked(v * 1e3L);
    case EpochKind::unix_us: return checked(v);
    case EpochKind::unix_ns: return checked(v / 1e3L);
    case EpochKind::cocoa_s: return checked((v + kCocoaOffsetS) * 1e6L);
    case EpochKind::cocoa_ns: return checked(v / 1e3L + kCocoaOffsetS * 1e6L);
    case EpochKind::webkit_us: return checked(v - kWebkitOffsetS * 1e6L);
    case EpochKind::mac1904_s: return checked((v - kMac1904OffsetS) * 1e6L);
    default: return std::nullopt;
  }
}

// Days from civil date (Howard Hinnant's algorithm), used to parse ISO strings without locale/TZ state.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
}  // namespace

std::string_view epoch_name(EpochKind kind) {
  for (const auto& e : kNames)
    if (e.kind == kind) return e.name;
  return "none";
}

std::optional<EpochKind> epoch_from_name(std::string_view name) {
  for (const auto& e : kNames)
    if (e.name == name) return e.kind;
  return std::nullopt;
}

Timestamp Timestamp::from_int(int64_t raw, EpochKind kind) {
  Timestamp t;
  t.raw = std::to_string(raw);
  t.kind = kind;
  t.utc_us = raw == 0 ? std::nullopt : to_utc_us(static_cast<long double>(raw), kind);
  return t;
}

Timestamp Timestamp::from_real(double raw, EpochKind kind) {
  Timestamp t;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, raw);
  t.raw.assign(buf, res.ptr);
  t.kind = kind;
  t.utc_us = raw == 0 ? std::nullopt : to_utc_us(static_cast<long double>(raw), kind);
  return t;
}

Timestamp Timestamp::cocoa_auto(int64_t raw) {
  // Seconds since 2001 stay below ~1e10 for centuries; nanosecond values are above 1e15 after 2001-01-12.
  return from_int(raw, (raw > 100000000000LL || raw < -100000000000LL) ? EpochKind::cocoa_ns : EpochKind::cocoa_s);
}

Timestamp Timestamp::from_iso8601(std::string_view text) {
  Timestamp t;
  t.raw = std::string(text);
  t.kind = EpochKind::iso8601;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  char tail[16] = {0};
  std::string copy(text);
  int n = std::sscanf(copy.c_str(), "%d-%d-%d%*1[T ]%d:%d:%lf%15s", &y, &mo, &d, &h, &mi, &s, tail);
  // Out-of-range fields are not a time (and would overflow the arithmetic below): keep the raw text only.
  if (n < 6 || y < -9999 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 24 || mi < 0 ||
      mi > 59 || !(s >= 0 && s < 61))
    return t;
  long double secs = static_cast<long double>(days_from_civil(y, mo, d)) * 86400 + h * 3600 + mi * 60 + s;
  std::string_view z(tail);
  if (n == 7 && !z.empty() && z != "Z") {
    // Offsets come as "+09:00", "+0900" or "+09"; read the digits, ignoring an optional colon.
    char sign = z[0];
    std::string digits;
    for (char c : z.substr(1)) {
      if (c >= '0' && c <= '9') digits += c;
      else if (c != ':') break;
    }
    if ((sign == '+' || sign == '-') && (digits.size() == 2 || digits.size() == 4)) {
      int oh = std::stoi(digits.substr(0, 2));
      int om = digits.size() == 4 ? std::stoi(digits.substr(2, 2)) : 0;
      if (oh > 23 || om > 59) return t;  // not an offset: no UTC value rather than a wrong one
      long double off = oh * 3600 + om * 60;
      secs += sign == '+' ? -off : off;
    }
  }
  t.utc_us = checked(secs * 1e6L);
  return t;
}

std::string Timestamp::utc_iso() const { return utc_us ? format_utc_iso(*utc_us) : std::string(); }

namespace {
std::string format_fields(int64_t utc_us, bool iso, int offset_minutes) {
  int64_t shifted = utc_us + static_cast<int64_t>(offset_minutes) * 60'000'000LL;
  int64_t secs = shifted >= 0 ? shifted / 1'000'000 : (shifted - 999'999) / 1'000'000;
  int64_t ms = (shifted - secs * 1'000'000) / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // civil_from_days
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  char buf[64];
  if (iso && y >= 0 && y <= 9999) {
    // The common case, written digit by digit: this runs once per stored artifact (a million-message run
    // spent ~0.4 s in snprintf here). Same text as the snprintf below.
    auto put = [](char* at, int64_t v, int width) {
      for (int i = width - 1; i >= 0; --i, v /= 10) at[i] = static_cast<char>('0' + v % 10);
    };
    std::string out = "0000-00-00T00:00:00.000Z";
    put(&out[0], y, 4);
    put(&out[5], m, 2);
    put(&out[8], d, 2);
    put(&out[11], rem / 3600, 2);
    put(&out[14], rem % 3600 / 60, 2);
    put(&out[17], rem % 60, 2);
    put(&out[20], ms, 3);
    return out;
  }
  if (iso) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem % 3600 / 60),
                  static_cast<long long>(rem % 60), static_cast<long long>(ms));
  } else {
    int oh = std::abs(offset_minutes) / 60, om = std::abs(offset_minutes) % 60;
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld (UTC%c%02d:%02d)", static_cast<long long>(y), m,
                  d, static_cast<long long>(rem / 3600), static_cast<long long>(rem % 3600 / 60),
                  static_cast<long long>(rem % 60), offset_minutes < 0 ? '-' : '+', oh, om);
  }
  return buf;
}
}  // namespace

std::string format_utc_iso(int64_t utc_us) { return format_fields(utc_us, true, 0); }
std::string format_in_zone(int64_t utc_us, int offset_minutes) { return format_fields(utc_us, false, offset_minutes); }

}  // namespace kanshiki
