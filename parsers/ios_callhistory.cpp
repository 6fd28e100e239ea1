// iOS Phone/FaceTime call history: Library/CallHistoryDB/CallHistory.storedata (a Core Data store, iOS 8+).
//
// Schema source: ZCALLRECORD as dumped from real iOS 11.2 devices (richinfante/iphonebackuptools,
// schemas/calls/calls_11.2.sql): Z_PK, ZANSWERED, ZCALL_CATEGORY, ZCALLTYPE, ZDISCONNECTED_CAUSE,
// ZFACE_TIME_DATA, ZHANDLE_TYPE, ZNUMBER_AVAILABILITY, ZORIGINATED, ZREAD, ZDATE (Cocoa s), ZDURATION (s,
// REAL), ZDEVICE_ID, ZISO_COUNTRY_CODE, ZLOCATION, ZNAME, ZSERVICE_PROVIDER, ZUNIQUE_ID, ZADDRESS (BLOB
// holding the number or handle as text). ZCALLTYPE: 1 phone, 8 FaceTime video, 16 FaceTime audio.
// ZSERVICE_PROVIDER names the app that placed the call: com.apple.Telephony, com.apple.FaceTime, or a CallKit
// app's bundle id (net.whatsapp.WhatsApp, ...).
#include "parsers/ios_callhistory.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "core/phone.h"

namespace kanshiki::parsers::ios_callhistory {
namespace {

constexpr int64_t kCallTypePhone = 1;
constexpr int64_t kCallTypeFaceTimeVideo = 8;
constexpr int64_t kCallTypeFaceTimeAudio = 16;

const std::vector<std::string> kMinimalColumns = {"Z_PK",        "ZADDRESS",  "ZDATE",    "ZDURATION",
                                                  "ZORIGINATED", "ZANSWERED", "ZCALLTYPE"};
const std::vector<std::string> kProviderColumns = {"ZNAME", "ZISO_COUNTRY_CODE", "ZSERVICE_PROVIDER"};

std::string app_for(const Row& r, RowEmitter& out) {
  std::string provider = r.text("ZSERVICE_PROVIDER");
  if (provider == "com.apple.Telephony") return "phone";
  if (provider == "com.apple.FaceTime") return "facetime";
  if (!provider.empty()) return provider;  // a CallKit app: its bundle id says which
  switch (r.i64_or("ZCALLTYPE", 0)) {
    case kCallTypePhone:
      return "phone";
    case kCallTypeFaceTimeVideo:
    case kCallTypeFaceTimeAudio:
      return "facetime";
    default:
      out.warn(
          fmt::format("call type {} is not known and no service provider is named; app reported as \"phone\"",
                      r.text("ZCALLTYPE")));
      return "phone";
  }
}

void on_call(const Row& r, RowEmitter& out) {
  Call c;
  c.app = app_for(r, out);
  c.number = r.text("ZADDRESS");  // BLOB or TEXT depending on the iOS version; the bytes are the text
  c.name = r.text("ZNAME");
  c.time = r.time("ZDATE", EpochKind::cocoa_s, out);
  if (auto d = r.real("ZDURATION")) c.duration_s = static_cast<int64_t>(std::llround(*d));
  c.video = r.i64_or("ZCALLTYPE", 0) == kCallTypeFaceTimeVideo;
  c.country_iso = r.text("ZISO_COUNTRY_CODE");

  auto originated = r.i64("ZORIGINATED");
  auto answered = r.i64("ZANSWERED");
  if (!originated) {
    out.warn("ZORIGINATED is NULL: call direction unknown");
  } else if (*originated != 0) {
    c.direction = CallDirection::outgoing;
  } else {
    c.direction = answered.value_or(0) != 0 ? CallDirection::incoming : CallDirection::missed;
  }

  std::string country = c.country_iso;
  for (char& ch : country) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  c.number_e164 = normalize_phone_e164(c.number, country.empty() ? "JP" : country);
  out.emit(std::move(c));
}

std::string call_sql(const std::vector<std::string>& columns) {
  std::string sql = "SELECT Z_PK AS _rowid";
  for (const auto& c : columns) sql += ", " + c;
  return sql + " FROM ZCALLRECORD ORDER BY Z_PK";
}

class CallHistoryParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return ios_callhistory::info(); }

 protected:
  std::vector<Query> queries() override {
    std::vector<std::string> full = kMinimalColumns;
    full.insert(full.end(), kProviderColumns.begin(), kProviderColumns.end());
    auto on_row = [](const Row& r, RowEmitter& out) { on_call(r, out); };
    return {
        {"calls",
         "iOS 8+ ZCALLRECORD with name, country and service provider",
         {{"ZCALLRECORD", full}},
         call_sql(full),
         "ZCALLRECORD",
         true,
         on_row},
        {"calls",
         "ZCALLRECORD without ZNAME/ZISO_COUNTRY_CODE/ZSERVICE_PROVIDER",
         {{"ZCALLRECORD", kMinimalColumns}},
         call_sql(kMinimalColumns),
         "ZCALLRECORD",
         true,
         on_row},
    };
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.callhistory",
      "1.0.0",
      Platform::ios,
      "Phone and FaceTime (call history)",
      "Phone, FaceTime and CallKit-app calls (direction, missed, duration, number, cached name) from "
      "CallHistory.storedata.",
      {Locator::backup("HomeDomain", "Library/CallHistoryDB/CallHistory.storedata"),
       Locator::path("**/mobile/Library/CallHistoryDB/CallHistory.storedata")},
      {
          "iOS 7 and older call_history.db (`call` table) is not read.",
          "Missed means neither originated nor answered; calls declined by the user or answered on another "
          "device are not distinguished (ZDISCONNECTED_CAUSE is not decoded).",
          "Calls placed through CallKit apps report the app's bundle id (ZSERVICE_PROVIDER) as the app.",
          "Numbers are normalised to E.164 with the call's ZISO_COUNTRY_CODE (JP when empty); the raw "
          "address "
          "is kept.",
          "ZLOCATION, ZREAD, ZHANDLE_TYPE, ZNUMBER_AVAILABILITY, ZDEVICE_ID and the unique id are not "
          "reported; CallHistoryTemp.storedata and transaction logs are not read; deleted rows are not "
          "recovered.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<CallHistoryParser>(); }

}  // namespace kanshiki::parsers::ios_callhistory
