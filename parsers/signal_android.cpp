// Signal for Android (org.thoughtcrime.securesms), databases/signal.db, read after `kanshiki decrypt signal`
// turned the SQLCipher file into derived plaintext evidence (docs/formats/sqlcipher.md).
//
// Schema facts (descriptions only, no code taken) from Signal-Android's own table classes on GitHub
// (signalapp/Signal-Android, app/src/main/java/org/thoughtcrime/securesms/database/): MessageTable.kt,
// MessageTypes.java, SmsDatabase.java / MmsDatabase.java (5.x), RecipientTable, ThreadTable, AttachmentTable.
//   2023+ (6.2x, DB version ≥ 168): one `message` table (date_sent, date_received, thread_id,
//   from_recipient_id,
//          to_recipient_id, type, body, read, expires_in, expire_started, remote_deleted, view_once);
//          `attachment` (message_id, content_type, data_file, file_name, data_size);
//          `recipient` (e164, aci, group_id, system_joined_name, profile_joined_name);
//          `thread` (recipient_id, date); `group_membership` (group_id, recipient_id).
//   ≤ 2022 (4.x/5.x): `sms` (address = recipient id, date = received, date_sent, type, body) and `mms`
//   (address,
//          date = sent, date_received, msg_box = type, body); `part` (mid, ct, _data, file_name, data_size);
//          `recipient` (phone, uuid, group_id, system_display_name, signal_profile_name);
//          `thread` (thread_recipient_id, or recipient_ids in 4.x); `groups` (group_id, title, members).
// `type`/`msg_box` is a bit field: the low 5 bits are the base type (20 inbox, 21-26 outgoing states, 27
// draft, 1-3/8/10-12 calls), 0x10000 group update, 0x40000 expiration-timer update. expires_in is
// milliseconds.
#include "parsers/signal_android.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "parsers/signal_common.h"

namespace kanshiki::parsers::signal_android {
namespace {

constexpr int64_t kBaseTypeMask = 0x1F;
constexpr int64_t kGroupUpdateBit = 0x10000;
constexpr int64_t kExpirationTimerUpdateBit = 0x40000;

bool is_outgoing(int64_t type) {
  switch (type & kBaseTypeMask) {
    case 21:
    case 22:
    case 23:
    case 24:
    case 25:
    case 26:
    case 2:
    case 11:
      return true;
    default:
      return false;
  }
}
bool is_incoming(int64_t type) {
  switch (type & kBaseTypeMask) {
    case 20:
    case 1:
    case 3:
    case 8:
    case 10:
      return true;
    default:
      return false;
  }
}
bool is_call(int64_t type) {
  int64_t base = type & kBaseTypeMask;
  return base == 1 || base == 2 || base == 3 || base == 8 || base == 10 || base == 11 || base == 12;
}

std::string status_of(int64_t type, bool read, bool delivered, bool read_by_peer) {
  switch (type & kBaseTypeMask) {
    case 20:
      return read ? "read" : "unread";
    case 21:
    case 22:
      return "sending";
    case 23:
      return read_by_peer ? "read by recipient" : delivered ? "delivered" : "sent";
    case 24:
      return "failed";
    case 25:
    case 26:
      return "pending SMS fallback";
    case 27:
      return "draft";
    default:
      return "";
  }
}

struct Recipient {
  std::string identifier;  // E.164, else ACI/UUID, else group id
  std::string name;
  bool is_group = false;
};

using signal_common::column_or_null;
using signal_common::first_column;

class SignalAndroidParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return signal_android::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    if (!db.table_exists("message") && !db.table_exists("sms") && !db.table_exists("mms"))
      out.warn(
          "neither `message` nor `sms`/`mms` is present: not a Signal signal.db schema this parser knows");
    load_recipients(db, out);
    load_attachments(db);
    if (db.table_exists("message")) {
      // The owner: the sender of outgoing rows (only the single-table schema stores it).
      sql::Stmt st(db,
                   "SELECT from_recipient_id FROM message WHERE (type & 31) IN (21, 22, 23, 24, 25, 26) "
                   "ORDER BY _id LIMIT 1");
      if (st.step()) account_ = recipient(st.i64(0)).identifier;
    }
  }

