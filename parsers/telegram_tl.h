#pragma once
// A bounds-checked reader for Telegram's TL binary serialisation, and a decoder for the TLRPC.Message
// objects that Telegram for Android stores in cache4.db (`messages_v2.data` / `messages.data`).
//
// Wire format (core.telegram.org/mtproto/serialize): little-endian int32/int64/double; `bytes`/`string` are a
// length byte L < 254 then L bytes, or 0xFE + a 3-byte LE length then the bytes, padded with zeros to a
// multiple of 4; a boxed vector is 0x1CB5C415, an int32 count and the items; an object is its u32
// constructor id followed by its fields, optional ones present when their bit of a preceding `flags` word
// is set.
//
// Which layouts are decoded, and from where (facts, not code): the field order of every TL_message /
// TL_messageService constructor from Telegram for Android's generated TL model (DrKLO/Telegram,
// TMessagesProj_AppTests/.../generated/TlGen_Message.kt, TlGen_MessageFwdHeader.kt, TlGen_MessageMedia.kt),
// the reply-header and service-header layouts and the action constructor ids as listed by ALEAPP's
// telegramAndroid.py (abrignoni/ALEAPP), and the api.tl definitions of photo#fb197a65, document#8fd4c4d8 and
// geoPoint#b2a2f663. The reader never reads outside its buffer: a read past the end marks it failed and
// returns zeros, and the decoder reports that as a per-row problem.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kanshiki::telegram_tl {

constexpr uint32_t kVector = 0x1CB5C415;

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  uint32_t u32();
  int32_t i32() { return static_cast<int32_t>(u32()); }
  int64_t i64();
  double f64();
  std::string bytes();  // TL `bytes` / `string`: the raw bytes (strings are UTF-8, checked by the caller)
  void skip(size_t n);
  // A boxed Vector header: checks the constructor and returns the count (0 and failed when malformed).
  uint32_t vector_count(uint32_t max_items);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string why);
  size_t offset() const { return pos_; }
  size_t size() const { return data_.size(); }
  std::string_view data() const { return data_; }

 private:
  bool need(size_t n, const char* what);
  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

enum class PeerKind { user, chat, channel };

struct Peer {
  PeerKind kind = PeerKind::user;
  int64_t id = 0;
  // The dialog id Telegram for Android uses for this peer (users positive, chats -id, channels -id too:
  // the app keeps channels as negative chat ids in `messages_v2.uid`).
  int64_t dialog_id() const { return kind == PeerKind::user ? id : -id; }
  std::string describe() const;  // "user 123", "chat 45", "channel 67"
};

struct ForwardHeader {
  std::optional<Peer> from;
  std::string from_name;  // set when the original sender hides their account
  int32_t date = 0;       // unix seconds of the original message
};

struct Media {
  uint32_t constructor = 0;
  std::string
      kind;  // photo, document, video, voice, video_note, location, live_location, venue, contact, ...
  bool known = false;                // constructor recognised
  std::optional<int64_t> object_id;  // photo.id / document.id
  std::string mime_type;
  std::optional<int64_t> size;
  std::optional<double> latitude, longitude;
  std::string title;  // venue title
  std::string contact_phone, contact_first_name, contact_last_name;
  std::optional<int64_t> contact_user_id;
};

struct DecodedMessage {
  uint32_t constructor = 0;
  std::string layer;     // "layer 72" ... "layer 227+": which generation of the schema wrote the blob
  bool service = false;  // TL_messageService
  uint32_t flags = 0;
  uint32_t flags2 = 0;
  int32_t id = 0;
  std::optional<Peer> from;
  Peer peer;
  std::optional<ForwardHeader> forward;
  std::optional<int32_t> reply_to_msg_id;
  bool is_reply = false;
  int32_t date = 0;
  std::optional<std::string> text;  // message text (valid UTF-8), when it was reached
  std::optional<Media> media;
  bool edited = false;                // flags.15 (edit_date present)
  std::optional<int32_t> ttl_period;  // flags.25, when the fields before it could be walked
  uint32_t action = 0;                // service messages: the MessageAction constructor
  std::string action_text;            // "Phone call (outcome missed, duration 0 s)"
  std::vector<std::string> problems;  // per-row notes for warnings; empty when everything decoded
};

// Decodes one message blob. `row_date` (the row's `date` column) anchors the text when a header cannot be
// walked structurally (a reply quoting media/entities). Never throws on malformed input: the result says
// what could not be read (`problems`); nullopt only when the blob is not a known Message constructor, and
// then `why` names the constructor id.
std::optional<DecodedMessage> decode_message(std::string_view blob, std::optional<int32_t> row_date,
                                             std::string* why);

// The constructor id as written in the TL schema ("0x7600b9d3").
std::string hex_id(uint32_t constructor);

// True when `bytes` is well-formed UTF-8.
bool is_valid_utf8(std::string_view bytes);

}  // namespace kanshiki::telegram_tl
