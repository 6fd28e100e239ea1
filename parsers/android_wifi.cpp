// Android 8+ keeps saved Wi-Fi networks in /data/misc/wifi/WifiConfigStore.xml (Android 11+:
// /data/misc/apexdata/com.android.wifi/WifiConfigStore.xml), written by WifiConfigStore with XmlUtil:
//   <WifiConfigStoreData><NetworkList><Network>
//     <WifiConfiguration> <string name="ConfigKey">"SSID"WPA_PSK</string> <string name="SSID">"SSID"</string>
//       <null name="BSSID"/> <boolean name="HiddenSSID" value="false"/> <string
//       name="PreSharedKey">…</string> <string name="CreationTime">time=MM-DD HH:MM:SS.mmm</string> (device
//       local time, no year) <long name="LastConnectedTime" value="…"/> (Unix ms; Samsung builds) <string
//       name="CreatorName">…</string>
//     </WifiConfiguration>
//     <NetworkStatus> <boolean name="HasEverConnected" value="true"/> … </NetworkStatus>
//   </Network>…</NetworkList></WifiConfigStoreData>
// Value elements are XmlUtils.writeValueXml's: <string>, <null>, <boolean value>, <int value>, <long value>,
// <byte-array num>hex</byte-array>. Schema source: AOSP frameworks/opt/net/wifi XmlUtil.java
// (WifiConfigurationXmlUtil, NetworkSelectionStatusXmlUtil tag names) and the Samsung variant's extra tags.
// A saved network has no position, so each becomes a DeviceFact "WiFiNetwork" (there is no network artifact
// type); the value states SSID, security, BSSID, flags and times with their raw form.
#include "parsers/android_wifi.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <charconv>
#include <map>

#include "parsers/bounded_file.h"
#include "parsers/file_emitter.h"

