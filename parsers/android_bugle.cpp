// Google Messages keeps its own store, bugle_db, next to (and richer than) the telephony provider's
// mmssms.db: RCS chats exist only here. The schema comes from AOSP Messaging, which Google Messages grew from.
//
// Schema source: AOSP packages/apps/Messaging, datamodel/DatabaseHelper.java (tables `conversations`,
// `participants`, `conversation_participants`, `messages`, `parts`) and datamodel/data/MessageData.java,
// ParticipantData.java (column meanings): timestamps in ms since 1970; message_status 1-99 are outgoing
// states (1 complete, 2 delivered, 3 draft, 4-7 sending/retrying, 8-9 failed), 100 and above incoming
// (100 complete, 101-107 MMS download states); message_protocol 0 SMS, 1 MMS, 2 MMS push notification;
// a participant whose sub_id is not -2 is the device owner (one per SIM). Google Messages adds columns and
// protocol values (RCS) but keeps these. Checked on a fixture with that DDL (no real bugle_db in realdata).
#include "parsers/android_bugle.h"

#include <fmt/format.h>

#include <optional>

namespace kanshiki::parsers::android_bugle {
namespace {

constexpr int64_t kOtherThanSelfSubId = -2;  // ParticipantData.OTHER_THAN_SELF_SUB_ID

std::string status_text(int64_t status) {
  switch (status) {
    case 1:
      return "sent";
    case 2:
      return "delivered";
    case 3:
      return "draft";
    case 4:
    case 5:
    case 6:
    case 7:
      return "sending";
    case 8:
    case 9:
      return "failed";
    case 100:
      return "received";
    case 101:
    case 102:
    case 103:
    case 104:
    case 105:
      return "received, MMS not downloaded";
    case 106:
      return "received, MMS download failed";
    case 107:
      return "received, MMS expired";
    default:
      return fmt::format("status {}", status);
  }
}

std::string protocol_kind(std::optional<int64_t> protocol) {
  if (!protocol) return "message";
  switch (*protocol) {
    case 0:
      return "sms";
    case 1:
    case 2:
      return "mms";
    default:
      return fmt::format("rcs/other (protocol {})", *protocol);
  }
}

class BugleParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return android_bugle::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter&) override { db_ = &db; }

  std::vector<Query> queries() override {
    const TableNeed conversations{"conversations", {"_id", "name"}};
    const TableNeed participants{"participants", {"_id", "sub_id", "normalized_destination", "full_name"}};
    const TableNeed members{"conversation_participants", {"conversation_id", "participant_id"}};
    const TableNeed messages{"messages",
                             {"_id", "conversation_id", "sender_id", "sent_timestamp", "received_timestamp",
                              "message_protocol", "message_status", "read"}};
    const TableNeed parts{"parts", {"message_id", "text", "uri", "content_type"}};
    return {
        {"threads",
         "AOSP/Google Messages `conversations`",
         {conversations, members},
         "SELECT c.rowid AS _rowid, c._id, c.name, (SELECT count(*) FROM conversation_participants cp WHERE "
         "cp.conversation_id = c._id) AS members FROM conversations c ORDER BY c.rowid",
         "conversations",
         true,
         [](const Row& r, RowEmitter& out) { on_thread(r, out); }},
        {"participants",
         "`conversation_participants` -> `participants`",
         {members, participants},
         "SELECT cp.rowid AS _rowid, cp.conversation_id, p.normalized_destination, p.full_name, p.sub_id FROM "
         "conversation_participants cp JOIN participants p ON p._id = cp.participant_id ORDER BY cp.rowid",
         "conversation_participants",
         true,
         [](const Row& r, RowEmitter& out) { on_participant(r, out); }},
        {"messages",
         "`messages` + `parts`",
         {messages, participants, parts},
         "SELECT m.rowid AS _rowid, m._id, m.conversation_id, m.sent_timestamp, m.received_timestamp, "
         "m.message_protocol, m.message_status, m.read, p.normalized_destination, p.full_name, p.sub_id FROM "
         "messages m LEFT JOIN participants p ON p._id = m.sender_id ORDER BY m.rowid",
         "messages",
         true,
         [this](const Row& r, RowEmitter& out) { on_message(r, out); }},
    };
  }

