// Telegram for iOS: the Postbox key/value store `postbox/db/db_sqlite` (peers, messages, chat list).
//
// Postbox keeps every table as SQLite `t<N>(key, value)`; the table ids are fixed in Postbox.swift
// (t2 peers, int64 keys; t7 message history, binary keys; t9 chat list, binary keys). The byte layouts of
// keys and values, with their sources, are in parsers/telegram_postbox.h and
// docs/formats/telegram-postbox.md. In a real extraction db_sqlite is encrypted (SQLCipher, key from
// `.tempkeyEncrypted`); this parser reads a decrypted copy (see the docs for how to obtain it).
#include "parsers/telegram_ios.h"

#include <fmt/format.h>

#include <optional>
#include <unordered_set>

#include "core/phone.h"
#include "parsers/telegram_postbox.h"
#include "parsers/telegram_tl.h"

namespace kanshiki::parsers::telegram_ios {
namespace {

namespace pb = telegram_postbox;

// Peer objects in t2 (TelegramUser / TelegramGroup / TelegramChannel / TelegramSecretChat .encode).
struct PeerInfo {
  pb::PeerId id;
  std::string name;  // "first last" for users, the title for groups and channels
  std::string username;
  std::string phone;  // as stored: international digits without '+'
};

std::optional<PeerInfo> decode_peer(int64_t key, std::string_view value, std::string* error) {
  auto o = pb::Object::parse_root(value, error);
  if (!o) return std::nullopt;
  PeerInfo p;
  p.id = pb::decode_peer_id(o->integer("i").value_or(key));
  if (auto title = o->string("t"); title && !p.id.is_user()) {
    p.name = std::string(*title);
  } else {
    std::string first(o->string("fn").value_or(""));
    std::string last(o->string("ln").value_or(""));
    p.name = first + (!first.empty() && !last.empty() ? " " : "") + last;
  }
  p.username = std::string(o->string("un").value_or(""));
  p.phone = std::string(o->string("p").value_or(""));
  return p;
}

std::string peer_kind(const pb::PeerId& id) {
  switch (static_cast<pb::PeerNamespace>(id.name_space)) {
    case pb::PeerNamespace::user:
      return "user";
    case pb::PeerNamespace::group:
      return "group";
    case pb::PeerNamespace::channel:
      return "channel";
    case pb::PeerNamespace::secret_chat:
      return "secret chat";
  }
  return fmt::format("namespace {}", id.name_space);
}

class TelegramIosParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return telegram_ios::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter&) override {
    if (db.table_exists("t2")) peer_lookup_.emplace(db, "SELECT value FROM t2 WHERE key = ?");
  }

  std::vector<Query> queries() override {
    const TableNeed peers{"t2", {"key", "value"}};
    const TableNeed history{"t7", {"key", "value"}};
    const TableNeed chat_list{"t9", {"key", "value"}};
    return {
        // Dialogs first: the peers query reports groups and channels that have no dialog.
        {"dialogs",
         "Postbox ChatListTable (t9)",
         {chat_list},
         "SELECT rowid AS _rowid, key, value FROM t9 ORDER BY rowid",
         "t9",
         true,
         [this](const Row& r, RowEmitter& out) { on_dialog(r, out); }},
        {"peers",
         "Postbox PeerTable (t2)",
         {peers},
         "SELECT rowid AS _rowid, key, value FROM t2 ORDER BY rowid",
         "t2",
         true,
         [this](const Row& r, RowEmitter& out) { on_peer(r, out); }},
        {"messages",
         "Postbox MessageHistoryTable (t7)",
         {history},
         "SELECT rowid AS _rowid, key, value FROM t7 ORDER BY rowid",
         "t7",
         true,
         [this](const Row& r, RowEmitter& out) { on_message(r, out); }},
    };
  }

 private:
  std::optional<PeerInfo> lookup_peer(int64_t key) {
    if (!peer_lookup_) return std::nullopt;
    peer_lookup_->reset();
    peer_lookup_->bind(1, key);
    std::optional<PeerInfo> p;
    if (peer_lookup_->step() && !peer_lookup_->is_null(0)) {
      std::string ignored;  // a malformed peer gets its own warning from the peers query
      p = decode_peer(key, peer_lookup_->blob(0), &ignored);
    }
    peer_lookup_->reset();
    return p;
  }

  std::string peer_name(int64_t key) {
    auto p = lookup_peer(key);
    return p ? p->name : std::string();
  }

