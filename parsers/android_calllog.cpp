// Android call log: the `calls` table of the contacts provider. Android 7+ keeps it in calllog.db; older
// releases keep it in contacts2.db (which later releases still have, without `calls`).
//
// Schema source: AOSP packages/providers/ContactsProvider, CallLogDatabaseHelper.java and
// ContactsDatabaseHelper.java; column meanings from android.provider.CallLog.Calls (date in ms since 1970,
// duration in s, TYPE 1 incoming .. 7 answered externally, FEATURES bit 0 = video). Checked against real
// files: plaso test_data contacts2.db (no `features`) and Andriller's calllog.db (with `features`).
#include "parsers/android_calllog.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "core/phone.h"
#include "parsers/android_provider_types.h"

namespace kanshiki::parsers::android_calllog {
namespace {

class CallLogParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return android_calllog::info(); }

 protected:
  void on_open(sql::Db& db, RowEmitter& out) override {
    // contacts2.db of Android 7+ has no `calls` (it moved to calllog.db): that is normal. A database that
    // is neither a contacts2.db nor has `calls` is not what the locator promised, and is said so.
    if (!db.table_exists("calls") && !db.table_exists("raw_contacts") && !db.table_exists("contacts"))
      out.warn("no `calls` table: this file holds no Android call log");
  }

  std::vector<Query> queries() override {
    std::vector<std::string> cols = {"number", "date", "duration", "type", "name", "countryiso"};
    std::vector<std::string> with_features = cols;
    with_features.push_back("features");
    auto row = [](const Row& r, RowEmitter& out) { on_call(r, out); };
    return {
        {"calls",
         "`calls` with `features` (Android 5+)",
         {{"calls", with_features}},
         "SELECT rowid AS _rowid, number, date, duration, type, name, countryiso, features FROM calls ORDER "
         "BY rowid",
         "calls",
         false,
         row},
        {"calls",
         "`calls` without `features` (up to Android 4.4)",
         {{"calls", cols}},
         "SELECT rowid AS _rowid, number, date, duration, type, name, countryiso FROM calls ORDER BY rowid",
         "calls",
         false,
         row},
    };
  }

 private:
  static void on_call(const Row& r, RowEmitter& out) {
    Call c;
    c.app = "phone";
    c.number = r.text("number");
    c.country_iso = r.text("countryiso");
    // The phone's own country for this call is the best default for numbers dialled without a prefix.
    std::string country = c.country_iso;
    for (char& ch : country) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    c.number_e164 = normalize_phone_e164(c.number, country.empty() ? "JP" : country);
    c.name = r.text("name");
    c.direction = android_provider::call_direction(r.i64_or("type", -1));
    c.time = r.time("date", EpochKind::unix_ms, out);
    if (auto d = r.i64("duration")) c.duration_s = *d;
    c.video = (r.i64_or("features", 0) & 1) != 0;
    out.emit(std::move(c));
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "android.calllog",
      "1.0.0",
      Platform::android,
      "Android Phone (call log)",
      "Phone calls from the contacts provider's call log (calllog.db on Android 7+, contacts2.db before)",
      {Locator::path("**/com.android.providers.contacts/databases/calllog.db"),
       Locator::path("**/calllog.db"),
       Locator::path("**/com.android.providers.contacts/databases/contacts2.db"),
       Locator::path("**/contacts2.db")},
      {"voicemail entries (type 4) are reported as missed calls; calls answered on another device (type 7) "
       "as incoming",
       "numbers are normalised to E.164 with the call's `countryiso` (JP when empty); the raw number is kept",
       "number presentation (private/unknown), SIM account and geocoded location are not reported"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<CallLogParser>(); }

}  // namespace kanshiki::parsers::android_calllog
