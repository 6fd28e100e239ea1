#pragma once
// iOS contact photos: AddressBookImages.sqlitedb (ABThumbnailImage, ABFullSizeImage), one image record per
// row, tied to its contact by record_id (= ABPerson.ROWID, the source_rowid of ios.addressbook's contacts).
#include <memory>

#include "parsers/parser.h"

namespace kanshiki::parsers::ios_addressbook_images {
const ParserInfo& info();
std::unique_ptr<Parser> make();
}  // namespace kanshiki::parsers::ios_addressbook_images