  void on_dialog(const Row& r, RowEmitter& out) {
    auto key = pb::parse_chat_list_key(r.blob("key"));
    if (!key) {
      out.warn(fmt::format("chat list key of {} bytes is not the 24-byte Postbox layout; entry not reported",
                           r.blob("key").size()));
      return;
    }
    // Holes mark ranges the app has not loaded yet, group references point at folders: neither is a dialog.
    if (key->entry_type != 1) return;
    pb::PeerId peer = pb::decode_peer_id(key->peer);
    Thread t;
    t.app = "telegram";
    t.thread_key = peer.dialog_key();
    t.name = peer_name(key->peer);
    t.is_group = peer.is_group_or_channel();
    t.last_activity = Timestamp::from_int(key->timestamp, EpochKind::unix_s);
    dialog_peers_.insert(key->peer);
    out.emit(std::move(t));
  }

  void on_peer(const Row& r, RowEmitter& out) {
    int64_t key = r.i64_or("key", 0);
    std::string why;
    auto p = decode_peer(key, r.blob("value"), &why);
    if (!p) {
      out.warn(fmt::format("peer {} could not be decoded: {}; not reported", key, why));
      return;
    }
    for (const std::string* s : {&p->name, &p->username, &p->phone})
      if (!telegram_tl::is_valid_utf8(*s)) out.warn(fmt::format("peer {}: text is not valid UTF-8", key));
    if (p->id.is_user()) {
      Contact c;
      c.app = "telegram";
      c.name = p->name;
      if (!p->phone.empty()) c.phones.push_back(p->phone);
      c.note = fmt::format("Telegram user id {}", p->id.id);
      if (!p->username.empty()) c.note += "; username @" + p->username;
      if (!p->phone.empty()) {
        std::string e164 = normalize_phone_e164("+" + p->phone);
        if (!e164.empty()) c.note += "; phone " + e164;
      }
      out.emit(std::move(c));
      return;
    }
    if (dialog_peers_.count(key)) return;  // reported by its dialog, with the last activity
    Thread t;
    t.app = "telegram";
    t.thread_key = p->id.dialog_key();
    t.name = p->name;
    t.is_group = p->id.is_group_or_channel();
    out.emit(std::move(t));
  }

