// File-based parsers over hostile files, through the same Parser::parse entry `process` uses:
// the iOS backup Info.plist parser (libplist, XML and binary plists), EXIF in JPEG/HEIC (libexif, libheif),
// the streaming JSON location parsers, and the Wi-Fi settings files (WifiConfigStore.xml via libxml2, the
// known-networks plist via libplist). The first byte picks the parser.
#include <string>

#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  struct Target {
    const char* parser;
    const char* file_name;
  };
  static const Target targets[] = {
      {"ios.backup_info", "Info.plist"},
      {"media.exif", "IMG_0001.JPG"},
      {"media.exif", "IMG_0002.HEIC"},
      {"google.location.device_timeline", "Timeline.json"},
      {"google.location.takeout", "Records.json"},
      {"android.wifi", "WifiConfigStore.xml"},
      {"ios.wifi", "com.apple.wifi.known-networks.plist"},
  };
  if (size < 1) return 0;
  const Target& t = targets[data[0] % (sizeof targets / sizeof targets[0])];
  auto file = kanshiki::fuzz::write_scratch(t.file_name, data + 1, size - 1);
  kanshiki::fuzz::run_parser(t.parser, file);
  return 0;
}
