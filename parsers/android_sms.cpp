// Android SMS/MMS: the telephony provider's mmssms.db.
//
// Schema source: AOSP packages/providers/TelephonyProvider, MmsSmsDatabaseHelper.java (tables `sms`,
// `pdu`, `part`, `addr`, `threads`, `canonical_addresses`) and android.provider.Telephony (column
// meanings: sms.type 1..6, pdu.msg_box, addr.type 137/151/130/129, sms.date in ms but pdu.date in s).
// Checked against real files: plaso test_data mmssms.db (no `sub_id`, user_version 57) and an Android
// emulator mmssms.db (with `sub_id`, user_version 69).
#include "parsers/android_sms.h"

#include "parsers/android_provider_types.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

namespace kanshiki::parsers::android_sms {
namespace {

// Incoming: read/unread. Outgoing: the box, plus the delivery report state (sms.status is the TP-Status:
// 0 complete, 32 pending, 64 failed; -1 when no report was requested).
std::string sms_status(int64_t type, std::optional<int64_t> read, std::optional<int64_t> status) {
  if (type == 1) return read.value_or(0) ? "read" : "unread";
  std::string_view box = android_provider::sms_box_name(type);
  std::string s = box.empty() ? fmt::format("type {}", type) : std::string(box);
  if (status == 0) s += ", delivery confirmed";
  if (status == 32) s += ", delivery pending";
  if (status == 64) s += ", delivery failed";
  return s;
}

// The SIM line a message used (dual-SIM phones); -1 means unknown.
std::string sim_account(const Row& row) {
  auto sub = row.i64("sub_id");
  return sub && *sub >= 0 ? fmt::format("sub_id:{}", *sub) : std::string();
}

// MMS addr.type values (PduHeaders): FROM 137, TO 151, CC 130, BCC 129.
constexpr int64_t kAddrFrom = 137, kAddrTo = 151, kAddrCc = 130, kAddrBcc = 129;
// Placeholder the provider stores instead of the owner's own number in outgoing MMS.
constexpr std::string_view kOwnAddressToken = "insert-address-token";

class SmsParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return android_sms::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter&) override { db_ = &db; }

  std::vector<Query> queries() override {
    const std::vector<std::string> sms_cols = {"_id",  "thread_id", "address", "date",
                                               "type", "body",      "read",    "status"};
    auto with = [](std::vector<std::string> cols, std::string extra) {
      cols.push_back(std::move(extra));
      return cols;
    };
    const std::vector<std::string> pdu_cols = {"_id",  "thread_id", "date", "msg_box",
                                               "read", "m_type",    "sub"};
    const TableNeed part{"part", {"mid", "seq", "ct", "_data", "text", "cl"}};
    const TableNeed addr{"addr", {"msg_id", "address", "type"}};

    auto sms_row = [this](const Row& r, RowEmitter& out) { on_sms(r, out); };
    auto mms_row = [this](const Row& r, RowEmitter& out) { on_mms(r, out); };
    auto thread_row = [this](const Row& r, RowEmitter& out) { on_thread(r, out); };

    return {
        {"sms",
         "`sms` with `sub_id` (Android 5.1+, dual SIM)",
         {{"sms", with(sms_cols, "sub_id")}},
         "SELECT rowid AS _rowid, thread_id, address, date, type, body, read, status, sub_id FROM sms ORDER "
         "BY rowid",
         "sms",
         true,
         sms_row},
        {"sms",
         "`sms` without `sub_id` (Android up to 5.0)",
         {{"sms", sms_cols}},
         "SELECT rowid AS _rowid, thread_id, address, date, type, body, read, status FROM sms ORDER BY rowid",
         "sms",
         true,
         sms_row},
        {"mms",
         "`pdu` with `sub_id` + `part` + `addr`",
         {{"pdu", with(pdu_cols, "sub_id")}, part, addr},
         "SELECT rowid AS _rowid, _id, thread_id, date, msg_box, read, m_type, sub, sub_id FROM pdu ORDER BY "
         "rowid",
         "pdu",
         true,
         mms_row},
        {"mms",
         "`pdu` without `sub_id` + `part` + `addr`",
         {{"pdu", pdu_cols}, part, addr},
         "SELECT rowid AS _rowid, _id, thread_id, date, msg_box, read, m_type, sub FROM pdu ORDER BY rowid",
         "pdu",
         true,
         mms_row},
        {"threads",
         "`threads` + `canonical_addresses`",
         {{"threads", {"_id", "date", "recipient_ids"}}, {"canonical_addresses", {"_id", "address"}}},
         "SELECT rowid AS _rowid, _id, date, recipient_ids FROM threads ORDER BY rowid",
         "threads",
         true,
         thread_row},
    };
  }

 private:
  void on_sms(const Row& r, RowEmitter& out) {
    Message m;
    m.app = "sms";
    m.kind = "sms";
    m.account = sim_account(r);
    m.thread_key = r.text("thread_id");
    int64_t type = r.i64_or("type", -1);
    m.direction = android_provider::sms_box_direction(type);
    m.time = r.time("date", EpochKind::unix_ms, out);
    m.text = r.text("body");
    m.status = sms_status(type, r.i64("read"), r.i64("status"));
    std::string address = r.text("address");
    if (m.direction == Direction::incoming) {
      m.sender = address;
      if (address.empty()) out.warn("received SMS has no sender address");
    } else if (!address.empty()) {
      m.recipients.push_back(address);
    }
    out.emit(std::move(m));
  }

