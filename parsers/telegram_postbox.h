#pragma once
// Telegram for iOS keeps its account data in Postbox (`postbox/db/db_sqlite`): SQLite tables `t<N>` of
// key/value pairs whose keys are big-endian binary indexes (or INTEGER for int64-keyed tables) and whose
// values are written by Postbox's own encoder. This header decodes those bytes; it never touches SQLite.
//
// Facts, not code, from the open-source app (TelegramMessenger/Telegram-iOS, submodules/Postbox/Sources):
// - Coding.swift (PostboxEncoder): an object is a sequence of fields, each a key (u8 length + UTF-8), a u8
//   ValueType (Int32 0, Int64 1, Bool 2, Double 3, String 4, Object 5, Int32Array 6, Int64Array 7,
//   ObjectArray 8, ObjectDictionary 9, Bytes 10, Nil 11, StringArray 12, BytesArray 13) and the value in
//   little-endian: strings/bytes as i32 length + bytes, objects as i32 type hash + i32 length + the inner
//   object, arrays as i32 count + items (object items: hash + length + bytes). A root object is the field
//   "_" holding an Object. The type hash is MurmurHash3 x86_32 (seed -137723950, MurMurHash32.m) of the
//   Swift class name ("TelegramUser").
// - Peer.swift: a PeerId as int64 keeps the id's low 32 bits in bits 0-31, the namespace in bits 32-34 and
//   the id's high bits from bit 35 (ids below 2^32 therefore read as namespace << 32 | id, the layout of
//   older versions). TelegramCore's namespaces: 0 cloud user, 1 basic group, 2 channel/supergroup, 3 secret
//   chat.
// - MessageHistoryTable.swift: message key = peerId i64 BE, message namespace i32 BE, timestamp i32 BE,
//   id i32 BE; the value (justInsertMessage) = u8 entry type (0 message), u32 stableId, u32 stableVersion,
//   u8 data flags (1 globallyUniqueId i64, 2 globalTags u32, 4 groupingKey i64, 8 groupInfo u32,
//   16 localTags u32, 32 threadId i64) and those fields, u32 MessageFlags (1 unsent, 2 failed, 4 incoming,
//   ...), u32 tags, u8 forward flags (1 present: author i64 + date i32; 2 source peer i64; 4 source message
//   peer i64 + namespace i32 + id i32; 8 author signature; 16 PSA type (both i32 length + UTF-8); 32 flags
//   i32), u8 has-author (1: author peer i64), text (i32 length + UTF-8), attributes (i32 count, each i32
//   length + root object), embedded media (same), referenced media (i32 count, each namespace i32 + id i64).
// - ChatListTable.swift: key = group id i32 BE, pinning u16 BE, timestamp i32 BE, message namespace i8,
//   message id i32 BE, peerId i64 BE, entry type i8 (1 message, 2 hole, 3 group reference).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kanshiki::parsers::telegram_postbox {

// Postbox's fixed table ids (Postbox.swift): the SQLite table is "t" + the id.
constexpr int kPeerTable = 2;
constexpr int kMessageHistoryTable = 7;
constexpr int kChatListTable = 9;

enum class ValueType : uint8_t {
  int32 = 0,
  int64 = 1,
  boolean = 2,
  real = 3,
  string = 4,
  object = 5,
  int32_array = 6,
  int64_array = 7,
  object_array = 8,
  object_dictionary = 9,
  bytes = 10,
  nil = 11,
  string_array = 12,
  bytes_array = 13,
};

// MurmurHash3 x86_32 with Postbox's seed: the type hash of a class name.
int32_t type_hash(std::string_view class_name);

struct Field {
  std::string_view key;
  ValueType type = ValueType::nil;
  int64_t integer = 0;       // int32, int64, bool
  double real = 0;           // double
  int32_t type_hash = 0;     // object
  uint32_t count = 0;        // arrays and dictionaries
  std::string_view payload;  // string/bytes contents, an object's inner bytes, an array's items
};

// One encoded object: its fields in order, as views into the decoded bytes (which must outlive it).
class Object {
 public:
  // Decodes a field sequence; nullopt (and *error) when a length runs past the end or a type is unknown.
  static std::optional<Object> parse(std::string_view bytes, std::string* error);
  // A root object ("_" → Object): its class hash and its inner object.
  static std::optional<Object> parse_root(std::string_view bytes, std::string* error);

