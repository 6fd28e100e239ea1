// KakaoTalk for Android (com.kakao.talk): KakaoTalk.db and KakaoTalk2.db in databases/.
//
// Schema sources (facts, not code): the app's own Room migrations as decompiled from its APK
// (com.kakao.talk.database.MasterMigrations MIGRATION_101_102: `CREATE TABLE chat_logs (_id, id, type,
// chat_id, user_id, message, attachment, created_at, deleted_at, client_message_id, prev_id, referer,
// supplement, v)` and `CREATE TABLE chat_rooms (_id, id, type, members, active_member_ids, last_log_id,
// last_message, last_updated_at, unread_count, ... , link_id, ...)`; SecondaryMigrations: `CREATE TABLE
// friends (_id, contact_id, id, type, uuid, phone_number, raw_phone_number, name, phonetic_name, ...,
// nick_name, ..., contact_name, enc, created_at, ...)`). Encryption and the owner's id: jiru/kakaodecrypt
// (kakaodecrypt.py: chat_logs.message and .attachment are decrypted with the row's `user_id` and the "enc"
// field of its `v` JSON; guess_user_id.py: `chat_rooms.members` lists the other members, never the device
// owner, so the owner is the author in chat_logs who is not a member of the room).
// junhyukso/rhinoKakaoTalkDBDecrypter's README says the same and that `friends` rows are encrypted with the
// *owner's* user id and the row's `enc`.
//
// Times: chat_logs.created_at and chat_rooms.last_updated_at are Unix seconds.
#include "parsers/kakaotalk_android.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "parsers/kakaotalk_crypt.h"
#include "parsers/telegram_tl.h"

