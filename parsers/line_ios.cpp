// LINE for iOS: Line.sqlite (Core Data store: messages, chats, users, chat members).
//
// Schema sources (facts, not code): iLEAPP scripts/artifacts/line.py (ZMESSAGE.ZTIMESTAMP read as unix
// milliseconds, ZTEXT, ZSENDER → ZUSER.Z_PK, ZSENDER NULL = sent by the owner, ZUSER.ZNAME); a public
// extraction tool's notes on the same store (ZMESSAGE.ZCHAT → ZCHAT.Z_PK, ZCONTENTTYPE, ZID; ZCHAT.ZMID,
// ZCHAT.ZTYPE 0 = one-to-one; ZUSER.ZMID, ZUSER.ZADDRESSBOOKNAME; chat members in a Core Data many-to-many
// table Z_<n>MEMBERS with columns Z_<n>CHATS and Z_<m>MEMBERS whose numbers depend on the model version).
// The join table's name is therefore discovered per file from sqlite_master, never assumed.
//
// Direction: "real direction from the sender id" — ZSENDER NULL is the owner (outgoing); a ZSENDER that
// points to no ZUSER row is still incoming, with a warning.
#include "parsers/line_ios.h"

#include <fmt/format.h>

#include "parsers/line_common.h"

namespace kanshiki::parsers::line_ios {
namespace {

// Milliseconds since 1970 below this are before 1973: a sign the column holds another unit.
constexpr int64_t kPlausibleMsFloor = 100'000'000'000;

class LineIosParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return line_ios::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    // Core Data names many-to-many tables Z_<entity number><relationship>; find the chat-members one.
    sql::Stmt st(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'Z\\_%MEMBERS' ESCAPE '\\' "
        "ORDER BY name");
    while (st.step()) {
      std::string table = st.text(0);
      std::string chats_col, members_col;
      for (const auto& c : db.columns(table)) {
        if (c.size() > 5 && c.rfind("Z_", 0) == 0 && c.substr(c.size() - 5) == "CHATS") chats_col = c;
        if (c.size() > 7 && c.rfind("Z_", 0) == 0 && c.substr(c.size() - 7) == "MEMBERS") members_col = c;
      }
      if (!chats_col.empty() && !members_col.empty()) {
        members_ = {table, chats_col, members_col};
        break;
      }
      out.warn(
          fmt::format("table `{}` looks like a Core Data members table but has no Z_<n>CHATS/Z_<n>MEMBERS "
                      "columns; its rows are not read",
                      table));
    }
  }

  std::vector<Query> queries() override {
    const TableNeed message{"ZMESSAGE", {"ZCHAT", "ZSENDER", "ZTEXT", "ZTIMESTAMP", "ZCONTENTTYPE"}};
    const TableNeed user{"ZUSER", {"Z_PK", "ZMID", "ZNAME", "ZADDRESSBOOKNAME"}};
    const TableNeed chat{"ZCHAT", {"Z_PK", "ZMID", "ZTYPE"}};
    const std::string user_name = "COALESCE(NULLIF(u.ZADDRESSBOOKNAME, ''), u.ZNAME)";
    std::vector<Query> qs = {
        {"messages",
         "`ZMESSAGE` + `ZUSER` + `ZCHAT`",
         {message, user, chat},
         "SELECT m.Z_PK AS _rowid, m.ZCHAT, c.ZMID AS chat_mid, c.Z_PK AS chat_pk, m.ZSENDER, u.Z_PK AS "
         "user_pk, u.ZMID AS sender_mid, " +
             user_name +
             " AS sender_name, m.ZTEXT, m.ZTIMESTAMP, m.ZCONTENTTYPE FROM ZMESSAGE m LEFT JOIN ZUSER u ON "
             "u.Z_PK = m.ZSENDER LEFT JOIN ZCHAT c ON c.Z_PK = m.ZCHAT ORDER BY m.Z_PK",
         "ZMESSAGE",
         true,
         &LineIosParser::on_message},
        {"chats",
         "`ZCHAT` + `ZUSER` (one-to-one names) + latest message",
         {chat, user, message},
         "SELECT c.Z_PK AS _rowid, c.ZMID, c.ZTYPE, (SELECT " + user_name +
             " FROM ZUSER u WHERE u.ZMID = c.ZMID ORDER BY u.Z_PK LIMIT 1) AS name, (SELECT MAX(ZTIMESTAMP) "
             "FROM ZMESSAGE WHERE ZCHAT = c.Z_PK) AS last_ts FROM ZCHAT c ORDER BY c.Z_PK",
         "ZCHAT",
         true,
         &LineIosParser::on_chat},
        {"users",
         "`ZUSER`",
         {user},
         "SELECT Z_PK AS _rowid, ZMID, ZNAME, ZADDRESSBOOKNAME FROM ZUSER ORDER BY Z_PK",
         "ZUSER",
         true,
         &LineIosParser::on_user},
    };
    if (!members_.table.empty()) {
      const auto& [table, chats_col, members_col] = members_;
      qs.push_back(
          {"members",
           fmt::format("Core Data join table `{}`", table),
           {{table, {chats_col, members_col}}, chat, user},
           fmt::format("SELECT j.rowid AS _rowid, j.{1} AS chat_pk, j.{2} AS user_pk, c.ZMID AS chat_mid, "
                       "u.ZMID AS user_mid, {3} AS name FROM {0} j LEFT JOIN ZCHAT c ON c.Z_PK = "
                       "j.{1} LEFT JOIN ZUSER u ON u.Z_PK = j.{2} ORDER BY j.rowid",
                       table, chats_col, members_col, user_name),
           table,
           false,
           &LineIosParser::on_member});
    }
    return qs;
  }

