// Telegram for Android: cache4.db (messages, dialogs, chats, users, channel members, imported contacts).
//
// Schema sources (facts, not code): the real cache4.db of IPED's test data (org.telegram.messenger.web,
// user_version 78: `messages(mid INTEGER PRIMARY KEY, uid, read_state, send_state, date, data, out, ttl,
// media, ...)`, `users(uid, name, status, data)`, `chats(uid, name, data)`, `dialogs(did, date, ...)`,
// `channel_users_v2(did, uid, date, data)`, `user_contacts_v7`, `user_phones_v7`); the current
// `messages_v2(mid, uid, ..., PRIMARY KEY(mid, uid))` as written by DrKLO/Telegram MessagesStorage.java and
// described in ALEAPP's telegramAndroid.py. `date` is unix seconds; `out` is 1 for outgoing; `uid`/`did` is
// the dialog id: a user id (positive) or minus the chat/channel id. `data` is a TL-serialised TLRPC.Message,
// decoded by parsers/telegram_tl.cpp.
#include "parsers/telegram_android.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "parsers/telegram_tl.h"

namespace kanshiki::parsers::telegram_android {
namespace {

namespace tl = telegram_tl;

// users.name holds "<name>;;;<username>" (the username part only when the user has one).
std::pair<std::string, std::string> split_user_name(const std::string& stored) {
  size_t sep = stored.find(";;;");
  if (sep == std::string::npos) return {stored, {}};
  return {stored.substr(0, sep), stored.substr(sep + 3)};
}

std::string status_of(const Row& r, bool outgoing) {
  int64_t read_state = r.i64_or("read_state", 0);
  if (outgoing) {
    // send_state: 0 sent, 1 sending, 2 send error (MessageObject constants).
    switch (r.i64_or("send_state", 0)) {
      case 1:
        return "sending";
      case 2:
        return "failed";
      default:
        return (read_state & 1) ? "read" : "sent";
    }
  }
  return (read_state & 1) ? "read" : "unread";
}

class TelegramParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return telegram_android::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter&) override {
    if (db.table_exists("users")) user_name_.emplace(db, "SELECT name FROM users WHERE uid = ?");
  }

  std::vector<Query> queries() override {
    const std::vector<std::string> msg_cols = {"mid",  "uid",  "read_state", "send_state",
                                               "date", "data", "out",        "ttl"};
    const std::string msg_select =
        "SELECT rowid AS _rowid, mid, uid, read_state, send_state, date, data, out, ttl";
    auto msg = [this](const Row& r, RowEmitter& out) { on_message(r, out); };
    auto user = [](const Row& r, RowEmitter& out) { on_user(r, out); };
    auto dialog = [](const Row& r, RowEmitter& out) { on_dialog(r, out); };
    auto member = [](const Row& r, RowEmitter& out) { on_member(r, out); };
    auto contact = [](const Row& r, RowEmitter& out) { on_phonebook_contact(r, out); };
    return {
        {"messages",
         "`messages_v2` (current app versions)",
         {{"messages_v2", msg_cols}},
         msg_select + " FROM messages_v2 ORDER BY rowid",
         "messages_v2",
         true,
         msg},
        {"messages",
         "`messages` (older app versions, e.g. user_version 78)",
         {{"messages", msg_cols}},
         msg_select + " FROM messages ORDER BY rowid",
         "messages",
         true,
         msg},

        {"users",
         "`users`",
         {{"users", {"uid", "name", "status"}}},
         "SELECT rowid AS _rowid, uid, name, status FROM users ORDER BY rowid",
         "users",
         true,
         user},

        {"dialogs",
         "`dialogs` + `users`/`chats` for names",
         {{"dialogs", {"did", "date"}}, {"users", {"uid", "name"}}, {"chats", {"uid", "name"}}},
         "SELECT d.rowid AS _rowid, d.did, d.date, u.name AS user_name, c.name AS chat_name FROM dialogs d "
         "LEFT JOIN users u ON u.uid = d.did LEFT JOIN chats c ON c.uid = -d.did ORDER BY d.rowid",
         "dialogs",
         true,
         dialog},
        // Chats the app knows but has no dialog for (left groups, channels seen through forwards).
        {"chats",
         "`chats` without a dialog",
         {{"chats", {"uid", "name"}}, {"dialogs", {"did"}}},
         "SELECT c.rowid AS _rowid, -c.uid AS did, NULL AS date, NULL AS user_name, c.name AS chat_name "
         "FROM chats c WHERE NOT EXISTS (SELECT 1 FROM dialogs d WHERE d.did = -c.uid) ORDER BY c.rowid",
         "chats",
         true,
         dialog},

        {"members",
         "`channel_users_v2` + `users`",
         {{"channel_users_v2", {"did", "uid", "date"}}, {"users", {"uid", "name"}}},
         "SELECT m.rowid AS _rowid, m.did, m.uid, u.name AS user_name FROM channel_users_v2 m "
         "LEFT JOIN users u ON u.uid = m.uid ORDER BY m.rowid",
         "channel_users_v2",
         false,
         member},

        {"phonebook",
         "`user_contacts_v7` + `user_phones_v7`",
         {{"user_contacts_v7", {"key", "uid", "fname", "sname"}},
          {"user_phones_v7", {"key", "phone", "deleted"}}},
         "SELECT c.rowid AS _rowid, c.key, c.uid, c.fname, c.sname, (SELECT json_group_array(p.phone) FROM "
         "(SELECT phone FROM user_phones_v7 WHERE key = c.key AND deleted = 0 ORDER BY rowid) p) AS phones "
         "FROM user_contacts_v7 c ORDER BY c.rowid",
         "user_contacts_v7",
         false,
         contact},
    };
  }

