#pragma once
// iOS Contacts: AddressBook.sqlitedb (ABPerson + ABMultiValue).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_addressbook {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_addressbook
