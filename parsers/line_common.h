#pragma once
// Shared by line.android and line.ios: LINE's message content type, the same number on both platforms
// (Android `chat_history.attachement_type`, iOS `ZMESSAGE.ZCONTENTTYPE`). Values follow LINE's ContentType
// enumeration as used by ALEAPP/iLEAPP and public LINE protocol descriptions (0 none/text, 1 image,
// 2 video, 3 audio, 6 call, 7 sticker, 13 contact, 14 file, 15 location); other values are reported with
// their number, never guessed.
#include <cstdint>
#include <string>

namespace kanshiki::parsers::line_common {

inline std::string content_kind(int64_t type) {
  switch (type) {
    case 0:
      return "text";
    case 1:
      return "image";
    case 2:
      return "video";
    case 3:
      return "audio";
    case 6:
      return "call";
    case 7:
      return "sticker";
    case 13:
      return "contact";
    case 14:
      return "file";
    case 15:
      return "location";
    default:
      return "content type " + std::to_string(type);
  }
}

inline bool content_has_file(int64_t type) { return type == 1 || type == 2 || type == 3 || type == 14; }

}  // namespace kanshiki::parsers::line_common