  std::vector<Query> queries() override {
    std::vector<Query> qs;
    Query current;
    current.group = "messages";
    current.variant = "2023+: single `message` table";
    current.needs = {
        {"message",
         {"_id", "thread_id", "from_recipient_id", "to_recipient_id", "type", "body", "date_sent",
          "date_received", "read", "expires_in", "expire_started", "remote_deleted"}}};
    current.sql =
        "SELECT rowid AS _rowid, _id, thread_id, from_recipient_id AS from_id, to_recipient_id AS to_id, "
        "type, "
        "body, date_sent, read, expires_in, remote_deleted FROM message ORDER BY _id";
    current.source_table = "message";
    current.required = false;  // absent in ≤ 2022 files; on_open warns when no message table at all exists
    current.on_row = [this](const Row& r, RowEmitter& out) { on_message(r, out, "message"); };
    qs.push_back(std::move(current));

    // ≤ 2022: sms and mms side by side, each its own group (neither exists in the 2023+ schema). mms names
    // its type column msg_box and keeps the sent time in `date` (sms: `date` is the received time).
    struct LegacyTable {
      const char* table;
      const char* type_col;
      const char* sent_col;
    };
    for (const LegacyTable& t :
         {LegacyTable{"sms", "type", "date_sent"}, LegacyTable{"mms", "msg_box", "date"}}) {
      for (const char* recipient_col : {"address", "recipient_id"}) {
        Query q;
        q.group = t.table;
        q.variant = fmt::format("≤ 2022: `{}` table, recipient in `{}`", t.table, recipient_col);
        q.needs = {
            {t.table,
             {"_id", "thread_id", recipient_col, t.sent_col, t.type_col, "body", "read", "expires_in"}}};
        q.sql = fmt::format(
            "SELECT rowid AS _rowid, _id, thread_id, {} AS peer_id, {} AS type, body, {} AS date_sent, read, "
            "expires_in, 0 AS remote_deleted FROM {} ORDER BY _id",
            recipient_col, t.type_col, t.sent_col, t.table);
        q.source_table = t.table;
        q.required = false;
        q.on_row = [this, table = std::string(t.table)](const Row& r, RowEmitter& out) {
          on_message(r, out, table);
        };
        qs.push_back(std::move(q));
      }
    }

    for (const char* recipient_col : {"recipient_id", "thread_recipient_id", "recipient_ids"}) {
      Query th;
      th.group = "threads";
      th.variant = fmt::format("`thread` table, recipient in `{}`", recipient_col);
      th.needs = {{"thread", {"_id", "date", recipient_col}}};
      th.sql = fmt::format("SELECT rowid AS _rowid, _id, date, {} AS recipient FROM thread ORDER BY _id",
                           recipient_col);
      th.source_table = "thread";
      th.on_row = [this](const Row& r, RowEmitter& out) {
        Thread t;
        t.app = "signal";
        t.account = account_;
        t.thread_key = r.text("_id");
        auto rid = r.i64("recipient");
        if (!rid) {
          out.warn(fmt::format("thread {} has no recipient id ({})", t.thread_key, r.text("recipient")));
        } else {
          const Recipient& who = recipient(*rid);
          t.name = who.name.empty() ? who.identifier : who.name;
          t.is_group = who.is_group;
        }
        if (auto d = r.i64("date"); d && *d > 0)
          t.last_activity = Timestamp::from_int(*d, EpochKind::unix_ms);
        out.emit(std::move(t));
      };
      qs.push_back(std::move(th));
    }

    Query members;
    members.group = "group members";
    members.variant = "2023+: `group_membership`";
    members.needs = {{"group_membership", {"group_id", "recipient_id"}},
                     {"recipient", {"_id", "group_id"}},
                     {"thread", {"_id", "recipient_id"}}};
    members.sql =
        "SELECT gm.rowid AS _rowid, t._id AS thread_id, gm.recipient_id AS member FROM group_membership gm "
        "JOIN recipient g ON g.group_id = gm.group_id JOIN thread t ON t.recipient_id = g._id ORDER BY "
        "gm.rowid";
    members.source_table = "group_membership";
    members.required = false;
    members.on_row = [this](const Row& r, RowEmitter& out) { on_member(r, out); };
    qs.push_back(std::move(members));
    return qs;
  }

