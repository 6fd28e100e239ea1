// iOS known Wi-Fi networks, two generations of one settings file (binary plists):
//   up to iOS 13: /private/var/preferences/SystemConfiguration/com.apple.wifi.plist (backup:
//     SystemPreferencesDomain/SystemConfiguration/com.apple.wifi.plist), key "List of known networks": an
//     array of dicts with SSID_STR, BSSID, SecurityMode, lastJoined, lastAutoJoined (dates).
//   iOS 14+: /private/var/preferences/com.apple.wifi.known-networks.plist (backup:
//     SystemPreferencesDomain/com.apple.wifi.known-networks.plist), one dict per network under keys
//     "wifi.network.ssid.<SSID>": SSID (data), AddedAt, JoinedByUserAt, JoinedBySystemAt, UpdatedAt (dates),
//     SupportedSecurityTypes (integer), Hidden, and BSSList: one dict per access point seen, with BSSID,
//     LastAssociatedAt and — when iOS had a fix at association — LocationLatitude, LocationLongitude,
//     LocationAccuracy, LocationTimestamp.
// Plist dates are Cocoa seconds (since 2001). Schema source: the key names as documented in published iOS /
// macOS Wi-Fi forensics write-ups and read by iLEAPP's wifi known-networks artifact; macOS Sonoma's
// /Library/Preferences/com.apple.wifi.known-networks.plist has the same layout.
// A network has no position of its own, so each is a DeviceFact "WiFiNetwork"; each access point with a
// position becomes a LocationPoint of kind "wifi".
#include "parsers/ios_wifi.h"

#include <fmt/format.h>
#include <plist/plist.h>

#include <cstdlib>

#include "parsers/bounded_file.h"
#include "parsers/file_emitter.h"
#include "parsers/location_row.h"
#include "parsers/typedstream.h"

namespace kanshiki::parsers::ios_wifi {
namespace {

// A real file is kilobytes to a few megabytes; beyond this it is not one.
constexpr std::uintmax_t kMaxBytes = 64ull * 1024 * 1024;
constexpr const char* kLegacyList = "List of known networks";
constexpr std::string_view kNetworkPrefix = "wifi.network.";

struct PlistDeleter {
  void operator()(plist_t p) const { plist_free(p); }
};

plist_t item(plist_t dict, const char* key) {
  return plist_get_node_type(dict) == PLIST_DICT ? plist_dict_get_item(dict, key) : nullptr;
}

std::optional<std::string> string_at(plist_t dict, const char* key) {
  plist_t n = item(dict, key);
  if (!n || plist_get_node_type(n) != PLIST_STRING) return std::nullopt;
  uint64_t len = 0;
  const char* p = plist_get_string_ptr(n, &len);
  return p ? std::optional<std::string>(std::string(p, len)) : std::nullopt;
}

std::optional<double> real_at(plist_t dict, const char* key) {
  plist_t n = item(dict, key);
  if (!n) return std::nullopt;
  if (plist_get_node_type(n) == PLIST_REAL) {
    double v = 0;
    plist_get_real_val(n, &v);
    return v;
  }
  if (plist_get_node_type(n) == PLIST_UINT) {
    uint64_t v = 0;
    plist_get_uint_val(n, &v);
    return static_cast<double>(static_cast<int64_t>(v));  // libplist 2.2 keeps signed integers here
  }
  return std::nullopt;
}

// A plist date: Cocoa seconds (libplist splits off the microseconds).
Timestamp date_at(plist_t dict, const char* key) {
  plist_t n = item(dict, key);
  if (!n || plist_get_node_type(n) != PLIST_DATE) return {};
  int32_t sec = 0, usec = 0;
  plist_get_date_val(n, &sec, &usec);
  // Whole seconds as an integer: the shortest form of a round double can be "7.21e+08", not a raw value a
  // reader recognises.
  if (usec == 0) return Timestamp::from_int(sec, EpochKind::cocoa_s);
  return Timestamp::from_real(static_cast<double>(sec) + usec / 1e6, EpochKind::cocoa_s);
}

std::string when(std::string_view what, const Timestamp& t) {
  return fmt::format("{} {} ({} {})", what, t.utc_iso(), t.raw, epoch_name(t.kind));
}

class IosWifiParser final : public Parser {
 public:
  const ParserInfo& info() const override { return ios_wifi::info(); }

