// iOS Contacts: Library/AddressBook/AddressBook.sqlitedb.
//
// Schema source: the ABPerson/ABMultiValue DDL Apple's AddressBook framework creates (the CREATE TABLE
// statements are strings in the framework, as listed in blacktop/ipsw-diffs, and the same DDL appears in
// dumps of real databases): ABPerson(ROWID, First, Last, Middle, FirstPhonetic, MiddlePhonetic, LastPhonetic,
// Organization, Department, Note, Kind, Birthday, JobTitle, Nickname, Prefix, Suffix, FirstSort, LastSort,
// CreationDate, ModificationDate, CompositeNameFallback, ...), ABMultiValue(UID, record_id, property,
// identifier, label, value). ABMultiValue.property 3 = phone, 4 = e-mail.
#include "parsers/ios_addressbook.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "parsers/person_name.h"

namespace kanshiki::parsers::ios_addressbook {
namespace {

constexpr int kPropertyPhone = 3;
constexpr int kPropertyEmail = 4;

void on_person(const Row& r, RowEmitter& out) {
  Contact c;
  c.app = "contacts";
  std::string first = r.text("First"), middle = r.text("Middle"), last = r.text("Last");
  c.name = person_name::display(first, middle, last);
  c.organization = r.text("Organization");
  if (c.name.empty()) c.name = c.organization;  // a company card: iOS lists it under its organisation
  c.note = r.text("Note");

  try {
    for (const auto& v : nlohmann::json::parse(r.text("values_json"))) {
      // [UID, property, value]
      if (!v.at(2).is_string()) {
        out.warn(fmt::format("ABMultiValue {} (property {}) has no text value; not reported", v.at(0).dump(),
                             v.at(1).dump()));
        continue;
      }
      (v.at(1).get<int>() == kPropertyPhone ? c.phones : c.emails).push_back(v.at(2).get<std::string>());
    }
  } catch (const nlohmann::json::exception& e) {
    out.warn(fmt::format("phone numbers and e-mail addresses could not be read: {}", e.what()));
  }
  out.emit(std::move(c));
}

class AddressBookParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return ios_addressbook::info(); }

 protected:
  std::vector<Query> queries() override {
    return {
        {"contacts",
         "ABPerson + ABMultiValue (iOS 3 to current)",
         {{"ABPerson", {"ROWID", "First", "Last", "Middle", "Organization", "Note"}},
          {"ABMultiValue", {"UID", "record_id", "property", "value"}}},
         fmt::format(
             "SELECT p.ROWID AS _rowid, p.First, p.Last, p.Middle, p.Organization, p.Note, "
             "(SELECT json_group_array(json_array(UID, property, value)) FROM (SELECT mv.UID, mv.property, "
             "mv.value FROM ABMultiValue mv WHERE mv.record_id = p.ROWID AND mv.property IN ({}, {}) "
             "ORDER BY mv.UID)) AS values_json FROM ABPerson p ORDER BY p.ROWID",
             kPropertyPhone, kPropertyEmail),
         "ABPerson",
         true,
         [](const Row& r, RowEmitter& out) { on_person(r, out); }}};
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.addressbook",
      "1.0.0",
      Platform::ios,
      "Contacts (iOS address book)",
      "Contacts (name, organisation, note, phone numbers, e-mail addresses) from AddressBook.sqlitedb.",
      {Locator::backup("HomeDomain", "Library/AddressBook/AddressBook.sqlitedb"),
       Locator::path("**/mobile/Library/AddressBook/AddressBook.sqlitedb")},
      {
          "Names are joined family name first when either name holds kana, kanji or hangul (\"山田 太郎\"), "
          "given name first otherwise; phonetic names, prefix, suffix and nickname are not reported.",
          "Phone numbers (property 3) and e-mail addresses (property 4) are reported as stored, without "
          "their labels (mobile, home, ...); postal addresses, URLs, dates, social and IM entries are not "
          "read.",
          "CreationDate, ModificationDate and Birthday are not reported (Contact has no field for them).",
          "Groups and linked cards (PersonLink) are not read. Contact photos (AddressBookImages.sqlitedb) are "
          "reported by the parser ios.addressbook.images, linked by record id = this contact's source_rowid.",
          "Deleted rows are not recovered.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<AddressBookParser>(); }

}  // namespace kanshiki::parsers::ios_addressbook