 private:
  std::map<int64_t, Recipient> recipients_;
  std::map<int64_t, std::vector<Attachment>> attachments_;  // by message id (message._id or mms._id)
  std::string account_;

  const Recipient& recipient(int64_t id) {
    static const Recipient kUnknown;
    auto it = recipients_.find(id);
    return it == recipients_.end() ? kUnknown : it->second;
  }

  void load_recipients(sql::Db& db, RowEmitter& out) {
    if (!db.table_exists("recipient")) {
      out.warn("no `recipient` table: senders and threads are reported by recipient id only");
      return;
    }
    auto cols = db.columns("recipient");
    std::string phone = first_column(cols, {"e164", "phone"}), uuid = first_column(cols, {"aci", "uuid"}),
                group = first_column(cols, {"group_id"}),
                system_name = first_column(cols, {"system_joined_name", "system_display_name"}),
                profile_name = first_column(cols, {"profile_joined_name", "signal_profile_name"}),
                given = first_column(cols, {"profile_given_name"}),
                family = first_column(cols, {"profile_family_name"});
    sql::Stmt st(db,
                 fmt::format("SELECT _id, {}, {}, {}, {}, {}, {}, {} FROM recipient", column_or_null(phone),
                             column_or_null(uuid), column_or_null(group), column_or_null(system_name),
                             column_or_null(profile_name), column_or_null(given), column_or_null(family)));
    while (st.step()) {
      Recipient r;
      r.is_group = !st.is_null(3);
      r.identifier = !st.is_null(1) ? st.text(1) : !st.is_null(2) ? st.text(2) : st.text(3);
      if (!st.is_null(4) && !st.text(4).empty())
        r.name = st.text(4);
      else if (!st.is_null(5) && !st.text(5).empty())
        r.name = st.text(5);
      else if (!st.is_null(6))
        r.name = st.is_null(7) ? st.text(6) : st.text(6) + " " + st.text(7);
      recipients_[st.i64(0)] = std::move(r);
    }
    if (db.table_exists("groups")) {  // group titles (both schemas keep them in `groups`)
      auto gcols = db.columns("groups");
      if (std::find(gcols.begin(), gcols.end(), "title") != gcols.end()) {
        sql::Stmt g(db, "SELECT group_id, title FROM groups WHERE title IS NOT NULL");
        std::map<std::string, std::string> titles;
        while (g.step()) titles[g.text(0)] = g.text(1);
        for (auto& [id, r] : recipients_)
          if (r.is_group && r.name.empty())
            if (auto t = titles.find(r.identifier); t != titles.end()) r.name = t->second;
      }
    }
  }

  void load_attachments(sql::Db& db) {
    std::string sql;
    if (db.table_exists("attachment") &&
        unmet_needs(db,
                    {{"attachment", {"message_id", "content_type", "data_file", "file_name", "data_size"}}})
            .empty())
      sql = "SELECT message_id, content_type, data_file, file_name, data_size FROM attachment ORDER BY _id";
    else if (db.table_exists("part") &&
             unmet_needs(db, {{"part", {"mid", "ct", "_data", "file_name", "data_size"}}}).empty())
      sql = "SELECT mid, ct, _data, file_name, data_size FROM part ORDER BY _id";
    if (sql.empty()) return;
    sql::Stmt st(db, sql);
    while (st.step()) {
      Attachment a;
      a.mime_type = st.text(1);
      a.path = st.text(2);
      a.name = st.text(3);
      a.size = st.opt_i64(4);
      attachments_[st.i64(0)].push_back(std::move(a));
    }
  }