  void parse(const ParseInput& in, ArtifactSink& sink) override {
    const std::string data =
        read_bounded_file(in.working_copy, in.item_path, kMaxBytes, "a Wi-Fi settings plist");
    plist_t raw = nullptr;
    plist_from_memory(data.data(), static_cast<uint32_t>(data.size()), &raw);
    std::unique_ptr<void, PlistDeleter> root(raw);
    if (!root || plist_get_node_type(raw) != PLIST_DICT)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("{}: not a property list with a dictionary at its root", in.item_path));
    FileEmitter out(in, info(), sink, "plist");
    if (plist_t list = item(raw, kLegacyList)) {
      legacy(list, out);
      return;
    }
    size_t networks = 0;
    plist_dict_iter it = nullptr;
    plist_dict_new_iter(raw, &it);
    for (;;) {
      char* key = nullptr;
      plist_t value = nullptr;
      plist_dict_next_item(raw, it, &key, &value);
      if (!key) break;
      std::string name(key);
      std::free(key);
      if (name.rfind(kNetworkPrefix, 0) != 0) continue;
      ++networks;
      if (plist_get_node_type(value) != PLIST_DICT) {
        out.warn(fmt::format("{}: not a dictionary; network not reported", name));
        continue;
      }
      known_network(name, value, out);
    }
    std::free(it);
    if (networks == 0)
      out.warn(fmt::format("neither \"{}\" nor \"{}…\" keys: no known networks in this plist", kLegacyList,
                           kNetworkPrefix),
               Severity::info);
  }

 private:
  // iOS 13 and older.
  static void legacy(plist_t list, FileEmitter& out) {
    if (plist_get_node_type(list) != PLIST_ARRAY) {
      out.warn(fmt::format("\"{}\" is not an array; networks not reported", kLegacyList));
      return;
    }
    const uint32_t n = plist_array_get_size(list);
    for (uint32_t i = 0; i < n; ++i) {
      const std::string where = fmt::format("{}[{}]", kLegacyList, i);
      plist_t net = plist_array_get_item(list, i);
      if (plist_get_node_type(net) != PLIST_DICT) {
        out.warn(fmt::format("{}: not a dictionary; network not reported", where));
        continue;
      }
      auto ssid = string_at(net, "SSID_STR");
      if (!ssid) out.warn(fmt::format("{}: no SSID_STR; reported without SSID", where));
      std::string value = fmt::format("SSID {}", ssid ? *ssid : "(none)");
      if (auto s = string_at(net, "SecurityMode")) value += "; security " + *s;
      if (auto b = string_at(net, "BSSID")) value += "; BSSID " + *b;
      for (const char* key : {"addedAt", "lastJoined", "lastAutoJoined"})
        if (Timestamp t = date_at(net, key); !t.empty()) value += "; " + when(key, t);
      out.emit(DeviceFact{"WiFiNetwork", std::move(value)}, where);
    }
  }

