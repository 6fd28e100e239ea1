// LINE for Android: naver_line (messages, chats, contacts, groups and their members).
//
// Schema sources (facts, not code): ALEAPP scripts/artifacts/line.py (chat_history.chat_id/from_mid/content/
// created_time (ms)/status/attachement_type/attachement_local_uri, contacts.m_id/server_name,
// membership.id/m_id, groups) and its note that on Android 14 (app build 141220285) `contacts` and
// `membership` were empty while `chat_history` had rows — hence LEFT JOINs; the column lists of a Django
// inspectdb model of a real naver_line (chat: chat_id, chat_name, owner_mid, last_created_time, type;
// contacts: m_id, name, server_name, addressbook_name, custom_name; groups: id, name, creator;
// membership: id, m_id, is_accepted, created_time). LINE spells "attachement". `created_time` is stored as
// TEXT holding unix milliseconds.
//
// Direction: `from_mid` is the author's mid for messages the peer sent and NULL (or empty) for those the
// device owner sent. `status` is kept as stored because its meaning comes from testing, not a source.
#include "parsers/line_android.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "parsers/line_common.h"

namespace kanshiki::parsers::line_android {
namespace {

std::vector<std::string> json_strings(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// Group chats have ids starting with 'c' (groups) or 'r' (multi-person rooms); one-to-one chats use the
// peer's user mid ('u...').
bool is_group_id(const std::string& id) { return !id.empty() && (id[0] == 'c' || id[0] == 'r'); }

class LineAndroidParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return line_android::info(); }

 protected:
  std::vector<Query> queries() override {
    const TableNeed history{"chat_history",
                            {"chat_id", "from_mid", "content", "created_time", "status", "attachement_type",
                             "attachement_local_uri"}};
    const TableNeed contacts{"contacts", {"m_id", "name", "server_name", "addressbook_name", "custom_name"}};
    const TableNeed membership{"membership", {"id", "m_id"}};
    const TableNeed groups{"groups", {"id", "name", "creator"}};
    const std::string contact_name =
        "COALESCE(NULLIF(c.custom_name, ''), NULLIF(c.addressbook_name, ''), NULLIF(c.name, ''), "
        "NULLIF(c.server_name, ''))";
    return {
        {"messages",
         "`chat_history` + `contacts` + `membership`",
         {history, contacts, membership},
         "SELECT h.rowid AS _rowid, h.chat_id, h.from_mid, " + contact_name +
             " AS sender_name, h.content, h.created_time, h.status, h.attachement_type, "
             "h.attachement_local_uri, (SELECT json_group_array(m.m_id) FROM (SELECT m_id FROM membership "
             "WHERE id = h.chat_id ORDER BY rowid) m) AS members "
             "FROM chat_history h LEFT JOIN contacts c ON c.m_id = h.from_mid ORDER BY h.rowid",
         "chat_history",
         true,
         &LineAndroidParser::on_message},
        {"messages",
         "`chat_history` alone",
         {history},
         "SELECT h.rowid AS _rowid, h.chat_id, h.from_mid, NULL AS sender_name, h.content, h.created_time, "
         "h.status, h.attachement_type, h.attachement_local_uri, '[]' AS members FROM chat_history h "
         "ORDER BY h.rowid",
         "chat_history",
         true,
         &LineAndroidParser::on_message},

        {"chats",
         "`chat` + `groups` + `contacts`",
         {{"chat", {"chat_id", "chat_name", "last_created_time"}}, groups, contacts},
         "SELECT ch.rowid AS _rowid, ch.chat_id, COALESCE(NULLIF(g.name, ''), NULLIF(ch.chat_name, ''), " +
             contact_name +
             ") AS name, g.id IS NOT NULL AS is_group_row, ch.last_created_time FROM chat ch "
             "LEFT JOIN groups g ON g.id = ch.chat_id LEFT JOIN contacts c ON c.m_id = ch.chat_id "
             "ORDER BY ch.rowid",
         "chat",
         true,
         &LineAndroidParser::on_chat},
        {"chats",
         "`chat`",
         {{"chat", {"chat_id", "chat_name", "last_created_time"}}},
         "SELECT rowid AS _rowid, chat_id, chat_name AS name, 0 AS is_group_row, last_created_time FROM chat "
         "ORDER BY rowid",
         "chat",
         true,
         &LineAndroidParser::on_chat},

        {"contacts",
         "`contacts`",
         {contacts},
         "SELECT rowid AS _rowid, m_id, name, server_name, addressbook_name, custom_name FROM contacts ORDER "
         "BY rowid",
         "contacts",
         true,
         &LineAndroidParser::on_contact},

        {"members",
         "`membership` + `groups` + `contacts`",
         {membership, groups, contacts},
         "SELECT m.rowid AS _rowid, m.id, m.m_id, g.creator, " + contact_name +
             " AS name FROM membership m LEFT JOIN groups g ON g.id = m.id LEFT JOIN contacts c ON c.m_id = "
             "m.m_id ORDER BY m.rowid",
         "membership",
         false,
         &LineAndroidParser::on_member},
    };
  }