 private:
  static void on_thread(const Row& r, RowEmitter& out) {
    Thread t;
    t.app = "google_messages";
    t.thread_key = r.text("_id");
    t.name = r.text("name");
    // conversation_participants lists the others, never the owner: more than one is a group.
    t.is_group = r.i64_or("members", 0) > 1;
    out.emit(std::move(t));
  }

  static void on_participant(const Row& r, RowEmitter& out) {
    Participant p;
    p.app = "google_messages";
    p.thread_key = r.text("conversation_id");
    p.identifier = r.text("normalized_destination");
    p.name = r.text("full_name");
    p.role = r.i64_or("sub_id", kOtherThanSelfSubId) == kOtherThanSelfSubId ? "member" : "owner";
    out.emit(std::move(p));
  }

  void on_message(const Row& r, RowEmitter& out) {
    Message m;
    m.app = "google_messages";
    m.thread_key = r.text("conversation_id");
    m.kind = protocol_kind(r.i64("message_protocol"));
    auto status = r.i64("message_status");
    bool from_self = r.i64_or("sub_id", kOtherThanSelfSubId) != kOtherThanSelfSubId;
    if (status && *status >= 100) {
      m.direction = Direction::incoming;
    } else if (status && *status >= 1) {
      m.direction = Direction::outgoing;
    } else {
      m.direction = from_self ? Direction::outgoing : Direction::incoming;
      out.warn(fmt::format("message_status {}: direction taken from the sender ({})",
                           status ? std::to_string(*status) : std::string("NULL"), from_self ? "owner" : "other"));
    }
    if (m.direction == Direction::incoming) {
      m.sender = r.text("normalized_destination");
      m.sender_name = r.text("full_name");
      m.time = r.time("received_timestamp", EpochKind::unix_ms, out);
      m.status = status ? status_text(*status) : "";
      if (m.status == "received") m.status = r.i64_or("read", 0) ? "read" : "unread";
    } else {
      m.time = r.time("sent_timestamp", EpochKind::unix_ms, out);
      m.status = status ? status_text(*status) : "";
    }

    // Parts: text parts make the body (in order); every other part is an attachment by its content URI.
    if (!parts_)
      parts_.emplace(*db_, "SELECT text, uri, content_type FROM parts WHERE message_id = ?1 ORDER BY rowid");
    parts_->reset();
    parts_->bind(1, r.i64_or("_id", -1));
    while (parts_->step()) {
      std::string type = parts_->opt_text(2).value_or("");
      std::string text = parts_->opt_text(0).value_or("");
      std::string uri = parts_->opt_text(1).value_or("");
      if (type == "text/plain" || (uri.empty() && !text.empty())) {
        if (!text.empty()) m.text += (m.text.empty() ? "" : "\n") + text;
      } else {
        m.attachments.push_back(Attachment{uri, text, type, "", std::nullopt});
      }
    }
    out.emit(std::move(m));
  }

  sql::Db* db_ = nullptr;
  std::optional<sql::Stmt> parts_;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "android.bugle",
      "1.0.0",
      Platform::android,
      "Google Messages (bugle_db)",
      "SMS, MMS and RCS conversations, participants and messages with their parts from Google Messages / AOSP "
      "Messaging",
      {Locator::path("**/com.google.android.apps.messaging/databases/bugle_db"),
       Locator::path("**/com.android.messaging/databases/bugle_db")},
      {"checked on a fixture with AOSP Messaging's DDL, not yet on a real Google Messages bugle_db",
       "protocols other than 0 (SMS) and 1-2 (MMS) are reported as \"rcs/other (protocol N)\"",
       "attachments are reported by their content URI (the files live in the app's scratch/parts folders and are "
       "not matched or hashed here); reactions, RCS group events and spam flags are not reported"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<BugleParser>(); }

}  // namespace kanshiki::parsers::android_bugle
