// Signal for iOS (org.whispersystems.signal), shared container grdb/signal.sqlite, read after
// `kanshiki decrypt signal` (SQLCipher 4 with a 32-byte plaintext header; key spec from the keychain item
// GRDBDatabaseCipherKeySpec; docs/formats/sqlcipher.md).
//
// Schema facts (descriptions only, no code taken) from signalapp/Signal-iOS on GitHub:
// SignalServiceKit/Resources/schema.sql (the GRDB schema, several versions 2020-2024) and
// SDSRecordType.swift.
//   model_TSInteraction: id, recordType (19 incoming, 21 outgoing, 20 call, 65 group call, 10 info, 9 error,
//     28 disappearing-timer change), uniqueId, uniqueThreadId, timestamp (ms, sender's clock),
//     receivedAtTimestamp, authorPhoneNumber, authorUUID, body, read, storedMessageState (outgoing: 0
//     sending, 1 failed, 4 sent, 5 pending), expiresInSeconds, expireStartedAt, expiresAt,
//     wasRemotelyDeleted.
//   model_TSThread: uniqueId, recordType (27 contact, 26 group, 72 story), contactPhoneNumber, contactUUID,
//     lastInteractionRowId, groupModel (NSKeyedArchiver).
//   model_TSAttachment (≤ 2024): albumMessageId (= interaction uniqueId), contentType, sourceFilename,
//     localRelativeFilePath, byteCount.
//   model_OWSUserProfile: recipientPhoneNumber, recipientUUID, profileName, familyName.
//   model_OWSDisappearingMessagesConfiguration: uniqueId (= thread uniqueId), durationSeconds, enabled: the
//     conversation's current timer; each message carries its own expiresInSeconds, which is what is reported.
#include "parsers/signal_ios.h"

#include <fmt/format.h>

#include <map>

#include "parsers/signal_common.h"

namespace kanshiki::parsers::signal_ios {
namespace {

using signal_common::column_or_null;
using signal_common::first_column;

enum RecordType : int64_t {
  kErrorMessage = 9,
  kInfoMessage = 10,
  kIncomingMessage = 19,
  kCall = 20,
  kOutgoingMessage = 21,
  kGroupThread = 26,
  kDisappearingConfigurationUpdate = 28,
  kGroupCall = 65,
};

std::string outgoing_status(std::optional<int64_t> state) {
  if (!state) return "";
  switch (*state) {
    case 0:
      return "sending";
    case 1:
      return "failed";
    case 2:
    case 3:
    case 4:
      return "sent";
    case 5:
      return "pending";
    default:
      return fmt::format("state {}", *state);
  }
}

struct ThreadFacts {
  std::string peer;  // contact threads: phone number, else UUID; group threads: the thread's uniqueId
  bool is_group = false;
};

class SignalIosParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return signal_ios::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    if (!db.table_exists("model_TSInteraction"))
      out.warn("no `model_TSInteraction`: not a Signal for iOS GRDB database this parser knows");
    load_names(db);
    load_threads(db);
    load_attachments(db, out);
  }