 private:
  static void on_message(const Row& r, RowEmitter& out) {
    Message m;
    m.app = "line";
    m.thread_key = r.text("chat_id");
    if (m.thread_key.empty()) out.warn("message has no chat_id; its conversation is unknown");
    std::string from = r.text("from_mid");
    if (from.empty()) {
      m.direction = Direction::outgoing;
      auto members = json_strings(r.text("members"));
      if (!members.empty())
        m.recipients = std::move(members);
      else if (!m.thread_key.empty())
        m.recipients.push_back(m.thread_key);
    } else {
      m.direction = Direction::incoming;
      m.sender = from;
      m.sender_name = r.text("sender_name");
    }
    m.time = r.time("created_time", EpochKind::unix_ms, out);
    if (auto s = r.i64("status")) m.status = fmt::format("status {}", *s);
    int64_t type = r.i64_or("attachement_type", 0);
    m.kind = line_common::content_kind(type);
    m.text = r.text("content");
    std::string uri = r.text("attachement_local_uri");
    if (!uri.empty() || line_common::content_has_file(type)) {
      Attachment a;
      a.path = uri;
      m.attachments.push_back(std::move(a));
    }
    out.emit(std::move(m));
  }

  static void on_chat(const Row& r, RowEmitter& out) {
    Thread t;
    t.app = "line";
    t.thread_key = r.text("chat_id");
    if (t.thread_key.empty()) {
      out.warn("chat row has no chat_id; not reported");
      return;
    }
    t.name = r.text("name");
    t.is_group = r.i64_or("is_group_row", 0) != 0 || is_group_id(t.thread_key);
    if (!r.is_null("last_created_time"))
      t.last_activity = r.time("last_created_time", EpochKind::unix_ms, out);
    out.emit(std::move(t));
  }

  static void on_contact(const Row& r, RowEmitter& out) {
    Contact c;
    c.app = "line";
    for (const char* col : {"custom_name", "addressbook_name", "name", "server_name"}) {
      c.name = r.text(col);
      if (!c.name.empty()) break;
    }
    c.note = "LINE mid " + r.text("m_id");
    std::string server = r.text("server_name");
    if (!server.empty() && server != c.name) c.note += "; LINE profile name " + server;
    out.emit(std::move(c));
  }

  static void on_member(const Row& r, RowEmitter& out) {
    Participant p;
    p.app = "line";
    p.thread_key = r.text("id");
    p.identifier = r.text("m_id");
    p.name = r.text("name");
    p.role = (!p.identifier.empty() && p.identifier == r.text("creator")) ? "owner" : "member";
    out.emit(std::move(p));
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "line.android",
      "1.0.0",
      Platform::android,
      "LINE (Android)",
      "LINE messages, chats, contacts and group members from naver_line",
      {Locator::path("**/jp.naver.line.android/databases/naver_line")},
      {"direction comes from `from_mid` (NULL or empty: sent by the device owner); `status` is reported as "
       "its number because its meaning is only known from testing",
       "the content type is named for 0-3, 6, 7, 13-15 and otherwise reported as its number; call rows "
       "(type 6) are reported as messages of kind \"call\"",
       "attachment paths are as stored (often content:// URIs or empty); files are not hashed; sticker, "
       "location and `parameter` metadata are not decoded",
       "the separate call_history database, E2EE keys (e2ee.db) and the owner's own profile are not read",
       "one-to-one recipients are the chat id; group recipients are the `membership` rows of that chat",
       "deleted rows are not recovered"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<LineAndroidParser>(); }

}  // namespace kanshiki::parsers::line_android