namespace kanshiki::parsers::kakaotalk_android {
namespace {

constexpr const char* kApp = "kakaotalk";
// Derived keys per (user id, enc type): a handful of people per database; bounded all the same.
constexpr size_t kMaxCachedKeys = 4096;

// chat_logs.type values as the research lists them; anything else is kept by number.
std::string log_kind(std::optional<int64_t> type) {
  if (!type) return "";
  switch (*type) {
    case 0:
      return "service";  // "feed": joins, leaves, invitations
    case 1:
      return "text";
    case 2:
      return "image";
    case 3:
      return "video";
    case 5:
      return "audio";
    default:
      return fmt::format("type {}", *type);
  }
}

const TableNeed& logs_need() {
  static const TableNeed n{
      "chat_logs",
      {"_id", "id", "type", "chat_id", "user_id", "message", "attachment", "created_at", "deleted_at", "v"}};
  return n;
}
const TableNeed& rooms_need() {
  static const TableNeed n{"chat_rooms", {"_id", "id", "type", "members", "last_updated_at"}};
  return n;
}
const TableNeed& friends_need() {
  static const TableNeed n{"friends", {"_id", "id", "name", "phone_number", "nick_name", "enc"}};
  return n;
}

bool is_group_room(const std::string& type) { return type == "MultiChat" || type == "OpenMultiChat"; }

std::vector<int64_t> member_ids(const std::string& json_text) {
  std::vector<int64_t> out;
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_number_integer()) out.push_back(v.get<int64_t>());
  return out;
}

class KakaoTalkParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return kakaotalk_android::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    bool logs = db.table_exists("chat_logs"), rooms = db.table_exists("chat_rooms"),
         friends = db.table_exists("friends");
    if (!logs && !rooms && !friends) {
      out.warn("none of `chat_logs`, `chat_rooms`, `friends`: this file holds no KakaoTalk data");
      return;
    }
    // The groups are optional (each file holds only some of the tables), so a table that is there but not
    // recognised is said here rather than skipped in silence.
    for (const TableNeed* need : {&logs_need(), &rooms_need(), &friends_need()})
      if (db.table_exists(need->table))
        if (std::string why = unmet_needs(db, {*need}); !why.empty())
          out.warn(fmt::format("`{}` is present but not recognised ({}); it is not read", need->table, why));
    if (logs && rooms) find_owner(db, out);
  }

  std::vector<Query> queries() override {
    const TableNeed logs = logs_need(), rooms = rooms_need(), friends = friends_need();
    return {
        {"messages",
         "`chat_logs` + `chat_rooms` (KakaoTalk.db, app 8.x+ Room schema)",
         {logs, rooms},
         "SELECT l._id AS _rowid, l.id, l.type, l.chat_id, l.user_id, l.message, l.attachment, l.created_at, "
         "l.deleted_at, l.v, (SELECT r.members FROM chat_rooms r WHERE r.id = l.chat_id) AS members "
         "FROM chat_logs l ORDER BY l._id",
         "chat_logs",
         false,
         [this](const Row& r, RowEmitter& out) { on_message(r, out); }},
        {"messages",
         "`chat_logs` alone (rooms table missing: no recipients)",
         {logs},
         "SELECT _id AS _rowid, id, type, chat_id, user_id, message, attachment, created_at, deleted_at, v, "
         "NULL AS members FROM chat_logs ORDER BY _id",
         "chat_logs",
         false,
         [this](const Row& r, RowEmitter& out) { on_message(r, out); }},
        {"rooms",
         "`chat_rooms` (KakaoTalk.db)",
         {rooms},
         "SELECT _id AS _rowid, id, type, members, last_updated_at FROM chat_rooms ORDER BY _id",
         "chat_rooms",
         false,
         [this](const Row& r, RowEmitter& out) { on_room(r, out); }},
        {"friends",
         "`friends` (KakaoTalk2.db)",
         {friends},
         "SELECT _id AS _rowid, id, name, phone_number, nick_name, enc FROM friends ORDER BY _id",
         "friends",
         false,
         [this](const Row& r, RowEmitter& out) { on_friend(r, out); }},
    };
  }

 private:
  // guess_user_id.py's rule, made strict: the owner is accepted only when exactly one author in all rooms
  // is not listed among the room's members.
  void find_owner(sql::Db& db, RowEmitter& out) {
    if (!unmet_needs(db, {{"chat_logs", {"chat_id", "user_id"}}, {"chat_rooms", {"id", "members"}}}).empty())
      return;
    sql::Stmt st(db,
                 "SELECT DISTINCT l.user_id FROM chat_logs l JOIN chat_rooms r ON r.id = l.chat_id "
                 "WHERE l.user_id IS NOT NULL AND json_valid(r.members) AND json_array_length(r.members) > 0 "
                 "AND l.user_id NOT IN (SELECT value FROM json_each(r.members)) ORDER BY l.user_id LIMIT 3");
    std::vector<int64_t> candidates;
    while (st.step()) candidates.push_back(st.i64(0));
    if (candidates.size() == 1) {
      owner_ = candidates[0];
      Account a;
      a.app = kApp;
      a.identifier = std::to_string(*owner_);
      out.emit_from(std::move(a), "chat_logs", std::nullopt);
    } else if (candidates.size() > 1) {
      out.warn(fmt::format(
          "the device owner's KakaoTalk user id is ambiguous ({} and more authors are not members of their "
          "rooms); message direction is left unknown",
          candidates[0]));
    }
  }

  const kakaotalk_crypt::Key& key_for(int64_t user_id, int enc, const kakaotalk_crypt::Salt& salt) {
    auto k = std::make_pair(user_id, enc);
    auto it = keys_.find(k);
    if (it != keys_.end()) return it->second;
    if (keys_.size() >= kMaxCachedKeys) keys_.clear();
    return keys_.emplace(k, kakaotalk_crypt::derive_key(salt)).first->second;
  }

  // Decrypts one column; nullopt (with a warning) when it cannot be read.
  std::optional<std::string> decrypt_column(const Row& r, std::string_view col,
                                            std::optional<int64_t> user_id, int enc, RowEmitter& out) {
    if (r.is_null(col)) return std::string();
    std::string stored = r.text(col);
    if (!user_id) {
      out.warn(fmt::format("{} is encrypted (enc {}) but the row has no user_id; kept as metadata only", col,
                           enc));
      return std::nullopt;
    }
    auto salt = kakaotalk_crypt::make_salt(*user_id, enc);
    if (!salt) {
      out.warn(
          fmt::format("{} uses encryption type {}, which is not published (0 to {}); kept as metadata only",
                      col, enc, kakaotalk_crypt::kMaxEncType));
      return std::nullopt;
    }
    auto d = kakaotalk_crypt::decrypt(key_for(*user_id, enc, *salt), stored);
    if (!d.ok) {
      out.warn(
          fmt::format("{} ({} bytes, enc {}, user_id {}) could not be decrypted: {}; kept as metadata only",
                      col, stored.size(), enc, *user_id, d.error));
      return std::nullopt;
    }
    if (!telegram_tl::is_valid_utf8(d.plaintext)) {
      out.warn(fmt::format("{} decrypted to {} bytes that are not UTF-8; kept as metadata only", col,
                           d.plaintext.size()));
      return std::nullopt;
    }
    return std::move(d.plaintext);
  }

  void on_message(const Row& r, RowEmitter& out) {
    Message m;
    m.app = kApp;
    if (owner_) m.account = std::to_string(*owner_);
    m.thread_key = r.text("chat_id");
    auto user_id = r.i64("user_id");
    if (owner_ && user_id == owner_) {
      m.direction = Direction::outgoing;
      for (int64_t id : member_ids(r.text("members"))) m.recipients.push_back(std::to_string(id));
    } else if (user_id) {
      m.sender = std::to_string(*user_id);
      if (owner_) m.direction = Direction::incoming;
    }
    m.time = r.time("created_at", EpochKind::unix_s, out);
    m.kind = log_kind(r.i64("type"));
    m.deleted = r.i64_or("deleted_at", 0) > 0;

    std::optional<int> enc;
    if (!r.is_null("v")) {
      auto v = nlohmann::json::parse(r.text("v"), nullptr, false);
      if (v.is_discarded() || !v.is_object())
        out.warn("`v` is not a JSON object; its encryption type is unknown");
      else if (v.contains("enc") && v["enc"].is_number_integer())
        enc = v["enc"].get<int>();
    }
    if (!enc && (!r.is_null("message") || !r.is_null("attachment"))) {
      // Without the type the bytes cannot be told apart from ciphertext: nothing is guessed.
      out.warn(
          "message has no encryption type (`v` has no \"enc\"); text and attachment kept as metadata only");
    } else if (enc) {
      if (auto text = decrypt_column(r, "message", user_id, *enc, out)) m.text = std::move(*text);
      if (auto att = decrypt_column(r, "attachment", user_id, *enc, out); att && !att->empty())
        add_attachment(*att, m, out);
    }
    out.emit(std::move(m));
  }

  // The decrypted attachment is JSON; the keys read are those the research shows (path/url, name, mt, s).
  static void add_attachment(const std::string& text, Message& m, RowEmitter& out) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) {
      out.warn(fmt::format("attachment ({} bytes) is not a JSON object; not read", text.size()));
      return;
    }
    auto str = [&](const char* key) {
      return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
    };
    Attachment a;
    a.path = str("path");
    if (a.path.empty()) a.path = str("url");
    a.name = str("name");
    a.mime_type = str("mt");
    if (j.contains("s") && j["s"].is_number_integer()) a.size = j["s"].get<int64_t>();
    if (a.path.empty() && a.name.empty() && a.mime_type.empty() && !a.size) return;  // e.g. emoticon metadata
    m.attachments.push_back(std::move(a));
  }

  void on_room(const Row& r, RowEmitter& out) {
    Thread t;
    t.app = kApp;
    if (owner_) t.account = std::to_string(*owner_);
    t.thread_key = r.text("id");
    std::string type = r.text("type");
    t.is_group = is_group_room(type);
    t.last_activity = r.time("last_updated_at", EpochKind::unix_s, out);
    std::string members_json = r.text("members");
    auto members = member_ids(members_json);
    if (!members_json.empty() && members.empty() && members_json != "[]")
      out.warn("`members` is not a JSON array of user ids; the room's members are not listed");
    out.emit(std::move(t));
    for (int64_t id : members) {
      Participant p;
      p.app = kApp;
      p.thread_key = r.text("id");
      p.identifier = std::to_string(id);
      p.role = "member";
      out.emit(std::move(p));
    }
  }

  void on_friend(const Row& r, RowEmitter& out) {
    Contact c;
    c.app = kApp;
    std::string id = r.text("id");
    if (r.is_null("enc")) {
      c.name = r.text("name");
      if (!r.text("phone_number").empty()) c.phones.push_back(r.text("phone_number"));
      c.note = fmt::format("KakaoTalk user id {}", id);
      if (auto nick = r.text("nick_name"); !nick.empty()) c.note += fmt::format("; nickname {}", nick);
    } else {
      // Encrypted with the *owner's* user id, which KakaoTalk2.db does not hold (it is found in
      // KakaoTalk.db): the friend is reported by id, and the count of such rows is one warning per file.
      c.note =
          fmt::format("KakaoTalk user id {}; name and phone number encrypted (enc {})", id, r.text("enc"));
      ++encrypted_friends_;
      if (encrypted_friends_ == 1)
        out.warn(
            "friends' names and phone numbers are encrypted with the device owner's user id, which "
            "KakaoTalk2.db does not hold; friends are reported by KakaoTalk user id only");
    }
    out.emit(std::move(c));
  }

  std::optional<int64_t> owner_;
  std::map<std::pair<int64_t, int>, kakaotalk_crypt::Key> keys_;
  int64_t encrypted_friends_ = 0;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "kakaotalk.android",
      "1.0.0",
      Platform::android,
      "KakaoTalk (Android)",
      "KakaoTalk messages (text decrypted with the published column-encryption scheme), chat rooms and their "
      "members from KakaoTalk.db, and friends from KakaoTalk2.db.",
      {Locator::path("**/com.kakao.talk/databases/KakaoTalk.db"),
       Locator::path("**/com.kakao.talk/databases/KakaoTalk2.db")},
      {"Message text and attachments are decrypted with the scheme published by the kakaodecrypt research "
       "(encryption types 0 to 31); a row of another type, or one that does not decrypt, is kept as metadata "
       "(room, author, time, type) with a stored warning.",
       "The device owner's user id is inferred as kakaodecrypt's guess_user_id does (the only author who is "
       "not "
       "listed in a room's members); when it cannot be inferred uniquely, message direction is unknown.",
       "friends (KakaoTalk2.db): names and phone numbers encrypted with the owner's user id are not "
       "decrypted, "
       "because that id is in the other database (KakaoTalk.db); those friends are reported by user id only.",
       "Room names are not read (they are in `chat_rooms.meta`/`private_meta` JSON, not decoded); 1:1 rooms "
       "are named by nobody.",
       "Attachments: only the keys path/url, name, mt (MIME type) and s (size) of the decrypted attachment "
       "JSON "
       "are read; the files themselves are not hashed.",
       "chat_logs.type is named for 0 (service/feed), 1 (text), 2 (image), 3 (video), 5 (audio); other types "
       "are kept as \"type N\". Feed messages' JSON is kept as text, not interpreted.",
       "A message with deleted_at > 0 is reported as deleted; the deletion time itself is not reported. Read "
       "state (chat_rooms watermarks) is not reported.",
       "Open chat profiles, chat_logs.supplement/referer, emoticons and KakaoTalk for iOS are not read."}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<KakaoTalkParser>(); }

}  // namespace kanshiki::parsers::kakaotalk_android
