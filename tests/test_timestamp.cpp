#include <catch2/catch.hpp>

#include <cstdio>
#include <ctime>

#include "core/timestamp.h"

using namespace kanshiki;

TEST_CASE("timestamps keep raw value, epoch and UTC", "[time]") {
  auto cocoa = Timestamp::cocoa_auto(700000000);  // seconds since 2001
  CHECK(cocoa.kind == EpochKind::cocoa_s);
  CHECK(cocoa.raw == "700000000");
  CHECK(cocoa.utc_iso() == "2023-03-08T20:26:40.000Z");
  auto cocoa_ns = Timestamp::cocoa_auto(700000000123456789LL);
  CHECK(cocoa_ns.kind == EpochKind::cocoa_ns);
  CHECK(cocoa_ns.utc_iso() == "2023-03-08T20:26:40.123Z");
  CHECK(Timestamp::from_int(1700000000000LL, EpochKind::unix_ms).utc_iso() == "2023-11-14T22:13:20.000Z");
  CHECK(Timestamp::from_int(13345000000000000LL, EpochKind::webkit_us).utc_iso() == "2023-11-21T00:26:40.000Z");
  CHECK(Timestamp::from_iso8601("2024-05-01T21:34:56+09:00").utc_iso() == "2024-05-01T12:34:56.000Z");
  CHECK(Timestamp::from_iso8601("2024-05-01T21:34:56+0900").utc_iso() == "2024-05-01T12:34:56.000Z");
  CHECK(Timestamp::from_iso8601("2024-05-01T07:34:56.5-05").utc_iso() == "2024-05-01T12:34:56.500Z");
  CHECK_FALSE(Timestamp::from_int(0, EpochKind::unix_ms).utc_us.has_value());
  // Out-of-range fields keep the raw text and give no UTC value (fuzz_parser_file found the minutes overflow).
  CHECK_FALSE(Timestamp::from_iso8601("2023-10-01T08:77777777715:00.000Z").utc_us.has_value());
  CHECK_FALSE(Timestamp::from_iso8601("2023-10-01T99:00:00Z").utc_us.has_value());
  CHECK_FALSE(Timestamp::from_iso8601("2023-10-01T08:00:00+9900").utc_us.has_value());
  CHECK(Timestamp::from_iso8601("2023-10-01T08:77777777715:00.000Z").raw == "2023-10-01T08:77777777715:00.000Z");
  CHECK(format_in_zone(*Timestamp::from_iso8601("2024-05-01T12:34:56Z").utc_us, 540) ==
        "2024-05-01 21:34:56 (UTC+09:00)");
  CHECK(epoch_from_name("cocoa_ns") == EpochKind::cocoa_ns);
}

TEST_CASE("mac1904_s: seconds since 1904-01-01 UTC (MP4/QuickTime mvhd)", "[timestamp]") {
  auto t = Timestamp::from_int(3797554925, EpochKind::mac1904_s);
  CHECK(t.raw == "3797554925");
  CHECK(t.utc_iso() == "2024-05-03T04:22:05.000Z");
  CHECK(epoch_name(EpochKind::mac1904_s) == "mac1904_s");
  CHECK(epoch_from_name("mac1904_s") == EpochKind::mac1904_s);
  CHECK(!Timestamp::from_int(0, EpochKind::mac1904_s).utc_us);  // an unset mvhd time
}

TEST_CASE("format_utc_iso: the digit-by-digit path gives the same text as strftime, and years past 9999 still format",
          "[timestamp]") {
  CHECK(format_utc_iso(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_utc_iso(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_utc_iso(253402300799999000LL) == "9999-12-31T23:59:59.999Z");
  CHECK(format_utc_iso(253402300800000000LL) == "10000-01-01T00:00:00.000Z");
  CHECK(format_utc_iso(-62135596800000000LL) == "0001-01-01T00:00:00.000Z");
  // Against the C library over 1900-2100, millisecond part included.
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const int64_t secs = static_cast<int64_t>(x % 6311433600ULL) - 2208988800LL;
    const int64_t ms = static_cast<int64_t>((x >> 40) % 1000);
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char want[40];
    std::strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
    char full[48];
    std::snprintf(full, sizeof full, "%s.%03lldZ", want, static_cast<long long>(ms));
    INFO(secs);
    REQUIRE(format_utc_iso(secs * 1'000'000 + ms * 1000) == full);
  }
}
