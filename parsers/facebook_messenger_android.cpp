// Facebook Messenger for Android: databases/threads_db2 of com.facebook.orca (and of com.facebook.katana).
//
// Schema sources (facts, not code): ALEAPP scripts/artifacts/FacebookMessenger.py (abrignoni/ALEAPP):
// messages(msg_id, thread_key, timestamp_ms, sender JSON {"user_key": "FACEBOOK:<id>", "name"}, text, snippet
// (absent in older versions: ALEAPP's fallback query), attachments JSON array ($[0].filename), shares JSON,
// msg_type (-1: an empty placeholder row), generic_admin_message_extensible_data JSON for call summaries
// ($.call_duration seconds, $.caller_id, $.video)); threads(thread_key); thread_users(user_key, first_name,
// last_name, username, ...); message_reactions(msg_id, reaction, reaction_timestamp). karlicoss/HPI
// my/fbmessenger/android.py: threads(thread_key, name), thread keys "ONE_TO_ONE:<user>:<user>" and
// "GROUP:<id>", messages.message_replied_to_id. thread_participants(thread_key, user_key) as named by the
// forensic literature on threads_db2. Newer Messenger builds moved to msys_database_<id> (ALEAPP's second
// branch; Meta's "Lightspeed" schema): not read by this parser (a limitation).
//
// The device owner's Facebook id is in the sibling file threads_db2-uid, which a parser cannot open; it is
// inferred here as the one user id common to every ONE_TO_ONE thread key (needs two such threads).
#include "parsers/facebook_messenger_android.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "parsers/person_name.h"

