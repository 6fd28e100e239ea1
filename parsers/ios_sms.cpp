// iOS Messages (sms.db): SMS, MMS and iMessage, with conversations, participants and attachment metadata.
//
// Schema facts (sms.db since iOS 6; macOS Messages chat.db has the same family):
//   message(ROWID, guid, text, attributedBody, handle_id, service, account, date, date_read, date_delivered,
//           is_from_me, is_read, is_sent, is_delivered, error, item_type, [iOS 16+] date_edited,
//           date_retracted)
//   handle(ROWID, id, service)                      -- the other party: phone number or e-mail address
//   chat(ROWID, guid, chat_identifier, service_name, display_name, style)   -- style 43 group, 45 one-to-one
//   chat_message_join(chat_id, message_id), chat_handle_join(chat_id, handle_id)
//   attachment(ROWID, filename, mime_type, transfer_name, total_bytes), message_attachment_join(message_id,
//   ...)
// message.date counts from 2001-01-01 UTC: seconds before iOS 11, nanoseconds since (Timestamp::cocoa_auto).
// Since iOS 16 many messages keep their text only in attributedBody, an NSArchiver typedstream blob.
#include "parsers/ios_sms.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "parsers/typedstream.h"

namespace kanshiki::parsers::ios_sms {
namespace {

constexpr int64_t kChatStyleGroup = 43;

// Columns of `message` by schema generation; each generation adds to the one before.
const std::vector<std::string> kMinimalColumns = {"ROWID",   "guid", "text",      "handle_id",
                                                  "service", "date", "is_from_me"};
const std::vector<std::string> kStandardColumns = {"attributedBody", "account", "date_read",
                                                   "date_delivered", "is_read", "is_sent",
                                                   "is_delivered",   "error",   "item_type"};
const std::vector<std::string> kEditColumns = {"date_edited", "date_retracted"};

// Tables that link messages to conversations and attachments; absent only in trimmed extractions.
const std::vector<TableNeed> kChatNeeds = {
    {"chat", {"ROWID", "guid", "chat_identifier", "service_name", "display_name", "style"}},
    {"chat_message_join", {"chat_id", "message_id"}},
    {"chat_handle_join", {"chat_id", "handle_id"}},
    {"attachment", {"ROWID", "filename", "mime_type", "transfer_name", "total_bytes"}},
    {"message_attachment_join", {"message_id", "attachment_id"}},
};

std::string app_for_service(std::string_view service) { return service == "iMessage" ? "imessage" : "sms"; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A stored Cocoa time (seconds or nanoseconds since 2001); NULL means "no time".
Timestamp cocoa_time(const Row& row, std::string_view col) {
  auto v = row.i64(col);
  return v ? Timestamp::cocoa_auto(*v) : Timestamp{};
}

bool positive(const Row& row, std::string_view col) { return row.i64_or(col, 0) > 0; }

std::string message_sql(const std::vector<std::string>& columns, bool with_chats) {
  std::string sql = "SELECT m.ROWID AS _rowid";
  for (const auto& c : columns)
    if (c != "ROWID") sql += ", m." + c;
  sql += ", h.id AS handle, h.service AS handle_service";
  if (with_chats) {
    // A message normally belongs to one chat; when it is joined to several, the lowest chat id is used.
    sql += R"(, c.guid AS chat_guid,
      (SELECT json_group_array(id) FROM (SELECT h2.id FROM chat_handle_join chj JOIN handle h2 ON h2.ROWID = chj.handle_id
         WHERE chj.chat_id = c.ROWID ORDER BY chj.handle_id)) AS participants_json,
      (SELECT json_group_array(json_array(a.ROWID, a.filename, a.transfer_name, a.mime_type, a.total_bytes))
         FROM (SELECT a.* FROM message_attachment_join maj JOIN attachment a ON a.ROWID = maj.attachment_id
               WHERE maj.message_id = m.ROWID ORDER BY a.ROWID) a) AS attachments_json)";
  }
  sql += " FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id";
  if (with_chats)
    sql +=
        " LEFT JOIN chat c ON c.ROWID = (SELECT MIN(cmj.chat_id) FROM chat_message_join cmj WHERE "
        "cmj.message_id = m.ROWID)";
  sql += " ORDER BY m.ROWID";
  return sql;
}

std::vector<std::string> concat(std::initializer_list<const std::vector<std::string>*> parts) {
  std::vector<std::string> out;
  for (const auto* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

class IosSmsParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return ios_sms::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    // Conversations are an optional group (trimmed extractions hold only `message` and `handle`), so a
    // `chat` table that is present but not recognised must be reported here rather than skipped quietly.
    if (db.table_exists("chat")) {
      if (std::string why = unmet_needs(db, kChatNeeds); !why.empty())
        out.warn(
            fmt::format("conversation tables present but not recognised ({}); messages are parsed without "
                        "conversations, participants and attachments",
                        why));
    }
  }

  std::vector<Query> queries() override {
    std::vector<Query> qs;
    struct Level {
      const char* name;
      std::vector<std::string> columns;
    };
    const std::vector<Level> levels = {
        {"iOS 16+ (edit/unsend columns)", concat({&kMinimalColumns, &kStandardColumns, &kEditColumns})},
        {"iOS 6-15 / macOS chat.db", concat({&kMinimalColumns, &kStandardColumns})},
        {"minimal `message` columns", kMinimalColumns},
    };
    for (bool with_chats : {true, false}) {
      for (const auto& level : levels) {
        Query q;
        q.group = "messages";
        q.variant = fmt::format("{}, {}", level.name,
                                with_chats ? "with conversations and attachments"
                                           : "without conversation tables (trimmed extraction)");
        q.needs = {{"message", level.columns}, {"handle", {"ROWID", "id", "service"}}};
        if (with_chats) q.needs.insert(q.needs.end(), kChatNeeds.begin(), kChatNeeds.end());
        q.sql = message_sql(level.columns, with_chats);
        q.source_table = "message";
        q.on_row = [](const Row& r, RowEmitter& out) { on_message(r, out); };
        qs.push_back(std::move(q));
      }
    }

    Query chats;
    chats.group = "chats";
    chats.variant = "chat table";
    chats.needs = {kChatNeeds[0], kChatNeeds[1], {"message", {"ROWID", "date"}}};
    chats.sql =
        R"(SELECT c.ROWID AS _rowid, c.guid, c.chat_identifier, c.service_name, c.display_name, c.style,
        (SELECT MAX(m.date) FROM chat_message_join cmj JOIN message m ON m.ROWID = cmj.message_id
          WHERE cmj.chat_id = c.ROWID) AS last_date
      FROM chat c ORDER BY c.ROWID)";
    chats.source_table = "chat";
    chats.required =
        false;  // absent in trimmed extractions; a present but unknown `chat` is warned in on_open
    chats.on_row = [](const Row& r, RowEmitter& out) {
      Thread t;
      t.app = app_for_service(r.text("service_name"));
      t.thread_key = r.text("guid");
      t.name = r.text("display_name");
      t.is_group = r.i64_or("style", 0) == kChatStyleGroup;
      t.last_activity = cocoa_time(r, "last_date");
      out.emit(std::move(t));
    };
    qs.push_back(std::move(chats));

    Query members;
    members.group = "participants";
    members.variant = "chat_handle_join";
    members.needs = {kChatNeeds[0], kChatNeeds[2], {"handle", {"ROWID", "id"}}};
    members.sql =
        R"(SELECT chj.rowid AS _rowid, chj.chat_id, chj.handle_id, c.guid AS chat_guid, c.service_name,
        h.id AS handle
      FROM chat_handle_join chj LEFT JOIN chat c ON c.ROWID = chj.chat_id LEFT JOIN handle h ON h.ROWID = chj.handle_id
      ORDER BY chj.chat_id, chj.handle_id)";
    members.source_table = "chat_handle_join";
    members.required = false;
    members.on_row = [](const Row& r, RowEmitter& out) {
      if (r.is_null("chat_guid") || r.is_null("handle")) {
        out.warn(fmt::format("participant row links chat {} and handle {}, but {} is missing; not reported",
                             r.i64_or("chat_id", 0), r.i64_or("handle_id", 0),
                             r.is_null("chat_guid") ? "the chat" : "the handle"));
        return;
      }
      Participant p;
      p.app = app_for_service(r.text("service_name"));
      p.thread_key = r.text("chat_guid");
      p.identifier = r.text("handle");
      p.role = "member";
      out.emit(std::move(p));
    };
    qs.push_back(std::move(members));
    return qs;
  }

