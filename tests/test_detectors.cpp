// Detectors: published vectors for Keccak-256, base58check, bech32/bech32m and EIP-55, and for every valid
// address every one-character substitution must be rejected (the checksum's whole point in court: a typo is
// not the suspect's wallet). Random strings of the right shape must not be reported.
#include <catch2/catch.hpp>
#include <random>

#include "engine/detect/detectors.h"
#include "engine/detect/keccak.h"

using namespace kanshiki::detect;

namespace {

std::string hex(const std::array<uint8_t, 32>& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

struct WalletCase {
  const char* address;
  const char* kind;
  const char* validation;
};

// Sources: Bitcoin genesis address; BIP-13 P2SH example; BIP-173 / BIP-350 segwit vectors; EIP-55 examples;
// TRON USDT contract; Monero general-fund donation address; Litecoin = the genesis hash160 under L/M/ltc1.
const WalletCase kValidWallets[] = {
    {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "wallet.btc", "base58check"},
    {"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "wallet.btc", "base58check"},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "wallet.btc", "bech32"},
    {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "wallet.btc", "bech32"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "wallet.btc", "bech32m"},
    {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "wallet.eth", "eip55"},
    {"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "wallet.eth", "eip55"},
    {"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "wallet.eth", "eip55"},
    {"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "wallet.eth", "eip55"},
    {"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "wallet.trx", "base58check"},
    {"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
     "wallet.xmr", "keccak"},
    {"LUEweDxDA4WhvWiNXXSxjM9CYzHPJv4QQF", "wallet.ltc", "base58check"},
    {"MGv9cSYnaRSTZNzYaN7bhbgmozoGkKBvCn", "wallet.ltc", "base58check"},
    {"ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", "wallet.ltc", "bech32"},
};

// Hand-picked one-character-off examples (a digit or letter changed, case flipped), plus format errors.
const char* const kInvalidWallets[] = {
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",  // last character changed
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DlvfNa",  // i -> l
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  // checksum character
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3T4",  // mixed case
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj1",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  // v0 with a bech32m checksum (BIP-350)
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  // case of one letter flipped
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",   // 39 hex digits
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d358",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3B",
    "LUEweDxDA4WhvWiNXXSxjM9CYzHPJv4QQG",
    "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n8",
    "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  // bitcoin checksum under the ltc prefix
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyU",           // a real vanity address, last character changed
};

}  // namespace

TEST_CASE("Keccak-256 uses the original padding (published vectors)", "[detect]") {
  CHECK(hex(keccak256("")) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  CHECK(hex(keccak256("abc")) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  CHECK(hex(keccak256("The quick brown fox jumps over the lazy dog")) ==
        "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
  // Block boundary (rate = 136 bytes): inputs of 135, 136 and 137 bytes all hash and differ.
  CHECK(hex(keccak256(std::string(135, 'a'))) != hex(keccak256(std::string(136, 'a'))));
  CHECK(hex(keccak256(std::string(136, 'a'))) != hex(keccak256(std::string(137, 'a'))));
}

TEST_CASE("valid wallet addresses are recognised with their checksum", "[detect]") {
  for (const auto& c : kValidWallets) {
    INFO(c.address);
    auto d = classify_wallet(c.address);
    REQUIRE(d);
    CHECK(d->kind == c.kind);
    CHECK(d->validation == c.validation);
  }
  CHECK(eip55_encode("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") ==
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  // Single-case Ethereum addresses carry no checksum: reported, marked syntax-only, normalised to EIP-55.
  auto lower = classify_wallet("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
  REQUIRE(lower);
  CHECK(lower->validation == "syntax");
  CHECK(lower->normalized == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
}

TEST_CASE("one-character-off wallet addresses are rejected", "[detect]") {
  for (const char* bad : kInvalidWallets) {
    INFO(bad);
    CHECK_FALSE(classify_wallet(bad));
  }
  // Exhaustively: every single-character substitution of every checksummed vector fails.
  const std::string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0";
  for (const auto& c : kValidWallets) {
    std::string addr = c.address;
    if (std::string_view(c.validation) == "syntax") continue;
    bool bech = std::string_view(c.validation).starts_with("bech32");
    for (size_t i = 0; i < addr.size(); ++i) {
      if (addr.starts_with("0x") && i < 2) continue;
      if (bech && i < addr.find('1')) continue;  // the prefix decides the coin, not the checksum
      std::string mutated = addr;
      char original = mutated[i];
      // Neighbour in the coin's own alphabet keeps the shape, so only the checksum can reject it.
      std::string_view set =
          bech ? (std::isupper(static_cast<unsigned char>(original)) ? "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
                                                                     : "qpzry9x8gf2tvdw0s3jn54khce6mua7l")
          : addr.starts_with("0x") ? std::string_view("0123456789abcdefABCDEF")
                                   : std::string_view(alphabet).substr(0, 58);
      auto pos = set.find(original);
      mutated[i] = set[(pos == std::string_view::npos ? 0 : pos + 1) % set.size()];
      if (mutated == addr) continue;
      INFO(addr << " position " << i << " -> " << mutated);
      CHECK_FALSE(classify_wallet(mutated));
    }
  }
}

TEST_CASE("random strings of wallet shape are not reported", "[detect]") {
  std::mt19937 rng(20241201);
  const std::string_view b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const std::string_view hexd = "0123456789abcdefABCDEF";
  int hits = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string s(1, "13LMT"[rng() % 5]);
    for (int k = 0; k < 33; ++k) s.push_back(b58[rng() % b58.size()]);
    std::string e = "0x";
    for (int k = 0; k < 40; ++k) e.push_back(hexd[rng() % hexd.size()]);
    std::string x = "4";
    for (int k = 0; k < 94; ++k) x.push_back(b58[rng() % b58.size()]);
    hits += classify_wallet(s).has_value() + classify_wallet(e).has_value() + classify_wallet(x).has_value();
  }
  CHECK(hits == 0);
}

TEST_CASE("phone numbers: E.164 and Japanese formats", "[detect]") {
  struct PhoneCase {
    const char* text;
    const char* e164;
  };
  const PhoneCase valid[] = {
      {"090-1234-5678", "+819012345678"},    {"09012345678", "+819012345678"},
      {"080 1234 5678", "+818012345678"},    {"03-1234-5678", "+81312345678"},
      {"0120-123-456", "+81120123456"},      {"050-1234-5678", "+815012345678"},
      {"+81 90-1234-5678", "+819012345678"}, {"+81-3-1234-5678", "+81312345678"},
      {"+14155552671", "+14155552671"},
  };
  for (const auto& c : valid) {
    INFO(c.text);
    auto d = classify_phone(c.text);
    REQUIRE(d);
    CHECK(d->normalized == c.e164);
  }
  // One digit too few or too many, wrong trunk, dates and plain counts are not phone numbers.
  for (const char* bad : {"090-1234-567", "090-1234-56789", "0901234567", "2024-01-15", "12345678901", "1234",
                          "00-1234-5678", "+8"}) {
    INFO(bad);
    CHECK_FALSE(classify_phone(bad));
  }
}

TEST_CASE("detect_entities finds wallets, phones, e-mail and URLs inside Japanese text", "[detect]") {
  std::string text =
      "至急！送金先は1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNaです。連絡は090-1234-5678かboss.k@example.co.jpへ。"
      "詳細→https://t.me/yami_job_bot?start=1。ETHなら0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed、"
      "公式サイト white-job.xyz を見て。日付2024-01-15、番号12345は無関係。";
  auto found = detect_entities(text);
  std::vector<std::string> kinds;
  for (auto& d : found) {
    kinds.push_back(d.kind + "=" + d.normalized);
    CHECK(text.substr(d.offset, d.value.size()) == d.value);  // offsets point at the value
  }
  CHECK(kinds == std::vector<std::string>{
                     "wallet.btc=1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "phone=+819012345678",
                     "email=boss.k@example.co.jp", "url=https://t.me/yami_job_bot?start=1",
                     "wallet.eth=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "domain=white-job.xyz"});
  CHECK(detect_entities("version 1.2.3, file report.txt, 3.14").empty());
  // WhatsApp ids have e-mail shape but are messenger ids.
  auto jid = detect_entities("819012345678@s.whatsapp.net");
  REQUIRE(jid.size() == 1);
  CHECK(jid[0].kind == "messenger.whatsapp");
}