  // iOS 14+.
  static void known_network(const std::string& key, plist_t net, FileEmitter& out) {
    std::string ssid;
    if (plist_t d = item(net, "SSID"); d && plist_get_node_type(d) == PLIST_DATA) {
      uint64_t len = 0;
      const char* p = plist_get_data_ptr(d, &len);
      ssid.assign(p ? p : "", p ? len : 0);
      // Shown as stored when it is UTF-8 (Japanese SSIDs are), as hex otherwise: an SSID is 0–32 raw bytes.
      if (!typedstream::is_valid_utf8(ssid)) {
        std::string hex;
        for (unsigned char c : ssid) hex += fmt::format("{:02x}", c);
        ssid = "0x" + hex;
      }
    } else {
      constexpr std::string_view kSsidKey = "wifi.network.ssid.";
      ssid = key.rfind(kSsidKey, 0) == 0 ? key.substr(kSsidKey.size()) : key;
      out.warn(fmt::format("{}: no SSID data; SSID taken from the key", key));
    }
    std::string value = fmt::format("SSID {}", ssid);
    if (auto s = real_at(net, "SupportedSecurityTypes"))
      value += fmt::format("; SupportedSecurityTypes {}", *s);
    if (plist_t h = item(net, "Hidden"); h && plist_get_node_type(h) == PLIST_BOOLEAN) {
      uint8_t b = 0;
      plist_get_bool_val(h, &b);
      if (b) value += "; hidden network";
    }
    for (const char* k : {"AddedAt", "JoinedByUserAt", "JoinedBySystemAt", "UpdatedAt"})
      if (Timestamp t = date_at(net, k); !t.empty()) value += "; " + when(k, t);

    plist_t bss = item(net, "BSSList");
    if (bss && plist_get_node_type(bss) == PLIST_ARRAY) {
      const uint32_t n = plist_array_get_size(bss);
      value += fmt::format("; {} access point(s) in BSSList", n);
      for (uint32_t i = 0; i < n; ++i)
        access_point(fmt::format("{}/BSSList[{}]", key, i), ssid, plist_array_get_item(bss, i), out);
    }
    out.emit(DeviceFact{"WiFiNetwork", std::move(value)}, key);
  }

  static void access_point(const std::string& where, const std::string& ssid, plist_t ap, FileEmitter& out) {
    auto lat = real_at(ap, "LocationLatitude"), lon = real_at(ap, "LocationLongitude");
    if (!lat && !lon) return;  // iOS keeps no position for this access point: nothing to report as a place
    if (!lat || !lon || !location::plausible(*lat, *lon)) {
      out.warn(
          fmt::format("{}: no usable position (LocationLatitude = {}, LocationLongitude = {}); access point "
                      "not reported as a location",
                      where, lat ? fmt::format("{}", *lat) : "NULL", lon ? fmt::format("{}", *lon) : "NULL"));
      return;
    }
    LocationPoint p;
    p.latitude = *lat;
    p.longitude = *lon;
    if (auto acc = real_at(ap, "LocationAccuracy"); acc && *acc >= 0) p.accuracy_m = *acc;
    p.time = date_at(ap, "LocationTimestamp");
    if (p.time.empty()) p.time = date_at(ap, "LastAssociatedAt");
    p.kind = "wifi";
    p.source = "Wi-Fi known networks";
    p.label = fmt::format("Wi-Fi {} BSSID {}", ssid, string_at(ap, "BSSID").value_or("(none)"));
    out.emit(std::move(p), where);
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.wifi",
      "1.0.0",
      Platform::ios,
      "Wi-Fi (known networks)",
      "Known Wi-Fi networks (SSID, security, BSSID, join times) from com.apple.wifi.plist / "
      "com.apple.wifi.known-networks.plist, and the positions iOS kept for their access points",
      {Locator::backup("SystemPreferencesDomain", "SystemConfiguration/com.apple.wifi.plist"),
       Locator::path("**/preferences/SystemConfiguration/com.apple.wifi.plist"),
       Locator::backup("SystemPreferencesDomain", "com.apple.wifi.known-networks.plist"),
       Locator::path("**/preferences/com.apple.wifi.known-networks.plist"),
       Locator::path("**/Library/Preferences/com.apple.wifi.known-networks.plist")},
      {"each network is a device fact (\"WiFiNetwork\") whose value is text with its times (UTC and raw "
       "Cocoa seconds): there is no network artifact type yet",
       "an access point's position is where the phone was when it associated with it (LocationTimestamp, "
       "else "
       "LastAssociatedAt, is the time); access points without a position are counted in the network's fact "
       "only",
       "captive-portal data, private-MAC settings, __OSSpecific__ and the older com.apple.wifi.plist's "
       "per-network "
       "BSS lists are not reported; passwords are in the keychain, not in these files",
       "checked on fixtures with the documented keys, not on a real device's file (none in realdata)"}};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<IosWifiParser>(); }

}  // namespace kanshiki::parsers::ios_wifi
