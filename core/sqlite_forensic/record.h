#pragma once
// SQLite record format primitives (https://www.sqlite.org/fileformat2.html §2.1, §1.6): big-endian
// integers, varints, serial types and record decoding. Everything here is bounds-checked and never throws
// on bad bytes: forensic input is corrupt by definition, so decoders return nullopt instead.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kanshiki::sqlite_forensic {

using Bytes = std::string_view;  // a view of raw bytes (not text)

inline uint16_t be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t be32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline const unsigned char* ubytes(Bytes b) { return reinterpret_cast<const unsigned char*>(b.data()); }

// Reads a SQLite varint at `pos` of `data` (at most 9 bytes). Returns the value and sets `len`; nullopt
// when it would run past the end.
std::optional<int64_t> read_varint(Bytes data, size_t pos, size_t* len);
size_t varint_size(uint64_t v);

// Text encoding from the database header (offset 56): 1 UTF-8, 2 UTF-16le, 3 UTF-16be.
enum class TextEncoding { utf8 = 1, utf16le = 2, utf16be = 3 };
// Converts stored text to UTF-8 (UTF-16 is transcoded; invalid surrogates become U+FFFD).
std::string text_to_utf8(Bytes raw, TextEncoding enc);

struct Value {
  enum class Type { null, integer, real, text, blob };
  Type type = Type::null;
  int64_t i = 0;
  double r = 0;
  std::string s;  // UTF-8 text or raw blob bytes
  bool operator==(const Value& o) const;
  std::string to_string() const;  // for reports and debugging: NULL, 42, 1.5, 'text', x'00ff'
};

// Body size of a serial type (0 for NULL/constants); nullopt for the reserved types 10 and 11.
std::optional<uint64_t> serial_type_size(int64_t serial_type);

// A parsed record header: the serial types and where the body starts (relative to the record start).
struct RecordHeader {
  std::vector<int64_t> serial_types;
  size_t header_len = 0;
  uint64_t body_len = 0;  // sum of the body sizes
};
// Parses a record header at the start of `record`; `max_columns` bounds the work on garbage.
std::optional<RecordHeader> parse_record_header(Bytes record, size_t max_columns = 2000);

// Decodes the body of a record given its serial types. `body` must hold at least the body length.
std::optional<std::vector<Value>> decode_body(Bytes body, const std::vector<int64_t>& serial_types,
                                              TextEncoding enc);
// Header + body in one go (the full payload must be present).
std::optional<std::vector<Value>> decode_record(Bytes record, TextEncoding enc);

// Plausibility of a decoded text value in [0,1]: valid UTF-8 made of printable characters scores 1.
double text_plausibility(std::string_view utf8);

}  // namespace kanshiki::sqlite_forensic
