// WhatsApp for Android: wa.db, the app's copy of the address book joined with WhatsApp accounts.
//
// Schema source: the app's `wa_contacts` table as found in a real wa.db (lab-whatsapp case, user_version
// 28: jid, is_whatsapp_user, status, status_timestamp, number, raw_contact_id, display_name, given_name,
// family_name, wa_name, ...). Older app versions lack wa_name/given_name/family_name.
// display_name is the name in the phone's address book; wa_name is the name the account owner chose
// ("push name"); status is the account's "About" text.
#include "parsers/whatsapp_android_contacts.h"

#include <fmt/format.h>

#include "core/phone.h"
#include "parsers/whatsapp_jid.h"

namespace kanshiki::parsers::whatsapp_android_contacts {
namespace {

void on_contact(const Row& r, RowEmitter& out) {
  std::string jid = r.text("jid");
  if (jid.size() > 5 && jid.compare(jid.size() - 5, 5, "@g.us") == 0) {
    // A group is a conversation, not a person: reported as a thread so its name is kept, never dropped.
    Thread t;
    t.app = "whatsapp";
    t.thread_key = jid;
    t.name = r.text("display_name");
    if (t.name.empty()) t.name = r.text("wa_name");
    t.is_group = true;
    out.emit(std::move(t));
    return;
  }
  Contact c;
  c.app = "whatsapp";
  std::string wa_name = r.text("wa_name");
  c.name = r.text("display_name");
  if (c.name.empty()) {
    std::string given = r.text("given_name"), family = r.text("family_name");
    c.name = given.empty() ? family : family.empty() ? given : given + " " + family;
  }
  if (c.name.empty()) c.name = wa_name;

  // The number as the address book holds it, then the account's number from its JID when that differs.
  std::string number = r.text("number");
  if (!number.empty()) c.phones.push_back(number);
  std::string from_jid = whatsapp_jid::to_e164(jid);
  if (!from_jid.empty() && from_jid != number) c.phones.push_back(from_jid);
  if (jid.empty()) out.warn("wa_contacts row has no JID");

  // Contact has no fields for these; the note keeps them readable and searchable.
  std::vector<std::string> facts;
  facts.push_back("WhatsApp JID: " + jid);
  facts.push_back(r.i64_or("is_whatsapp_user", 0) != 0 ? "WhatsApp user" : "not a WhatsApp user");
  if (!wa_name.empty()) facts.push_back("WhatsApp name: " + wa_name);
  if (std::string about = r.text("status"); !about.empty()) facts.push_back("about: " + about);
  for (const auto& f : facts) c.note += (c.note.empty() ? "" : "\n") + f;
  out.emit(std::move(c));
}

class WaContactsParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return whatsapp_android_contacts::info(); }

 protected:
  std::vector<Query> queries() override {
    // The status@broadcast row is the app's pseudo-contact for Status updates, not a person.
    const std::string where = " FROM wa_contacts WHERE jid IS NOT 'status@broadcast' ORDER BY rowid";
    return {
        {"contacts",
         "`wa_contacts` with wa_name, given_name, family_name",
         {{"wa_contacts",
           {"jid", "is_whatsapp_user", "display_name", "number", "status", "wa_name", "given_name",
            "family_name"}}},
         "SELECT rowid AS _rowid, jid, is_whatsapp_user, display_name, number, status, wa_name, given_name, "
         "family_name" +
             where,
         "wa_contacts",
         true,
         on_contact},
        {"contacts",
         "older `wa_contacts` without wa_name",
         {{"wa_contacts", {"jid", "is_whatsapp_user", "display_name", "number", "status"}}},
         "SELECT rowid AS _rowid, jid, is_whatsapp_user, display_name, number, status" + where,
         "wa_contacts",
         true,
         on_contact},
    };
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "whatsapp.android.contacts",
      "1.0.0",
      Platform::android,
      "WhatsApp (Android)",
      "WhatsApp contacts (address book entries and WhatsApp accounts) from wa.db",
      {Locator::path("**/com.whatsapp/databases/wa.db"), Locator::path("**/wa.db")},
      {"the name is the address-book name, else given/family name, else the account's own WhatsApp name",
       "the JID, WhatsApp-user flag, WhatsApp name and About text are written into the contact's note",
       "phones list the address-book number as stored and the number from the JID (E.164) when it differs",
       "the status@broadcast pseudo-contact is not reported; group JIDs (@g.us) are reported as threads, not "
       "contacts",
       "profile photos, business profiles and status/about timestamps are not reported"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<WaContactsParser>(); }

}  // namespace kanshiki::parsers::whatsapp_android_contacts