  void on_message(const Row& r, RowEmitter& out) {
    auto key = pb::parse_message_key(r.blob("key"));
    if (!key) {
      out.warn(fmt::format("message key of {} bytes is not the 20-byte Postbox layout; entry not reported",
                           r.blob("key").size()));
      return;
    }
    pb::PeerId peer = pb::decode_peer_id(key->peer);
    Message m;
    m.app = "telegram";
    m.thread_key = peer.dialog_key();
    m.time = Timestamp::from_int(key->timestamp, EpochKind::unix_s);

    std::string why;
    auto e = pb::decode_message_entry(r.blob("value"), &why);
    if (!e) {
      out.warn(
          fmt::format("message {} in {} {}: value could not be decoded: {}; reported without text, "
                      "sender or direction",
                      key->id, peer_kind(peer), peer.dialog_key(), why));
      m.kind = "unknown";
      out.emit(std::move(m));
      return;
    }
    const bool incoming = (e->flags & pb::kFlagIncoming) != 0;
    m.direction = incoming ? Direction::incoming : Direction::outgoing;
    if (e->flags & pb::kFlagFailed)
      m.status = "failed";
    else if (e->flags & pb::kFlagUnsent)
      m.status = "sending";
    if (incoming) {
      // The author is the user who wrote it (groups, and private chats); channel posts may have none.
      int64_t author = e->author.value_or(key->peer);
      m.sender = pb::decode_peer_id(author).dialog_key();
      m.sender_name = peer_name(author);
    } else if (peer.is_user() || peer.name_space == static_cast<int32_t>(pb::PeerNamespace::secret_chat)) {
      m.recipients.push_back(m.thread_key);
    }

    if (telegram_tl::is_valid_utf8(e->text))
      m.text = std::string(e->text);
    else
      out.warn(fmt::format("message {}: text ({} bytes) is not valid UTF-8; reported without text", key->id,
                           e->text.size()));

    static const int32_t kAutoremove = pb::type_hash("AutoremoveTimeoutMessageAttribute");
    static const int32_t kAutoclear = pb::type_hash("AutoclearTimeoutMessageAttribute");
    static const int32_t kEdited = pb::type_hash("EditedMessageAttribute");
    for (std::string_view a : e->attributes) {
      std::string attr_why;
      auto o = pb::Object::parse_root(a, &attr_why);
      if (!o) {
        out.warn(fmt::format("message {}: an attribute could not be decoded: {}", key->id, attr_why));
        continue;
      }
      if (o->class_hash == kAutoremove || o->class_hash == kAutoclear) {
        if (auto t = o->integer("t"); t && *t > 0) m.expires_in_s = *t;
      } else if (o->class_hash == kEdited) {
        m.edited = true;
      }
    }

    std::string kind = "text";
    for (std::string_view blob : e->embedded_media) {
      std::string media_why;
      auto s = pb::summarize_media(blob, &media_why);
      if (!s) {
        out.warn(
            fmt::format("message {}: an embedded media object could not be decoded: {}", key->id, media_why));
        continue;
      }
      kind = s->kind;
      if (s->kind == "service") {
        m.text = s->action_text;
        continue;
      }
      if (s->kind == "photo" || s->kind == "file") {
        Attachment a;
        a.name = !s->file_name.empty() ? s->file_name
                 : s->media_id         ? fmt::format("{} id {}", s->kind, *s->media_id)
                                       : std::string();
        a.mime_type = s->kind == "photo" ? "image/jpeg" : s->mime_type;
        a.size = s->size;
        m.attachments.push_back(std::move(a));
      }
      if (s->latitude && s->longitude) {
        LocationPoint p;
        p.latitude = *s->latitude;
        p.longitude = *s->longitude;
        p.time = m.time;
        p.kind = "gps";
        p.source = "telegram";
        p.label = fmt::format("shared in dialog {}, message {}", m.thread_key, key->id);
        out.emit(std::move(p));
      }
    }
    // Media shared between messages live in Postbox's media table (t6); the message only names them.
    for (const auto& ref : e->referenced_media) {
      Attachment a;
      a.name = fmt::format("media {}:{} (stored in t6)", ref.name_space, ref.id);
      m.attachments.push_back(std::move(a));
      if (kind == "text") kind = "media";
    }
    if (e->forward) {
      std::string from = e->forward->author ? pb::decode_peer_id(*e->forward->author).dialog_key()
                         : !e->forward->author_signature.empty() ? e->forward->author_signature
                                                                 : std::string("hidden sender");
      if (e->forward->author) {
        std::string name = peer_name(*e->forward->author);
        if (!name.empty()) from += " " + name;
      }
      Timestamp original = Timestamp::from_int(e->forward->date, EpochKind::unix_s);
      kind = fmt::format("forwarded {} (from {}, original date {})", kind, from, original.utc_iso());
    }
    m.kind = std::move(kind);
    out.emit(std::move(m));
  }

  std::optional<sql::Stmt> peer_lookup_;
  std::unordered_set<int64_t> dialog_peers_;  // one entry per dialog: bounded by the chat list
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "telegram.ios",
      "1.0.0",
      Platform::ios,
      "Telegram (iOS)",
      "Telegram users, groups/channels, dialogs and messages (text, direction, author, forwards, "
      "photos/files, "
      "service events, self-destruct timers, edits) from the decrypted Postbox database db_sqlite",
      {Locator::backup("AppDomainGroup-group.ph.telegra.Telegraph", "telegram-data/**/postbox/db/db_sqlite"),
       Locator::path("**/telegram-data/**/postbox/db/db_sqlite"), Locator::path("**/postbox/db/db_sqlite")},
      {"db_sqlite is encrypted on the device (SQLCipher, key in .tempkeyEncrypted); this parser reads a "
       "decrypted copy: an encrypted file is reported as not being SQLite",
       "only the current Postbox value layout (stableVersion and data flags, Telegram iOS 5+) is decoded; "
       "entries of other layouts are reported without text, sender or direction, with a warning",
       "media shared between messages are stored in Postbox's media table (t6) and are reported by their "
       "media id only; embedded media are read to their kind, file name, mime type, size and coordinates; "
       "media files in postbox/media are not located or hashed",
       "reply links, text entities, reactions, views, polls, web-page previews and contact cards are not "
       "decoded; service events are described for the common action codes and by number otherwise",
       "message namespaces (cloud, local, scheduled) are not distinguished; the chat list's folder groups "
       "and "
       "pinning are not reported",
       "group and channel members (CachedPeerData) and the contact list (t16) are not read; the owner's "
       "account is not identified",
       "deleted rows are not recovered from the key/value tables"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<TelegramIosParser>(); }

}  // namespace kanshiki::parsers::telegram_ios
