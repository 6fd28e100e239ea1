// WhatsApp for Android: msgstore.db (messages, chats, group members, calls).
//
// Schema sources (facts, not code): the app's own SQL as found in real databases — the legacy `messages`
// table with `chat_list`/`group_participants` (lab-whatsapp case, 2018) and the current `message` table with
// `chat`, `jid`, `message_media`, `message_ephemeral`, `group_participant_user`, `call_log` (wa-crypt-tools
// test msgstore.db, which also still has `messages`); the app's `message_view` definition in that file
// (legacy rows with media_wa_type 0 and status 6 are system messages, type 7); message_type codes as
// documented by IPED's ExtractorAndroidNew and thebinaryhick.blog "New msgstore, who 'dis" (2022).
//
// Which message table wins when both exist: WhatsApp migrated from `messages` to `message` in 2021-22.
// During the migration the app creates `message` early (holding only its sentinel row) and keeps writing
// `messages`; its own `message_view` then still reads `messages` (table_version 1), as in the
// wa-crypt-tools file (messages=10 real rows, message=1 sentinel). Once migrated, the app drops
// `messages`. So a database that still has `messages` has its data there: the legacy variants come first.
// Chats and group members are the other way round: `chat`/`jid` and `group_participant_user` replaced
// `chat_list`/`group_participants` earlier, and the app reads the new tables (its `chat_view` reads `chat`).
#include "parsers/whatsapp_android_msgstore.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "core/phone.h"

