// Android contacts: the contacts provider's contacts2.db. One Contact per raw contact (one per account
// that holds the person), with its data rows (name, phones, e-mails, organisation, notes) grouped.
//
// Schema source: AOSP packages/providers/ContactsProvider, ContactsDatabaseHelper.java (`raw_contacts`,
// `data`, `mimetypes`, `accounts`); android.provider.ContactsContract for the data mimetypes and columns
// (StructuredName.DISPLAY_NAME = data1, Phone.NUMBER = data1, Email.ADDRESS = data1,
// Organization.COMPANY = data1 / TITLE = data4, Note.NOTE = data1). Android 10 renamed the real usage
// counters to `x_times_contacted` / `x_last_time_contacted` (the old names hold rounded values since).
#include "parsers/android_contacts.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace kanshiki::parsers::android_contacts {
namespace {

constexpr std::string_view kName = "vnd.android.cursor.item/name";
constexpr std::string_view kPhone = "vnd.android.cursor.item/phone_v2";
constexpr std::string_view kEmail = "vnd.android.cursor.item/email_v2";
constexpr std::string_view kOrganization = "vnd.android.cursor.item/organization";
constexpr std::string_view kNote = "vnd.android.cursor.item/note";

class ContactsParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return android_contacts::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter&) override { db_ = &db; }

  std::vector<Query> queries() override {
    const TableNeed data{"data", {"_id", "raw_contact_id", "mimetype_id", "data1", "data4"}};
    const TableNeed mimetypes{"mimetypes", {"_id", "mimetype"}};
    const TableNeed accounts{"accounts", {"_id", "account_name"}};
    auto row = [this](const Row& r, RowEmitter& out) { on_raw_contact(r, out); };
    return {
        {"contacts",
         "Android 10+: `raw_contacts.x_times_contacted`, `accounts` table",
         {{"raw_contacts",
           {"_id", "display_name", "deleted", "account_id", "x_times_contacted", "x_last_time_contacted"}},
          data,
          mimetypes,
          accounts},
         "SELECT rc.rowid AS _rowid, rc._id, rc.display_name, rc.deleted, a.account_name, "
         "rc.x_times_contacted AS times_contacted, rc.x_last_time_contacted AS last_time_contacted "
         "FROM raw_contacts rc LEFT JOIN accounts a ON a._id = rc.account_id ORDER BY rc.rowid",
         "raw_contacts",
         true,
         row},
        {"contacts",
         "Android 4.3-9: `raw_contacts.times_contacted`, `accounts` table",
         {{"raw_contacts",
           {"_id", "display_name", "deleted", "account_id", "times_contacted", "last_time_contacted"}},
          data,
          mimetypes,
          accounts},
         "SELECT rc.rowid AS _rowid, rc._id, rc.display_name, rc.deleted, a.account_name, "
         "rc.times_contacted, "
         "rc.last_time_contacted FROM raw_contacts rc LEFT JOIN accounts a ON a._id = rc.account_id "
         "ORDER BY rc.rowid",
         "raw_contacts",
         true,
         row},
        {"contacts",
         "up to Android 4.2: account name in `raw_contacts`",
         {{"raw_contacts",
           {"_id", "display_name", "deleted", "account_name", "times_contacted", "last_time_contacted"}},
          data,
          mimetypes},
         "SELECT rowid AS _rowid, _id, display_name, deleted, account_name, times_contacted, "
         "last_time_contacted "
         "FROM raw_contacts ORDER BY rowid",
         "raw_contacts",
         true,
         row},
    };
  }

 private:
  void on_raw_contact(const Row& r, RowEmitter& out) {
    Contact c;
    c.app = "contacts";
    c.account = r.text("account_name");  // the account the entry syncs with (e.g. a Google address)
    c.times_contacted = r.i64("times_contacted");
    c.last_contacted = r.time("last_time_contacted", EpochKind::unix_ms, out);

    if (!data_)
      data_.emplace(
          *db_,
          "SELECT m.mimetype, d.data1, d.data4 FROM data d JOIN mimetypes m ON m._id = d.mimetype_id "
          "WHERE d.raw_contact_id = ?1 ORDER BY d.rowid");
    std::string structured_name;
    std::vector<std::string> notes;
    data_->reset();
    data_->bind(1, r.i64_or("_id", -1));
    while (data_->step()) {
      std::string_view mime = data_->text_view(0);
      std::string value = data_->opt_text(1).value_or("");
      if (mime == kName) {
        if (structured_name.empty()) structured_name = value;
      } else if (mime == kPhone) {
        if (!value.empty()) c.phones.push_back(value);
      } else if (mime == kEmail) {
        if (!value.empty()) c.emails.push_back(value);
      } else if (mime == kOrganization) {
        std::string title = data_->opt_text(2).value_or("");
        std::string org = value.empty() ? title : title.empty() ? value : value + ", " + title;
        if (!org.empty()) c.organization = c.organization.empty() ? org : c.organization + "; " + org;
      } else if (mime == kNote) {
        if (!value.empty()) notes.push_back(value);
      }
    }
    c.name = structured_name.empty() ? r.text("display_name") : structured_name;
    for (const auto& n : notes) c.note += (c.note.empty() ? "" : "\n") + n;
    // Deleted raw contacts stay in the table until the account syncs; the examiner must see them, marked.
    if (r.i64_or("deleted", 0) != 0)
      c.note =
          "[deleted in the app: raw_contacts.deleted=1]" + std::string(c.note.empty() ? "" : "\n") + c.note;
    out.emit(std::move(c));
  }

  sql::Db* db_ = nullptr;
  std::optional<sql::Stmt> data_;  // data rows of one raw contact, prepared once per file
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "android.contacts",
      "1.0.0",
      Platform::android,
      "Android Contacts (contacts provider)",
      "Address book entries (raw contacts with names, phone numbers, e-mail addresses, organisation and "
      "notes) from contacts2.db",
      {Locator::path("**/com.android.providers.contacts/databases/contacts2.db"),
       Locator::path("**/contacts2.db")},
      {"one contact is reported per raw contact (per account); the provider's aggregation into one person is "
       "not applied",
       "raw contacts marked deleted (raw_contacts.deleted=1) are reported, with a note saying so",
       "phone numbers are reported as stored (not normalised to E.164)",
       "postal addresses, nicknames, websites, IM handles, events and photos are not reported",
       "on Android 10+ the usage counters come from `x_times_contacted`/`x_last_time_contacted`"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<ContactsParser>(); }

}  // namespace kanshiki::parsers::android_contacts
