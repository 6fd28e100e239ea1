#include <catch2/catch.hpp>

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
