// ios.wifi on plist fixtures with the keys of com.apple.wifi.known-networks.plist (iOS 14+) and
// com.apple.wifi.plist (up to iOS 13) as documented in published Wi-Fi forensics write-ups: a Japanese SSID
// whose access point carries a position, an access point without one, an implausible position, and the older
// "List of known networks" layout. XML plists: libplist reads them exactly like the binary ones iOS writes.
#include <catch2/catch.hpp>
#include <fstream>

#include "core/error.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;

fs::path write(const fs::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

constexpr std::string_view kKnownNetworks = R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>wifi.network.ssid.カフェ</key>
  <dict>
    <key>SSID</key><data>44Kr44OV44Kn</data>
    <key>AddedAt</key><date>2023-11-06T21:46:40Z</date>
    <key>JoinedByUserAt</key><date>2023-11-06T21:47:00Z</date>
    <key>SupportedSecurityTypes</key><integer>4</integer>
    <key>BSSList</key>
    <array>
      <dict>
        <key>BSSID</key><string>aa:bb:cc:dd:ee:1</string>
        <key>LastAssociatedAt</key><date>2023-11-06T21:47:00Z</date>
        <key>LocationLatitude</key><real>35.681236</real>
        <key>LocationLongitude</key><real>139.767125</real>
        <key>LocationAccuracy</key><real>35</real>
        <key>LocationTimestamp</key><date>2023-11-06T21:46:50Z</date>
      </dict>
      <dict>
        <key>BSSID</key><string>aa:bb:cc:dd:ee:2</string>
        <key>LastAssociatedAt</key><date>2023-11-07T09:00:00Z</date>
      </dict>
      <dict>
        <key>BSSID</key><string>aa:bb:cc:dd:ee:3</string>
        <key>LocationLatitude</key><real>95.5</real>
        <key>LocationLongitude</key><real>139.0</real>
      </dict>
    </array>
  </dict>
  <key>wifi.network.ssid.Home</key>
  <dict>
    <key>SSID</key><data>SG9tZQ==</data>
    <key>Hidden</key><true/>
  </dict>
  <key>LastUpdated</key><date>2023-11-07T09:00:00Z</date>
</dict>
</plist>
)";

TEST_CASE("ios.wifi: known-networks.plist networks and access point positions", "[ios][wifi][location]") {
  test::TempDir dir;
  auto p = write(dir / "com.apple.wifi.known-networks.plist", kKnownNetworks);
  const std::string item = "private/var/preferences/com.apple.wifi.known-networks.plist";
  auto sink = test::run_parser("ios.wifi", p, item);
  auto facts = sink.of_type<DeviceFact>();
  auto points = sink.of_type<LocationPoint>();
  REQUIRE(facts.size() == 2);
  REQUIRE(points.size() == 1);
  CHECK(sink.records.size() == 3);
  REQUIRE(sink.warnings.size() == 1);  // latitude 95.5 is not a position
  CHECK(sink.warnings[0].message.find("wifi.network.ssid.カフェ/BSSList[2]: no usable position") == 0);

  const auto& [prov, pt] = points[0];
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == item);
  CHECK(prov.item_sha256 == test::file_sha256(p));
  CHECK(prov.source_table == "plist");
  CHECK_FALSE(prov.source_rowid.has_value());
  CHECK_FALSE(prov.source_offset.has_value());
  CHECK(prov.source_detail == "wifi.network.ssid.カフェ/BSSList[0]");
  CHECK(prov.parser_id == "ios.wifi");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(pt.latitude == Approx(35.681236).margin(1e-9));
  CHECK(pt.longitude == Approx(139.767125).margin(1e-9));
  CHECK(pt.accuracy_m == 35.0);
  CHECK_FALSE(pt.altitude_m.has_value());
  CHECK(pt.time.raw == "721000010");
  CHECK(pt.time.kind == EpochKind::cocoa_s);
  CHECK(pt.time.utc_iso() == "2023-11-06T21:46:50.000Z");
  CHECK(pt.kind == "wifi");
  CHECK(pt.source == "Wi-Fi known networks");
  CHECK(pt.label == "Wi-Fi カフェ BSSID aa:bb:cc:dd:ee:1");

  CHECK(facts[0].first.source_detail == "wifi.network.ssid.カフェ");
  CHECK(facts[0].second.key == "WiFiNetwork");
  CHECK(facts[0].second.value ==
        "SSID カフェ; SupportedSecurityTypes 4; AddedAt 2023-11-06T21:46:40.000Z (721000000 cocoa_s); "
        "JoinedByUserAt 2023-11-06T21:47:00.000Z (721000020 cocoa_s); 3 access point(s) in BSSList");
  CHECK(facts[1].second.value == "SSID Home; hidden network");
}

TEST_CASE("ios.wifi: com.apple.wifi.plist of iOS 13 and older, and a plist of another kind", "[ios][wifi]") {
  test::TempDir dir;
  auto p = write(dir / "com.apple.wifi.plist", R"(<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
  <key>List of known networks</key>
  <array>
    <dict>
      <key>SSID_STR</key><string>会社のネットワーク</string>
      <key>BSSID</key><string>0:11:22:33:44:55</string>
      <key>SecurityMode</key><string>WPA2 Personal</string>
      <key>lastJoined</key><date>2019-05-08T13:44:45Z</date>
    </dict>
    <string>not a network</string>
  </array>
</dict></plist>
)");
  auto sink =
      test::run_parser("ios.wifi", p, "SystemPreferencesDomain/SystemConfiguration/com.apple.wifi.plist");
  auto facts = sink.of_type<DeviceFact>();
  REQUIRE(facts.size() == 1);
  CHECK(facts[0].first.source_detail == "List of known networks[0]");
  CHECK(facts[0].second.value ==
        "SSID 会社のネットワーク; security WPA2 Personal; BSSID 0:11:22:33:44:55; lastJoined "
        "2019-05-08T13:44:45.000Z (579015885 cocoa_s)");
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].message == "List of known networks[1]: not a dictionary; network not reported");

  auto other = write(dir / "other.plist",
                     "<plist version=\"1.0\"><dict><key>a</key><string>b</string></dict></plist>");
  auto none =
      test::run_parser("ios.wifi", other, "private/var/preferences/com.apple.wifi.known-networks.plist");
  CHECK(none.records.empty());
  REQUIRE(none.warnings.size() == 1);
  CHECK(none.warnings[0].severity == Severity::info);
  auto garbage = write(dir / "garbage.plist", "not a plist at all");
  CHECK_THROWS_AS(
      test::run_parser("ios.wifi", garbage, "private/var/preferences/com.apple.wifi.known-networks.plist"),
      Error);
}

}  // namespace
}  // namespace kanshiki
