// COPY-ME TEMPLATE — not compiled, not registered. The contract is written out in docs/writing-a-parser.md.
//
// A made-up chat app "ExampleChat" (Android package com.example.chat) keeps messages in chat.db:
//   v1 (app 1.x):  messages(_id, conversation, sender, body, sent_ms)
//   v2 (app 2.x+): message(_id, conversation_id, sender_jid, text, timestamp_ms, edited)
//                  conversation(_id, title, is_group)
// Say where the schema facts come from (app source, public write-ups, which real files you checked), as the
// header comment of the real parsers does. Delete this example schema when you copy the file.
#include "parsers/_template.h"

#include <fmt/format.h>

namespace kanshiki::parsers::template_example {
namespace {

// Per-row helpers are plain functions: they get a Row (columns by alias; missing or NULL reads as empty) and
// a RowEmitter (emit with provenance filled in, or warn).
Timestamp unix_ms(const Row& row, std::string_view col) {
  auto v = row.i64(col);
  return v ? Timestamp::from_int(*v, EpochKind::unix_ms) : Timestamp{};  // raw kept; NULL means "no time"
}

void on_message(const Row& r, RowEmitter& out) {
  Message m;
  m.app = "examplechat";
  m.thread_key = r.text("conversation");
  m.sender = r.text("sender");
  m.direction = m.sender.empty() ? Direction::outgoing : Direction::incoming;
  m.time = unix_ms(r, "sent_ms");
  m.text = r.text("body");                // bytes exactly as stored: never re-encode or trim
  m.edited = r.i64_or("edited", 0) != 0;  // absent in v1: reads as NULL -> 0
  if (m.time.empty())  // an odd row: warn and go on (a row that cannot be used: warn and return)
    out.warn(fmt::format("message in conversation {} has no time", m.thread_key));
  out.emit(std::move(m));  // provenance: table of the query + the row's `_rowid`
}

class ExampleChatParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return template_example::info(); }

 protected:
  // Optional: runs once before the queries. Use it for facts of the whole file, or to warn about a table
  // that is present but not recognised when its group is optional (required = false).
  void on_open(sql::Db& db, RowEmitter& out) override {}

  std::vector<Query> queries() override {
    std::vector<Query> qs;

    // Group "messages": two alternatives, newest first. The first whose tables and columns all exist runs;
    // when none does, the framework stores a warning naming what each variant missed.
    Query v2;
    v2.group = "messages";
    v2.variant = "app 2.x+: `message` table";
    v2.needs = {{"message", {"_id", "conversation_id", "sender_jid", "text", "timestamp_ms", "edited"}}};
    v2.sql =
        "SELECT rowid AS _rowid, conversation_id AS conversation, sender_jid AS sender, text AS body, "
        "timestamp_ms AS sent_ms, edited FROM message ORDER BY rowid";
    v2.source_table = "message";
    v2.on_row = on_message;
    qs.push_back(std::move(v2));

    Query v1;
    v1.group = "messages";
    v1.variant = "app 1.x: `messages` table";
    v1.needs = {{"messages", {"_id", "conversation", "sender", "body", "sent_ms"}}};
    v1.sql = "SELECT rowid AS _rowid, conversation, sender, body, sent_ms FROM messages ORDER BY rowid";
    v1.source_table = "messages";
    v1.on_row = on_message;
    qs.push_back(std::move(v1));

    // Group "conversations": only in 2.x. required = false: its absence in 1.x files is normal, not a
    // warning.
    Query conv;
    conv.group = "conversations";
    conv.variant = "app 2.x+: `conversation` table";
    conv.needs = {{"conversation", {"_id", "title", "is_group"}}};
    conv.sql = "SELECT rowid AS _rowid, _id, title, is_group FROM conversation ORDER BY rowid";
    conv.source_table = "conversation";
    conv.required = false;
    conv.on_row = [](const Row& r, RowEmitter& out) {
      Thread t;
      t.app = "examplechat";
      t.thread_key = r.text("_id");
      t.name = r.text("title");
      t.is_group = r.i64_or("is_group", 0) != 0;
      out.emit(std::move(t));
    };
    qs.push_back(std::move(conv));
    return qs;
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{"examplechat.android",  // stable id: never renamed once released
                            "1.0.0",                // bump when the output for the same input changes
                            Platform::android,
                            "ExampleChat (Android)",
                            "Messages and conversations from ExampleChat's chat.db",
                            {Locator::path("**/com.example.chat/databases/chat.db")},
                            {
                                "Deleted rows are not recovered.",
                                "Attachments are not reported.",
                            }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<ExampleChatParser>(); }

}  // namespace kanshiki::parsers::template_example
