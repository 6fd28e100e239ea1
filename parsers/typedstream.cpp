#include "parsers/typedstream.h"

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace kanshiki::typedstream {
namespace {

// Tag bytes of the stream. Values below 0x80 are small integers; 0x92 and above are references.
constexpr uint8_t kTagInt16 = 0x81;
constexpr uint8_t kTagInt32 = 0x82;
constexpr uint8_t kTagNew = 0x84;
constexpr uint8_t kTagNil = 0x85;
constexpr uint8_t kTagReferenceBase = 0x92;

constexpr uint8_t kStreamerVersion = 4;
constexpr std::string_view kLittleEndianSignature = "streamtyped";
constexpr std::string_view kBigEndianSignature = "typedstream";

// Internal only: turned into TextResult::error at the public boundary, never escapes this file.
class Malformed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An entry in the stream's table of objects and classes; references (0x92 + index) point into it.
struct TableEntry {
  bool is_class = false;
  std::string name;                  // class name, for classes
  std::optional<size_t> superclass;  // index of the superclass entry, for classes
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  size_t offset() const { return pos_; }

  uint8_t byte() {
    if (pos_ >= data_.size())
      throw Malformed(
          fmt::format("truncated: needed 1 more byte at offset {} (blob is {} bytes)", pos_, data_.size()));
    return static_cast<uint8_t>(data_[pos_++]);
  }

  std::string_view bytes(uint64_t n) {
    if (n > data_.size() - pos_)
      throw Malformed(fmt::format("truncated: needed {} bytes at offset {} but only {} remain", n, pos_,
                                  data_.size() - pos_));
    std::string_view out = data_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return out;
  }

  // A non-negative integer: one byte below 0x80, or 0x81 + u16 LE, or 0x82 + u32 LE.
  uint64_t unsigned_integer() {
    const size_t at = pos_;
    uint8_t b = byte();
    if (b < 0x80) return b;
    if (b == kTagInt16) return little_endian(2);
    if (b == kTagInt32) return little_endian(4);
    throw Malformed(
        fmt::format("unexpected byte 0x{:02x} at offset {} where an integer was expected", b, at));
  }

  // A shared string (type encoding or class name): new (0x84 + length + bytes) or a reference.
  std::string_view shared_string() {
    const size_t at = pos_;
    uint8_t tag = byte();
    if (tag == kTagNew) {
      std::string_view s = bytes(unsigned_integer());
      strings_.push_back(s);
      return s;
    }
    if (tag >= kTagReferenceBase) {
      size_t index = tag - kTagReferenceBase;
      if (index >= strings_.size())
        throw Malformed(fmt::format("string reference #{} at offset {} but only {} strings were read", index,
                                    at, strings_.size()));
      return strings_[index];
    }
    throw Malformed(
        fmt::format("unexpected byte 0x{:02x} at offset {} where a string was expected", tag, at));
  }

  // The type encoding before a value; `expected` is what the NSAttributedString layout requires here.
  void expect_type(std::string_view expected, std::string_view what) {
    const size_t at = pos_;
    std::string_view type = shared_string();
    if (type != expected)
      throw Malformed(
          fmt::format("type \"{}\" at offset {} where \"{}\" ({}) was expected", type, at, expected, what));
  }

  // A new object (0x84) and its class chain; returns the chain, most derived class first.
  std::vector<std::string> new_object(std::string_view what) {
    const size_t at = pos_;
    uint8_t tag = byte();
    if (tag != kTagNew)
      throw Malformed(
          fmt::format("byte 0x{:02x} at offset {} where a new object ({}) was expected", tag, at, what));
    table_.push_back(TableEntry{});  // the object itself takes a slot before its classes
    return class_chain();
  }

 private:
  uint64_t little_endian(int n) {
    std::string_view b = bytes(static_cast<uint64_t>(n));
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[static_cast<size_t>(i)]);
    return v;
  }

  std::vector<std::string> class_chain() {
    std::vector<std::string> chain;
    std::optional<size_t> previous;  // the class whose superclass comes next
    for (;;) {
      const size_t at = pos_;
      uint8_t tag = byte();
      if (tag == kTagNil) break;
      size_t index;
      if (tag == kTagNew) {
        std::string name(shared_string());
        unsigned_integer();  // class version: not needed for the text
        index = table_.size();
        table_.push_back(TableEntry{true, name, std::nullopt});
      } else if (tag >= kTagReferenceBase) {
        index = tag - kTagReferenceBase;
        if (index >= table_.size() || !table_[index].is_class)
          throw Malformed(
              fmt::format("class reference #{} at offset {} does not name a class read before", index, at));
      } else {
        throw Malformed(fmt::format("unexpected byte 0x{:02x} at offset {} in a class chain", tag, at));
      }
      if (previous) table_[*previous].superclass = index;
      if (tag != kTagNew) {
        // A class read before: its own superclasses are already known; the chain ends here.
        append_known_chain(index, chain);
        break;
      }
      chain.push_back(table_[index].name);
      previous = index;
    }
    return chain;
  }

  void append_known_chain(size_t index, std::vector<std::string>& chain) const {
    std::optional<size_t> at = index;
    for (size_t guard = 0; at && guard <= table_.size(); ++guard) {  // guard: a crafted cycle must not hang
      chain.push_back(table_[*at].name);
      at = table_[*at].superclass;
    }
  }

  std::string_view data_;
  size_t pos_ = 0;
  std::vector<std::string_view> strings_;
  std::vector<TableEntry> table_;
};

bool contains(const std::vector<std::string>& chain, std::string_view name) {
  for (const auto& c : chain)
    if (c == name) return true;
  return false;
}

std::string describe(const std::vector<std::string>& chain) {
  return chain.empty() ? std::string("(no class)") : fmt::format("{}", fmt::join(chain, " : "));
}

std::string read_text(std::string_view blob) {
  Reader r(blob);
  uint8_t version = r.byte();
  std::string_view signature = r.bytes(r.byte());
  if (signature == kBigEndianSignature) throw Malformed("big-endian typedstream is not supported");
  if (version != kStreamerVersion || signature != kLittleEndianSignature)
    throw Malformed("not a typedstream (missing the \"\\x04\\x0bstreamtyped\" header)");
  r.unsigned_integer();  // system version (1000 on all known Apple systems): not needed

  r.expect_type("@", "the archived root object");
  auto root = r.new_object("the attributed string");
  if (!contains(root, "NSAttributedString"))
    throw Malformed(fmt::format("root object is {}, not an NSAttributedString", describe(root)));

  r.expect_type("@", "the attributed string's text object");
  auto text_object = r.new_object("the attributed string's text");
  if (!contains(text_object, "NSString"))
    throw Malformed(fmt::format("text object is {}, not an NSString", describe(text_object)));

  r.expect_type("+", "the string's bytes");
  const size_t at = r.offset();
  std::string_view text = r.bytes(r.unsigned_integer());
  if (!is_valid_utf8(text))
    throw Malformed(fmt::format("the {} text bytes at offset {} are not valid UTF-8", text.size(), at));
  return std::string(text);
}

}  // namespace

TextResult attributed_string_text(std::string_view blob) {
  TextResult result;
  try {
    result.text = read_text(blob);
  } catch (const Malformed& e) {
    result.error = e.what();
  }
  return result;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (extra > s.size() - i - 1) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace kanshiki::typedstream
