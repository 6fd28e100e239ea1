// iMessage attributedBody (NSArchiver typedstream) blobs from sms.db.
#include <string_view>

#include "parsers/typedstream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  auto r = kanshiki::typedstream::attributed_string_text(blob);
  // The decoder promises valid UTF-8 whenever it returns text; hold it to that.
  if (r.text && !kanshiki::typedstream::is_valid_utf8(*r.text)) __builtin_trap();
  return 0;
}
