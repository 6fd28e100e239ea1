#include "engine/detect/keccak.h"

#include <cstring>

namespace kanshiki::detect {
namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
    0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
    0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
// Rho rotation offsets and the pi lane permutation, in the order the combined rho+pi walk visits lanes.
constexpr int kRho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                          27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                         15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

inline uint64_t rotl(uint64_t v, int n) { return (v << n) | (v >> (64 - n)); }

void keccak_f1600(uint64_t st[25]) {
  uint64_t bc[5];
  for (int round = 0; round < 24; ++round) {
    for (int i = 0; i < 5; ++i) bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
    for (int i = 0; i < 5; ++i) {
      uint64_t t = bc[(i + 4) % 5] ^ rotl(bc[(i + 1) % 5], 1);
      for (int j = 0; j < 25; j += 5) st[j + i] ^= t;
    }
    uint64_t carry = st[1];
    for (int i = 0; i < 24; ++i) {
      int j = kPi[i];
      uint64_t next = st[j];
      st[j] = rotl(carry, kRho[i]);
      carry = next;
    }
    for (int j = 0; j < 25; j += 5) {
      for (int i = 0; i < 5; ++i) bc[i] = st[j + i];
      for (int i = 0; i < 5; ++i) st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
    }
    st[0] ^= kRoundConstants[round];
  }
}

// Lanes are little-endian regardless of the host.
void xor_block(uint64_t st[25], const uint8_t* block, size_t rate) {
  for (size_t lane = 0; lane < rate / 8; ++lane) {
    uint64_t v = 0;
    for (int b = 7; b >= 0; --b) v = (v << 8) | block[lane * 8 + b];
    st[lane] ^= v;
  }
}

}  // namespace

std::array<uint8_t, 32> keccak256(const void* data, size_t size) {
  constexpr size_t kRate = 136;  // 1600 - 2*256 bits
  uint64_t st[25] = {};
  auto* p = static_cast<const uint8_t*>(data);
  while (size >= kRate) {
    xor_block(st, p, kRate);
    keccak_f1600(st);
    p += kRate;
    size -= kRate;
  }
  uint8_t last[kRate] = {};
  if (size) std::memcpy(last, p, size);
  last[size] ^= 0x01;  // original Keccak domain padding
  last[kRate - 1] ^= 0x80;
  xor_block(st, last, kRate);
  keccak_f1600(st);
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(st[i / 8] >> (8 * (i % 8)));
  return out;
}

}  // namespace kanshiki::detect
