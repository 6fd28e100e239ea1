#pragma once
// Entity detectors over free text (message bodies, notes, URLs, ...): crypto wallet addresses with their
// checksums verified, phone numbers (E.164 and Japanese domestic formats), e-mail addresses, URLs and bare
// domains. A candidate whose checksum fails is not reported: a one-character typo or a random string of the
// right shape is not a wallet. Offsets are byte offsets into the UTF-8 text.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kanshiki::detect {

inline constexpr std::string_view kDetectorVersion = "1.0";

struct Detection {
  std::string kind;   // wallet.btc/.ltc/.eth/.trx/.xmr, phone, email, messenger.whatsapp, url, domain
  std::string value;  // exactly as it appears in the text
  std::string
      normalized;  // canonical form: E.164, lower-case e-mail/domain, EIP-55 address, lower-case bech32
  std::string validation;  // how it was validated: base58check, bech32, bech32m, eip55, keccak, e164, syntax
  size_t offset = 0;       // byte offset of `value` in the text
};

// Every detection in `text`, in text order. URL and e-mail hosts are not reported again as bare domains.
std::vector<Detection> detect_entities(std::string_view text);

// One token (no surrounding text) checked as a wallet address; nullopt when it is not a valid one.
std::optional<Detection> classify_wallet(std::string_view token);
// Phone candidate (digits with + - ( ) and single spaces) checked and normalised; nullopt when not a number.
std::optional<Detection> classify_phone(std::string_view candidate);

// Building blocks, exposed for tests.
std::optional<std::string> base58_decode(std::string_view s);         // Bitcoin alphabet, big-number form
std::optional<std::string> monero_base58_decode(std::string_view s);  // Monero's 8-byte/11-character blocks
std::string eip55_encode(std::string_view hex40);                     // checksummed form of 40 hex digits

}  // namespace kanshiki::detect
