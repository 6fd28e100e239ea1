#pragma once
// Keccak-256 as Ethereum and Monero use it: the original Keccak submission padding (0x01 ... 0x80), which is
// NOT FIPS-202 SHA3-256 (padding 0x06). OpenSSL 3.0 (Debian 12) only exposes "KECCAK-256" from 3.2 on, so
// the permutation is implemented here and checked against published vectors (tests/test_detectors.cpp).
#include <array>
#include <cstdint>
#include <string_view>

namespace kanshiki::detect {

std::array<uint8_t, 32> keccak256(const void* data, size_t size);
inline std::array<uint8_t, 32> keccak256(std::string_view s) { return keccak256(s.data(), s.size()); }

}  // namespace kanshiki::detect
