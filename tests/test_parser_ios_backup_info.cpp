// ios.backup_info: the real binary Info.plist of the MVT iOS 14.3 backup, a generated XML Info.plist with
// Japanese values, and malformed input.
#include <fstream>
#include <map>
#include <string>

#include "core/error.h"
#include "tests/test_support.h"

using namespace kanshiki;
using kanshiki::test::TempDir;

namespace {

std::map<std::string, std::string> facts_by_key(const CollectingSink& sink) {
  std::map<std::string, std::string> out;
  for (const auto& [p, f] : sink.of_type<DeviceFact>()) out[f.key] = f.value;
  return out;
}

std::filesystem::path write_file(const TempDir& dir, const std::string& name, const std::string& content) {
  auto path = dir / name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace

TEST_CASE("ios.backup_info: real binary Info.plist (MVT, iPhone9,3 iOS 14.3)", "[ios]") {
  KANSHIKI_REALDATA_OR_SKIP(file, "ios_backup/mvt_ios_backup/Info.plist");
  auto sink = test::run_parser("ios.backup_info", file, "Info.plist");
  CHECK(sink.warnings.empty());
  REQUIRE(sink.records.size() == 20);  // 14 device facts + 6 installed applications
  auto facts = sink.of_type<DeviceFact>();
  auto apps = sink.of_type<InstalledApp>();
  REQUIRE(facts.size() == 14);
  REQUIRE(apps.size() == 6);

  CHECK(facts_by_key(sink) == std::map<std::string, std::string>{
                                  {"DeviceName", "iPhone"},
                                  {"DisplayName", "iPhone"},
                                  {"ProductType", "iPhone9,3"},
                                  {"ProductVersion", "14.3"},
                                  {"BuildVersion", "18C66"},
                                  {"SerialNumber", "F1234567890"},
                                  {"IMEI", "42"},
                                  {"ICCID", "63847829383904849"},
                                  {"UniqueIdentifier", "1CB128EAFA77C5BE74283E9A3A2130AF36A3C059"},
                                  {"TargetIdentifier", "1cb128eafa77c5be74283e9a3a2130af36a3c059"},
                                  {"TargetType", "Device"},
                                  {"GUID", "DDDDDDDDDD"},
                                  {"LastBackupDate", "2021-12-03T19:33:13.000Z"},
                                  {"iTunesVersion", "12.5.0"},
                              });

  // One fully specified record: the product type.
  const auto& [p, f] = facts[2];
  CHECK(p.evidence_id == 1);
  CHECK(p.item_id == 1);
  CHECK(p.item_path == "Info.plist");
  CHECK(p.item_sha256 == test::file_sha256(file));
  CHECK(p.source_table == "plist");
  CHECK_FALSE(p.source_rowid);
  CHECK_FALSE(p.source_offset);
  CHECK(p.source_detail == "Product Type");
  CHECK(p.parser_id == "ios.backup_info");
  CHECK(p.parser_version == "1.0.0");
  CHECK_FALSE(p.recovered);
  CHECK(f.key == "ProductType");
  CHECK(f.value == "iPhone9,3");

  // The backup date keeps its raw plist value (Cocoa seconds) beside the UTC text.
  for (const auto& [fp, ff] : facts)
    if (ff.key == "LastBackupDate")
      CHECK(fp.source_detail == "Last Backup Date (plist date: cocoa_s 660252793)");

  CHECK(apps[0].first.source_table == "plist");
  CHECK(apps[0].first.source_detail == "Installed Applications[0]");
  CHECK(apps[0].second.identifier == "ph.telegra.Telegraph");
  CHECK(apps[0].second.name.empty());
  CHECK(apps[0].second.version.empty());
  CHECK(apps[0].second.installed.empty());
  CHECK(apps[5].second.identifier == "org.mozilla.ios.Firefox");
}

TEST_CASE("ios.backup_info: generated XML Info.plist with Japanese values and a bad entry", "[ios]") {
  TempDir dir;
  auto file = write_file(dir, "Info.plist", R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Build Version</key><string>21F90</string>
	<key>Device Name</key><string>山田のiPhone</string>
	<key>IMEI</key><string>356789012345678</string>
	<key>Installed Applications</key>
	<array>
		<string>jp.naver.line</string>
		<integer>7</integer>
		<string>com.apple.mobilesafari</string>
	</array>
	<key>Last Backup Date</key><date>2024-05-01T12:34:56Z</date>
	<key>MEID</key><string>35678901234567</string>
	<key>Phone Number</key><string>+81 90-1234-5678</string>
	<key>Product Type</key><string>iPhone15,2</string>
	<key>Product Version</key><string>17.5.1</string>
	<key>Target Type</key><string>Device</string>
</dict>
</plist>
)");
  auto sink = test::run_parser("ios.backup_info", file, "Info.plist");
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].source_table == "plist");
  CHECK(sink.warnings[0].message.find("\"Installed Applications[1]\" is not a string") == 0);
  CHECK(sink.records.size() == 11);  // 9 facts + 2 applications
  auto facts = facts_by_key(sink);
  CHECK(facts.size() == 9);
  CHECK(facts["DeviceName"] == "山田のiPhone");
  CHECK(facts["PhoneNumber"] == "+81 90-1234-5678");
  CHECK(facts["MEID"] == "35678901234567");
  CHECK(facts["LastBackupDate"] == "2024-05-01T12:34:56.000Z");
  auto apps = sink.of_type<InstalledApp>();
  REQUIRE(apps.size() == 2);
  CHECK(apps[1].first.source_detail == "Installed Applications[2]");
  CHECK(apps[1].second.identifier == "com.apple.mobilesafari");
}

TEST_CASE("ios.backup_info: malformed Info.plist is a corrupt-input error", "[ios]") {
  TempDir dir;
  for (const std::string& content : {std::string("bplist00\x01\x02garbage", 17),
                                     std::string("<plist><dict><key>"), std::string("not a plist at all")}) {
    auto file = write_file(dir, "Info.plist", content);
    try {
      test::run_parser("ios.backup_info", file, "Info.plist");
      FAIL("no error for a malformed plist");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::corrupt_input);
      CHECK(std::string(e.what()).find("Info.plist") != std::string::npos);
    }
  }
  // Well-formed, but an array at the root: not a backup Info.plist.
  auto file =
      write_file(dir, "Info.plist", "<plist version=\"1.0\"><array><string>x</string></array></plist>");
  try {
    test::run_parser("ios.backup_info", file, "Info.plist");
    FAIL("no error for a plist whose root is not a dictionary");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::corrupt_input);
    CHECK(std::string(e.what()).find("not a dictionary") != std::string::npos);
  }
}
