// Telegram cache4.db message blobs (TL-serialised Message objects, every layer the decoder knows).
#include <string>
#include <string_view>

#include "parsers/telegram_tl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki::telegram_tl;
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto m = decode_message(blob, std::nullopt, &why);
  if (m && m->text && !is_valid_utf8(*m->text)) __builtin_trap();
  // The low-level reader on its own, with a hostile vector count.
  Reader r(blob);
  uint32_t n = r.vector_count(1000);
  for (uint32_t i = 0; i < n && r.ok(); ++i) (void)r.bytes();
  return 0;
}
