#include <catch2/catch.hpp>

#include "core/phone.h"

using kanshiki::normalize_phone_e164;

TEST_CASE("Japanese numbers normalise to E.164", "[phone]") {
  CHECK(normalize_phone_e164("090-1234-5678") == "+819012345678");
  CHECK(normalize_phone_e164("050 1234 5678") == "+815012345678");
  CHECK(normalize_phone_e164("03-1234-5678") == "+81312345678");
  CHECK(normalize_phone_e164("0120-123-456") == "+81120123456");
  CHECK(normalize_phone_e164("010-1-202-555-0143") == "+12025550143");
  CHECK(normalize_phone_e164("+81 90 1234 5678") == "+819012345678");
  CHECK(normalize_phone_e164("12345").empty());            // short code
  CHECK(normalize_phone_e164("AMAZON").empty());           // alphanumeric sender
  CHECK(normalize_phone_e164("user@example.com").empty());
  CHECK(normalize_phone_e164("(202) 555-0143", "US") == "+12025550143");
}
