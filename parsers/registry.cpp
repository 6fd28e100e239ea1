// The parser registry: one line per parser, nothing else. Order is the order `process` runs them in.
#include "parsers/parser.h"
#include "parsers/android_sms.h"
#include "parsers/android_calllog.h"
#include "parsers/android_contacts.h"
#include "parsers/whatsapp_android_msgstore.h"
#include "parsers/whatsapp_android_contacts.h"
#include "parsers/ios_sms.h"
#include "parsers/chrome_history.h"
#include "parsers/ios_backup_info.h"

namespace kanshiki {

const std::vector<ParserEntry>& parser_registry() {
  static const std::vector<ParserEntry> entries = {
      {parsers::android_sms::info, parsers::android_sms::make},
      {parsers::android_calllog::info, parsers::android_calllog::make},
      {parsers::android_contacts::info, parsers::android_contacts::make},
      {parsers::whatsapp_android_msgstore::info, parsers::whatsapp_android_msgstore::make},
      {parsers::whatsapp_android_contacts::info, parsers::whatsapp_android_contacts::make},
      {parsers::ios_sms::info, parsers::ios_sms::make},
      {parsers::chrome_history::info, parsers::chrome_history::make},
      {parsers::ios_backup_info::info, parsers::ios_backup_info::make},
  };
  return entries;
}

}  // namespace kanshiki
