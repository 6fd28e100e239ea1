// WhatsApp for iOS: ChatStorage.sqlite in the shared app group
// (AppDomainGroup-group.net.whatsapp.WhatsApp.shared).
//
// A Core Data store: every table has Z_PK (the rowid), relationships are Z_PK references. Schema sources:
// the real (MVT-trimmed) ChatStorage.sqlite of the MVT iOS test backup, and the full column set of
// WhatsApp 2.2x as used in public forensic fixtures:
//   ZWAMESSAGE(Z_PK, ZISFROMME, ZMESSAGESTATUS, ZMESSAGETYPE, ZCHATSESSION, ZGROUPMEMBER, ZMEDIAITEM,
//              ZMESSAGEDATE, ZSENTDATE, ZFROMJID, ZPUSHNAME, ZSTANZAID, ZTEXT, ZTOJID, ...)
//   ZWACHATSESSION(Z_PK, ZSESSIONTYPE, ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME, ...)  -- ZSESSIONTYPE 1 =
//   group ZWAGROUPMEMBER(Z_PK, ZISADMIN, ZCHATSESSION, ZCONTACTNAME, ZFIRSTNAME, ZMEMBERJID, ...)
//   ZWAMEDIAITEM(Z_PK, ZFILESIZE, ZMESSAGE, ZMEDIALOCALPATH, ZTITLE, ZVCARDNAME, ZVCARDSTRING, ...)
// Times are Cocoa seconds (REAL) since 2001-01-01 UTC.
#include "parsers/whatsapp_ios_chatstorage.h"

#include <fmt/format.h>

#include <map>

#include "parsers/whatsapp_jid.h"

