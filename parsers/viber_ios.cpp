// Viber for iOS: Contacts.data in the app group (AppDomainGroup-group.viber.share.container,
// com.viber/database/).
//
// A Core Data store. Schema source: the real Contacts.data of the MVT test backup (Viber 2023, 43 tables):
//   ZVIBERMESSAGE(Z_PK, ZCONVERSATION, ZPHONENUMINDEX -> ZMEMBER, ZATTACHMENT, ZDATE (Cocoa s), ZSTATE
//                 ('received', 'send', 'delivered', 'seen', ...), ZTEXT, ZCALLTYPE, ZSYSTEMTYPE,
//                 ZTIMEBOMBDURATION, ...)
//   ZCONVERSATION(Z_PK, ZINTERLOCUTOR -> ZMEMBER, ZGROUPID, ZNAME, ZDATE, ...)
//   Z_5PHONENUMINDEXES(Z_5CONVERSATIONS, Z_10PHONENUMINDEXES)  -- conversation <-> member (entity 10 =
//   Member) ZMEMBER(Z_PK, ZDISPLAYFULLNAME, ZNAME, ZMEMBERID, ...), ZPHONENUMBER(Z_PK, ZMEMBER, ZPHONE, ...)
//   ZATTACHMENT(Z_PK, ZNAME, ZTYPE, ZURL, ZFILESIZE, ...)
//   ZRECENT(Z_PK, ZRECENTSLINE, ZDATE, ZDURATION, ZCALLTYPE) + ZRECENTSLINE(Z_PK, ZPHONENUMBER)  -- call log
// ZCALLTYPE strings of the call log ('incoming', 'missed', 'outgoing_viber', '..._with_video') as documented
// in theAtropos4n6/DFIR_SQL_Queries (iOS/ViberCalls_2).
#include "parsers/viber_ios.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/phone.h"