 private:
  std::string user_name(int64_t uid) {
    if (!user_name_) return {};
    user_name_->reset();
    user_name_->bind(1, uid);
    std::string name;
    if (user_name_->step() && !user_name_->is_null(0)) name = split_user_name(user_name_->text(0)).first;
    user_name_->reset();
    return name;
  }

  void on_message(const Row& r, RowEmitter& out) {
    Message m;
    m.app = "telegram";
    int64_t dialog = r.i64_or("uid", 0);
    m.thread_key = std::to_string(dialog);
    m.time = r.time("date", EpochKind::unix_s, out);
    auto out_col = r.i64("out");

    std::optional<int32_t> row_date;
    if (auto d = r.i64("date")) row_date = static_cast<int32_t>(*d);
    std::string_view blob = r.blob("data");
    std::optional<tl::DecodedMessage> d;
    if (blob.empty()) {
      out.warn(fmt::format("message {} has no `data` blob; reported without text or sender", r.text("mid")));
    } else {
      std::string why;
      d = tl::decode_message(blob, row_date, &why);
      if (!d) out.warn(why + "; message reported without text or sender");
    }

    bool outgoing = out_col ? *out_col != 0 : (d && (d->flags & 2));
    m.direction = outgoing ? Direction::outgoing : Direction::incoming;
    m.status = status_of(r, outgoing);
    if (auto ttl = r.i64("ttl"); ttl && *ttl > 0) m.expires_in_s = *ttl;

    if (!d) {
      m.kind = "unknown";
      if (!outgoing) m.sender = m.thread_key;
      out.emit(std::move(m));
      return;
    }
    if (!d->problems.empty()) {
      std::string joined;
      for (const auto& p : d->problems) joined += (joined.empty() ? "" : "; ") + p;
      out.warn(fmt::format("TL {} ({}): {}", tl::hex_id(d->constructor), d->layer, joined));
    }
    if (row_date && d->date != 0 && d->date != *row_date)
      out.warn(
          fmt::format("date in the blob ({}) differs from the `date` column ({}); the column is reported",
                      d->date, *row_date));

    if (outgoing) {
      if (dialog > 0) m.recipients.push_back(m.thread_key);
    } else {
      // from_id names the author (in groups, and in private chats of current layers); else the dialog.
      if (d->from && d->from->kind == tl::PeerKind::user) {
        m.sender = std::to_string(d->from->id);
        m.sender_name = user_name(d->from->id);
      } else if (d->from) {
        m.sender = std::to_string(d->from->dialog_id());
      } else {
        m.sender = m.thread_key;
        if (dialog > 0) m.sender_name = user_name(dialog);
      }
    }
    m.edited = d->edited;
    if (!m.expires_in_s && d->ttl_period && *d->ttl_period > 0) m.expires_in_s = *d->ttl_period;

    if (d->service) {
      m.kind = "service";
      m.text = d->action_text;
      out.emit(std::move(m));
      return;
    }
    if (d->text) m.text = *d->text;
    std::string kind = "text";
    if (d->media) {
      const tl::Media& media = *d->media;
      kind = media.kind;
      if (media.kind == "photo" || media.kind == "document" || media.kind == "video" ||
          media.kind == "voice" || media.kind == "video_note") {
        Attachment a;
        if (media.object_id) a.name = fmt::format("{} id {}", media.kind, *media.object_id);
        a.mime_type = media.mime_type;
        if (media.size && *media.size > 0) a.size = media.size;
        m.attachments.push_back(std::move(a));
      }
      if (media.latitude && media.longitude) {
        LocationPoint p;
        p.latitude = *media.latitude;
        p.longitude = *media.longitude;
        p.time = m.time;
        p.kind = media.kind;
        p.source = "telegram";
        p.label = media.title.empty() ? fmt::format("shared in dialog {}", dialog) : media.title;
        out.emit(std::move(p));
      }
      if (media.kind == "contact") {
        Contact c;
        c.app = "telegram";
        c.name = media.contact_first_name;
        if (!media.contact_last_name.empty()) c.name += (c.name.empty() ? "" : " ") + media.contact_last_name;
        if (!media.contact_phone.empty()) c.phones.push_back(media.contact_phone);
        c.note = fmt::format("contact card shared in dialog {}, message {}{}", dialog, d->id,
                             media.contact_user_id && *media.contact_user_id
                                 ? fmt::format("; Telegram user id {}", *media.contact_user_id)
                                 : std::string());
        out.emit(std::move(c));
      }
    }
    if (d->forward) {
      std::string from = !d->forward->from_name.empty() ? d->forward->from_name
                         : d->forward->from             ? d->forward->from->describe()
                                                        : std::string("unknown sender");
      Timestamp original = Timestamp::from_int(d->forward->date, EpochKind::unix_s);
      kind = fmt::format("forwarded {} (from {}, original date {})", kind, from, original.utc_iso());
    }
    m.kind = std::move(kind);
    out.emit(std::move(m));
  }

