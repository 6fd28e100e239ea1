#include "core/sqlite_forensic/record.h"

#include <fmt/format.h>

#include <cstring>

namespace kanshiki::sqlite_forensic {

std::optional<int64_t> read_varint(Bytes data, size_t pos, size_t* len) {
  uint64_t v = 0;
  const unsigned char* p = ubytes(data);
  for (size_t i = 0; i < 9; ++i) {
    if (pos + i >= data.size()) return std::nullopt;
    unsigned char b = p[pos + i];
    if (i == 8) {
      v = (v << 8) | b;
      *len = 9;
      return static_cast<int64_t>(v);
    }
    v = (v << 7) | (b & 0x7f);
    if (!(b & 0x80)) {
      *len = i + 1;
      return static_cast<int64_t>(v);
    }
  }
  return std::nullopt;
}

size_t varint_size(uint64_t v) {
  if (v > 0x00ffffffffffffffULL) return 9;
  size_t n = 1;
  while (v >>= 7) ++n;
  return n;
}

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace

std::string text_to_utf8(Bytes raw, TextEncoding enc) {
  if (enc == TextEncoding::utf8) return std::string(raw);
  const unsigned char* p = ubytes(raw);
  auto unit = [&](size_t i) -> uint32_t {
    return enc == TextEncoding::utf16le ? (p[i] | (p[i + 1] << 8)) : ((p[i] << 8) | p[i + 1]);
  };
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i + 1 < raw.size(); i += 2) {
    uint32_t u = unit(i);
    if (u >= 0xd800 && u < 0xdc00 && i + 3 < raw.size()) {
      uint32_t lo = unit(i + 2);
      if (lo >= 0xdc00 && lo < 0xe000) {
        append_utf8(out, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
        i += 2;
        continue;
      }
    }
    append_utf8(out, (u >= 0xd800 && u < 0xe000) ? 0xfffd : u);
  }
  return out;
}

bool Value::operator==(const Value& o) const {
  if (type != o.type) {
    // An integer and a real with the same numeric value compare equal, as in SQLite.
    if (type == Type::integer && o.type == Type::real) return static_cast<double>(i) == o.r;
    if (type == Type::real && o.type == Type::integer) return r == static_cast<double>(o.i);
    return false;
  }
  switch (type) {
    case Type::null:
      return true;
    case Type::integer:
      return i == o.i;
    case Type::real:
      return r == o.r;
    default:
      return s == o.s;
  }
}

std::string Value::to_string() const {
  switch (type) {
    case Type::null:
      return "NULL";
    case Type::integer:
      return std::to_string(i);
    case Type::real:
      return fmt::format("{}", r);
    case Type::text:
      return "'" + s + "'";
    default: {
      std::string h = "x'";
      for (unsigned char c : s) h += fmt::format("{:02x}", c);
      return h + "'";
    }
  }
}

std::optional<uint64_t> serial_type_size(int64_t t) {
  static constexpr uint8_t kFixed[] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0};
  if (t < 0) return std::nullopt;
  if (t < 10) return kFixed[t];
  if (t < 12) return std::nullopt;
  return static_cast<uint64_t>((t - 12) / 2);
}

std::optional<RecordHeader> parse_record_header(Bytes record, size_t max_columns) {
  size_t n = 0;
  auto header_len = read_varint(record, 0, &n);
  if (!header_len || *header_len < static_cast<int64_t>(n) ||
      static_cast<uint64_t>(*header_len) > record.size())
    return std::nullopt;
  RecordHeader h;
  h.header_len = static_cast<size_t>(*header_len);
  if (h.header_len - n > max_columns * 9) return std::nullopt;
  h.serial_types.reserve(h.header_len - n);
  size_t pos = n;
  while (pos < h.header_len) {
    if (h.serial_types.size() >= max_columns) return std::nullopt;
    size_t len = 0;
    auto t = read_varint(record.substr(0, h.header_len), pos, &len);
    if (!t) return std::nullopt;
    auto size = serial_type_size(*t);
    if (!size) return std::nullopt;
    h.serial_types.push_back(*t);
    h.body_len += *size;
    pos += len;
  }
  if (pos != h.header_len) return std::nullopt;
  return h;
}

std::optional<std::vector<Value>> decode_body(Bytes body, const std::vector<int64_t>& types,
                                              TextEncoding enc) {
  std::vector<Value> out;
  out.reserve(types.size());
  size_t pos = 0;
  const unsigned char* p = ubytes(body);
  for (int64_t t : types) {
    auto size = serial_type_size(t);
    if (!size || pos + *size > body.size()) return std::nullopt;
    Value v;
    if (t == 0) {
      v.type = Value::Type::null;
    } else if (t >= 1 && t <= 6) {
      v.type = Value::Type::integer;
      uint64_t u = (p[pos] & 0x80) ? ~uint64_t(0) : 0;  // sign-extend
      for (size_t k = 0; k < *size; ++k) u = (u << 8) | p[pos + k];
      v.i = static_cast<int64_t>(u);
    } else if (t == 7) {
      v.type = Value::Type::real;
      uint64_t u = 0;
      for (size_t k = 0; k < 8; ++k) u = (u << 8) | p[pos + k];
      std::memcpy(&v.r, &u, sizeof v.r);
    } else if (t == 8 || t == 9) {
      v.type = Value::Type::integer;
      v.i = t - 8;
    } else if (t % 2 == 0) {
      v.type = Value::Type::blob;
      v.s.assign(body.substr(pos, *size));
    } else {
      v.type = Value::Type::text;
      v.s = text_to_utf8(body.substr(pos, *size), enc);
    }
    pos += *size;
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<std::vector<Value>> decode_record(Bytes record, TextEncoding enc) {
  auto h = parse_record_header(record);
  if (!h || h->header_len + h->body_len > record.size()) return std::nullopt;
  return decode_body(record.substr(h->header_len), h->serial_types, enc);
}

double text_plausibility(std::string_view s) {
  if (s.empty()) return 1.0;
  size_t bad = 0, i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      ++bad;
      ++i;
      continue;
    }
    bool ok = true;
    for (size_t k = 1; k < len; ++k) ok = ok && (p[i + k] >> 6) == 2;
    if (!ok) {
      ++bad;
      ++i;
      continue;
    }
    if (len == 1 && c < 0x20 && c != '\n' && c != '\r' && c != '\t') ++bad;
    if (len == 1 && c == 0x7f) ++bad;
    i += len;
  }
  return 1.0 - static_cast<double>(bad) / static_cast<double>(s.size());
}

}  // namespace kanshiki::sqlite_forensic