namespace kanshiki::parsers::android_wifi {
namespace {

// A real file is a few kilobytes to a few hundred (hundreds of networks); beyond this it is not one.
constexpr std::uintmax_t kMaxBytes = 32ull * 1024 * 1024;

struct XmlDocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

std::string_view name_of(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

std::string attribute(const xmlNode* n, const char* attr) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(attr));
  if (!v) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

std::string content(const xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  if (!v) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// The name="…" values of one section (<WifiConfiguration>, <NetworkStatus>): text for <string> and
// <byte-array>, the value attribute for <boolean>/<int>/<long>; <null> is absent.
std::map<std::string, std::string> values_of(const xmlNode* section) {
  std::map<std::string, std::string> out;
  for (const xmlNode* v = section->children; v; v = v->next) {
    if (v->type != XML_ELEMENT_NODE) continue;
    const std::string_view tag = name_of(v);
    std::string key = attribute(v, "name");
    if (key.empty() || tag == "null") continue;
    out[key] = (tag == "string" || tag == "byte-array") ? content(v) : attribute(v, "value");
  }
  return out;
}

const xmlNode* child(const xmlNode* n, std::string_view name) {
  for (const xmlNode* c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && name_of(c) == name) return c;
  return nullptr;
}

std::string get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

class AndroidWifiParser final : public Parser {
 public:
  const ParserInfo& info() const override { return android_wifi::info(); }

  void parse(const ParseInput& in, ArtifactSink& sink) override {
    const std::string data =
        read_bounded_file(in.working_copy, in.item_path, kMaxBytes, "a WifiConfigStore.xml");
    // No network access, no entity substitution, no DTD loading: the file is untrusted input.
    std::unique_ptr<xmlDoc, XmlDocDeleter> doc(
        xmlReadMemory(data.data(), static_cast<int>(data.size()), "WifiConfigStore.xml", nullptr,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!root) throw Error(ExitCode::corrupt_input, fmt::format("{}: not well-formed XML", in.item_path));
    if (name_of(root) != "WifiConfigStoreData")
      throw Error(ExitCode::corrupt_input, fmt::format("{}: root element <{}> is not <WifiConfigStoreData>",
                                                       in.item_path, name_of(root)));
    FileEmitter out(in, info(), sink, "xml");
    const xmlNode* list = child(root, "NetworkList");
    if (!list) {
      out.warn("no <NetworkList> element: no saved networks in this file", Severity::info);
      return;
    }
    int index = 0;
    for (const xmlNode* n = list->children; n; n = n->next) {
      if (n->type != XML_ELEMENT_NODE) continue;
      const std::string where = fmt::format("NetworkList/Network[{}] (line {})", index++, xmlGetLineNo(n));
      if (name_of(n) != "Network") {
        out.warn(fmt::format("{}: unexpected element <{}>; not read", where, name_of(n)));
        continue;
      }
      network(n, where, out);
    }
  }

 private:
  static void network(const xmlNode* n, const std::string& where, FileEmitter& out) {
    const xmlNode* config_node = child(n, "WifiConfiguration");
    if (!config_node) {
      out.warn(fmt::format("{}: no <WifiConfiguration>; network not reported", where));
      return;
    }
    const auto config = values_of(config_node);
    const xmlNode* status_node = child(n, "NetworkStatus");
    const auto status = status_node ? values_of(status_node) : std::map<std::string, std::string>{};

    const std::string ssid = get(config, "SSID"), key = get(config, "ConfigKey");
    if (ssid.empty())
      out.warn(fmt::format("{}: network without SSID; reported with its ConfigKey only", where));
    // The ConfigKey is the SSID followed by the security type ("\"Home\"WPA_PSK").
    std::string security = key.rfind(ssid, 0) == 0 ? key.substr(ssid.size()) : std::string();
    if (security.empty() && !get(config, "AllowedKeyMgmt").empty())
      security = "AllowedKeyMgmt " + get(config, "AllowedKeyMgmt");

    std::string value = fmt::format("SSID {}", ssid.empty() ? "(none)" : ssid);
    auto add = [&value](std::string_view part) { value += fmt::format("; {}", part); };
    if (!security.empty()) add("security " + security);
    if (auto bssid = get(config, "BSSID"); !bssid.empty()) add("BSSID " + bssid);
    if (!key.empty() && ssid.empty()) add("ConfigKey " + key);
    if (get(config, "HiddenSSID") == "true") add("hidden network");
    if (config.count("PreSharedKey")) add("password stored (not reported)");
    if (get(status, "HasEverConnected") == "true") add("has connected");
    if (get(status, "HasEverConnected") == "false") add("never connected");
    if (auto t = get(config, "CreationTime"); !t.empty())
      add("created " + t + " (device local time, year not stored)");
    if (auto t = get(config, "UpdateTime"); !t.empty())
      add("updated " + t + " (device local time, year not stored)");
    if (auto ms = get(config, "LastConnectedTime"); !ms.empty()) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), v);
      Timestamp t = (ec == std::errc() && p == ms.data() + ms.size() && v > 0)
                        ? Timestamp::from_int(v, EpochKind::unix_ms)
                        : Timestamp{};
      add(t.utc_us ? fmt::format("last connected {} (LastConnectedTime {}, unix_ms)", t.utc_iso(), ms)
                   : fmt::format("LastConnectedTime {} (not a time)", ms));
    }
    if (auto c = get(config, "CreatorName"); !c.empty()) add("created by " + c);
    out.emit(DeviceFact{"WiFiNetwork", std::move(value)}, where);
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "android.wifi",
      "1.0.0",
      Platform::android,
      "Wi-Fi (saved networks)",
      "Saved Wi-Fi networks (SSID, security, BSSID, flags, creation and last-connection times) from "
      "WifiConfigStore.xml",
      {Locator::path("**/misc/wifi/WifiConfigStore.xml"),
       Locator::path("**/apexdata/com.android.wifi/WifiConfigStore.xml")},
      {"each network is a device fact (\"WiFiNetwork\") whose value is text: Android stores no position for "
       "a "
       "saved network, and there is no network artifact type yet",
       "CreationTime / UpdateTime are written by Android as device local time without a year "
       "(\"time=MM-DD HH:MM:SS.mmm\"): kept as raw text, not converted to UTC",
       "stored passwords (PreSharedKey, WEP keys, enterprise credentials) are noted as present, not reported",
       "Android 7 and older (wpa_supplicant.conf), the soft-AP configuration and Passpoint profiles are not "
       "read",
       "checked on fixtures written with AOSP XmlUtil's tags, not on a real device's file (none in "
       "realdata)"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<AndroidWifiParser>(); }

}  // namespace kanshiki::parsers::android_wifi