  void on_mms(const Row& r, RowEmitter& out) {
    int64_t id = r.i64_or("_id", -1);
    Message m;
    m.app = "sms";
    m.account = sim_account(r);
    m.thread_key = r.text("thread_id");
    int64_t box = r.i64_or("msg_box", -1);
    m.direction = android_provider::sms_box_direction(box);
    m.time = r.time("date", EpochKind::unix_s, out);  // pdu.date is in seconds, unlike sms.date
    int64_t m_type = r.i64_or("m_type", -1);
    // m_type (PduHeaders): 128 send_req, 130 notification_ind, 132 retrieve_conf are messages; 134
    // delivery_ind and 136 read_orig_ind are reports about another message.
    m.kind = (m_type == 134 || m_type == 136) ? "mms_report" : "mms";
    m.status = m_type == 130 ? std::string("not downloaded") : sms_status(box, r.i64("read"), std::nullopt);

    if (!parts_) {
      parts_.emplace(*db_, "SELECT ct, _data, text, cl FROM part WHERE mid = ?1 ORDER BY seq, rowid");
      addrs_.emplace(*db_, "SELECT address, type FROM addr WHERE msg_id = ?1 ORDER BY rowid");
    }
    std::string body;
    parts_->reset();
    parts_->bind(1, id);
    while (parts_->step()) {
      std::string ct = parts_->opt_text(0).value_or("");
      if (ct == "application/smil") continue;  // layout description, not content
      if (ct == "text/plain") {
        if (!body.empty()) body += '\n';
        body += parts_->opt_text(2).value_or("");
        continue;
      }
      Attachment a;
      a.mime_type = ct;
      a.path = parts_->opt_text(1).value_or("");
      if (a.path.empty()) a.path = parts_->opt_text(3).value_or("");  // content-location name
      m.attachments.push_back(std::move(a));
    }
    std::string subject = r.text("sub");
    m.text = subject.empty() ? body : body.empty() ? subject : subject + "\n" + body;

    addrs_->reset();
    addrs_->bind(1, id);
    while (addrs_->step()) {
      std::string address = addrs_->opt_text(0).value_or("");
      int64_t type = addrs_->i64(1);
      if (address == kOwnAddressToken) continue;
      if (type == kAddrFrom) {
        if (m.direction != Direction::outgoing) m.sender = address;
      } else if (type == kAddrTo || type == kAddrCc || type == kAddrBcc) {
        m.recipients.push_back(address);
      }
    }
    if (m.direction == Direction::incoming && m.sender.empty())
      out.warn("received MMS has no sender address");
    out.emit(std::move(m));
  }

  void on_thread(const Row& r, RowEmitter& out) {
    Thread t;
    t.app = "sms";
    t.thread_key = r.text("_id");
    t.last_activity = r.time("date", EpochKind::unix_ms, out);
    // recipient_ids: space-separated canonical_addresses._id values.
    std::vector<int64_t> ids;
    std::string list = r.text("recipient_ids");
    for (size_t pos = 0; pos < list.size();) {
      size_t next = list.find(' ', pos);
      if (next == std::string::npos) next = list.size();
      std::string_view token(list.data() + pos, next - pos);
      int64_t v = 0;
      if (!token.empty()) {
        auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
        if (ec == std::errc() && p == token.data() + token.size())
          ids.push_back(v);
        else
          out.warn(fmt::format("recipient_ids holds \"{}\", which is not an address id", token));
      }
      pos = next + 1;
    }
    t.is_group = ids.size() > 1;
    std::string key = t.thread_key;
    out.emit(std::move(t));

    if (!address_) address_.emplace(*db_, "SELECT address FROM canonical_addresses WHERE _id = ?1");
    for (int64_t id : ids) {
      address_->reset();
      address_->bind(1, id);
      if (!address_->step()) {
        out.warn(
            fmt::format("thread {} lists recipient id {}, which is not in `canonical_addresses`", key, id));
        continue;
      }
      Participant p;
      p.app = "sms";
      p.thread_key = key;
      p.identifier = address_->opt_text(0).value_or("");
      p.role = "member";
      out.emit_from(std::move(p), "canonical_addresses", id);
    }
  }

  sql::Db* db_ = nullptr;
  // Per-message lookups, prepared once per file.
  std::optional<sql::Stmt> parts_, addrs_, address_;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "android.sms",
      "1.0.0",
      Platform::android,
      "Android Messages (SMS/MMS provider)",
      "SMS and MMS messages, conversation threads and their participants from the telephony provider's "
      "mmssms.db",
      {Locator::path("**/com.android.providers.telephony/databases/mmssms.db"),
       Locator::path("**/mmssms.db")},
      {"MMS attachments are listed with the path stored in `part._data` (the provider's app_parts folder); "
       "the "
       "file itself is not hashed here",
       "MMS subject and text parts are joined into the message text (subject first)",
       "sms.service_center, sms.person and read receipts are not reported",
       "the owner's own phone number is not stored in mmssms.db; `account` names the SIM subscription "
       "(sub_id) when the schema has it"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<SmsParser>(); }

}  // namespace kanshiki::parsers::android_sms
