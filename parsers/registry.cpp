// The parser registry: one line per parser, nothing else. Order is the order `process` runs them in.
#include "parsers/parser.h"
#include "parsers/android_sms.h"
#include "parsers/android_calllog.h"
#include "parsers/android_contacts.h"
#include "parsers/whatsapp_android_msgstore.h"
#include "parsers/whatsapp_android_contacts.h"
#include "parsers/ios_sms.h"
#include "parsers/whatsapp_ios_chatstorage.h"
#include "parsers/whatsapp_ios_contacts.h"
#include "parsers/whatsapp_ios_calls.h"
#include "parsers/ios_callhistory.h"
#include "parsers/ios_addressbook.h"
#include "parsers/safari_history.h"
#include "parsers/viber_ios.h"
#include "parsers/viber_android.h"
#include "parsers/signal_android.h"
#include "parsers/signal_ios.h"
#include "parsers/android_bugle.h"
#include "parsers/ios_routined.h"
#include "parsers/ios_photos.h"
#include "parsers/chrome_history.h"
#include "parsers/ios_backup_info.h"
#include "parsers/google_location_device_timeline.h"
#include "parsers/google_location_takeout.h"
#include "parsers/google_maps_android.h"
#include "parsers/ios_consolidated.h"
#include "parsers/ios_knowledgec.h"
#include "parsers/android_wifi.h"
#include "parsers/ios_wifi.h"
#include "parsers/media_exif.h"
#include "parsers/telegram_android.h"
#include "parsers/telegram_ios.h"
#include "parsers/line_android.h"
#include "parsers/line_ios.h"
#include "parsers/android_content_query.h"
#include "parsers/kakaotalk_android.h"
#include "parsers/facebook_messenger_android.h"
#include "parsers/ios_addressbook_images.h"

namespace kanshiki {

const std::vector<ParserEntry>& parser_registry() {
  static const std::vector<ParserEntry> entries = {
      {parsers::android_sms::info, parsers::android_sms::make},
      {parsers::android_calllog::info, parsers::android_calllog::make},
      {parsers::android_contacts::info, parsers::android_contacts::make},
      {parsers::whatsapp_android_msgstore::info, parsers::whatsapp_android_msgstore::make},
      {parsers::whatsapp_android_contacts::info, parsers::whatsapp_android_contacts::make},
      {parsers::ios_sms::info, parsers::ios_sms::make},
      {parsers::whatsapp_ios_chatstorage::info, parsers::whatsapp_ios_chatstorage::make},
      {parsers::whatsapp_ios_contacts::info, parsers::whatsapp_ios_contacts::make},
      {parsers::whatsapp_ios_calls::info, parsers::whatsapp_ios_calls::make},
      {parsers::ios_callhistory::info, parsers::ios_callhistory::make},
      {parsers::ios_addressbook::info, parsers::ios_addressbook::make},
      {parsers::safari_history::info, parsers::safari_history::make},
      {parsers::viber_ios::info, parsers::viber_ios::make},
      {parsers::viber_android::info, parsers::viber_android::make},
      {parsers::signal_android::info, parsers::signal_android::make},
      {parsers::signal_ios::info, parsers::signal_ios::make},
      {parsers::android_bugle::info, parsers::android_bugle::make},
      {parsers::ios_routined::info, parsers::ios_routined::make},
      {parsers::ios_photos::info, parsers::ios_photos::make},
      {parsers::chrome_history::info, parsers::chrome_history::make},
      {parsers::ios_backup_info::info, parsers::ios_backup_info::make},
      {parsers::google_location_device_timeline::info, parsers::google_location_device_timeline::make},
      {parsers::google_location_takeout::info, parsers::google_location_takeout::make},
      {parsers::google_maps_android::info, parsers::google_maps_android::make},
      {parsers::ios_consolidated::info, parsers::ios_consolidated::make},
      {parsers::ios_knowledgec::info, parsers::ios_knowledgec::make},
      {parsers::android_wifi::info, parsers::android_wifi::make},
      {parsers::ios_wifi::info, parsers::ios_wifi::make},
      {parsers::media_exif::info, parsers::media_exif::make},
      {parsers::telegram_android::info, parsers::telegram_android::make},
      {parsers::telegram_ios::info, parsers::telegram_ios::make},
      {parsers::line_android::info, parsers::line_android::make},
      {parsers::line_ios::info, parsers::line_ios::make},
      {parsers::android_content_query::info, parsers::android_content_query::make},
      {parsers::kakaotalk_android::info, parsers::kakaotalk_android::make},
      {parsers::facebook_messenger_android::info, parsers::facebook_messenger_android::make},
      {parsers::ios_addressbook_images::info, parsers::ios_addressbook_images::make},
  };
  return entries;
}

}  // namespace kanshiki
