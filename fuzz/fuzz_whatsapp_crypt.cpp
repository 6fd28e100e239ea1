// WhatsApp crypt12/14/15 backup headers (protobuf prefix) and the streaming decryptor behind them. The key
// is fixed, so past the header this mostly exercises the wrong-key / bad-tag paths, which must fail cleanly.
#include <span>

#include "core/decrypt/whatsapp_crypt.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki::whatsapp_crypt;
  try {
    (void)parse_header(std::span<const uint8_t>(data, size));
  } catch (const kanshiki::Error&) {
  }
  Key key;
  key.kind = (size && (data[0] & 1)) ? Key::Kind::root : Key::Kind::legacy;
  try {
    Decryptor d(key, [](const void*, size_t) {});
    // Fed in uneven pieces: header parsing must not depend on how the stream is chunked.
    size_t pos = 0, step = 1;
    while (pos < size) {
      size_t n = std::min(step, size - pos);
      d.feed(data + pos, n);
      pos += n;
      step = step * 3 + 1;
    }
    (void)d.finish();
  } catch (const kanshiki::Error&) {
  }
  try {
    (void)parse_key_bytes(std::span<const uint8_t>(data, size));
  } catch (const kanshiki::Error&) {
  }
  return 0;
}
