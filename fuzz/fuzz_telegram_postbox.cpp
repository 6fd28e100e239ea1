// Telegram iOS Postbox values (parsers/telegram_postbox.h): message-history entries, keys, and encoded
// objects with the media summary the parser builds from them.
#include <string>
#include <string_view>

#include "parsers/telegram_postbox.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki::parsers::telegram_postbox;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (auto m = decode_message_entry(bytes, &why)) {
    for (std::string_view media : m->embedded_media) (void)summarize_media(media, &why);
    for (std::string_view attribute : m->attributes) (void)Object::parse_root(attribute, &why);
  }
  (void)parse_message_key(bytes);
  (void)parse_chat_list_key(bytes);
  (void)summarize_media(bytes, &why);
  if (auto o = Object::parse(bytes, &why)) {
    // Walk nested objects and object arrays one level down, as the parser does.
    for (const auto& f : o->fields) {
      if (f.type == ValueType::object) (void)o->object(f.key, &why);
      for (const auto& [hash, inner] : o->object_array(f.key)) (void)Object::parse(inner, &why);
    }
  }
  return 0;
}