namespace kanshiki::parsers::viber_ios {
namespace {

const TableNeed kMessageNeed = {"ZVIBERMESSAGE",
                                {"Z_PK", "ZCONVERSATION", "ZPHONENUMINDEX", "ZATTACHMENT", "ZDATE", "ZSTATE",
                                 "ZTEXT", "ZCALLTYPE", "ZSYSTEMTYPE", "ZTIMEBOMBDURATION"}};
const TableNeed kConversationNeed = {"ZCONVERSATION",
                                     {"Z_PK", "ZINTERLOCUTOR", "ZGROUPID", "ZNAME", "ZDATE"}};
const TableNeed kMemberNeed = {"ZMEMBER", {"Z_PK", "ZDISPLAYFULLNAME", "ZNAME", "ZMEMBERID"}};
const TableNeed kPhoneNeed = {"ZPHONENUMBER", {"Z_PK", "ZMEMBER", "ZPHONE"}};
const std::vector<TableNeed> kCallNeeds = {
    {"ZRECENT", {"Z_PK", "ZRECENTSLINE", "ZDATE", "ZDURATION", "ZCALLTYPE"}},
    {"ZRECENTSLINE", {"Z_PK", "ZPHONENUMBER"}}};
const TableNeed kAttachmentNeed = {"ZATTACHMENT", {"Z_PK", "ZNAME", "ZTYPE", "ZURL", "ZFILESIZE"}};

// The first phone number of a member, as a correlated subquery on member id expression `member`.
std::string phone_of(std::string_view member) {
  return fmt::format("(SELECT pn.ZPHONE FROM ZPHONENUMBER pn WHERE pn.ZMEMBER = {} ORDER BY pn.Z_PK LIMIT 1)",
                     member);
}

std::string identifier_of(const Row& r, std::string_view phone_col, std::string_view id_col) {
  std::string s = r.text(phone_col);
  return s.empty() ? r.text(id_col) : s;
}

void on_message(const Row& r, RowEmitter& out) {
  Message m;
  m.app = "viber";
  m.time = r.time("ZDATE", EpochKind::cocoa_s, out);
  m.text = r.text("ZTEXT");
  m.status = r.text("ZSTATE");
  if (!r.is_null("ZCONVERSATION")) {
    m.thread_key = std::to_string(r.i64_or("ZCONVERSATION", 0));
    if (r.is_null("conversation_pk"))
      out.warn(fmt::format("conversation {} not found in ZCONVERSATION", m.thread_key));
  }
  if (!r.is_null("ZPHONENUMINDEX") && r.is_null("member_pk"))
    out.warn(fmt::format("member {} not found in ZMEMBER: the other party is unknown",
                         r.i64_or("ZPHONENUMINDEX", 0)));

  // Viber keeps one state per message; only 'received' is incoming.
  if (r.is_null("ZSTATE")) {
    out.warn("ZSTATE is NULL: message direction unknown");
  } else if (m.status == "received") {
    m.direction = Direction::incoming;
    m.sender = identifier_of(r, "member_phone", "member_id");
    m.sender_name = r.text("member_name");
  } else {
    m.direction = Direction::outgoing;
    if (std::string to = identifier_of(r, "interlocutor_phone", "interlocutor_id"); !to.empty())
      m.recipients.push_back(to);
  }

  if (!r.is_null("ZCALLTYPE"))
    m.kind = "call";
  else if (!r.is_null("ZSYSTEMTYPE"))
    m.kind = "service";
  else if (!r.is_null("attachment_type"))
    m.kind = r.text("attachment_type");
  else
    m.kind = "text";
  if (auto bomb = r.real("ZTIMEBOMBDURATION"); bomb && *bomb > 0) m.expires_in_s = std::llround(*bomb);

  if (!r.is_null("ZATTACHMENT")) {
    if (r.is_null("attachment_pk")) {
      out.warn(
          fmt::format("attachment {} not found in ZATTACHMENT: not reported", r.i64_or("ZATTACHMENT", 0)));
    } else {
      Attachment a;
      a.name = r.text("attachment_name");
      a.path = r.text("attachment_url");
      if (a.path.empty()) a.path = a.name;
      a.size = r.i64("attachment_size");
      m.attachments.push_back(std::move(a));
    }
  }
  out.emit(std::move(m));
}

class ViberParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return viber_ios::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    // The address-book mirror and deleted-message log are not read; say so when they hold rows.
    for (const char* table : {"ZABCONTACT", "ZDELETEDVIBERMESSAGE"}) {
      if (!db.table_exists(table)) continue;
      sql::Stmt st(db, fmt::format("SELECT count(*) FROM {}", table));
      if (st.step() && st.i64(0) > 0)
        out.warn(fmt::format("{} holds {} rows, which this parser does not read", table, st.i64(0)));
    }

    // Optional groups: a table that is present but not recognised must be reported, not skipped quietly.
    if (db.table_exists("ZRECENT"))
      if (std::string why = unmet_needs(db, kCallNeeds); !why.empty())
        out.warn(fmt::format("call log tables present but not recognised ({}); calls are not reported", why));
    // Core Data names the conversation-member join table after the entity numbers, which change between
    // model versions; another number means another model, which is reported.
    sql::Stmt joins(db,
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'Z!_%PHONENUMINDEXES' "
                    "ESCAPE '!' AND name <> 'Z_5PHONENUMINDEXES' ORDER BY name");
    while (joins.step())
      out.warn(
          fmt::format("conversation members are in `{}`, a model version this parser does not know; "
                      "participants are not reported",
                      joins.text(0)));
  }