namespace kanshiki::parsers::whatsapp_android_msgstore {
namespace {

// A user JID ("818012345678@s.whatsapp.net", or with ".agent:device") carries the international number.
std::string jid_e164(std::string_view jid) {
  constexpr std::string_view kUserServer = "@s.whatsapp.net";
  if (jid.size() <= kUserServer.size() || jid.substr(jid.size() - kUserServer.size()) != kUserServer)
    return {};
  std::string_view user = jid.substr(0, jid.size() - kUserServer.size());
  user = user.substr(0, user.find_first_of(".:"));
  return normalize_phone_e164("+" + std::string(user));
}

bool is_group_jid(std::string_view jid) { return jid.size() > 5 && jid.substr(jid.size() - 5) == "@g.us"; }

// Java's modified UTF-8 (as written by ObjectOutputStream) to UTF-8: C0 80 is NUL and characters outside
// the BMP are surrogate pairs of 3 bytes each. Everything else is already UTF-8.
std::string modified_utf8_to_utf8(std::string_view in) {
  auto u = [&](size_t i) { return static_cast<unsigned char>(in[i]); };
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    if (i + 1 < in.size() && u(i) == 0xC0 && u(i + 1) == 0x80) {
      out += '\0';
      i += 2;
    } else if (i + 5 < in.size() && u(i) == 0xED && (u(i + 1) & 0xF0) == 0xA0 && u(i + 3) == 0xED &&
               (u(i + 4) & 0xF0) == 0xB0) {
      uint32_t hi = 0xD000 | ((u(i + 1) & 0x0F) << 6) | (u(i + 2) & 0x3F);
      uint32_t lo = 0xD000 | ((u(i + 4) & 0x0F) << 6) | (u(i + 5) & 0x3F);
      uint32_t cp = 0x10000 + (((hi & 0x3FF) << 10) | (lo & 0x3FF));
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
      i += 6;
    } else {
      out += in[i++];
    }
  }
  return out;
}

// Legacy rows keep the local file of a media message in `thumb_image`: a Java-serialised
// com.whatsapp.MediaData whose `file` field is a java.io.File. java.io.File.writeObject writes its path as a
// TC_STRING (0x74, big-endian u16 length, modified UTF-8) followed by a block-data record holding the
// separator char (77 02 00 2F). Only that exact pattern is taken; nothing else is inferred.
std::string media_data_file_path(std::string_view blob) {
  static constexpr char kSeparatorBlock[] = {0x77, 0x02, 0x00, 0x2F};
  for (size_t i = 0; i + 3 <= blob.size(); ++i) {
    if (static_cast<unsigned char>(blob[i]) != 0x74) continue;
    size_t len = (static_cast<size_t>(static_cast<unsigned char>(blob[i + 1])) << 8) |
                 static_cast<unsigned char>(blob[i + 2]);
    size_t end = i + 3 + len;
    if (len == 0 || end + sizeof kSeparatorBlock > blob.size()) continue;
    if (blob.substr(end, sizeof kSeparatorBlock) == std::string_view(kSeparatorBlock, sizeof kSeparatorBlock))
      return modified_utf8_to_utf8(blob.substr(i + 3, len));
  }
  return {};
}

// message_type (current) = media_wa_type (legacy); the codes are the same in both schemas.
std::string kind_of(int64_t type) {
  switch (type) {
    case 0:
      return "text";
    case 1:
      return "image";
    case 2:
      return "audio";
    case 3:
      return "video";
    case 4:
      return "contact";
    case 5:
      return "location";
    case 7:
      return "service";
    case 8:
      return "call";
    case 9:
      return "document";
    case 10:
      return "missed_call";
    case 11:
      return "waiting";  // "waiting for this message": not yet decrypted
    case 13:
      return "gif";
    case 15:
      return "revoked";  // deleted by the sender
    case 16:
      return "live_location";
    case 20:
      return "sticker";
    case 42:
      return "view_once_image";
    case 43:
      return "view_once_video";
    case 64:
      return "revoked";  // deleted by a group admin
    default:
      return fmt::format("type {}", type);
  }
}

bool is_media(int64_t type) {
  static const std::set<int64_t> kMedia = {1, 2, 3, 9, 13, 20, 42, 43};
  return kMedia.count(type) > 0;
}

// Message status codes; the meaning is reverse-engineered (IPED, forensic literature), so the code is kept.
std::string status_text(std::optional<int64_t> status, bool from_me) {
  if (!status) return {};
  std::string_view name;
  switch (*status) {
    case 0:
      name = from_me ? "not sent" : "received";
      break;
    case 4:
      name = "sent";
      break;
    case 5:
      name = "delivered";
      break;
    case 6:
      name = "system";
      break;
    case 8:
      name = "played";
      break;
    case 13:
      name = "read";
      break;
    default:
      return fmt::format("status {}", *status);
  }
  return fmt::format("{} ({})", name, *status);
}

class MsgstoreParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return whatsapp_android_msgstore::info(); }

 protected:
  std::vector<Query> queries() override {
    const TableNeed legacy{
        "messages",
        {"key_remote_jid", "key_from_me", "data", "timestamp", "status", "media_wa_type", "media_mime_type",
         "media_name", "media_size", "media_caption", "remote_resource", "thumb_image"}};
    const TableNeed current{"message",
                            {"_id", "chat_row_id", "from_me", "sender_jid_row_id", "text_data", "timestamp",
                             "message_type", "status"}};
    const TableNeed chat{"chat", {"_id", "jid_row_id", "subject", "sort_timestamp"}};
    const TableNeed jid{"jid", {"_id", "raw_string"}};
    const TableNeed media{"message_media", {"message_row_id", "file_path", "mime_type", "file_size"}};
    const TableNeed ephemeral{"message_ephemeral", {"message_row_id", "duration"}};

    const std::string legacy_select =
        "SELECT m.rowid AS _rowid, m.key_remote_jid AS chat_jid, m.key_from_me AS from_me, "
        "m.remote_resource AS sender_jid, m.data AS text, m.timestamp, m.status, "
        "CAST(m.media_wa_type AS INTEGER) AS type, m.media_mime_type AS mime, m.media_name, "
        "m.media_size AS size, m.media_caption AS caption, m.thumb_image AS media_data";
    // The first row of `messages` is a sentinel the app inserts (key_remote_jid '-1'); it is no message.
    const std::string legacy_where = " WHERE m.key_remote_jid IS NOT '-1' ORDER BY m.rowid";
    const std::string current_select =
        "SELECT m.rowid AS _rowid, m.chat_row_id, cj.raw_string AS chat_jid, m.from_me, "
        "sj.raw_string AS sender_jid, m.text_data AS text, m.timestamp, m.status, m.message_type AS type";
    const std::string current_from =
        " FROM message m LEFT JOIN chat c ON c._id = m.chat_row_id LEFT JOIN jid cj ON cj._id = c.jid_row_id "
        "LEFT JOIN jid sj ON sj._id = m.sender_jid_row_id";
    // Same sentinel in the current table: chat_row_id -1.
    const std::string current_where = " WHERE m.chat_row_id IS NOT -1 ORDER BY m.rowid";
    const std::string media_cols =
        ", mm.message_row_id IS NOT NULL AS has_media, mm.file_path, mm.mime_type AS mime, mm.file_size AS "
        "size";
    const std::string media_join = " LEFT JOIN message_media mm ON mm.message_row_id = m._id";
    const std::string eph_col = ", e.duration AS ephemeral_s";
    const std::string eph_join = " LEFT JOIN message_ephemeral e ON e.message_row_id = m._id";

    auto msg = &MsgstoreParser::on_message;
    auto thread = &MsgstoreParser::on_chat;
    auto member = &MsgstoreParser::on_member;
    auto call = &MsgstoreParser::on_call;

    return {
        // messages: legacy first (see the header comment), then the current table with what it has.
        {"messages",
         "legacy `messages` + `message_ephemeral`",
         {legacy, ephemeral},
         legacy_select + eph_col + " FROM messages m" + eph_join + legacy_where,
         "messages",
         true,
         msg},
        {"messages",
         "legacy `messages`",
         {legacy},
         legacy_select + " FROM messages m" + legacy_where,
         "messages",
         true,
         msg},
        {"messages",
         "current `message` + `message_media` + `message_ephemeral`",
         {current, chat, jid, media, ephemeral},
         current_select + media_cols + eph_col + current_from + media_join + eph_join + current_where,
         "message",
         true,
         msg},
        {"messages",
         "current `message` + `message_media`",
         {current, chat, jid, media},
         current_select + media_cols + current_from + media_join + current_where,
         "message",
         true,
         msg},
        {"messages",
         "current `message`",
         {current, chat, jid},
         current_select + current_from + current_where,
         "message",
         true,
         msg},

        {"chats",
         "current `chat` + `jid`",
         {chat, jid},
         "SELECT c.rowid AS _rowid, c.jid_row_id, j.raw_string AS jid, c.subject, c.sort_timestamp "
         "FROM chat c LEFT JOIN jid j ON j._id = c.jid_row_id ORDER BY c.rowid",
         "chat",
         true,
         thread},
        {"chats",
         "legacy `chat_list`",
         {{"chat_list", {"key_remote_jid", "subject", "sort_timestamp"}}},
         "SELECT rowid AS _rowid, key_remote_jid AS jid, subject, sort_timestamp FROM chat_list ORDER BY "
         "rowid",
         "chat_list",
         true,
         thread},

        {"group_members",
         "current `group_participant_user` + `jid`",
         {{"group_participant_user", {"group_jid_row_id", "user_jid_row_id", "rank"}}, jid},
         "SELECT gp.rowid AS _rowid, g.raw_string AS group_jid, u.raw_string AS user_jid, gp.rank AS "
         "role_code, "
         "gp.group_jid_row_id, gp.user_jid_row_id FROM group_participant_user gp "
         "LEFT JOIN jid g ON g._id = gp.group_jid_row_id LEFT JOIN jid u ON u._id = gp.user_jid_row_id "
         "ORDER BY gp.rowid",
         "group_participant_user",
         false,
         member},
        {"group_members",
         "legacy `group_participants`",
         {{"group_participants", {"gjid", "jid", "admin"}}},
         "SELECT rowid AS _rowid, gjid AS group_jid, jid AS user_jid, admin AS role_code FROM "
         "group_participants "
         "ORDER BY rowid",
         "group_participants",
         false,
         member},

        // Newest first: group calls (group_jid_row_id, 2020+) with their other parties in
        // call_log_participant_v2 (both in the wa-crypt-tools msgstore.db); then plain call_log.
        {"calls",
         "`call_log` with group calls + `call_log_participant_v2` + `jid`",
         {{"call_log",
           {"jid_row_id", "from_me", "call_id", "timestamp", "video_call", "duration", "call_result",
            "group_jid_row_id"}},
          {"call_log_participant_v2", {"_id", "call_log_row_id", "jid_row_id", "call_result"}},
          jid},
         "SELECT cl.rowid AS _rowid, cl.jid_row_id, j.raw_string AS jid, cl.from_me, cl.timestamp, "
         "cl.video_call, cl.duration, cl.call_result, cl.call_id, cl.group_jid_row_id, g.raw_string AS "
         "group_jid, (SELECT json_group_array(json_array(p._id, p.jid_row_id, pj.raw_string, p.call_result)) "
         "FROM (SELECT * FROM call_log_participant_v2 WHERE call_log_row_id = cl._id ORDER BY _id) p "
         "LEFT JOIN jid pj ON pj._id = p.jid_row_id) AS participants_json "
         "FROM call_log cl LEFT JOIN jid j ON j._id = cl.jid_row_id "
         "LEFT JOIN jid g ON g._id = cl.group_jid_row_id AND cl.group_jid_row_id != 0 ORDER BY cl.rowid",
         "call_log",
         false,
         call},
        {"calls",
         "`call_log` + `jid`",
         {{"call_log", {"jid_row_id", "from_me", "timestamp", "video_call", "duration", "call_result"}}, jid},
         "SELECT cl.rowid AS _rowid, cl.jid_row_id, j.raw_string AS jid, cl.from_me, cl.timestamp, "
         "cl.video_call, "
         "cl.duration, cl.call_result FROM call_log cl LEFT JOIN jid j ON j._id = cl.jid_row_id ORDER BY "
         "cl.rowid",
         "call_log",
         false,
         call},
    };
  }

 private:
  static void on_message(const Row& r, RowEmitter& out) {
    Message m;
    m.app = "whatsapp";
    m.thread_key = r.text("chat_jid");
    if (m.thread_key.empty())
      out.warn(
          r.has("chat_row_id")
              ? fmt::format("message's chat (chat_row_id {}) has no JID in `chat`/`jid`; its conversation is "
                            "unknown",
                            r.text("chat_row_id"))
              : std::string("message has no key_remote_jid; its conversation is unknown"));
    bool from_me = r.i64_or("from_me", 0) != 0;
    m.direction = from_me ? Direction::outgoing : Direction::incoming;
    if (from_me) {
      if (!m.thread_key.empty()) m.recipients.push_back(m.thread_key);
    } else {
      std::string sender = r.text("sender_jid");  // group/broadcast sender; empty in one-to-one chats
      m.sender = sender.empty() ? m.thread_key : sender;
    }
    m.time = r.time("timestamp", EpochKind::unix_ms, out);
    auto status = r.i64("status");
    m.status = status_text(status, from_me);

    int64_t type = r.i64_or("type", 0);
    bool legacy = r.has("media_data");
    // Legacy system messages are stored as text with status 6 (the app's own message_view maps them to 7).
    m.kind = (legacy && type == 0 && status == 6) ? "service" : kind_of(type);
    m.deleted = type == 15 || type == 64;
    m.text = r.text("text");
    if (m.text.empty() && legacy && is_media(type)) m.text = r.text("caption");
    if (auto e = r.i64("ephemeral_s")) m.expires_in_s = *e;

    if (legacy && is_media(type)) {
      Attachment a;
      a.path = media_data_file_path(r.blob("media_data"));
      if (a.path.empty()) a.path = r.text("media_name");
      a.mime_type = r.text("mime");
      if (auto s = r.i64("size"); s && *s > 0) a.size = s;
      m.attachments.push_back(std::move(a));
    } else if (r.i64_or("has_media", 0) != 0) {
      Attachment a;
      a.path = r.text("file_path");
      a.mime_type = r.text("mime");
      if (auto s = r.i64("size"); s && *s > 0) a.size = s;
      m.attachments.push_back(std::move(a));
    }
    out.emit(std::move(m));
  }

  static void on_chat(const Row& r, RowEmitter& out) {
    Thread t;
    t.app = "whatsapp";
    t.thread_key = r.text("jid");
    if (t.thread_key.empty()) {
      out.warn(r.has("jid_row_id")
                   ? fmt::format("chat refers to jid row {}, which is not in `jid`; the chat is not reported",
                                 r.text("jid_row_id"))
                   : std::string("chat has no key_remote_jid; the chat is not reported"));
      return;
    }
    t.name = r.text("subject");
    t.is_group = is_group_jid(t.thread_key);
    t.last_activity = r.time("sort_timestamp", EpochKind::unix_ms, out);
    out.emit(std::move(t));
  }

  static void on_member(const Row& r, RowEmitter& out) {
    Participant p;
    p.app = "whatsapp";
    p.thread_key = r.text("group_jid");
    if (p.thread_key.empty()) {
      out.warn(fmt::format("group member row refers to group jid row {}, which is not in `jid`; not reported",
                           r.text("group_jid_row_id")));
      return;
    }
    if (r.has("user_jid_row_id") && r.is_null("user_jid")) {
      out.warn(fmt::format("group member row refers to jid row {}, which is not in `jid`; not reported",
                           r.text("user_jid_row_id")));
      return;
    }
    p.identifier = r.text("user_jid");
    // The app records the device owner as a member with an empty JID.
    if (p.identifier.empty()) p.name = "(device owner)";
    // rank (current) / admin (legacy): 0 member, 1 admin, 2 group creator ("superadmin").
    int64_t role = r.i64_or("role_code", 0);
    p.role = role == 2 ? "owner" : role == 1 ? "admin" : "member";
    out.emit(std::move(p));
  }

  // call_log.call_result / call_log_participant_v2.call_result as IPED reads them; other codes by number.
  static std::string call_result_text(int64_t result) {
    switch (result) {
      case 2:
        return "rejected (2)";
      case 4:
        return "missed (4)";
      case 5:
        return "connected (5)";
      default:
        return fmt::format("result {}", result);
    }
  }

  static void on_call(const Row& r, RowEmitter& out) {
    Call c;
    c.app = "whatsapp";
    c.number = r.text("jid");
    if (c.number.empty())
      out.warn(fmt::format("call refers to jid row {}, which is not in `jid`; the peer is unknown",
                           r.text("jid_row_id")));
    c.number_e164 = jid_e164(c.number);
    bool from_me = r.i64_or("from_me", 0) != 0;
    // call_result: 2 rejected, 4 missed, 5 connected (IPED); other results of incoming calls stay "incoming".
    int64_t result = r.i64_or("call_result", -1);
    c.direction = from_me       ? CallDirection::outgoing
                  : result == 2 ? CallDirection::rejected
                  : result == 4 ? CallDirection::missed
                                : CallDirection::incoming;
    c.time = r.time("timestamp", EpochKind::unix_ms, out);
    if (auto d = r.i64("duration")) c.duration_s = *d;
    c.video = r.i64_or("video_call", 0) != 0;

    // A group call names its group (as whatsapp.ios.calls does); jid_row_id stays the other party / caller.
    const int64_t group_row = r.i64_or("group_jid_row_id", 0);
    if (group_row != 0) {
      if (r.is_null("group_jid"))
        out.warn(fmt::format("group call refers to group jid row {}, which is not in `jid`", group_row));
      else
        c.name = "group call: " + r.text("group_jid");
    }
    // The other parties of the call, linked to it by the call's own row: thread_key "call_log:<rowid>".
    if (!r.is_null("participants_json")) {
      auto parties = nlohmann::json::parse(r.text("participants_json"), nullptr, false);
      if (!parties.is_array()) {
        out.warn("call participants could not be read from call_log_participant_v2");
      } else {
        for (const auto& p : parties) {
          if (!p.is_array() || p.size() != 4 || !p[0].is_number_integer()) continue;
          const int64_t participant_row = p[0].get<int64_t>();
          if (!p[2].is_string()) {
            out.warn(
                fmt::format("call participant row {} refers to jid row {}, which is not in `jid`; not "
                            "reported",
                            participant_row, p[1].dump()));
            continue;
          }
          Participant part;
          part.app = "whatsapp";
          part.thread_key = fmt::format("call_log:{}", r.text("_rowid"));
          part.identifier = p[2].get<std::string>();
          if (part.identifier.empty()) part.name = "(device owner)";  // as in group_participant_user
          part.role = "call participant, " + (p[3].is_number_integer() ? call_result_text(p[3].get<int64_t>())
                                                                       : std::string("no result"));
          out.emit_from(std::move(part), "call_log_participant_v2", participant_row);
        }
      }
    }
    out.emit(std::move(c));
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "whatsapp.android.msgstore",
      "1.1.0",
      Platform::android,
      "WhatsApp (Android)",
      "WhatsApp messages, chats, group members and calls from msgstore.db (legacy `messages` and current "
      "`message` schemas)",
      {Locator::path("**/com.whatsapp/databases/msgstore.db"), Locator::path("**/msgstore.db")},
      {"when both `messages` (legacy) and `message` (current) exist, `messages` is read: the app keeps "
       "writing it "
       "until its migration ends and then drops it",
       "the sentinel row the app inserts into its message table (key_remote_jid/chat_row_id -1) is not "
       "reported",
       "the owner's own number is not in msgstore.db (it is in shared_prefs); `account` is left empty",
       "legacy calls are messages of kind \"call\"/\"missed_call\"; `call_log` rows are reported as calls",
       "call_result is reported only through the direction of incoming calls (2 rejected, 4 missed); the "
       "result "
       "of outgoing calls (unanswered, busy) is not reported; group calls name their group in `name`, and "
       "the other parties from call_log_participant_v2 are Participant records with thread_key "
       "\"call_log:<call row>\" and their result in `role`",
       "missed_call_logs, joinable_call_log and call links are not read",
       "legacy media paths come from the serialised MediaData in `thumb_image` (else `media_name`); they are "
       "relative to the WhatsApp media folder and the files are not hashed here",
       "reactions, quotes, edits, receipts, locations, vCards and the encrypted backups (.crypt*) are not "
       "parsed",
       "status codes are reported with their number because their meaning is reverse-engineered"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<MsgstoreParser>(); }

}  // namespace kanshiki::parsers::whatsapp_android_msgstore