  // `table`: message (2023+), sms or mms (5.x). Attachments belong to message and mms rows.
  void on_message(const Row& r, RowEmitter& out, std::string_view table) {
    Message m;
    m.app = "signal";
    m.account = account_;
    m.thread_key = r.text("thread_id");
    const int64_t type = r.i64_or("type", 0);
    const bool outgoing = is_outgoing(type), incoming = is_incoming(type);
    m.direction = outgoing ? Direction::outgoing : incoming ? Direction::incoming : Direction::unknown;
    // 2023+: from/to ids (from = the owner on outgoing rows); 5.x: one peer id, the other party either way.
    std::optional<int64_t> peer =
        table == "message" ? r.i64(outgoing ? "to_id" : "from_id") : r.i64("peer_id");
    if (peer) {
      const Recipient& who = recipient(*peer);
      std::string id = who.identifier.empty() ? fmt::format("recipient:{}", *peer) : who.identifier;
      if (outgoing) {
        m.recipients.push_back(id);
      } else {
        m.sender = id;
        m.sender_name = who.name;
      }
    } else {
      out.warn(fmt::format("{} {} has no recipient id", table, r.text("_id")));
    }
    m.time = r.time("date_sent", EpochKind::unix_ms, out);
    m.text = r.text("body");
    m.status = status_of(type, r.i64_or("read", 0) != 0, false, false);
    m.deleted = r.i64_or("remote_deleted", 0) != 0;
    if (auto ms = r.i64("expires_in"); ms && *ms > 0) m.expires_in_s = *ms / 1000;
    if (table != "sms")
      if (auto it = attachments_.find(r.i64_or("_id", -1)); it != attachments_.end())
        m.attachments = it->second;
    if (is_call(type))
      m.kind = "call";
    else if (type & (kGroupUpdateBit | kExpirationTimerUpdateBit))
      m.kind = "service";
    else if (!m.attachments.empty())
      m.kind = "media";
    else
      m.kind = "text";
    if (!outgoing && !incoming && m.kind != "service" && m.kind != "call")
      out.warn(fmt::format("{} {}: message type {} (base {}) is neither incoming nor outgoing", table,
                           r.text("_id"), type, type & kBaseTypeMask));
    out.emit(std::move(m));
  }

  void on_member(const Row& r, RowEmitter& out) {
    Participant p;
    p.app = "signal";
    p.thread_key = r.text("thread_id");
    auto id = r.i64("member");
    if (!id) {
      out.warn("group member row without a recipient id");
      return;
    }
    const Recipient& who = recipient(*id);
    p.identifier = who.identifier.empty() ? fmt::format("recipient:{}", *id) : who.identifier;
    p.name = who.name;
    p.role = "member";
    out.emit(std::move(p));
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "signal.android",
      "1.0.0",
      Platform::android,
      "Signal (Android)",
      "Messages (text, media, calls, group and timer updates), threads, group members, recipients' numbers "
      "and "
      "names, disappearing-message timers, from signal.db decrypted with the examiner's key",
      {Locator::path("**/org.thoughtcrime.securesms/databases/signal.db"), Locator::path("**/signal.db")},
      {
          "The phone's signal.db is SQLCipher-encrypted: run `kanshiki decrypt signal` with the "
          "databaseSecret "
          "first; the encrypted file itself is reported as not a SQLite database.",
          "signal.db-wal is not decrypted: rows still only in the WAL are not reported.",
          "Attachment files are stored encrypted by Signal (per-file keys in the attachment table) and are "
          "not "
          "decrypted or hashed; their paths, types, names and sizes are reported.",
          "Reactions, quotes, mentions, edits (revisions), stories, payments and call-link details are not "
          "reported.",
          "Message time is date_sent (the sender's clock, as Signal shows it); date_received is not "
          "reported.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<SignalAndroidParser>(); }

}  // namespace kanshiki::parsers::signal_android
