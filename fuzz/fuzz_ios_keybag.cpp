// The iOS backup keybag (BackupKeyBag in Manifest.plist): a TLV list of tags, UUIDs, salts, iteration counts
// and wrapped class keys. Parsed, then unlocked with a fixed key (exercises the RFC 3394 unwrap on hostile
// lengths) and queried. Key derivation (PBKDF2 with the bag's own iteration count) is deliberately not run.
#include <span>

#include "core/decrypt/ios_backup_crypt.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki::ios_backup_crypt;
  try {
    Keybag bag = parse_keybag(std::span<const uint8_t>(data, size));
    Key32 key{};
    try {
      unlock(bag, key);
    } catch (const kanshiki::Error&) {
    }
    for (uint32_t c = 0; c < 12; ++c) (void)bag.find_class(c);
    if (size > 44) {
      try {
        (void)unwrap_with_class(bag, std::span<const uint8_t>(data + size - 44, 44), "fuzz");
      } catch (const kanshiki::Error&) {
      }
    }
  } catch (const kanshiki::Error&) {
  }
  return 0;
}
