#pragma once
// Timestamps keep the raw value exactly as stored by the app, the epoch it is counted from, and the
// normalised UTC instant. Courts ask how a time was derived; the raw value and its epoch answer that.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kanshiki {

enum class EpochKind {
  none,        // no time
  unix_s,      // seconds since 1970-01-01 UTC
  unix_ms,     // milliseconds since 1970
  unix_us,     // microseconds since 1970
  unix_ns,     // nanoseconds since 1970
  cocoa_s,     // Apple/Cocoa: seconds since 2001-01-01 UTC (may be fractional)
  cocoa_ns,    // Apple/Cocoa: nanoseconds since 2001-01-01 UTC (sms.db since iOS 11)
  webkit_us,   // WebKit/Chrome: microseconds since 1601-01-01 UTC
  iso8601,     // textual ISO 8601 time as stored
  mac1904_s,   // seconds since 1904-01-01 UTC (ISO BMFF / QuickTime mvhd, tkhd; classic Mac OS)
};

std::string_view epoch_name(EpochKind kind);
std::optional<EpochKind> epoch_from_name(std::string_view name);

struct Timestamp {
  std::string raw;                 // the value as the app stored it, textually exact
  EpochKind kind = EpochKind::none;
  std::optional<int64_t> utc_us;   // microseconds since 1970-01-01 UTC; empty when unknown/invalid

  bool empty() const { return kind == EpochKind::none; }
  std::string utc_iso() const;     // "2024-05-01T12:34:56.789Z" (ms precision); "" when unknown

  static Timestamp from_int(int64_t raw, EpochKind kind);
  static Timestamp from_real(double raw, EpochKind kind);
  // Cocoa values in seconds or nanoseconds (sms.db switched in iOS 11): decided by magnitude.
  static Timestamp cocoa_auto(int64_t raw);
  static Timestamp from_iso8601(std::string_view text);
};

// Format microseconds since the Unix epoch as ISO 8601 UTC with millisecond precision and a 'Z'.
std::string format_utc_iso(int64_t utc_us);
// Format in a fixed offset zone for display, stating the zone, e.g. "2024-05-01 21:34:56 (UTC+09:00)".
std::string format_in_zone(int64_t utc_us, int offset_minutes);

}  // namespace kanshiki