 private:
  static std::vector<std::string> json_strings(const Row& r, std::string_view col) {
    std::vector<std::string> out;
    if (r.is_null(col)) return out;
    auto j = nlohmann::json::parse(r.text(col));
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
  }

  static void on_message(const Row& r, RowEmitter& out) {
    Message m;
    // Trimmed or older rows may leave message.service NULL; the sender handle's service then says which.
    std::string service = r.text("service");
    if (service.empty()) service = r.text("handle_service");
    m.app = app_for_service(service);
    m.kind = r.i64_or("item_type", 0) != 0 ? "service" : lower(service);
    m.account = r.text("account");
    m.thread_key = r.text("chat_guid");
    m.time = cocoa_time(r, "date");

    const int64_t handle_id = r.i64_or("handle_id", 0);
    std::string handle = r.text("handle");
    if (handle_id != 0 && r.is_null("handle"))
      out.warn(fmt::format("handle_id {} not found in `handle`: the other party is unknown", handle_id));

    auto from_me = r.i64("is_from_me");
    m.direction = !from_me ? Direction::unknown : *from_me ? Direction::outgoing : Direction::incoming;
    if (m.direction == Direction::outgoing) {
      // Outgoing group messages carry handle_id 0; the conversation's members are the recipients.
      try {
        m.recipients = json_strings(r, "participants_json");
      } catch (const nlohmann::json::exception& e) {
        out.warn(fmt::format("conversation members could not be read: {}", e.what()));
      }
      if (m.recipients.empty() && !handle.empty()) m.recipients.push_back(handle);
    } else {
      m.sender = handle;
    }

    // The text column wins when it has text; attributedBody is the only source when it does not (iOS 16+).
    // Both are written by Messages from the same string, so a difference means one copy was changed
    // afterwards: reported with the other copy, so neither is lost.
    m.text = r.text("text");
    if (auto body = r.blob("attributedBody"); !body.empty()) {
      auto decoded = typedstream::attributed_string_text(body);
      if (m.text.empty()) {
        if (decoded.text)
          m.text = std::move(*decoded.text);
        else
          out.warn(fmt::format(
              "text in attributedBody ({} bytes) could not be decoded: {}; message kept without text",
              body.size(), decoded.error));
      } else if (decoded.text && *decoded.text != m.text) {
        out.warn(
            fmt::format("message.text differs from the text archived in attributedBody; the text column is "
                        "reported, attributedBody holds: \"{}\"",
                        *decoded.text));
      }
    }

    if (r.i64_or("error", 0) != 0) {
      m.status = fmt::format("failed (error {})", r.i64_or("error", 0));
    } else if (m.direction == Direction::outgoing) {
      m.status = positive(r, "date_read")      ? "read"
                 : positive(r, "is_delivered") ? "delivered"
                 : positive(r, "is_sent")      ? "sent"
                                               : "";
    } else if (m.direction == Direction::incoming && r.has("is_read")) {
      m.status = positive(r, "is_read") ? "read" : "unread";
    }
    m.edited = positive(r, "date_edited");
    m.deleted = positive(r, "date_retracted");  // "unsent" by the sender (iOS 16+)

    if (!r.is_null("attachments_json")) {
      try {
        for (const auto& a : nlohmann::json::parse(r.text("attachments_json"))) {
          // [ROWID, filename, transfer_name, mime_type, total_bytes]
          Attachment att;
          if (a.at(1).is_string()) att.path = a.at(1).get<std::string>();
          if (a.at(2).is_string()) att.name = a.at(2).get<std::string>();
          if (att.path.empty()) att.path = att.name;
          if (a.at(3).is_string()) att.mime_type = a.at(3).get<std::string>();
          if (a.at(4).is_number_integer()) att.size = a.at(4).get<int64_t>();
          m.attachments.push_back(std::move(att));
        }
      } catch (const nlohmann::json::exception& e) {
        out.warn(fmt::format("attachment metadata could not be read: {}", e.what()));
      }
    }
    out.emit(std::move(m));
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.sms",
      "1.0.0",
      Platform::ios,
      "Messages (SMS/MMS/iMessage)",
      "Messages, conversations, participants and attachment metadata from the iOS Messages database sms.db "
      "(also reads macOS Messages chat.db, the same schema family).",
      {Locator::backup("HomeDomain", "Library/SMS/sms.db"), Locator::path("**/mobile/Library/SMS/sms.db")},
      {
          "iOS 5 and older sms.db (message.address/flags schema) is not recognised; a warning names "
          "what is missing.",
          "Deleted rows are not recovered; `deleted` means unsent by the sender (date_retracted, iOS 16+).",
          "Edit history (message_summary_info) is not decoded: the current text and the edited flag "
          "are reported.",
          "Text is read from message.text, or from the NSString inside attributedBody when text is "
          "empty; rich content (mentions, links, app balloons in payload_data) is not decoded.",
          "When message.text and attributedBody both hold text and differ, the text column is reported "
          "and a warning quotes the attributedBody text; an attributedBody that cannot be decoded is "
          "warned about only when it is the sole source of the text.",
          "Attachment files are not hashed here; path is attachment.filename as stored (transfer_name when "
          "filename is NULL); the original name (transfer_name) is kept as the attachment name.",
          "A message joined to several chats is reported in the lowest-numbered chat only.",
          "Recipients of incoming messages are not listed (the device owner is the implied recipient).",
          "Reactions (associated_message_type), expiring audio (expire_state) and read times (date_read) "
          "are not separate fields; date_read only sets the status of outgoing messages to read.",
          "sender_name is empty: names come from the address book, not from sms.db.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<IosSmsParser>(); }

}  // namespace kanshiki::parsers::ios_sms
