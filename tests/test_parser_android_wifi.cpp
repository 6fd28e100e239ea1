// android.wifi on a WifiConfigStore.xml fixture written with the tags of AOSP XmlUtil
// (WifiConfigurationXmlUtil, NetworkSelectionStatusXmlUtil) and the Samsung LastConnectedTime tag: a
// Japanese SSID with a stored password, an open hidden network with a BSSID, a <Network> without
// configuration, and malformed / foreign XML.
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

constexpr std::string_view kStore = R"(<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<WifiConfigStoreData>
<int name="Version" value="3" />
<NetworkList>
<Network>
<WifiConfiguration>
<string name="ConfigKey">&quot;自宅のWi-Fi&quot;WPA_PSK</string>
<string name="SSID">&quot;自宅のWi-Fi&quot;</string>
<null name="BSSID" />
<string name="PreSharedKey">&quot;secret123&quot;</string>
<boolean name="HiddenSSID" value="false" />
<byte-array name="AllowedKeyMgmt" num="1">02</byte-array>
<string name="CreationTime">time=11-06 21:46:40.123</string>
<int name="CreatorUid" value="1000" />
<string name="CreatorName">android.uid.system:1000</string>
</WifiConfiguration>
<NetworkStatus>
<string name="SelectionStatus">NETWORK_SELECTION_ENABLED</string>
<boolean name="HasEverConnected" value="true" />
</NetworkStatus>
</Network>
<Network>
<WifiConfiguration>
<string name="ConfigKey">&quot;CafeFree&quot;NONE</string>
<string name="SSID">&quot;CafeFree&quot;</string>
<string name="BSSID">02:00:00:00:00:01</string>
<boolean name="HiddenSSID" value="true" />
<long name="LastConnectedTime" value="1700000000000" />
</WifiConfiguration>
</Network>
<Network>
<IpConfiguration />
</Network>
</NetworkList>
</WifiConfigStoreData>
)";

TEST_CASE("android.wifi: saved networks from WifiConfigStore.xml", "[android][wifi]") {
  test::TempDir dir;
  auto p = write(dir / "WifiConfigStore.xml", kStore);
  const std::string item = "data/misc/wifi/WifiConfigStore.xml";
  auto sink = test::run_parser("android.wifi", p, item);
  auto facts = sink.of_type<DeviceFact>();
  REQUIRE(facts.size() == 2);
  CHECK(sink.records.size() == 2);
  REQUIRE(sink.warnings.size() == 1);  // the third <Network> has no <WifiConfiguration>
  CHECK(sink.warnings[0].message ==
        "NetworkList/Network[2] (line 31): no <WifiConfiguration>; network not reported");

  const auto& [prov, f] = facts[0];
  CHECK(prov.evidence_id == 1);
  CHECK(prov.item_id == 1);
  CHECK(prov.item_path == item);
  CHECK(prov.item_sha256 == test::file_sha256(p));
  CHECK(prov.source_table == "xml");
  CHECK_FALSE(prov.source_rowid.has_value());
  CHECK_FALSE(prov.source_offset.has_value());
  CHECK(prov.source_detail == "NetworkList/Network[0] (line 5)");
  CHECK(prov.parser_id == "android.wifi");
  CHECK(prov.parser_version == "1.0.0");
  CHECK_FALSE(prov.recovered);
  CHECK(f.key == "WiFiNetwork");
  CHECK(f.value ==
        "SSID \"自宅のWi-Fi\"; security WPA_PSK; password stored (not reported); has connected; created "
        "time=11-06 21:46:40.123 (device local time, year not stored); created by android.uid.system:1000");
  CHECK(f.value.find("secret123") == std::string::npos);
  CHECK(facts[1].second.value ==
        "SSID \"CafeFree\"; security NONE; BSSID 02:00:00:00:00:01; hidden network; last connected "
        "2023-11-14T22:13:20.000Z (LastConnectedTime 1700000000000, unix_ms)");
}

TEST_CASE("android.wifi: malformed and foreign XML fail the file with a clear error", "[android][wifi]") {
  test::TempDir dir;
  auto broken = write(dir / "WifiConfigStore.xml", "<WifiConfigStoreData><NetworkList><Network>");
  CHECK_THROWS_AS(test::run_parser("android.wifi", broken, "data/misc/wifi/WifiConfigStore.xml"), Error);
  auto foreign = write(dir / "other.xml", "<?xml version='1.0'?><map><string name=\"a\">b</string></map>");
  CHECK_THROWS_WITH(test::run_parser("android.wifi", foreign, "data/misc/wifi/WifiConfigStore.xml"),
                    Catch::Contains("is not <WifiConfigStoreData>"));
  auto empty_list = write(dir / "empty.xml",
                          "<WifiConfigStoreData><int name=\"Version\" value=\"3\"/></WifiConfigStoreData>");
  auto sink = test::run_parser("android.wifi", empty_list, "data/misc/wifi/WifiConfigStore.xml");
  CHECK(sink.records.empty());
  REQUIRE(sink.warnings.size() == 1);
  CHECK(sink.warnings[0].severity == Severity::info);
}

}  // namespace
}  // namespace kanshiki