namespace kanshiki::parsers::whatsapp_ios_chatstorage {
namespace {

constexpr int64_t kSessionTypeGroup = 1;
constexpr int64_t kMessageTypeContact = 4;

const TableNeed kSessionNeed = {"ZWACHATSESSION", {"Z_PK", "ZCONTACTJID", "ZSESSIONTYPE"}};
const TableNeed kMinimalMessageNeed = {
    "ZWAMESSAGE",
    {"Z_PK", "ZCHATSESSION", "ZFROMJID", "ZTOJID", "ZTEXT", "ZMESSAGEDATE", "ZMESSAGETYPE", "ZISFROMME"}};
const TableNeed kFullMessageNeed = {"ZWAMESSAGE",
                                    {"Z_PK", "ZCHATSESSION", "ZFROMJID", "ZTOJID", "ZTEXT", "ZMESSAGEDATE",
                                     "ZMESSAGETYPE", "ZISFROMME", "ZGROUPMEMBER", "ZMEDIAITEM", "ZPUSHNAME"}};
const TableNeed kMemberNeed = {"ZWAGROUPMEMBER", {"Z_PK", "ZCHATSESSION", "ZMEMBERJID", "ZCONTACTNAME"}};
const TableNeed kMediaNeed = {
    "ZWAMEDIAITEM", {"Z_PK", "ZFILESIZE", "ZMEDIALOCALPATH", "ZTITLE", "ZVCARDNAME", "ZVCARDSTRING"}};

// ZMESSAGETYPE values whose meaning is established in public WhatsApp iOS research; others keep their number.
std::string kind_for_type(int64_t type) {
  static const std::map<int64_t, std::string> kinds = {
      {0, "text"},    {1, "image"}, {2, "video"},    {3, "audio"}, {4, "contact"},  {5, "location"},
      {6, "service"}, {7, "link"},  {8, "document"}, {11, "gif"},  {15, "sticker"},
  };
  auto it = kinds.find(type);
  return it != kinds.end() ? it->second : fmt::format("type {}", type);
}

// ZVCARDSTRING holds the vCard of a shared contact, and the MIME type of other media.
bool looks_like_mime_type(std::string_view s) {
  return !s.empty() && s.size() < 128 && s.find('/') != std::string_view::npos &&
         s.find_first_of("\r\n ") == std::string_view::npos;
}

void on_message(const Row& r, RowEmitter& out) {
  Message m;
  m.app = "whatsapp";
  m.time = r.time("ZMESSAGEDATE", EpochKind::cocoa_s, out);
  m.text = r.text("ZTEXT");
  const int64_t type = r.i64_or("ZMESSAGETYPE", 0);
  m.kind = kind_for_type(type);

  if (!r.is_null("ZCHATSESSION") && r.is_null("session_pk"))
    out.warn(fmt::format("chat session {} not found in ZWACHATSESSION: the conversation is unknown",
                         r.i64_or("ZCHATSESSION", 0)));
  m.thread_key = r.text("chat_jid");

  auto from_me = r.i64("ZISFROMME");
  m.direction = !from_me ? Direction::unknown : *from_me ? Direction::outgoing : Direction::incoming;
  if (m.direction == Direction::outgoing) {
    if (std::string to = r.text("ZTOJID"); !to.empty()) m.recipients.push_back(to);
  } else {
    // In a group ZFROMJID is the group; the author is the group member row.
    if (!r.is_null("ZGROUPMEMBER") && r.is_null("member_jid"))
      out.warn(fmt::format("group member {} not found in ZWAGROUPMEMBER: the sender is unknown",
                           r.i64_or("ZGROUPMEMBER", 0)));
    m.sender = r.is_null("member_jid") ? r.text("ZFROMJID") : r.text("member_jid");
    m.sender_name = r.text("member_name");
    if (m.sender_name.empty()) m.sender_name = r.text("ZPUSHNAME");
  }

  if (!r.is_null("ZMEDIAITEM")) {
    if (r.is_null("media_pk")) {
      out.warn(fmt::format("media item {} not found in ZWAMEDIAITEM: attachment not reported",
                           r.i64_or("ZMEDIAITEM", 0)));
    } else {
      Attachment a;
      a.path = r.text("ZMEDIALOCALPATH");
      a.size = r.i64("ZFILESIZE");
      std::string vcard = r.text("ZVCARDSTRING");
      if (type == kMessageTypeContact) {
        a.name = r.text("ZVCARDNAME");
        a.mime_type = "text/vcard";
        if (m.text.empty()) m.text = vcard;  // the shared contact card is the message's content
      } else {
        a.name = r.text("ZTITLE");
        if (looks_like_mime_type(vcard)) a.mime_type = vcard;
      }
      if (!a.path.empty() || !a.name.empty() || a.size || !a.mime_type.empty())
        m.attachments.push_back(std::move(a));
    }
  }
  out.emit(std::move(m));
}

std::string message_sql(bool full) {
  std::string sql =
      "SELECT m.Z_PK AS _rowid, m.ZCHATSESSION, m.ZFROMJID, m.ZTOJID, m.ZTEXT, m.ZMESSAGEDATE, "
      "m.ZMESSAGETYPE, "
      "m.ZISFROMME, s.Z_PK AS session_pk, s.ZCONTACTJID AS chat_jid";
  if (full)
    sql +=
        ", m.ZGROUPMEMBER, m.ZMEDIAITEM, m.ZPUSHNAME, g.ZMEMBERJID AS member_jid, g.ZCONTACTNAME AS "
        "member_name, "
        "mi.Z_PK AS media_pk, mi.ZFILESIZE, mi.ZMEDIALOCALPATH, mi.ZTITLE, mi.ZVCARDNAME, mi.ZVCARDSTRING";
  sql += " FROM ZWAMESSAGE m LEFT JOIN ZWACHATSESSION s ON s.Z_PK = m.ZCHATSESSION";
  if (full)
    sql +=
        " LEFT JOIN ZWAGROUPMEMBER g ON g.Z_PK = m.ZGROUPMEMBER LEFT JOIN ZWAMEDIAITEM mi ON mi.Z_PK = "
        "m.ZMEDIAITEM";
  return sql + " ORDER BY m.Z_PK";
}

class ChatStorageParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return whatsapp_ios_chatstorage::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    // The trimmed variant reads no media or group members; such rows, when present, must not vanish quietly.
    if (unmet_needs(db, {kFullMessageNeed, kSessionNeed, kMemberNeed, kMediaNeed}).empty()) return;
    for (const auto* need : {&kMediaNeed, &kMemberNeed}) {
      if (!db.table_exists(need->table)) continue;
      sql::Stmt st(db, fmt::format("SELECT EXISTS (SELECT 1 FROM {})", need->table));
      if (st.step() && st.i64(0) != 0)
        out.warn(
            fmt::format("{} holds rows but the schema is not recognised ({}); messages are parsed without "
                        "attachments and group senders",
                        need->table, unmet_needs(db, {kFullMessageNeed, kMemberNeed, kMediaNeed})));
    }
  }

