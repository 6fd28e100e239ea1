// iOS backup Info.plist: device identity (model, iOS version, serial, IMEI, ICCID, phone number, UDID, last
// backup date) and the list of installed applications. The file is written by the host (iTunes, Finder,
// idevicebackup2) from lockdown values when the backup is made; it may be XML or binary.
#include "parsers/ios_backup_info.h"

#include <fmt/format.h>
#include <plist/plist.h>

#include <array>
#include <fstream>
#include <iterator>

#include "core/error.h"

namespace kanshiki::parsers::ios_backup_info {
namespace {

// Info.plist keys as written by the host, and the DeviceFact key each becomes (lockdown-style, no spaces).
struct FactKey {
  const char* plist_key;
  const char* fact_key;
};
constexpr std::array<FactKey, 17> kFactKeys = {{
    {"Device Name", "DeviceName"},
    {"Display Name", "DisplayName"},
    {"Product Name", "ProductName"},
    {"Product Type", "ProductType"},
    {"Product Version", "ProductVersion"},
    {"Build Version", "BuildVersion"},
    {"Serial Number", "SerialNumber"},
    {"IMEI", "IMEI"},
    {"MEID", "MEID"},
    {"ICCID", "ICCID"},
    {"Phone Number", "PhoneNumber"},
    {"Unique Identifier", "UniqueIdentifier"},
    {"Target Identifier", "TargetIdentifier"},
    {"Target Type", "TargetType"},
    {"GUID", "GUID"},
    {"Last Backup Date", "LastBackupDate"},
    {"iTunes Version", "iTunesVersion"},
}};
constexpr const char* kInstalledApplications = "Installed Applications";

// A real Info.plist is kilobytes to a few tens of megabytes (app icons); beyond this it is not one.
constexpr std::uintmax_t kMaxPlistBytes = 256ull * 1024 * 1024;
constexpr int64_t kCocoaOffsetS = 978307200;  // 2001-01-01 - 1970-01-01

struct PlistDeleter {
  void operator()(plist_t p) const { plist_free(p); }
};
using PlistPtr = std::unique_ptr<void, PlistDeleter>;

std::string string_of(plist_t node) {
  uint64_t len = 0;
  const char* p = plist_get_string_ptr(node, &len);
  return p ? std::string(p, len) : std::string();
}

class BackupInfoParser final : public Parser {
 public:
  const ParserInfo& info() const override { return ios_backup_info::info(); }

  void parse(const ParseInput& in, ArtifactSink& sink) override {
    in_ = &in;
    sink_ = &sink;
    PlistPtr root = load(in.working_copy);
    if (plist_get_node_type(root.get()) != PLIST_DICT)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("{}: the property list's root is not a dictionary, so this is "
                              "not a backup Info.plist",
                              in.item_path));

    for (const auto& key : kFactKeys) {
      plist_t node = plist_dict_get_item(root.get(), key.plist_key);
      if (!node) continue;
      fact(key, node);
    }

    if (plist_t apps = plist_dict_get_item(root.get(), kInstalledApplications)) {
      if (plist_get_node_type(apps) != PLIST_ARRAY) {
        warn(kInstalledApplications, "is not an array; installed applications not reported");
        return;
      }
      const uint32_t n = plist_array_get_size(apps);
      for (uint32_t i = 0; i < n; ++i) {
        std::string path = fmt::format("{}[{}]", kInstalledApplications, i);
        plist_t item = plist_array_get_item(apps, i);
        if (plist_get_node_type(item) != PLIST_STRING) {
          warn(path, "is not a string (bundle identifier expected); not reported");
          continue;
        }
        InstalledApp app;
        app.identifier = string_of(item);
        emit(std::move(app), path);
      }
    }
  }