  static void on_user(const Row& r, RowEmitter& out) {
    Contact c;
    c.app = "telegram";
    auto [name, username] = split_user_name(r.text("name"));
    c.name = name;
    c.note = fmt::format("Telegram user id {}", r.text("uid"));
    if (!username.empty()) c.note += "; username @" + username;
    // users.status > 0 is the last-seen time (unix seconds); other values are presence codes.
    if (auto s = r.i64("status"); s && *s > 0) c.last_contacted = Timestamp::from_int(*s, EpochKind::unix_s);
    out.emit(std::move(c));
  }

  static void on_dialog(const Row& r, RowEmitter& out) {
    Thread t;
    t.app = "telegram";
    int64_t did = r.i64_or("did", 0);
    t.thread_key = std::to_string(did);
    t.is_group = did < 0;
    if (!r.is_null("chat_name"))
      t.name = r.text("chat_name");
    else if (!r.is_null("user_name"))
      t.name = split_user_name(r.text("user_name")).first;
    if (!r.is_null("date")) t.last_activity = r.time("date", EpochKind::unix_s, out);
    out.emit(std::move(t));
  }

  static void on_member(const Row& r, RowEmitter& out) {
    Participant p;
    p.app = "telegram";
    p.thread_key = r.text("did");
    p.identifier = r.text("uid");
    if (!r.is_null("user_name")) p.name = split_user_name(r.text("user_name")).first;
    p.role = "member";
    out.emit(std::move(p));
  }

  static void on_phonebook_contact(const Row& r, RowEmitter& out) {
    Contact c;
    c.app = "telegram";
    c.name = r.text("fname");
    std::string last = r.text("sname");
    if (!last.empty()) c.name += (c.name.empty() ? "" : " ") + last;
    auto phones = nlohmann::json::parse(r.text("phones"), nullptr, false);
    if (phones.is_array())
      for (const auto& p : phones)
        if (p.is_string()) c.phones.push_back(p.get<std::string>());
    c.note = fmt::format("phone-book contact imported into Telegram (key {}", r.text("key"));
    if (auto uid = r.i64("uid"); uid && *uid) c.note += fmt::format(", Telegram user id {}", *uid);
    c.note += ")";
    out.emit(std::move(c));
  }

  std::optional<sql::Stmt> user_name_;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "telegram.android",
      "1.0.0",
      Platform::android,
      "Telegram (Android)",
      "Telegram messages (TL-decoded text, media kind, forwards, service events, self-destruct timers), "
      "dialogs, chats, users, channel members and imported phone-book contacts from cache4.db",
      {Locator::path("**/org.telegram.messenger/files/cache4.db"), Locator::path("**/cache4.db")},
      {"message blobs are decoded for TL layers 72-227 (constructors listed in docs/parsers.md); an "
       "unknown constructor is a warning and the message is reported without text or sender",
       "media objects are decoded only as far as their kind, ids, mime type, size, coordinates or contact "
       "card; photo sizes, document attributes, captions' entities and local file paths are not read, and "
       "media files are not hashed",
       "the self-destruct timer comes from the `ttl` column, else from ttl_period when the fields before it "
       "are plain; media ttl_seconds inside the media object are not read",
       "a reply that quotes media or formatted text is not walked; its text is located right after the "
       "message date (a warning says so)",
       "users.name is the search form the app stores (not the TL user object, which is not decoded); phone "
       "numbers of Telegram users are not reported",
       "members of basic groups (inside chat_settings_v2) and secret-chat keys/metadata (enc_chats) are not "
       "read; only channel/supergroup members cached in channel_users_v2 are reported",
       "when both `messages_v2` and the older `messages` table exist only `messages_v2` is read",
       "reactions, entities, reply markup, edits history, polls and web-page previews are not decoded; "
       "deleted rows are not recovered"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<TelegramParser>(); }

}  // namespace kanshiki::parsers::telegram_android
