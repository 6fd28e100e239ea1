#pragma once
// A small, bounds-checked reader for Apple's NeXT/NSArchiver "typedstream" format, enough to take the text
// out of an archived NSAttributedString (sms.db / chat.db `message.attributedBody`; since iOS 16 the only
// place many messages keep their text).
//
// What is read (format learned from public descriptions of typedstream; see docs/parsers.md):
//   header      0x04, 0x0b "streamtyped", system version (0x81 + u16 LE, normally 1000)
//   type        "@" (an object)
//   object      0x84 new object, class chain NSMutableAttributedString -> NSAttributedString -> NSObject
//   type        "@"
//   object      0x84 new object, class chain NSMutableString -> NSString -> (reference to NSObject)
//   type        "+" (bytes with a length)
//   length      1 byte (< 0x80), or 0x81 + u16 LE, or 0x82 + u32 LE
//   bytes       the UTF-8 text
// Strings (type encodings, class names) are 0x84 + length + bytes when new, or a one-byte reference
// (0x92 + index) to one already read; classes are likewise new (0x84) or references into the table of
// objects and classes seen so far; 0x85 ends a class chain. Everything after the text (attribute runs,
// dictionaries) is not needed and not read.
//
// Every read is bounds-checked; a malformed or truncated blob gives an error text, never a crash.
#include <optional>
#include <string>
#include <string_view>

namespace kanshiki::typedstream {

struct TextResult {
  std::optional<std::string> text;  // the NSString's bytes, exactly as stored (valid UTF-8), when decoded
  std::string error;                // why the text could not be read, when `text` is empty
};

// Extracts the plain text of an archived NS(Mutable)AttributedString.
TextResult attributed_string_text(std::string_view blob);

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

}  // namespace kanshiki::typedstream