  std::vector<Query> queries() override {
    std::vector<Query> qs;
    auto on_row = [](const Row& r, RowEmitter& out) { on_message(r, out); };
    qs.push_back({"messages",
                  "WhatsApp 2.2x: ZWAMESSAGE with group members and media items",
                  {kFullMessageNeed, kSessionNeed, kMemberNeed, kMediaNeed},
                  message_sql(true),
                  "ZWAMESSAGE",
                  true,
                  on_row});
    qs.push_back({"messages",
                  "trimmed extraction: ZWAMESSAGE and ZWACHATSESSION only (MVT test backup)",
                  {kMinimalMessageNeed, kSessionNeed},
                  message_sql(false),
                  "ZWAMESSAGE",
                  true,
                  on_row});

    qs.push_back(
        {"chats",
         "ZWACHATSESSION",
         {{"ZWACHATSESSION", {"Z_PK", "ZCONTACTJID", "ZPARTNERNAME", "ZSESSIONTYPE", "ZLASTMESSAGEDATE"}}},
         "SELECT Z_PK AS _rowid, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE, ZLASTMESSAGEDATE FROM "
         "ZWACHATSESSION "
         "ORDER BY Z_PK",
         "ZWACHATSESSION",
         true,
         [](const Row& r, RowEmitter& out) {
           Thread t;
           t.app = "whatsapp";
           t.thread_key = r.text("ZCONTACTJID");
           t.name = r.text("ZPARTNERNAME");
           t.is_group = r.i64_or("ZSESSIONTYPE", 0) == kSessionTypeGroup;
           t.last_activity = r.time("ZLASTMESSAGEDATE", EpochKind::cocoa_s, out);
           out.emit(std::move(t));
         }});

    Query members{"participants",
                  "ZWAGROUPMEMBER with ZISADMIN",
                  {{"ZWAGROUPMEMBER", {"Z_PK", "ZCHATSESSION", "ZMEMBERJID", "ZCONTACTNAME", "ZISADMIN"}},
                   kSessionNeed},
                  "SELECT g.Z_PK AS _rowid, g.ZCHATSESSION, g.ZMEMBERJID, g.ZCONTACTNAME, g.ZISADMIN, "
                  "s.ZCONTACTJID AS chat_jid FROM ZWAGROUPMEMBER g LEFT JOIN ZWACHATSESSION s ON s.Z_PK = "
                  "g.ZCHATSESSION ORDER BY g.Z_PK",
                  "ZWAGROUPMEMBER",
                  false,
                  [](const Row& r, RowEmitter& out) {
                    if (r.is_null("chat_jid")) {
                      out.warn(
                          fmt::format("group member {} belongs to chat session {}, which is missing; not "
                                      "reported",
                                      r.text("ZMEMBERJID"), r.i64_or("ZCHATSESSION", 0)));
                      return;
                    }
                    Participant p;
                    p.app = "whatsapp";
                    p.thread_key = r.text("chat_jid");
                    p.identifier = r.text("ZMEMBERJID");
                    p.name = r.text("ZCONTACTNAME");
                    p.role = r.i64_or("ZISADMIN", 0) != 0 ? "admin" : "member";
                    out.emit(std::move(p));
                  }};
    // Without ZISADMIN every member is reported as "member"; the handler reads the missing column as NULL.
    Query plain_members = members;
    plain_members.variant = "ZWAGROUPMEMBER without ZISADMIN";
    plain_members.needs = {kMemberNeed, kSessionNeed};
    plain_members.sql =
        "SELECT g.Z_PK AS _rowid, g.ZCHATSESSION, g.ZMEMBERJID, g.ZCONTACTNAME, s.ZCONTACTJID AS chat_jid "
        "FROM "
        "ZWAGROUPMEMBER g LEFT JOIN ZWACHATSESSION s ON s.Z_PK = g.ZCHATSESSION ORDER BY g.Z_PK";
    qs.push_back(std::move(members));
    qs.push_back(std::move(plain_members));
    return qs;
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "whatsapp.ios.chatstorage",
      "1.0.0",
      Platform::ios,
      "WhatsApp (iOS)",
      "Messages (text, media paths, shared contacts), chats and group members from WhatsApp's "
      "ChatStorage.sqlite.",
      {Locator::backup("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite"),
       Locator::backup("AppDomain-net.whatsapp.WhatsApp", "Documents/ChatStorage.sqlite"),
       Locator::path("**/group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite"),
       Locator::path("**/net.whatsapp.WhatsApp/Documents/ChatStorage.sqlite")},
      {
          "WhatsApp Business (group.net.whatsapp.WhatsAppSMB.shared) is not located.",
          "Deleted rows are not recovered; messages the app marks revoked are reported with their type "
          "number.",
          "Message kinds are named for ZMESSAGETYPE 0-8, 11 and 15; other types are reported as \"type N\".",
          "Delivery/read status (ZMESSAGESTATUS, ZWAMESSAGEINFO receipts) is not reported; status is empty.",
          "Media files are not hashed; the attachment path is ZMEDIALOCALPATH as stored (relative to the app "
          "group's Message/ folder). Locations (ZLATITUDE/ZLONGITUDE), thumbnails and media URLs are not "
          "reported.",
          "A shared contact's vCard (ZVCARDSTRING) becomes the message text when the message has none.",
          "Outgoing messages list ZTOJID as the recipient (the group JID in groups); incoming group messages "
          "name the member as sender when ZWAGROUPMEMBER links it, else ZFROMJID.",
          "Participants are reported for groups only (ZWAGROUPMEMBER); in one-to-one chats the other party "
          "is "
          "the thread key.",
          "Sent time (ZSENTDATE), starred flags, quoted messages, reactions and edits are not reported.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<ChatStorageParser>(); }

}  // namespace kanshiki::parsers::whatsapp_ios_chatstorage
