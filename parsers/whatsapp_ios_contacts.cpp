// WhatsApp for iOS: ContactsV2.sqlite in the shared app group, the app's copy of the address book joined with
// WhatsApp accounts.
//
// Schema source: the real ContactsV2.sqlite of the MVT iOS test backup (ZWAADDRESSBOOKCONTACT with Z_PK,
// ZFULLNAME, ZGIVENNAME, ZLASTNAME, ZUSERNAME, ZBUSINESSNAME, ZPHONENUMBER, ZLOCALIZEDPHONENUMBER,
// ZWHATSAPPID, ZLID, ZABOUTTEXT, ZNOTES, ZLASTUPDATED, ...). Core Data declares the text columns BLOB, but
// WhatsApp stores UTF-8 text in them; older versions lack ZLID, ZUSERNAME and ZNOTES.
#include "parsers/whatsapp_ios_contacts.h"

#include <fmt/format.h>

#include "parsers/person_name.h"
#include "parsers/whatsapp_jid.h"

namespace kanshiki::parsers::whatsapp_ios_contacts {
namespace {

const std::vector<std::string> kBaseColumns = {"Z_PK",          "ZFULLNAME",    "ZGIVENNAME",  "ZLASTNAME",
                                               "ZBUSINESSNAME", "ZPHONENUMBER", "ZWHATSAPPID", "ZABOUTTEXT"};
const std::vector<std::string> kNewColumns = {"ZLID", "ZUSERNAME", "ZNOTES"};

void on_contact(const Row& r, RowEmitter& out) {
  Contact c;
  c.app = "whatsapp";
  c.name = r.text("ZFULLNAME");
  if (c.name.empty()) c.name = person_name::display(r.text("ZGIVENNAME"), "", r.text("ZLASTNAME"));
  c.organization = r.text("ZBUSINESSNAME");

  std::string jid = r.text("ZWHATSAPPID");
  std::string number = r.text("ZPHONENUMBER");
  if (!number.empty()) c.phones.push_back(number);
  std::string from_jid = whatsapp_jid::to_e164(jid);
  if (!from_jid.empty() && from_jid != number) c.phones.push_back(from_jid);
  if (jid.empty() && r.text("ZLID").empty() && number.empty())
    out.warn("contact has no WhatsApp ID, linked ID or phone number; reported with its name only");

  // Contact has no fields for these; the note keeps them readable and searchable.
  std::vector<std::string> facts;
  if (std::string notes = r.text("ZNOTES"); !notes.empty()) facts.push_back(notes);
  if (!jid.empty()) facts.push_back("WhatsApp JID: " + jid);
  if (std::string lid = r.text("ZLID"); !lid.empty()) facts.push_back("WhatsApp LID: " + lid);
  if (std::string user = r.text("ZUSERNAME"); !user.empty()) facts.push_back("WhatsApp username: " + user);
  if (std::string about = r.text("ZABOUTTEXT"); !about.empty()) facts.push_back("about: " + about);
  for (const auto& f : facts) c.note += (c.note.empty() ? "" : "\n") + f;
  out.emit(std::move(c));
}

std::string contact_sql(const std::vector<std::string>& columns) {
  std::string sql = "SELECT Z_PK AS _rowid";
  for (const auto& c : columns) sql += ", " + c;
  return sql + " FROM ZWAADDRESSBOOKCONTACT ORDER BY Z_PK";
}

class ContactsParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return whatsapp_ios_contacts::info(); }

 protected:
  std::vector<Query> queries() override {
    std::vector<std::string> all = kBaseColumns;
    all.insert(all.end(), kNewColumns.begin(), kNewColumns.end());
    auto on_row = [](const Row& r, RowEmitter& out) { on_contact(r, out); };
    return {
        {"contacts",
         "WhatsApp 23+ (ZLID linked identities, usernames, notes)",
         {{"ZWAADDRESSBOOKCONTACT", all}},
         contact_sql(all),
         "ZWAADDRESSBOOKCONTACT",
         true,
         on_row},
        {"contacts",
         "older ZWAADDRESSBOOKCONTACT without ZLID/ZUSERNAME/ZNOTES",
         {{"ZWAADDRESSBOOKCONTACT", kBaseColumns}},
         contact_sql(kBaseColumns),
         "ZWAADDRESSBOOKCONTACT",
         true,
         on_row},
    };
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "whatsapp.ios.contacts",
      "1.0.0",
      Platform::ios,
      "WhatsApp (iOS)",
      "Contacts known to WhatsApp (name, numbers, WhatsApp ID, linked ID, about text) from "
      "ContactsV2.sqlite.",
      {Locator::backup("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ContactsV2.sqlite"),
       Locator::path("**/group.net.whatsapp.WhatsApp.shared/ContactsV2.sqlite")},
      {
          "The phone number is reported as stored (ZPHONENUMBER) plus the E.164 number of the WhatsApp ID "
          "when "
          "it differs; ZLOCALIZEDPHONENUMBER is not reported.",
          "WhatsApp ID, linked ID (LID), username, about text and notes are kept in the contact's note.",
          "Times (ZLASTUPDATED, about and disappearing-mode timestamps), phone status and sync policy are "
          "not "
          "reported.",
          "Profile pictures and WhatsApp Business profiles are not read; deleted rows are not recovered.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<ContactsParser>(); }

}  // namespace kanshiki::parsers::whatsapp_ios_contacts
