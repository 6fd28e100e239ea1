// The simulated phone behind the fake adbd: properties, package list, account facts and content-provider
// rows (printed exactly as `content query` prints them, Content.java QueryCommand), with Japanese text and
// the awkward cases the parser must survive: values containing ", ", "=" and newlines, NULL and BLOB.
#include <algorithm>
#include <system_error>

#include "acquire/android/fake/fake_adbd.h"

namespace kanshiki::adb::fake {
namespace fs = std::filesystem;

FakeDevice sample_device(const fs::path& root) {
  FakeDevice d;
  d.root = root;
  d.props = {{"ro.product.manufacturer", "Google"},
             {"ro.product.model", "Pixel 7"},
             {"ro.product.brand", "google"},
             {"ro.product.device", "panther"},
             {"ro.serialno", "KSK0000FAKE01"},
             {"ro.build.version.release", "13"},
             {"ro.build.version.sdk", "33"},
             {"ro.build.version.security_patch", "2023-10-05"},
             {"ro.build.fingerprint", "google/panther/panther:13/TQ3A.230901.001/10750268:user/release-keys"},
             {"ro.build.id", "TQ3A.230901.001"},
             {"ro.crypto.state", "encrypted"},
             {"persist.sys.timezone", "Asia/Tokyo"},
             {"gsm.operator.alpha", "NTT DOCOMO"},
             {"ro.debuggable", "0"}};
  // Packages: one line per folder under data/data (or a fixed list when the sample has none).
  std::string packages;
  std::error_code ec;
  std::vector<std::string> names;
  if (fs::is_directory(root / "data/data", ec))
    for (const auto& e : fs::directory_iterator(root / "data/data", ec))
      names.push_back(e.path().filename().string());
  if (names.empty()) names = {"com.whatsapp", "jp.naver.line.android", "org.telegram.messenger"};
  std::sort(names.begin(), names.end());
  for (const auto& n : names) packages += "package:/data/app/~~fake==/" + n + "-1/base.apk=" + n + "\n";
  d.commands["pm list packages -f"] = {packages, "", 0};
  d.commands["dumpsys account"] = {
      "Accounts: 2\n  Account {name=sato.taro.k@gmail.com, type=com.google}\n"
      "  Account {name=佐藤太郎, type=jp.naver.line.android}\n",
      "", 0};
  d.commands["dumpsys package packages"] = {
      "Packages:\n  Package [jp.naver.line.android] (fake):\n    versionName=13.20.0\n    "
      "firstInstallTime=2023-04-01 10:00:00\n",
      "", 0};
  d.commands["service call iphonesubinfo 1 s16 com.android.shell"] = {
      "Result: Parcel(ffffffff ffffffff '........')\n", "", 0};  // modern Android refuses the shell
  d.commands
      ["content query --uri content://sms --projection _id:thread_id:address:date:date_sent:type:read:body"] =
      {"Row: 0 _id=1, thread_id=1, address=+819012345678, date=1700000000000, date_sent=1699999999000, "
       "type=1, "
       "read=1, body=本日は即日即金です。受け子は駅前で待機, address=どこ?\n"
       "Row: 1 _id=2, thread_id=1, address=+819012345678, date=1700000060000, date_sent=0, type=2, read=1, "
       "body=了解。\n二行目の本文 = 注意\n"
       "Row: 2 _id=3, thread_id=2, address=090-8765-4321, date=1700000120000, date_sent=NULL, type=1, "
       "read=0, body=NULL\n",
       "", 0};
  d.commands
      ["content query --uri content://call_log/calls --projection "
       "_id:number:date:duration:type:name:countryiso"] = {
      "Row: 0 _id=1, number=+819012345678, date=1700000300000, duration=125, type=2, name=田中 一郎, "
      "countryiso=JP\n"
      "Row: 1 _id=2, number=0312345678, date=1700000400000, duration=0, type=3, name=NULL, countryiso=JP\n",
      "", 0};
  d.commands
      ["content query --uri content://com.android.contacts/data/phones --projection "
       "_id:raw_contact_id:display_name:data1"] = {
      "Row: 0 _id=1, raw_contact_id=1, display_name=田中 一郎, data1=+81 90-1234-5678\n"
      "Row: 1 _id=2, raw_contact_id=2, display_name=鈴木, 花子, data1=080-1111-2222\n",
      "", 0};
  d.commands["content query --uri content://mms --projection _id:thread_id:date:msg_box:sub"] = {
      "No result found.\n", "", 0};
  d.commands
      ["content query --uri content://com.android.calendar/events --projection "
       "_id:title:dtstart:dtend:eventLocation"] = {
      "",
      "Error while accessing provider:com.android.calendar\njava.lang.SecurityException: Permission Denial\n",
      1};
  return d;
}

}  // namespace kanshiki::adb::fake