  const Field* find(std::string_view key) const;
  std::optional<int64_t> integer(std::string_view key) const;  // Int32, Int64 or Bool
  std::optional<double> real(std::string_view key) const;
  std::optional<std::string_view> string(std::string_view key) const;
  // A nested Object field, decoded (nullopt when absent or malformed; *error says which).
  std::optional<Object> object(std::string_view key, std::string* error) const;
  // The items of an ObjectArray field: (type hash, inner bytes) pairs.
  std::vector<std::pair<int32_t, std::string_view>> object_array(std::string_view key) const;

  int32_t class_hash = 0;  // set by parse_root (0 otherwise)
  std::vector<Field> fields;
};

enum class PeerNamespace : int32_t { user = 0, group = 1, channel = 2, secret_chat = 3 };

struct PeerId {
  int32_t name_space = 0;
  int64_t id = 0;
  // The dialog id as Telegram clients show it and as telegram.android reports it: users positive, groups and
  // channels negative; secret chats "secret:<id>"; other namespaces "ns<N>:<id>".
  std::string dialog_key() const;
  bool is_user() const { return name_space == static_cast<int32_t>(PeerNamespace::user); }
  bool is_group_or_channel() const {
    return name_space == static_cast<int32_t>(PeerNamespace::group) ||
           name_space == static_cast<int32_t>(PeerNamespace::channel);
  }
};
PeerId decode_peer_id(int64_t value);

struct MessageKey {
  int64_t peer = 0;
  int32_t name_space = 0;
  int32_t timestamp = 0;
  int32_t id = 0;
};
std::optional<MessageKey> parse_message_key(std::string_view key);

struct ChatListKey {
  int32_t group_id = 0;
  uint16_t pinning = 0;
  int32_t timestamp = 0;
  int8_t message_namespace = 0;
  int32_t message_id = 0;
  int64_t peer = 0;
  int8_t entry_type = 0;  // 1 message, 2 hole, 3 group reference
};
std::optional<ChatListKey> parse_chat_list_key(std::string_view key);

// MessageFlags (Message.swift).
constexpr uint32_t kFlagUnsent = 1;
constexpr uint32_t kFlagFailed = 2;
constexpr uint32_t kFlagIncoming = 4;

struct ForwardInfo {
  std::optional<int64_t> author;  // 0 in the blob = unknown author (hidden forward)
  int32_t date = 0;
  std::optional<int64_t> source_peer;
  std::optional<int64_t> source_message_peer;
  int32_t source_message_namespace = 0;
  int32_t source_message_id = 0;
  std::string author_signature;
};

struct MediaReference {
  int32_t name_space = 0;
  int64_t id = 0;
};

struct MessageEntry {
  uint32_t stable_id = 0;
  uint32_t flags = 0;
  uint32_t tags = 0;
  std::optional<int64_t> globally_unique_id;
  std::optional<int64_t> thread_id;
  std::optional<ForwardInfo> forward;
  std::optional<int64_t> author;
  std::string_view text;                         // UTF-8 as stored (validity checked by the caller)
  std::vector<std::string_view> attributes;      // root objects
  std::vector<std::string_view> embedded_media;  // root objects
  std::vector<MediaReference> referenced_media;
};

// Decodes a message-history value. nullopt and *error when the bytes are not a message entry of the known
// layout (an unknown entry type or data flag, a length past the end); trailing bytes are an error too, as
// they mean a layout this decoder does not know.
std::optional<MessageEntry> decode_message_entry(std::string_view value, std::string* error);

// What one embedded media object is, as far as a report needs it.
struct MediaSummary {
  std::string kind;  // photo, file, service, location, contact, webpage, poll, ..., or "media"
  std::string mime_type;
  std::optional<int64_t> size;
  std::string file_name;
  std::optional<int64_t> media_id;
  std::optional<int32_t> action_code;  // TelegramMediaAction `_rawValue`
  std::string action_text;             // a human description of the service action
  std::optional<double> latitude, longitude;
};
std::optional<MediaSummary> summarize_media(std::string_view root_object, std::string* error);

}  // namespace kanshiki::parsers::telegram_postbox