  std::vector<Query> queries() override {
    std::vector<Query> qs;
    Query msgs;
    msgs.group = "messages";
    msgs.variant = "GRDB `model_TSInteraction`";
    msgs.needs = {
        {"model_TSInteraction",
         {"id", "recordType", "uniqueId", "uniqueThreadId", "timestamp", "authorPhoneNumber", "authorUUID",
          "body", "read", "storedMessageState", "expiresInSeconds", "wasRemotelyDeleted", "callType"}}};
    msgs.sql =
        "SELECT rowid AS _rowid, recordType, uniqueId, uniqueThreadId, timestamp, authorPhoneNumber, "
        "authorUUID, body, "
        "read, storedMessageState, expiresInSeconds, wasRemotelyDeleted, callType FROM model_TSInteraction "
        "ORDER BY id";
    msgs.source_table = "model_TSInteraction";
    msgs.on_row = [this](const Row& r, RowEmitter& out) { on_message(r, out); };
    qs.push_back(std::move(msgs));

    Query threads;
    threads.group = "threads";
    threads.variant = "GRDB `model_TSThread`";
    threads.needs = {{"model_TSThread", {"id", "recordType", "uniqueId", "lastInteractionRowId"}},
                     {"model_TSInteraction", {"id", "timestamp"}}};
    threads.sql =
        "SELECT t.rowid AS _rowid, t.recordType, t.uniqueId, i.timestamp AS last_ms FROM model_TSThread t "
        "LEFT JOIN model_TSInteraction i ON i.id = t.lastInteractionRowId ORDER BY t.id";
    threads.source_table = "model_TSThread";
    threads.on_row = [this](const Row& r, RowEmitter& out) {
      Thread t;
      t.app = "signal";
      t.thread_key = r.text("uniqueId");
      t.is_group = r.i64_or("recordType", 0) == kGroupThread;
      if (auto it = threads_.find(t.thread_key); it != threads_.end() && !it->second.is_group)
        t.name = display_name(it->second.peer);
      if (auto ms = r.i64("last_ms"); ms && *ms > 0)
        t.last_activity = Timestamp::from_int(*ms, EpochKind::unix_ms);
      out.emit(std::move(t));
    };
    qs.push_back(std::move(threads));
    return qs;
  }

 private:
  std::map<std::string, std::string> names_;  // phone number or UUID -> profile name
  std::map<std::string, ThreadFacts> threads_;
  std::map<std::string, std::vector<Attachment>> attachments_;  // by interaction uniqueId

  std::string display_name(const std::string& id) const {
    auto it = names_.find(id);
    return it == names_.end() ? "" : it->second;
  }

  void load_names(sql::Db& db) {
    if (!db.table_exists("model_OWSUserProfile")) return;
    auto cols = db.columns("model_OWSUserProfile");
    std::string phone = first_column(cols, {"recipientPhoneNumber"}),
                uuid = first_column(cols, {"recipientUUID"}),
                given = first_column(cols, {"profileName", "givenName"}),
                family = first_column(cols, {"familyName"});
    sql::Stmt st(db, fmt::format("SELECT {}, {}, {}, {} FROM model_OWSUserProfile", column_or_null(phone),
                                 column_or_null(uuid), column_or_null(given), column_or_null(family)));
    while (st.step()) {
      if (st.is_null(2) || st.text(2).empty()) continue;
      std::string name = st.is_null(3) || st.text(3).empty() ? st.text(2) : st.text(2) + " " + st.text(3);
      if (!st.is_null(0)) names_[st.text(0)] = name;
      if (!st.is_null(1)) names_[st.text(1)] = name;
    }
  }

  void load_threads(sql::Db& db) {
    if (!db.table_exists("model_TSThread")) return;
    auto cols = db.columns("model_TSThread");
    sql::Stmt st(db, fmt::format("SELECT uniqueId, recordType, {}, {} FROM model_TSThread",
                                 column_or_null(first_column(cols, {"contactPhoneNumber"})),
                                 column_or_null(first_column(cols, {"contactUUID"}))));
    while (st.step()) {
      ThreadFacts f;
      f.is_group = st.i64(1) == kGroupThread;
      f.peer = f.is_group ? st.text(0) : !st.is_null(2) ? st.text(2) : st.text(3);
      threads_[st.text(0)] = std::move(f);
    }
  }

  void load_attachments(sql::Db& db, RowEmitter& out) {
    if (!db.table_exists("model_TSAttachment")) {
      if (db.table_exists("MessageAttachmentReference"))
        out.warn(
            "attachments are in the 2024+ `Attachment`/`MessageAttachmentReference` tables, which this "
            "parser does not read yet; messages are reported without attachments");
      return;
    }
    sql::Stmt st(db,
                 "SELECT albumMessageId, contentType, sourceFilename, localRelativeFilePath, byteCount FROM "
                 "model_TSAttachment WHERE albumMessageId IS NOT NULL ORDER BY id");
    while (st.step()) {
      Attachment a;
      a.mime_type = st.text(1);
      a.name = st.text(2);
      a.path = st.text(3);
      a.size = st.opt_i64(4);
      attachments_[st.text(0)].push_back(std::move(a));
    }
  }

