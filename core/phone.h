#pragma once
// Phone numbers to E.164, understanding Japanese numbering (090/080/070 mobiles, 050 IP phones, 0120 free
// dial, 0X fixed lines → +81 without the trunk 0; 010 is Japan's international prefix). The raw value is
// always kept beside the normalised one; an empty result means "could not normalise" (short codes,
// alphanumeric senders, e-mail handles), never a guess.
#include <string>
#include <string_view>

namespace kanshiki {

// default_country: ISO 3166 alpha-2 of the device's home country ("JP" unless known otherwise).
std::string normalize_phone_e164(std::string_view raw, std::string_view default_country = "JP");

}  // namespace kanshiki