 private:
  static Timestamp message_time(const Row& r, RowEmitter& out) {
    Timestamp t = r.time("ZTIMESTAMP", EpochKind::unix_ms, out);
    if (auto v = r.i64("ZTIMESTAMP"); v && *v > 0 && *v < kPlausibleMsFloor)
      out.warn(
          fmt::format("ZTIMESTAMP {} is not a plausible unix-millisecond time (before 1973); reported "
                      "as milliseconds as stored",
                      *v));
    return t;
  }

  static void on_message(const Row& r, RowEmitter& out) {
    Message m;
    m.app = "line";
    m.thread_key = r.text("chat_mid");
    if (m.thread_key.empty()) {
      if (r.is_null("ZCHAT"))
        out.warn("message has no ZCHAT; its conversation is unknown");
      else if (r.is_null("chat_pk"))
        out.warn(
            fmt::format("message refers to ZCHAT {}, which is not in `ZCHAT`; its conversation is unknown",
                        r.text("ZCHAT")));
      else
        m.thread_key = "ZCHAT " + r.text("ZCHAT");  // a chat row without ZMID: keep the row reference
    }
    if (r.is_null("ZSENDER")) {
      m.direction = Direction::outgoing;
      if (!m.thread_key.empty()) m.recipients.push_back(m.thread_key);
    } else {
      m.direction = Direction::incoming;
      if (r.is_null("user_pk")) {
        out.warn(
            fmt::format("message refers to ZSENDER {}, which is not in `ZUSER`; sender identifier unknown",
                        r.text("ZSENDER")));
        m.sender = "ZUSER " + r.text("ZSENDER");
      } else {
        m.sender = r.text("sender_mid");
        m.sender_name = r.text("sender_name");
      }
    }
    m.time = message_time(r, out);
    int64_t type = r.i64_or("ZCONTENTTYPE", 0);
    m.kind = line_common::content_kind(type);
    m.text = r.text("ZTEXT");
    out.emit(std::move(m));
  }

  static void on_chat(const Row& r, RowEmitter& out) {
    Thread t;
    t.app = "line";
    t.thread_key = r.text("ZMID");
    if (t.thread_key.empty()) {
      out.warn("chat row has no ZMID; not reported");
      return;
    }
    t.is_group = r.i64_or("ZTYPE", 0) != 0;
    if (!t.is_group) t.name = r.text("name");
    if (!r.is_null("last_ts")) t.last_activity = r.time("last_ts", EpochKind::unix_ms, out);
    out.emit(std::move(t));
  }

  static void on_user(const Row& r, RowEmitter& out) {
    Contact c;
    c.app = "line";
    c.name = r.text("ZADDRESSBOOKNAME");
    std::string profile = r.text("ZNAME");
    if (c.name.empty()) c.name = profile;
    c.note = "LINE mid " + r.text("ZMID");
    if (!profile.empty() && profile != c.name) c.note += "; LINE profile name " + profile;
    out.emit(std::move(c));
  }

  static void on_member(const Row& r, RowEmitter& out) {
    Participant p;
    p.app = "line";
    p.thread_key = r.text("chat_mid");
    p.identifier = r.text("user_mid");
    if (p.thread_key.empty() || p.identifier.empty()) {
      out.warn(fmt::format("member row links ZCHAT {} and ZUSER {}, which do not both exist; not reported",
                           r.text("chat_pk"), r.text("user_pk")));
      return;
    }
    p.name = r.text("name");
    p.role = "member";
    out.emit(std::move(p));
  }

  struct MembersTable {
    std::string table, chats_col, members_col;
  } members_;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "line.ios",
      "1.0.0",
      Platform::ios,
      "LINE (iOS)",
      "LINE messages, chats, users and chat members from the Core Data store Line.sqlite",
      {Locator::path("**/Messages/Line.sqlite"), Locator::path("**/Line.sqlite")},
      {"ZTIMESTAMP is read as unix milliseconds (as iLEAPP does); values below 1973 are reported with a "
       "warning",
       "direction comes from ZSENDER (NULL: sent by the device owner); delivery and read status are not "
       "reported",
       "group names live in UnifiedGroup.sqlite, which is not read: group threads carry their mid only",
       "chat members come from the Core Data join table Z_<n>MEMBERS found per file; owner/admin roles are "
       "not known",
       "attachments (ZMESSAGE thumbnails, Message Attachments folder), stickers and locations are not "
       "decoded; the content type is named for 0-3, 6, 7, 13-15 and otherwise reported as its number",
       "deleted rows are not recovered"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<LineIosParser>(); }

}  // namespace kanshiki::parsers::line_ios