namespace kanshiki::parsers::facebook_messenger_android {
namespace {

constexpr const char* kApp = "facebook_messenger";
constexpr std::string_view kUserPrefix = "FACEBOOK:";
constexpr std::string_view kOneToOne = "ONE_TO_ONE:";

// "FACEBOOK:100001" -> "100001"; other forms are kept whole.
std::string user_id(std::string_view user_key) {
  return std::string(
      user_key.substr(0, kUserPrefix.size()) == kUserPrefix ? user_key.substr(kUserPrefix.size()) : user_key);
}

// The two user ids of a ONE_TO_ONE thread key; empty otherwise.
std::vector<std::string> one_to_one_ids(std::string_view key) {
  if (key.substr(0, kOneToOne.size()) != kOneToOne) return {};
  std::string_view rest = key.substr(kOneToOne.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return {};
  return {std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
}

nlohmann::json parse_json(const std::string& text) { return nlohmann::json::parse(text, nullptr, false); }

std::string json_string(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

class MessengerParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return facebook_messenger_android::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    if (!db.table_exists("messages") && !db.table_exists("threads") && !db.table_exists("thread_users")) {
      out.warn("none of `messages`, `threads`, `thread_users`: this file holds no Messenger data");
      return;
    }
    for (const char* t : {"threads", "thread_users", "thread_participants"})
      if (db.table_exists(t))
        for (const auto& need : optional_needs())
          if (need.table == t)
            if (std::string why = unmet_needs(db, {need}); !why.empty())
              out.warn(fmt::format("`{}` is present but not recognised ({}); it is not read", t, why));
    if (db.table_exists("threads") && unmet_needs(db, {{"threads", {"thread_key"}}}).empty())
      find_owner(db, out);
  }

  std::vector<Query> queries() override {
    std::vector<std::string> base = {
        "msg_id", "thread_key",  "timestamp_ms", "sender",
        "text",   "attachments", "msg_type",     "generic_admin_message_extensible_data"};
    std::vector<std::string> with_snippet = base;
    with_snippet.push_back("snippet");
    const std::string recipients =
        "(SELECT json_group_array(tp.user_key) FROM (SELECT user_key FROM thread_participants WHERE "
        "thread_key = m.thread_key ORDER BY rowid) tp) AS participants";
    auto on_message = [this](const Row& r, RowEmitter& out) { this->on_message(r, out); };
    std::vector<Query> qs;
    for (bool participants : {true, false})
      for (bool snippet : {true, false}) {
        Query q;
        q.group = "messages";
        q.variant =
            fmt::format("`messages` {} `snippet`{}", snippet ? "with" : "without (older app versions)",
                        participants ? " + `thread_participants`" : "");
        q.needs = {{"messages", snippet ? with_snippet : base}};
        if (participants) q.needs.push_back({"thread_participants", {"thread_key", "user_key"}});
        q.sql = fmt::format(
            "SELECT m.rowid AS _rowid, m.msg_id, m.thread_key, m.timestamp_ms, m.sender, m.text, {}, "
            "m.attachments, m.msg_type, m.generic_admin_message_extensible_data AS admin_data, {} FROM "
            "messages m "
            "ORDER BY m.rowid",
            snippet ? "m.snippet" : "NULL AS snippet", participants ? recipients : "'[]' AS participants");
        q.source_table = "messages";
        q.on_row = on_message;
        qs.push_back(std::move(q));
      }
    const auto& opt = optional_needs();
    qs.push_back({"threads",
                  "`threads` with `name`",
                  {opt[0]},
                  "SELECT rowid AS _rowid, thread_key, name FROM threads ORDER BY rowid",
                  "threads",
                  false,
                  [this](const Row& r, RowEmitter& out) { on_thread(r, out); }});
    qs.push_back(
        {"users",
         "`thread_users`",
         {opt[1]},
         "SELECT rowid AS _rowid, user_key, first_name, last_name, username FROM thread_users ORDER BY "
         "rowid",
         "thread_users",
         false,
         on_user});
    qs.push_back(
        {"participants",
         "`thread_participants` (+ `thread_users` names)",
         {opt[2], opt[1]},
         "SELECT p.rowid AS _rowid, p.thread_key, p.user_key, u.first_name, u.last_name FROM "
         "thread_participants p LEFT JOIN thread_users u ON u.user_key = p.user_key ORDER BY p.rowid",
         "thread_participants",
         false,
         on_participant});
    qs.push_back({"participants",
                  "`thread_participants` alone",
                  {opt[2]},
                  "SELECT rowid AS _rowid, thread_key, user_key, NULL AS first_name, NULL AS last_name FROM "
                  "thread_participants ORDER BY rowid",
                  "thread_participants",
                  false,
                  on_participant});
    return qs;
  }

 private:
  static const std::vector<TableNeed>& optional_needs() {
    static const std::vector<TableNeed> n = {
        {"threads", {"thread_key", "name"}},
        {"thread_users", {"user_key", "first_name", "last_name", "username"}},
        {"thread_participants", {"thread_key", "user_key"}}};
    return n;
  }

  void find_owner(sql::Db& db, RowEmitter& out) {
    sql::Stmt st(db, "SELECT thread_key FROM threads WHERE thread_key LIKE 'ONE_TO_ONE:%' ORDER BY rowid");
    std::set<std::string> common;
    int threads = 0;
    while (st.step()) {
      auto ids = one_to_one_ids(st.text(0));
      if (ids.size() != 2) continue;
      std::set<std::string> these(ids.begin(), ids.end());
      if (threads++ == 0) {
        common = these;
      } else {
        std::set<std::string> both;
        for (const auto& id : common)
          if (these.count(id)) both.insert(id);
        common = std::move(both);
      }
    }
    if (threads >= 2 && common.size() == 1) {
      owner_ = *common.begin();
      Account a;
      a.app = kApp;
      a.identifier = *owner_;
      out.emit_from(std::move(a), "threads", std::nullopt);
    }
  }

  void on_message(const Row& r, RowEmitter& out) {
    std::string thread = r.text("thread_key");
    auto sender_json = parse_json(r.text("sender"));
    std::string sender_id = user_id(json_string(sender_json, "user_key"));
    std::string sender_name = json_string(sender_json, "name");
    if (!r.is_null("sender") && !sender_json.is_object())
      out.warn("`sender` is not a JSON object; the author is unknown");
    Timestamp time = r.time("timestamp_ms", EpochKind::unix_ms, out);

    if (!r.is_null("admin_data")) {
      auto admin = parse_json(r.text("admin_data"));
      if (!admin.is_object()) {
        out.warn("`generic_admin_message_extensible_data` is not a JSON object; kept as a service message");
      } else if (admin.contains("call_duration") || admin.contains("caller_id")) {
        emit_call(admin, thread, time, out);
        return;
      }
    }

    Message m;
    m.app = kApp;
    if (owner_) m.account = *owner_;
    m.thread_key = thread;
    m.time = time;
    m.text = r.text("text");
    if (owner_ && sender_id == *owner_) {
      m.direction = Direction::outgoing;
      m.recipients = others(r, thread);
    } else {
      m.sender = sender_id;
      m.sender_name = sender_name;
      if (owner_ && !sender_id.empty()) m.direction = Direction::incoming;
    }
    auto msg_type = r.i64("msg_type");
    if (!r.is_null("attachments")) {
      auto list = parse_json(r.text("attachments"));
      if (!list.is_array()) {
        out.warn("`attachments` is not a JSON array; the message's attachments are not listed");
      } else {
        for (const auto& item : list) {
          Attachment a;
          a.name = json_string(item, "filename");
          a.mime_type = json_string(item, "mime_type");
          if (item.is_object() && item.contains("filesize") && item["filesize"].is_number_integer())
            a.size = item["filesize"].get<int64_t>();
          m.attachments.push_back(std::move(a));
        }
      }
    }
    if (!r.is_null("admin_data"))
      m.kind = "service";
    else if (!m.text.empty())
      m.kind = "text";
    else if (!m.attachments.empty())
      m.kind = "attachment";
    else
      m.kind = msg_type ? fmt::format("msg_type {}", *msg_type) : "";
    // An admin message without text (a thread event) says what it is in `snippet`.
    if (m.text.empty() && m.kind == "service") m.text = r.text("snippet");
    out.emit(std::move(m));
  }

  // Participants other than the owner: from thread_participants when present, else from the thread key.
  std::vector<std::string> others(const Row& r, const std::string& thread) const {
    std::vector<std::string> out;
    auto list = parse_json(r.text("participants"));
    if (list.is_array())
      for (const auto& v : list)
        if (v.is_string()) {
          std::string id = user_id(v.get<std::string>());
          if (id != owner_) out.push_back(std::move(id));
        }
    if (out.empty())
      for (auto& id : one_to_one_ids(thread))
        if (id != owner_) out.push_back(std::move(id));
    return out;
  }

  // A call summary the app posts into the thread when a call ends. Its time is that message's time.
  void emit_call(const nlohmann::json& admin, const std::string& thread, const Timestamp& time,
                 RowEmitter& out) {
    Call c;
    c.app = kApp;
    if (owner_) c.account = *owner_;
    c.time = time;
    const auto& d = admin.contains("call_duration") ? admin["call_duration"] : nlohmann::json();
    if (d.is_number_integer())
      c.duration_s = d.get<int64_t>();
    else if (d.is_string() && !d.get<std::string>().empty() &&
             d.get<std::string>().find_first_not_of("0123456789") == std::string::npos)
      c.duration_s = std::stoll(d.get<std::string>());
    c.video = admin.contains("video") && admin["video"].is_boolean() && admin["video"].get<bool>();
    std::string caller = admin.contains("caller_id") && admin["caller_id"].is_string()
                             ? user_id(admin["caller_id"].get<std::string>())
                         : admin.contains("caller_id") && admin["caller_id"].is_number_integer()
                             ? std::to_string(admin["caller_id"].get<int64_t>())
                             : "";
    std::string peer;
    for (auto& id : one_to_one_ids(thread))
      if (id != owner_) peer = id;
    if (owner_ && !caller.empty()) {
      c.direction = caller == *owner_ ? CallDirection::outgoing : CallDirection::incoming;
      c.number = caller == *owner_ ? (peer.empty() ? thread : peer) : caller;
    } else {
      c.number = caller.empty() ? thread : caller;
    }
    out.emit(std::move(c));
  }

  void on_thread(const Row& r, RowEmitter& out) {
    Thread t;
    t.app = kApp;
    if (owner_) t.account = *owner_;
    t.thread_key = r.text("thread_key");
    t.name = r.text("name");
    t.is_group = t.thread_key.rfind("GROUP:", 0) == 0;
    out.emit(std::move(t));
  }

  static void on_user(const Row& r, RowEmitter& out) {
    Contact c;
    c.app = kApp;
    c.name = person_name::display(r.text("first_name"), "", r.text("last_name"));
    c.note = fmt::format("Facebook user id {}", user_id(r.text("user_key")));
    if (auto u = r.text("username"); !u.empty()) c.note += fmt::format("; username {}", u);
    out.emit(std::move(c));
  }

  static void on_participant(const Row& r, RowEmitter& out) {
    Participant p;
    p.app = kApp;
    p.thread_key = r.text("thread_key");
    p.identifier = user_id(r.text("user_key"));
    p.name = person_name::display(r.text("first_name"), "", r.text("last_name"));
    p.role = "member";
    out.emit(std::move(p));
  }

  std::optional<std::string> owner_;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{"facebook.messenger.android",
                            "1.0.0",
                            Platform::android,
                            "Facebook Messenger (Android)",
                            "Messenger messages, call summaries, threads, participants and users from "
                            "threads_db2 (com.facebook.orca "
                            "and the Facebook app com.facebook.katana).",
                            {Locator::path("**/com.facebook.orca/databases/threads_db2"),
                             Locator::path("**/com.facebook.katana/databases/threads_db2")},
                            {"Newer Messenger builds keep messages in msys_database_<id> (Meta's Lightspeed "
                             "schema, often encrypted "
                             "since late 2023): not read.",
                             "The owner's Facebook id is inferred as the one id common to every ONE_TO_ONE "
                             "thread key (threads_db2-uid "
                             "is a separate file a parser cannot open); with fewer than two one-to-one "
                             "threads direction is unknown.",
                             "Calls are read from admin messages carrying call_duration/caller_id; their "
                             "time is the time the summary "
                             "was posted (the call's end), not its start.",
                             "Attachments: file name, MIME type and size from the `attachments` JSON where "
                             "present; the files are not "
                             "located or hashed. `shares` (links), reactions (message_reactions), replies "
                             "(message_replied_to_id) and "
                             "read receipts are not read.",
                             "msg_type values are not named; rows the app keeps as empty placeholders "
                             "(msg_type -1) are reported as "
                             "messages of kind \"msg_type -1\"."}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<MessengerParser>(); }

}  // namespace kanshiki::parsers::facebook_messenger_android
