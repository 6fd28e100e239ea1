// Postbox value decoding (see telegram_postbox.h for the layout and its sources).
#include "parsers/telegram_postbox.h"

#include <fmt/format.h>

#include <cstring>

namespace kanshiki::parsers::telegram_postbox {
namespace {

// Nested objects are decoded on demand, one level per call; arrays are bounded by the bytes they occupy.
// A cap on item counts keeps a hostile count from turning into a long loop over zero-length items.
constexpr uint32_t kMaxItems = 1u << 20;

// A bounds-checked little-endian reader (Postbox writes values with the CPU's byte order: ARM, little).
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  template <typename T>
  T le(const char* what) {
    T v{};
    if (!need(sizeof(T), what)) return v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));  // little-endian host (x86-64, ARM64)
    pos_ += sizeof(T);
    return v;
  }
  std::string_view take(size_t n, const char* what) {
    if (!need(n, what)) return {};
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // An i32 length followed by that many bytes.
  std::string_view sized(const char* what) {
    int32_t len = le<int32_t>(what);
    if (!ok()) return {};
    if (len < 0) {
      fail(fmt::format("{}: negative length {}", what, len));
      return {};
    }
    return take(static_cast<size_t>(len), what);
  }
  uint32_t count(const char* what) {
    int32_t n = le<int32_t>(what);
    if (ok() && (n < 0 || static_cast<uint32_t>(n) > kMaxItems))
      fail(fmt::format("{}: count {} out of range", what, n));
    return ok() ? static_cast<uint32_t>(n) : 0;
  }
  void fail(std::string why) {
    if (error_.empty()) error_ = fmt::format("{} (at byte {})", why, pos_);
  }

 private:
  bool need(size_t n, const char* what) {
    if (!ok()) return false;
    if (n > remaining()) {
      fail(fmt::format("{}: {} bytes needed, {} left", what, n, remaining()));
      return false;
    }
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

int64_t big_endian(std::string_view key, size_t offset, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(key[offset + i]);
  // Sign-extend narrower fields.
  if (width < 8 && (v >> (8 * width - 1)) & 1) v |= ~uint64_t{0} << (8 * width);
  return static_cast<int64_t>(v);
}

void set_error(std::string* error, std::string why) {
  if (error) *error = std::move(why);
}

}  // namespace

int32_t type_hash(std::string_view s) {
  // MurmurHash3 x86_32; Postbox seeds it with -137723950.
  constexpr uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  auto rotl = [](uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
  uint32_t h = static_cast<uint32_t>(int32_t{-137723950});
  const size_t blocks = s.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k;
    std::memcpy(&k, s.data() + 4 * i, 4);
    k *= c1;
    k = rotl(k, 15);
    k *= c2;
    h ^= k;
    h = rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  uint32_t k = 0;
  const auto* tail = reinterpret_cast<const unsigned char*>(s.data() + 4 * blocks);
  switch (s.size() & 3) {
    case 3:
      k ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      k ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= c1;
      k = rotl(k, 15);
      k *= c2;
      h ^= k;
  }
  h ^= static_cast<uint32_t>(s.size());
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

std::optional<Object> Object::parse(std::string_view bytes, std::string* error) {
  Object o;
  Reader r(bytes);
  while (r.ok() && !r.at_end()) {
    Field f;
    uint8_t key_len = r.le<uint8_t>("field key length");
    f.key = r.take(key_len, "field key");
    uint8_t type = r.le<uint8_t>("field type");
    if (!r.ok()) break;
    if (type > static_cast<uint8_t>(ValueType::bytes_array)) {
      r.fail(fmt::format("field \"{}\": unknown value type {}", f.key, type));
      break;
    }
    f.type = static_cast<ValueType>(type);
    switch (f.type) {
      case ValueType::int32:
        f.integer = r.le<int32_t>("Int32");
        break;
      case ValueType::int64:
        f.integer = r.le<int64_t>("Int64");
        break;
      case ValueType::boolean:
        f.integer = r.le<uint8_t>("Bool");
        break;
      case ValueType::real:
        f.real = r.le<double>("Double");
        break;
      case ValueType::string:
      case ValueType::bytes:
        f.payload = r.sized("String/Bytes");
        break;
      case ValueType::object:
        f.type_hash = r.le<int32_t>("Object type hash");
        f.payload = r.sized("Object");
        break;
      case ValueType::int32_array:
      case ValueType::int64_array: {
        f.count = r.count("array count");
        size_t width = f.type == ValueType::int32_array ? 4 : 8;
        f.payload = r.take(size_t{f.count} * width, "array items");
        break;
      }
      case ValueType::object_array:
      case ValueType::object_dictionary:
      case ValueType::string_array:
      case ValueType::bytes_array: {
        f.count = r.count("array count");
        // Items are walked once here to find the field's end; object_array() walks them again on demand.
        size_t per_item = f.type == ValueType::object_array        ? 1
                          : f.type == ValueType::object_dictionary ? 2
                                                                   : 0;
        const size_t start = bytes.size() - r.remaining();
        for (uint32_t i = 0; i < f.count && r.ok(); ++i) {
          if (per_item == 0) {
            r.sized("array item");
          } else {
            for (size_t part = 0; part < per_item && r.ok(); ++part) {
              r.le<int32_t>("item type hash");
              r.sized("array object");
            }
          }
        }
        f.payload = bytes.substr(start, bytes.size() - r.remaining() - start);
        break;
      }
      case ValueType::nil:
        break;
    }
    if (r.ok()) o.fields.push_back(f);
  }
  if (!r.ok()) {
    set_error(error, r.error());
    return std::nullopt;
  }
  return o;
}

std::optional<Object> Object::parse_root(std::string_view bytes, std::string* error) {
  auto outer = parse(bytes, error);
  if (!outer) return std::nullopt;
  const Field* root = outer->find("_");
  if (!root || root->type != ValueType::object) {
    set_error(error, "no root object (field \"_\")");
    return std::nullopt;
  }
  auto inner = parse(root->payload, error);
  if (inner) inner->class_hash = root->type_hash;
  return inner;
}

const Field* Object::find(std::string_view key) const {
  for (const auto& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

std::optional<int64_t> Object::integer(std::string_view key) const {
  const Field* f = find(key);
  if (!f || (f->type != ValueType::int32 && f->type != ValueType::int64 && f->type != ValueType::boolean))
    return std::nullopt;
  return f->integer;
}

std::optional<double> Object::real(std::string_view key) const {
  const Field* f = find(key);
  if (!f || f->type != ValueType::real) return std::nullopt;
  return f->real;
}

std::optional<std::string_view> Object::string(std::string_view key) const {
  const Field* f = find(key);
  if (!f || f->type != ValueType::string) return std::nullopt;
  return f->payload;
}

std::optional<Object> Object::object(std::string_view key, std::string* error) const {
  const Field* f = find(key);
  if (!f || f->type != ValueType::object) return std::nullopt;
  auto o = parse(f->payload, error);
  if (o) o->class_hash = f->type_hash;
  return o;
}

std::vector<std::pair<int32_t, std::string_view>> Object::object_array(std::string_view key) const {
  std::vector<std::pair<int32_t, std::string_view>> items;
  const Field* f = find(key);
  if (!f || f->type != ValueType::object_array) return items;
  Reader r(f->payload);  // already walked by parse(): every length is in bounds
  for (uint32_t i = 0; i < f->count && r.ok(); ++i) {
    int32_t hash = r.le<int32_t>("item type hash");
    std::string_view inner = r.sized("array object");
    if (r.ok()) items.emplace_back(hash, inner);
  }
  return items;
}

PeerId decode_peer_id(int64_t value) {
  const auto data = static_cast<uint64_t>(value);
  PeerId p;
  p.name_space = static_cast<int32_t>((data >> 32) & 0x7);
  const uint64_t low = data & 0xffffffffu;
  const uint64_t high = (data >> 35) & 0xffffffffu;
  if (high == 0 && p.name_space == static_cast<int32_t>(PeerNamespace::secret_chat))
    p.id = static_cast<int32_t>(static_cast<uint32_t>(low));  // secret chat ids are signed 32-bit
  else
    p.id = static_cast<int64_t>((high << 32) | low);
  return p;
}

std::string PeerId::dialog_key() const {
  switch (static_cast<PeerNamespace>(name_space)) {
    case PeerNamespace::user:
      return std::to_string(id);
    case PeerNamespace::group:
    case PeerNamespace::channel:
      return std::to_string(-id);
    case PeerNamespace::secret_chat:
      return fmt::format("secret:{}", id);
  }
  return fmt::format("ns{}:{}", name_space, id);
}

std::optional<MessageKey> parse_message_key(std::string_view key) {
  if (key.size() != 20) return std::nullopt;
  MessageKey k;
  k.peer = big_endian(key, 0, 8);
  k.name_space = static_cast<int32_t>(big_endian(key, 8, 4));
  k.timestamp = static_cast<int32_t>(big_endian(key, 12, 4));
  k.id = static_cast<int32_t>(big_endian(key, 16, 4));
  return k;
}

std::optional<ChatListKey> parse_chat_list_key(std::string_view key) {
  if (key.size() != 24) return std::nullopt;
  ChatListKey k;
  k.group_id = static_cast<int32_t>(big_endian(key, 0, 4));
  k.pinning = static_cast<uint16_t>(big_endian(key, 4, 2));
  k.timestamp = static_cast<int32_t>(big_endian(key, 6, 4));
  k.message_namespace = static_cast<int8_t>(key[10]);
  k.message_id = static_cast<int32_t>(big_endian(key, 11, 4));
  k.peer = big_endian(key, 15, 8);
  k.entry_type = static_cast<int8_t>(key[23]);
  return k;
}

std::optional<MessageEntry> decode_message_entry(std::string_view value, std::string* error) {
  Reader r(value);
  MessageEntry m;
  uint8_t entry_type = r.le<uint8_t>("entry type");
  if (r.ok() && entry_type != 0) {
    set_error(error, fmt::format("entry type {} is not a message (0)", entry_type));
    return std::nullopt;
  }
  m.stable_id = r.le<uint32_t>("stableId");
  r.le<uint32_t>("stableVersion");
  uint8_t data_flags = r.le<uint8_t>("data flags");
  if (r.ok() && (data_flags & ~0x3Fu) != 0) {
    set_error(error,
              fmt::format("unknown data flags 0x{:02x}: a layout newer than this decoder", data_flags));
    return std::nullopt;
  }
  if (data_flags & 1) m.globally_unique_id = r.le<int64_t>("globallyUniqueId");
  if (data_flags & 2) r.le<uint32_t>("globalTags");
  if (data_flags & 4) r.le<int64_t>("groupingKey");
  if (data_flags & 8) r.le<uint32_t>("groupInfo");
  if (data_flags & 16) r.le<uint32_t>("localTags");
  if (data_flags & 32) m.thread_id = r.le<int64_t>("threadId");
  m.flags = r.le<uint32_t>("flags");
  m.tags = r.le<uint32_t>("tags");

  uint8_t fwd = r.le<uint8_t>("forward flags");
  if (r.ok() && (fwd & ~0x3Fu) != 0) {
    set_error(error, fmt::format("unknown forward flags 0x{:02x}", fwd));
    return std::nullopt;
  }
  if (fwd & 1) {
    ForwardInfo f;
    int64_t author = r.le<int64_t>("forward author");
    if (author != 0) f.author = author;
    f.date = r.le<int32_t>("forward date");
    if (fwd & 2) f.source_peer = r.le<int64_t>("forward source");
    if (fwd & 4) {
      f.source_message_peer = r.le<int64_t>("forward source message peer");
      f.source_message_namespace = r.le<int32_t>("forward source message namespace");
      f.source_message_id = r.le<int32_t>("forward source message id");
    }
    if (fwd & 8) f.author_signature = std::string(r.sized("forward author signature"));
    if (fwd & 16) r.sized("forward PSA type");
    if (fwd & 32) r.le<int32_t>("forward flags value");
    m.forward = std::move(f);
  }
  uint8_t has_author = r.le<uint8_t>("has author");
  if (has_author == 1) m.author = r.le<int64_t>("author");
  m.text = r.sized("text");

  uint32_t n = r.count("attribute count");
  for (uint32_t i = 0; i < n && r.ok(); ++i) m.attributes.push_back(r.sized("attribute"));
  n = r.count("embedded media count");
  for (uint32_t i = 0; i < n && r.ok(); ++i) m.embedded_media.push_back(r.sized("embedded media"));
  n = r.count("referenced media count");
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    MediaReference ref;
    ref.name_space = r.le<int32_t>("media namespace");
    ref.id = r.le<int64_t>("media id");
    if (r.ok()) m.referenced_media.push_back(ref);
  }
  if (r.ok() && !r.at_end()) r.fail(fmt::format("{} unexpected bytes after the entry", r.remaining()));
  if (!r.ok()) {
    set_error(error, r.error());
    return std::nullopt;
  }
  return m;
}

namespace {

// TelegramMediaAction's `_rawValue` codes (TelegramMediaAction.swift), for the ones a report names.
std::string action_description(int32_t code, const Object& o) {
  auto str = [&](std::string_view key) { return std::string(o.string(key).value_or("")); };
  switch (code) {
    case 1:
      return "group created: " + str("title");
    case 2:
      return "members added";
    case 3:
      return "members removed";
    case 4:
      return "group photo changed";
    case 5:
      return "title changed: " + str("title");
    case 6:
      return "message pinned";
    case 7:
      return "joined by invite link";
    case 8:
      return "channel migrated from group: " + str("title");
    case 9:
      return "group migrated to a channel";
    case 10:
      return "history cleared";
    case 11:
      return "screenshot taken";
    case 12:
      return fmt::format("auto-delete timer set to {} s", o.integer("t").value_or(0));
    case 14: {
      std::string s = o.integer("vc").value_or(0) ? "video call" : "voice call";
      if (auto d = o.integer("d")) s += fmt::format(", {} s", *d);
      if (auto reason = o.integer("dr")) s += fmt::format(", discard reason {}", *reason);
      return s;
    }
    case 16:
      return str("text");
    case 19:
      return "joined Telegram";
    case 22:
      return "group call";
    default:
      return fmt::format("service action {}", code);
  }
}

std::optional<int64_t> media_id_of(const Object& o) {
  const Field* f = o.find("i");
  if (!f || f->type != ValueType::bytes || f->payload.size() != 12) return std::nullopt;
  int64_t id;
  std::memcpy(&id, f->payload.data() + 4, 8);  // MediaId: namespace i32, id i64
  return id;
}

}  // namespace

std::optional<MediaSummary> summarize_media(std::string_view root_object, std::string* error) {
  auto o = Object::parse_root(root_object, error);
  if (!o) return std::nullopt;
  static const int32_t kImage = type_hash("TelegramMediaImage");
  static const int32_t kFile = type_hash("TelegramMediaFile");
  static const int32_t kAction = type_hash("TelegramMediaAction");
  static const int32_t kMap = type_hash("TelegramMediaMap");
  static const int32_t kContact = type_hash("TelegramMediaContact");
  static const int32_t kWebpage = type_hash("TelegramMediaWebpage");
  static const int32_t kPoll = type_hash("TelegramMediaPoll");
  MediaSummary s;
  s.media_id = media_id_of(*o);
  if (o->class_hash == kImage) {
    s.kind = "photo";
  } else if (o->class_hash == kFile) {
    s.kind = "file";
    s.mime_type = std::string(o->string("mt").value_or(""));
    if (auto v = o->integer("s64"))
      s.size = v;
    else if (auto v32 = o->integer("s"))
      s.size = v32;
    for (const auto& [hash, bytes] : o->object_array("at")) {
      std::string ignored;
      if (auto attr = Object::parse(bytes, &ignored))
        if (auto name = attr->string("fn")) s.file_name = std::string(*name);
    }
  } else if (o->class_hash == kAction) {
    s.kind = "service";
    if (auto code = o->integer("_rawValue")) {
      s.action_code = static_cast<int32_t>(*code);
      s.action_text = action_description(*s.action_code, *o);
    } else {
      s.action_text = "service action (unknown)";
    }
  } else if (o->class_hash == kMap) {
    s.kind = "location";
    s.latitude = o->real("la");
    s.longitude = o->real("lo");
  } else if (o->class_hash == kContact) {
    s.kind = "contact";
  } else if (o->class_hash == kWebpage) {
    s.kind = "webpage";
  } else if (o->class_hash == kPoll) {
    s.kind = "poll";
  } else {
    s.kind = fmt::format("media (type hash 0x{:08x})", static_cast<uint32_t>(o->class_hash));
  }
  return s;
}

}  // namespace kanshiki::parsers::telegram_postbox