  void on_message(const Row& r, RowEmitter& out) {
    Message m;
    m.app = "signal";
    m.thread_key = r.text("uniqueThreadId");
    const int64_t record_type = r.i64_or("recordType", 0);
    const auto thread = threads_.find(m.thread_key);
    if (thread == threads_.end())
      out.warn(fmt::format("interaction {} belongs to thread {}, which is not in model_TSThread",
                           r.text("uniqueId"), m.thread_key));
    switch (record_type) {
      case kIncomingMessage:
        m.direction = Direction::incoming;
        m.sender = r.text("authorPhoneNumber").empty() ? r.text("authorUUID") : r.text("authorPhoneNumber");
        m.sender_name = display_name(r.text("authorPhoneNumber"));
        if (m.sender_name.empty()) m.sender_name = display_name(r.text("authorUUID"));
        m.status = r.i64_or("read", 0) ? "read" : "unread";
        m.kind = "text";
        break;
      case kOutgoingMessage:
        m.direction = Direction::outgoing;
        if (thread != threads_.end() && !thread->second.peer.empty())
          m.recipients.push_back(thread->second.peer);
        m.status = outgoing_status(r.i64("storedMessageState"));
        m.kind = "text";
        break;
      case kCall:
      case kGroupCall:
        m.kind = "call";
        break;
      case kInfoMessage:
      case kErrorMessage:
      case kDisappearingConfigurationUpdate:
        m.kind = "service";
        break;
      default:
        m.kind = "service";
        out.warn(fmt::format("interaction {} has record type {}, which this parser does not know",
                             r.text("uniqueId"), record_type));
    }
    m.time = r.time("timestamp", EpochKind::unix_ms, out);
    m.text = r.text("body");
    m.deleted = r.i64_or("wasRemotelyDeleted", 0) != 0;
    if (auto s = r.i64("expiresInSeconds"); s && *s > 0) m.expires_in_s = *s;
    if (auto it = attachments_.find(r.text("uniqueId")); it != attachments_.end()) {
      m.attachments = it->second;
      if (m.kind == "text") m.kind = "media";
    }
    out.emit(std::move(m));
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "signal.ios",
      "1.0.0",
      Platform::ios,
      "Signal (iOS)",
      "Messages (text, media, calls, info and timer changes), threads, senders' numbers/UUIDs and profile "
      "names, "
      "disappearing-message timers, attachments' paths, from grdb/signal.sqlite decrypted with the "
      "examiner's key",
      {Locator::path("**/grdb/signal.sqlite"), Locator::path("**/signal.sqlite")},
      {
          "The phone's signal.sqlite is SQLCipher-encrypted: run `kanshiki decrypt signal` with the 96-hex "
          "GRDBDatabaseCipherKeySpec from the keychain first.",
          "signal.sqlite-wal is not decrypted: rows still only in the WAL are not reported.",
          "Group names (NSKeyedArchiver `groupModel`) and group members are not decoded; group threads are "
          "reported "
          "by their uniqueId.",
          "The owner's own number is not read (it is in the keyvalue store); outgoing messages carry no "
          "account.",
          "2024+ attachment tables (`Attachment`, `MessageAttachmentReference`) are not read; a warning says "
          "so.",
          "The conversation-level timer setting (model_OWSDisappearingMessagesConfiguration) is not reported "
          "separately: each message's own timer (expiresInSeconds) is.",
          "Reactions, quotes, mentions, edits, stories and payments are not reported.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<SignalIosParser>(); }

}  // namespace kanshiki::parsers::signal_ios