  std::vector<Query> queries() override {
    std::vector<Query> qs;
    qs.push_back(
        {"messages",
         "Viber 2023: ZVIBERMESSAGE with conversations, members, phone numbers and attachments",
         {kMessageNeed, kConversationNeed, kMemberNeed, kPhoneNeed, kAttachmentNeed},
         "SELECT m.Z_PK AS _rowid, m.ZCONVERSATION, m.ZPHONENUMINDEX, m.ZATTACHMENT, m.ZDATE, m.ZSTATE, "
         "m.ZTEXT, "
         "m.ZCALLTYPE, m.ZSYSTEMTYPE, m.ZTIMEBOMBDURATION, c.Z_PK AS conversation_pk, mem.Z_PK AS member_pk, "
         "COALESCE(mem.ZDISPLAYFULLNAME, mem.ZNAME) AS member_name, mem.ZMEMBERID AS member_id, " +
             phone_of("mem.Z_PK") + " AS member_phone, im.ZMEMBERID AS interlocutor_id, " +
             phone_of("c.ZINTERLOCUTOR") +
             " AS interlocutor_phone, a.Z_PK AS attachment_pk, a.ZNAME AS attachment_name, a.ZURL AS "
             "attachment_url, a.ZTYPE AS attachment_type, a.ZFILESIZE AS attachment_size "
             "FROM ZVIBERMESSAGE m LEFT JOIN ZCONVERSATION c ON c.Z_PK = m.ZCONVERSATION "
             "LEFT JOIN ZMEMBER mem ON mem.Z_PK = m.ZPHONENUMINDEX LEFT JOIN ZMEMBER im ON im.Z_PK = "
             "c.ZINTERLOCUTOR LEFT JOIN ZATTACHMENT a ON a.Z_PK = m.ZATTACHMENT ORDER BY m.Z_PK",
         "ZVIBERMESSAGE",
         true,
         [](const Row& r, RowEmitter& out) { on_message(r, out); }});

    qs.push_back(
        {"conversations",
         "ZCONVERSATION",
         {kConversationNeed, kMemberNeed},
         "SELECT c.Z_PK AS _rowid, c.ZNAME, c.ZGROUPID, c.ZDATE, COALESCE(im.ZDISPLAYFULLNAME, im.ZNAME) "
         "AS interlocutor_name FROM ZCONVERSATION c LEFT JOIN ZMEMBER im ON im.Z_PK = c.ZINTERLOCUTOR "
         "ORDER BY c.Z_PK",
         "ZCONVERSATION",
         true,
         [](const Row& r, RowEmitter& out) {
           Thread t;
           t.app = "viber";
           t.thread_key = std::to_string(r.i64_or("_rowid", 0));
           t.name = r.text("ZNAME");
           if (t.name.empty()) t.name = r.text("interlocutor_name");
           std::string group = r.text("ZGROUPID");
           t.is_group = !group.empty() && group != "0";
           t.last_activity = r.time("ZDATE", EpochKind::cocoa_s, out);
           out.emit(std::move(t));
         }});

    qs.push_back(
        {"participants",
         "Z_5PHONENUMINDEXES (conversation <-> member)",
         {{"Z_5PHONENUMINDEXES", {"Z_5CONVERSATIONS", "Z_10PHONENUMINDEXES"}}, kMemberNeed, kPhoneNeed},
         "SELECT j.rowid AS _rowid, j.Z_5CONVERSATIONS, j.Z_10PHONENUMINDEXES, mem.Z_PK AS member_pk, "
         "mem.ZMEMBERID AS member_id, COALESCE(mem.ZDISPLAYFULLNAME, mem.ZNAME) AS member_name, " +
             phone_of("mem.Z_PK") +
             " AS member_phone FROM Z_5PHONENUMINDEXES j LEFT JOIN ZMEMBER mem ON mem.Z_PK = "
             "j.Z_10PHONENUMINDEXES ORDER BY j.Z_5CONVERSATIONS, j.Z_10PHONENUMINDEXES",
         "Z_5PHONENUMINDEXES",
         false,
         [](const Row& r, RowEmitter& out) {
           if (r.is_null("member_pk")) {
             out.warn(fmt::format("member {} of conversation {} not found in ZMEMBER; not reported",
                                  r.i64_or("Z_10PHONENUMINDEXES", 0), r.i64_or("Z_5CONVERSATIONS", 0)));
             return;
           }
           Participant p;
           p.app = "viber";
           p.thread_key = std::to_string(r.i64_or("Z_5CONVERSATIONS", 0));
           p.identifier = identifier_of(r, "member_phone", "member_id");
           p.name = r.text("member_name");
           p.role = "member";
           out.emit(std::move(p));
         }});

    qs.push_back(
        {"contacts",
         "ZMEMBER with ZPHONENUMBER",
         {kMemberNeed, kPhoneNeed},
         "SELECT mem.Z_PK AS _rowid, mem.ZDISPLAYFULLNAME, mem.ZNAME, mem.ZMEMBERID, (SELECT "
         "json_group_array(ZPHONE) FROM (SELECT pn.ZPHONE FROM ZPHONENUMBER pn WHERE pn.ZMEMBER = "
         "mem.Z_PK AND pn.ZPHONE IS NOT NULL ORDER BY pn.Z_PK)) AS phones_json FROM ZMEMBER mem ORDER "
         "BY mem.Z_PK",
         "ZMEMBER",
         true,
         [](const Row& r, RowEmitter& out) {
           Contact c;
           c.app = "viber";
           c.name = r.text("ZDISPLAYFULLNAME");
           if (c.name.empty()) c.name = r.text("ZNAME");
           try {
             for (const auto& v : nlohmann::json::parse(r.text("phones_json")))
               if (v.is_string()) c.phones.push_back(v.get<std::string>());
           } catch (const nlohmann::json::exception& e) {
             out.warn(fmt::format("phone numbers could not be read: {}", e.what()));
           }
           if (std::string id = r.text("ZMEMBERID"); !id.empty()) c.note = "Viber member id: " + id;
           out.emit(std::move(c));
         }});

    qs.push_back(
        {"calls",
         "ZRECENT with ZRECENTSLINE",
         {{"ZRECENT", {"Z_PK", "ZRECENTSLINE", "ZDATE", "ZDURATION", "ZCALLTYPE"}},
          {"ZRECENTSLINE", {"Z_PK", "ZPHONENUMBER"}}},
         "SELECT r.Z_PK AS _rowid, r.ZRECENTSLINE, r.ZDATE, r.ZDURATION, r.ZCALLTYPE, l.Z_PK AS line_pk, "
         "l.ZPHONENUMBER FROM ZRECENT r LEFT JOIN ZRECENTSLINE l ON l.Z_PK = r.ZRECENTSLINE ORDER BY "
         "r.Z_PK",
         "ZRECENT",
         false,
         [](const Row& r, RowEmitter& out) {
           Call c;
           c.app = "viber";
           c.time = r.time("ZDATE", EpochKind::cocoa_s, out);
           c.duration_s = r.i64("ZDURATION");
           if (r.is_null("line_pk"))
             out.warn(fmt::format("recents line {} not found in ZRECENTSLINE: the number is unknown",
                                  r.i64_or("ZRECENTSLINE", 0)));
           c.number = r.text("ZPHONENUMBER");
           c.number_e164 = normalize_phone_e164(c.number);
           std::string type = r.text("ZCALLTYPE");
           c.video = type.find("video") != std::string::npos;
           if (type.rfind("missed", 0) == 0)
             c.direction = CallDirection::missed;
           else if (type.rfind("incoming", 0) == 0)
             c.direction = CallDirection::incoming;
           else if (type.rfind("outgoing", 0) == 0)
             c.direction = CallDirection::outgoing;
           else
             out.warn(fmt::format("call type \"{}\" is not known: direction unknown", type));
           out.emit(std::move(c));
         }});
    return qs;
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "viber.ios",
      "1.0.0",
      Platform::ios,
      "Viber (iOS)",
      "Messages, conversations, members (contacts, participants) and the call log from Viber's "
      "Contacts.data.",
      {Locator::backup("AppDomainGroup-group.viber.share.container", "com.viber/database/Contacts.data"),
       Locator::path("**/com.viber/database/Contacts.data")},
      {
          "Direction comes from ZSTATE: 'received' is incoming, any other state outgoing; the state is kept "
          "as the status.",
          "Threads are keyed by the ZCONVERSATION primary key; group detection relies on ZGROUPID.",
          "Senders and participants are the member's first phone number (ZPHONENUMBER), or the Viber member "
          "id "
          "when no number is known.",
          "The address-book mirror (ZABCONTACT) and deleted-message records (ZDELETEDVIBERMESSAGE) are not "
          "read; "
          "a warning gives their row counts when not empty.",
          "Attachments are reported by name, URL and size; files are not hashed. Locations, likes, stickers, "
          "reminders and public accounts are not reported.",
          "Call messages in ZVIBERMESSAGE are reported as messages of kind \"call\"; the call log is "
          "ZRECENT.",
          "Deleted rows are not recovered; the full-text index (MESSAGEINDEX) is not used.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<ViberParser>(); }

}  // namespace kanshiki::parsers::viber_ios