 private:
  PlistPtr load(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec)
      throw Error(ExitCode::evidence_unreadable,
                  fmt::format("cannot read {}: {}", file.string(), ec.message()));
    if (size == 0)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("{}: empty file, not a property list", in_->item_path));
    if (size > kMaxPlistBytes)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("{}: {} bytes is too large for a backup Info.plist (limit {} bytes)",
                              in_->item_path, size, kMaxPlistBytes));
    std::ifstream f(file, std::ios::binary);
    std::string data(static_cast<size_t>(size), '\0');
    if (!f.read(data.data(), static_cast<std::streamsize>(data.size())))
      throw Error(ExitCode::evidence_unreadable, fmt::format("cannot read {}", file.string()));
    plist_t root = nullptr;
    plist_from_memory(data.data(), static_cast<uint32_t>(data.size()), &root);
    if (!root)
      throw Error(ExitCode::corrupt_input,
                  fmt::format("{}: not a valid property list (neither XML nor binary plist could be read)",
                              in_->item_path));
    return PlistPtr(root);
  }

  void fact(const FactKey& key, plist_t node) {
    DeviceFact f;
    f.key = key.fact_key;
    std::string detail = key.plist_key;
    switch (plist_get_node_type(node)) {
      case PLIST_STRING:
        f.value = string_of(node);
        break;
      case PLIST_UINT: {
        uint64_t v = 0;
        plist_get_uint_val(node, &v);
        f.value = std::to_string(v);
        break;
      }
      case PLIST_BOOLEAN: {
        uint8_t v = 0;
        plist_get_bool_val(node, &v);
        f.value = v ? "true" : "false";
        break;
      }
      case PLIST_REAL: {
        double v = 0;
        plist_get_real_val(node, &v);
        f.value = fmt::format("{}", v);
        break;
      }
      case PLIST_DATE: {
        // Plist dates count seconds from 2001-01-01 UTC; the raw value is kept in source_detail.
        int32_t sec = 0, usec = 0;
        plist_get_date_val(node, &sec, &usec);
        f.value = format_utc_iso((static_cast<int64_t>(sec) + kCocoaOffsetS) * 1'000'000 + usec);
        detail = fmt::format("{} (plist date: cocoa_s {}{})", key.plist_key, sec,
                             usec ? fmt::format(" + {} us", usec) : std::string());
        break;
      }
      default:
        warn(key.plist_key,
             "has an unexpected type (string, number, boolean or date expected); not reported");
        return;
    }
    emit(std::move(f), detail);
  }

  Provenance provenance(std::string detail) const {
    Provenance p;
    p.evidence_id = in_->evidence_id;
    p.item_id = in_->item_id;
    p.item_path = in_->item_path;
    p.item_sha256 = in_->item_sha256;
    p.source_table = "plist";
    p.source_detail = std::move(detail);
    p.parser_id = info().id;
    p.parser_version = info().version;
    return p;
  }

  void emit(ArtifactData data, std::string key_path) {
    sink_->emit(Record{provenance(std::move(key_path)), std::move(data)});
  }

  void warn(std::string_view key_path, std::string_view problem) {
    Warning w;
    w.evidence_id = in_->evidence_id;
    w.item_id = in_->item_id;
    w.item_path = in_->item_path;
    w.parser_id = info().id;
    w.source_table = "plist";
    w.message = fmt::format("\"{}\" {}", key_path, problem);
    sink_->warn(std::move(w));
  }

  const ParseInput* in_ = nullptr;
  ArtifactSink* sink_ = nullptr;
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "ios.backup_info",
      "1.0.0",
      Platform::ios,
      "iOS backup (iTunes/Finder)",
      "Device identity (name, model, iOS version and build, serial number, IMEI/MEID, ICCID, phone "
      "number, UDID, last backup date) and installed application identifiers from an iOS backup's "
      "Info.plist.",
      {Locator::path("Info.plist")},
      {
          "Info.plist is written by the host computer when the backup is made: values describe the "
          "device at that time.",
          "Installed applications carry only the bundle identifier; names and versions (Applications / "
          "iTunesMetadata) are not decoded.",
          "\"Applications\", \"iTunes Files\" and \"iTunes Settings\" are not read.",
          "Manifest.plist and Status.plist (encryption flag, backup state) are not read by this parser.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<BackupInfoParser>(); }

}  // namespace kanshiki::parsers::ios_backup_info
