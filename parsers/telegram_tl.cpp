// TL reader and TLRPC.Message decoder; see telegram_tl.h for the format and the sources of every layout.
#include "parsers/telegram_tl.h"

#include <fmt/format.h>

#include <cstring>

#include "parsers/typedstream.h"

namespace kanshiki::telegram_tl {

// ---------------------------------------------------------------------------------------------------------
// Reader

void Reader::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  pos_ = data_.size();  // every later read fails too, so a walk stops producing values
}

bool Reader::need(size_t n, const char* what) {
  if (!ok()) return false;
  if (n > data_.size() - pos_) {
    fail(fmt::format("truncated: {} needs {} bytes at offset {}, {} left", what, n, pos_,
                     data_.size() - pos_));
    return false;
  }
  return true;
}

uint32_t Reader::u32() {
  if (!need(4, "int32")) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
  pos_ += 4;
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

int64_t Reader::i64() {
  uint64_t lo = u32();
  uint64_t hi = u32();
  return static_cast<int64_t>(lo | hi << 32);
}

double Reader::f64() {
  uint64_t bits = static_cast<uint64_t>(i64());
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

std::string Reader::bytes() {
  if (!need(1, "string length")) return {};
  size_t start = pos_;
  size_t len = static_cast<unsigned char>(data_[pos_]);
  size_t header = 1;
  if (len == 254) {
    if (!need(4, "long string length")) return {};
    const auto* p = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
    len = size_t(p[1]) | size_t(p[2]) << 8 | size_t(p[3]) << 16;
    header = 4;
  } else if (len == 255) {
    fail(fmt::format("invalid string length byte 0xff at offset {}", pos_));
    return {};
  }
  size_t total = header + len;
  size_t padded = (total + 3) / 4 * 4;
  if (!need(padded, "string")) return {};
  std::string out(data_.substr(start + header, len));
  pos_ = start + padded;
  return out;
}

void Reader::skip(size_t n) {
  if (need(n, "field")) pos_ += n;
}

uint32_t Reader::vector_count(uint32_t max_items) {
  size_t at = pos_;
  uint32_t c = u32();
  if (!ok()) return 0;
  if (c != kVector) {
    fail(fmt::format("expected a Vector (0x1cb5c415) at offset {}, found {}", at, hex_id(c)));
    return 0;
  }
  uint32_t n = u32();
  if (n > max_items) {
    fail(fmt::format("vector at offset {} claims {} items (more than {})", at, n, max_items));
    return 0;
  }
  return n;
}

std::string hex_id(uint32_t constructor) { return fmt::format("0x{:08x}", constructor); }

bool is_valid_utf8(std::string_view bytes) { return typedstream::is_valid_utf8(bytes); }

std::string Peer::describe() const {
  switch (kind) {
    case PeerKind::user:
      return fmt::format("user {}", id);
    case PeerKind::chat:
      return fmt::format("chat {}", id);
    case PeerKind::channel:
      return fmt::format("channel {}", id);
  }
  return {};
}

namespace {

bool has(uint32_t flags, int bit) { return (flags >> bit) & 1u; }

// Peers: peerUser/peerChat/peerChannel with an int64 id (layer 133+), or the layer ≤ 132 forms with int32.
std::optional<Peer> read_peer(Reader& r) {
  size_t at = r.offset();
  uint32_t c = r.u32();
  if (!r.ok()) return std::nullopt;
  switch (c) {
    case 0x59511722:
      return Peer{PeerKind::user, r.i64()};
    case 0x36C6019A:
      return Peer{PeerKind::chat, r.i64()};
    case 0xA2A5371E:
      return Peer{PeerKind::channel, r.i64()};
    case 0x9DB1BC6D:
      return Peer{PeerKind::user, r.i32()};
    case 0xBAD0E5BB:
      return Peer{PeerKind::chat, r.i32()};
    case 0xBDDDE532:
      return Peer{PeerKind::channel, r.i32()};
    default:
      r.fail(fmt::format("unknown Peer constructor {} at offset {}", hex_id(c), at));
      return std::nullopt;
  }
}

std::string read_text(Reader& r, DecodedMessage& m, const char* what) {
  std::string s = r.bytes();
  if (r.ok() && !is_valid_utf8(s)) {
    m.problems.push_back(fmt::format("{} ({} bytes) is not valid UTF-8; kept as stored", what, s.size()));
  }
  return s;
}

// MessageFwdHeader. Layouts: TlGen_MessageFwdHeader.kt.
std::optional<ForwardHeader> read_forward(Reader& r) {
  size_t at = r.offset();
  uint32_t c = r.u32();
  if (!r.ok()) return std::nullopt;
  ForwardHeader h;
  uint32_t f = r.u32();
  switch (c) {
    case 0x4E4DF4BB:  // current
    case 0x5F777DCE:  // layer 169
      if (has(f, 0)) h.from = read_peer(r);
      if (has(f, 5)) h.from_name = r.bytes();
      h.date = r.i32();
      if (has(f, 2)) r.i32();    // channel_post
      if (has(f, 3)) r.bytes();  // post_author
      if (has(f, 4)) {           // saved_from_peer + saved_from_msg_id
        read_peer(r);
        r.i32();
      }
      if (c == 0x4E4DF4BB) {
        if (has(f, 8)) read_peer(r);  // saved_from_id
        if (has(f, 9)) r.bytes();     // saved_from_name
        if (has(f, 10)) r.i32();      // saved_date
      }
      if (has(f, 6)) r.bytes();  // psa_type
      break;
    case 0xC786DDCB:  // layer 69
    case 0xFADFF4AC:  // layer 72
    case 0x559EBE6D:  // layer 96
    case 0xEC338270:  // layer 112
    case 0x353A686B:  // layer 118
      if (has(f, 0)) h.from = Peer{PeerKind::user, r.i32()};
      if ((c == 0xEC338270 || c == 0x353A686B) && has(f, 5)) h.from_name = r.bytes();
      h.date = r.i32();
      if (has(f, 1)) {
        int32_t channel = r.i32();
        if (!h.from) h.from = Peer{PeerKind::channel, channel};
      }
      if (has(f, 2)) r.i32();
      if (c != 0xC786DDCB && has(f, 3)) r.bytes();
      if ((c == 0x559EBE6D || c == 0xEC338270 || c == 0x353A686B) && has(f, 4)) {
        read_peer(r);
        r.i32();
      }
      if (c == 0x353A686B && has(f, 6)) r.bytes();
      break;
    default:
      r.fail(fmt::format("unknown MessageFwdHeader constructor {} at offset {}", hex_id(c), at));
      return std::nullopt;
  }
  if (!r.ok()) return std::nullopt;
  return h;
}

// MessageReplyHeader. Layouts from ALEAPP's table (TlGen_MessageReplyHeader.kt). Returns false with
// `stopped` set when the header carries objects this decoder does not walk (quoted media or entities).
bool read_reply(Reader& r, DecodedMessage& m, bool* stopped) {
  size_t at = r.offset();
  uint32_t c = r.u32();
  if (!r.ok()) return false;
  m.is_reply = true;
  switch (c) {
    case 0x0E5AF939:  // messageReplyStoryHeader: peer, story_id
      read_peer(r);
      r.i32();
      return r.ok();
    case 0x9C98BFC1:  // messageReplyStoryHeader layer 173: user_id, story_id
      r.i64();
      r.i32();
      return r.ok();
    case 0xA6D57763: {  // layer 165: reply_to_msg_id is unconditional
      uint32_t f = r.u32();
      m.reply_to_msg_id = r.i32();
      if (has(f, 0)) read_peer(r);
      if (has(f, 1)) r.i32();
      return r.ok();
    }
    case 0x6EEBCABD:    // layer 166
    case 0xAFBC09DB:    // layer 207
    case 0x6917560B:    // layer 223
    case 0x1B97DD66: {  // current
      uint32_t f = r.u32();
      if (has(f, 4)) m.reply_to_msg_id = r.i32();
      if (has(f, 0)) read_peer(r);
      if (has(f, 5) && !read_forward(r)) return false;
      if (has(f, 8) || has(f, 7)) {  // reply_media / quote_entities: nested trees not decoded here
        *stopped = true;
        return false;
      }
      if (has(f, 1)) r.i32();    // reply_to_top_id
      if (has(f, 6)) r.bytes();  // quote_text
      if (c != 0x6EEBCABD && has(f, 10)) r.i32();
      if ((c == 0x6917560B || c == 0x1B97DD66) && has(f, 11)) r.i32();
      if (c == 0x1B97DD66 && has(f, 12)) r.bytes();
      return r.ok();
    }
    default:
      r.fail(fmt::format("unknown MessageReplyHeader constructor {} at offset {}", hex_id(c), at));
      return false;
  }
}

// The text right after the row's date, found by searching for the date value: used only when a header
// cannot be walked. Accepted only when it is a complete TL string of valid UTF-8.
std::optional<std::string> text_after_date(std::string_view blob, size_t from, int32_t date) {
  char needle[4];
  uint32_t d = static_cast<uint32_t>(date);
  for (int i = 0; i < 4; ++i) needle[i] = static_cast<char>((d >> (8 * i)) & 0xFF);
  for (size_t pos = blob.find(std::string_view(needle, 4), from); pos != std::string_view::npos;
       pos = blob.find(std::string_view(needle, 4), pos + 1)) {
    Reader r(blob.substr(pos + 4));
    std::string s = r.bytes();
    if (r.ok() && is_valid_utf8(s)) return s;
  }
  return std::nullopt;
}

// GeoPoint: geoPoint#b2a2f663 flags long lat access_hash [accuracy_radius]; geoPointEmpty#1117dd5f.
void read_geo(Reader& r, Media& media) {
  size_t at = r.offset();
  uint32_t c = r.u32();
  if (c == 0x1117DD5F) return;
  if (c != 0xB2A2F663) {
    r.fail(fmt::format("unknown GeoPoint constructor {} at offset {}", hex_id(c), at));
    return;
  }
  uint32_t f = r.u32();
  double lon = r.f64();
  double lat = r.f64();
  r.i64();
  if (has(f, 0)) r.i32();
  if (r.ok()) {
    media.latitude = lat;
    media.longitude = lon;
  }
}

// Photo: photo#fb197a65 flags id ...; photoEmpty#2331b22d id. Only the id is read (sizes follow).
void read_photo_id(Reader& r, Media& media) {
  uint32_t c = r.u32();
  if (c == 0xFB197A65) {
    r.u32();
    media.object_id = r.i64();
  } else if (c == 0x2331B22D) {
    media.object_id = r.i64();
  }
}

// Document: document#8fd4c4d8 flags id access_hash file_reference date mime_type size:long ...;
// documentEmpty#36f8c871 id. Thumbs and attributes follow and are not read.
void read_document_head(Reader& r, Media& media) {
  uint32_t c = r.u32();
  if (c == 0x8FD4C4D8) {
    r.u32();
    int64_t id = r.i64();
    r.i64();
    r.bytes();
    r.i32();
    std::string mime = r.bytes();
    int64_t size = r.i64();
    if (r.ok()) {
      media.object_id = id;
      media.mime_type = std::move(mime);
      media.size = size;
    }
  } else if (c == 0x36F8C871) {
    media.object_id = r.i64();
  }
}

// MessageMedia. The kind comes from the constructor; a few details (ids, mime, size, coordinates, contact)
// are read from the fields that come first. Nothing after a media object is walked (see the caller).
Media read_media(Reader& r, DecodedMessage& m) {
  Media media;
  media.constructor = r.u32();
  media.known = true;
  switch (media.constructor) {
    case 0x3DED6320:
      media.kind = "";  // messageMediaEmpty
      break;
    case 0x695150D7: {  // messageMediaPhoto: flags photo:flags.0 ttl_seconds:flags.2
      media.kind = "photo";
      uint32_t f = r.u32();
      if (has(f, 0)) read_photo_id(r, media);
      break;
    }
    case 0xB5223B0F:  // messageMediaPhoto layer 74
    case 0x3D8CE53D:  // layer 69
    case 0xC8C45A2A:  // layer 27
      media.kind = "photo";
      break;
    case 0x52D8CCD9:    // messageMediaDocument (current)
    case 0xDD570BD5:    // layer 197
    case 0x4CF4D72D:    // layer 187
    case 0x9CB070D7: {  // layer 159
      uint32_t f = r.u32();
      media.kind = has(f, 8) ? "voice" : has(f, 7) ? "video_note" : has(f, 6) ? "video" : "document";
      if (media.constructor == 0x9CB070D7) media.kind = "document";
      if (has(f, 0)) read_document_head(r, media);
      break;
    }
    case 0x7C4414D3:  // messageMediaDocument layer 74
    case 0xF3E02EA8:  // layer 69
    case 0x2FDA2204:  // layer 44
      media.kind = "document";
      break;
    case 0x56E0D474:
      media.kind = "location";
      read_geo(r, media);
      break;
    case 0xB940C666: {
      media.kind = "live_location";
      r.u32();
      read_geo(r, media);
      break;
    }
    case 0x7C3C2609:
      media.kind = "live_location";
      read_geo(r, media);
      break;
    case 0x2EC0533F:
    case 0x7912B71F:
      media.kind = "venue";
      read_geo(r, media);
      media.title = read_text(r, m, "venue title");
      break;
    case 0x70322949:  // messageMediaContact: phone first last vcard user_id:long
    case 0xCBF24940:  // layer 132: ... vcard user_id:int
    case 0x5E7D2F39:  // layer 81: no vcard, user_id:int
      media.kind = "contact";
      media.contact_phone = read_text(r, m, "contact phone");
      media.contact_first_name = read_text(r, m, "contact first name");
      media.contact_last_name = read_text(r, m, "contact last name");
      if (media.constructor != 0x5E7D2F39) r.bytes();  // vcard
      media.contact_user_id = media.constructor == 0x70322949 ? r.i64() : int64_t{r.i32()};
      break;
    case 0xDDF10C3B:
    case 0xA32DD600:
      media.kind = "webpage";
      break;
    case 0x4BD6E798:
      media.kind = "poll";
      break;
    case 0x3F7EE58B:
    case 0x638FE46B:
      media.kind = "dice";
      break;
    case 0xFDB19008:
      media.kind = "game";
      break;
    case 0xF6A548D3:
    case 0x84551347:
      media.kind = "invoice";
      break;
    case 0x68CB6283:
    case 0xCBB20D88:
      media.kind = "story";
      break;
    case 0xA8852491:
      media.kind = "paid_media";
      break;
    case 0xAA073BEB:
    case 0xDAAD85B0:
    case 0x58260664:
      media.kind = "giveaway";
      break;
    case 0xCEAA3EA1:
    case 0xC6991068:
      media.kind = "giveaway_results";
      break;
    case 0x8A53B014:
      media.kind = "todo";
      break;
    case 0xCA5CAB89:
      media.kind = "video_stream";
      break;
    case 0x9F84F49E:
      media.kind = "unsupported";
      break;
    default:
      media.known = false;
      media.kind = "media " + hex_id(media.constructor);
      m.problems.push_back(fmt::format("media constructor {} is not recognised; reported as kind \"{}\"",
                                       hex_id(media.constructor), media.kind));
      break;
  }
  return media;
}

// Message layouts. A: layer ≤ 118 (from_id int, to_id, via_bot_id int, reply_to_msg_id int).
// B: layers 123/132 (from_id Peer, peer_id, via_bot_id int, reply header). C: layers 135–176 (via_bot_id
// long; saved_peer_id and from_boosts_applied by flags). D: layer 179+ (a second flags word; business bot).
enum class Layout { a, b, c, d };

struct MessageCtor {
  uint32_t id;
  const char* layer;
  Layout layout;
  bool from_rank = false;  // flags2.12 from_rank string (layer 224+)
  bool guestchat = false;  // flags2.19 guestchat_via_from peer (layer 226+)
  bool ttl_period = true;  // the constructor has ttl_period (flags.25)
};

constexpr MessageCtor kMessageCtors[] = {
    {0x90DDDC11, "layer 72", Layout::a, false, false, false},
    {0x44F9B43D, "layer 104", Layout::a, false, false, false},
    {0x452C0E65, "layer 118", Layout::a, false, false, false},
    {0x58AE39C9, "layer 123", Layout::b, false, false, false},
    {0xBCE383D2, "layer 132", Layout::b},
    {0x85D6CBE2, "layer 135", Layout::c},
    {0x38116EE0, "layer 169", Layout::c},
    {0x76BEC211, "layer 173", Layout::c},
    {0x1E4C8A69, "layer 175", Layout::c},
    {0xA66C7EFC, "layer 176", Layout::c},
    {0x2357BF25, "layer 179", Layout::d},
    {0xBDE09C2E, "layer 180", Layout::d},
    {0x94345242, "layer 195", Layout::d},
    {0x96FDBBE9, "layer 199", Layout::d},
    {0xEABCDD4D, "layer 205+", Layout::d},
    {0x9815CEC8, "layer 205+", Layout::d},
    {0xB92F76CF, "layer 205+", Layout::d},
    {0x9CB490E9, "layer 205+", Layout::d},
    {0x3AE56482, "layer 224", Layout::d, true, false},
    {0x95EF6F2B, "layer 226", Layout::d, true, true},
    {0x7600B9D3, "layer 227+", Layout::d, true, true},
};

// Service messages: which header fields precede the action. Layouts from TlGen_Message.kt / ALEAPP.
enum class From { peer_by_flag, int_by_flag, int_always };

struct ServiceCtor {
  uint32_t id;
  const char* layer;
  bool has_flags;
  From from;
  bool int_ids;     // reply_to_msg_id is a plain int32 (layer ≤ 118)
  bool saved_peer;  // saved_peer_id:flags.28
  bool reply;       // a reply field (header or int) by flags.3
  bool bools;       // layer 16: out and unread Bools after to_id
};

constexpr ServiceCtor kServiceCtors[] = {
    {0x7A800E0A, "layer 205+", true, From::peer_by_flag, false, true, true, false},
    {0xD3D28540, "layer 204", true, From::peer_by_flag, false, false, true, false},
    {0x2B085862, "layer 195", true, From::peer_by_flag, false, false, true, false},
    {0x286FA604, "layer 123", true, From::peer_by_flag, false, false, true, false},
    {0x9E19A1F6, "layer 118", true, From::int_by_flag, true, false, true, false},
    {0xC06B9607, "layer 48", true, From::int_by_flag, true, false, false, false},
    {0x1D86F70E, "layer 37", true, From::int_always, true, false, false, false},
    {0x9F8D60BB, "layer 16", false, From::int_always, true, false, false, true},
};

struct ActionName {
  uint32_t id;
  const char* name;
};

// MessageAction constructor ids with the labels ALEAPP gives them (subset: the events an examiner meets).
constexpr ActionName kActions[] = {
    {0xBD47CBAD, "Group created"},
    {0xA6638B9A, "Group created"},
    {0xB5A1CE5A, "Chat title changed"},
    {0x7FCB13A8, "Chat photo changed"},
    {0x95E3FBEF, "Chat photo removed"},
    {0x15CEFD00, "User added to chat"},
    {0x488A7337, "User added to chat"},
    {0xA43F30CC, "User removed from chat"},
    {0xB2AE9B0C, "User removed from chat"},
    {0x031224C3, "Joined chat by invite link"},
    {0xF89CF5E8, "Joined chat by invite link"},
    {0xEBBCA3CB, "Joined chat by request"},
    {0x95D2AC92, "Channel created"},
    {0x51BDB021, "Group upgraded to supergroup"},
    {0xE1037F92, "Group upgraded to supergroup"},
    {0xB055EAEE, "Migrated from group"},
    {0xEA3948E9, "Migrated from group"},
    {0x94BD38ED, "Message pinned"},
    {0x9FBAB604, "History cleared"},
    {0x80E11A7F, "Phone call"},
    {0x4792929B, "Screenshot taken"},
    {0xFAE69F56, "Custom action"},
    {0x3C134D7B, "Auto-delete timer changed"},
    {0xAA1AFBFD, "Auto-delete timer changed"},
    {0xF3F25F76, "Contact joined Telegram"},
    {0x70EF8294, "Contact joined Telegram"},
    {0x7A0D7F42, "Group call"},
    {0x502F92F7, "Invited to group call"},
    {0x76B9F11A, "Invited to group call"},
    {0x98E0D697, "Proximity alert triggered"},
    {0xB6AEF7B0, "Empty action"},
    {0x40699CD0, "Payment sent"},
    {0xC624B16E, "Payment sent"},
    {0x96163F56, "Payment sent"},
    {0xD95C6154, "Telegram Passport data sent"},
    {0xABE9AFFE, "Bot allowed"},
    {0xC516D679, "Bot allowed"},
    {0x0D999256, "Topic created"},
    {0xC0944820, "Topic edited"},
    {0xB18A431C, "Topic edited"},
};

std::string vector_of_ids(Reader& r, bool wide) {
  uint32_t n = r.vector_count(100000);
  std::string out;
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    int64_t v = wide ? r.i64() : r.i32();
    if (!out.empty()) out += ", ";
    out += std::to_string(v);
  }
  return out;
}

// The detail an examiner wants for the common actions. Unknown details are simply not printed.
std::string action_detail(Reader& r, uint32_t action, DecodedMessage& m) {
  switch (action) {
    case 0xB5A1CE5A:
    case 0x95D2AC92:
      return "title \"" + read_text(r, m, "action title") + "\"";
    case 0xBD47CBAD:
    case 0xA6638B9A: {
      std::string title = read_text(r, m, "action title");
      std::string users = vector_of_ids(r, action == 0xBD47CBAD);
      return fmt::format("title \"{}\", members {}", title, users);
    }
    case 0x15CEFD00:
    case 0x488A7337:
      return "users " + vector_of_ids(r, action == 0x15CEFD00);
    case 0xA43F30CC:
      return fmt::format("user {}", r.i64());
    case 0xB2AE9B0C:
      return fmt::format("user {}", r.i32());
    case 0x031224C3:
      return fmt::format("inviter {}", r.i64());
    case 0xFAE69F56:
      return "message \"" + read_text(r, m, "custom action message") + "\"";
    case 0x3C134D7B: {
      uint32_t f = r.u32();
      int32_t period = r.i32();
      (void)f;
      return fmt::format("timer {} s", period);
    }
    case 0xAA1AFBFD:
      return fmt::format("timer {} s", r.i32());
    case 0x80E11A7F: {
      uint32_t f = r.u32();
      int64_t call_id = r.i64();
      std::string out = fmt::format("{}call id {}", has(f, 2) ? "video " : "", call_id);
      if (has(f, 0)) {
        uint32_t reason = r.u32();
        const char* name = reason == 0x85E42301   ? "missed"
                           : reason == 0xE095C1A0 ? "disconnected"
                           : reason == 0x57ADC690 ? "hung up"
                           : reason == 0xFAF7E8C9 ? "busy"
                                                  : nullptr;
        if (!name) return out + fmt::format(", outcome {}", hex_id(reason));  // later fields unknown
        out += fmt::format(", outcome {}", name);
      }
      if (has(f, 1)) out += fmt::format(", duration {} s", r.i32());
      return out;
    }
    default:
      return {};
  }
}

void decode_service(Reader& r, const ServiceCtor& sc, DecodedMessage& m) {
  m.service = true;
  m.layer = sc.layer;
  m.flags = sc.has_flags ? r.u32() : 0;
  m.id = r.i32();
  if (sc.from == From::int_always || (sc.from == From::int_by_flag && has(m.flags, 8)))
    m.from = Peer{PeerKind::user, r.i32()};
  else if (sc.from == From::peer_by_flag && has(m.flags, 8))
    m.from = read_peer(r);
  if (auto p = read_peer(r)) m.peer = *p;
  if (sc.bools) {
    r.u32();
    r.u32();
  }
  if (sc.saved_peer && has(m.flags, 28)) read_peer(r);
  if (sc.reply && has(m.flags, 3)) {
    if (sc.int_ids) {
      m.is_reply = true;
      m.reply_to_msg_id = r.i32();
    } else {
      bool stopped = false;
      if (!read_reply(r, m, &stopped)) {
        if (stopped)
          m.problems.push_back(
              "service message's reply header quotes media or entities; its action "
              "was not decoded");
        return;
      }
    }
  }
  m.date = r.i32();
  if (!r.ok()) return;
  m.action = r.u32();
  if (!r.ok()) return;
  const char* name = nullptr;
  for (const auto& a : kActions)
    if (a.id == m.action) name = a.name;
  if (!name) {
    m.action_text = "Service action " + hex_id(m.action);
    m.problems.push_back(
        fmt::format("service action constructor {} is not recognised; reported without its "
                    "detail",
                    hex_id(m.action)));
    return;
  }
  Reader detail = r;  // a failed detail read must not turn the whole row into an error
  std::string d = action_detail(detail, m.action, m);
  m.action_text = name;
  if (detail.ok() && !d.empty()) m.action_text += " (" + d + ")";
  if (!detail.ok())
    m.problems.push_back(
        fmt::format("detail of service action {} could not be read: {}", hex_id(m.action), detail.error()));
}

void decode_regular(Reader& r, const MessageCtor& mc, std::string_view blob, std::optional<int32_t> row_date,
                    DecodedMessage& m) {
  m.layer = mc.layer;
  m.flags = r.u32();
  if (mc.layout == Layout::d) m.flags2 = r.u32();
  m.id = r.i32();
  const bool int_from = mc.layout == Layout::a;
  if (has(m.flags, 8)) {
    if (int_from)
      m.from = Peer{PeerKind::user, r.i32()};
    else
      m.from = read_peer(r);
  }
  if ((mc.layout == Layout::c || mc.layout == Layout::d) && has(m.flags, 29)) r.i32();  // from_boosts_applied
  if (mc.from_rank && has(m.flags2, 12)) r.bytes();                                     // from_rank
  if (auto p = read_peer(r)) m.peer = *p;
  if ((mc.layout == Layout::c || mc.layout == Layout::d) && has(m.flags, 28)) read_peer(r);  // saved_peer_id
  if (has(m.flags, 2)) {
    size_t at = r.offset();
    m.forward = read_forward(r);
    if (!m.forward) {
      std::string why = r.error();
      if (row_date) {
        m.text = text_after_date(blob, at, *row_date);
        if (m.text) {
          m.problems.push_back(
              fmt::format("forward header not decoded ({}); text located after the date", why));
          return;
        }
      }
      return;  // r carries the error
    }
  }
  if (has(m.flags, 11)) {
    if (mc.layout == Layout::a || mc.layout == Layout::b)
      r.i32();
    else
      r.i64();
  }
  if (mc.layout == Layout::d && has(m.flags2, 0)) r.i64();  // via_business_bot_id
  if (mc.guestchat && has(m.flags2, 19)) read_peer(r);      // guestchat_via_from
  if (has(m.flags, 3)) {
    if (mc.layout == Layout::a) {
      m.is_reply = true;
      m.reply_to_msg_id = r.i32();
    } else {
      size_t at = r.offset();
      bool stopped = false;
      if (!read_reply(r, m, &stopped)) {
        std::string why =
            stopped ? std::string("it quotes media or entities, which are not decoded") : r.error();
        std::optional<std::string> text;
        if (row_date) text = text_after_date(blob, at, *row_date);
        if (text) {
          m.text = std::move(text);
          m.date = *row_date;
          m.problems.push_back(
              fmt::format("reply header not walked ({}); text located right after the message date", why));
        } else if (stopped) {
          m.problems.push_back(fmt::format("reply header not walked ({}); text not recovered", why));
        }
        return;
      }
    }
  }
  m.date = r.i32();
  std::string text = r.bytes();
  if (!r.ok()) return;
  if (!is_valid_utf8(text)) {
    m.problems.push_back(
        fmt::format("message text ({} bytes) is not valid UTF-8; not reported", text.size()));
  } else {
    m.text = std::move(text);
  }
  m.edited = has(m.flags, 15);
  if (has(m.flags, 9)) {
    m.media = read_media(r, m);
    if (m.media->kind.empty()) m.media.reset();  // messageMediaEmpty
    return;  // media objects are not walked to their end, so later fields stay unread
  }
  // ttl_period sits after optional fields; walk them only when none of them is a nested object.
  if (!mc.ttl_period || !has(m.flags, 25)) return;
  for (int bit : {6, 7, 20, 22, 23})
    if (has(m.flags, bit)) return;
  if (has(m.flags, 10)) {
    r.i32();
    if (mc.layout != Layout::a) r.i32();  // views, forwards
  }
  if (has(m.flags, 15)) r.i32();    // edit_date
  if (has(m.flags, 16)) r.bytes();  // post_author
  if (has(m.flags, 17)) r.i64();    // grouped_id
  int32_t ttl = r.i32();
  if (r.ok()) m.ttl_period = ttl;
}

}  // namespace

std::optional<DecodedMessage> decode_message(std::string_view blob, std::optional<int32_t> row_date,
                                             std::string* why) {
  Reader r(blob);
  uint32_t c = r.u32();
  if (!r.ok()) {
    *why = fmt::format("message blob is too short ({} bytes) to hold a constructor", blob.size());
    return std::nullopt;
  }
  DecodedMessage m;
  m.constructor = c;
  bool known = false;
  for (const auto& mc : kMessageCtors)
    if (mc.id == c) {
      known = true;
      decode_regular(r, mc, blob, row_date, m);
    }
  for (const auto& sc : kServiceCtors)
    if (sc.id == c) {
      known = true;
      decode_service(r, sc, m);
    }
  if (!known) {
    *why = fmt::format("message constructor {} is not recognised (TL layers 72–227 are decoded)", hex_id(c));
    return std::nullopt;
  }
  if (!r.ok()) {
    bool already = false;
    for (const auto& p : m.problems) already = already || p.find(r.error()) != std::string::npos;
    if (!already) m.problems.push_back("blob could not be fully decoded: " + r.error());
  }
  return m;
}

}  // namespace kanshiki::telegram_tl
