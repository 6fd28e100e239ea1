// Media container metadata walkers (parsers/media_containers.cpp): byte 0 picks the PNG chunk walker, the ISO
// BMFF / QuickTime box walker, the XMP reader or the ISO 6709 reader; the rest is the file or the text.
#include <string>
#include <string_view>
#include <vector>

#include "parsers/media_containers.h"

using namespace kanshiki::parsers::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0] % 4;
  MemoryByteReader in(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (mode) {
    case 0: {
      PngMetadata m = read_png(in);
      // Bounded: the walker never keeps more than one eXIf chunk's bytes, and at most 21 warnings.
      if (m.exif.size() > size || m.warnings.size() > 21) __builtin_trap();
      break;
    }
    case 1: {
      BmffMetadata m = read_bmff(in);
      if (m.warnings.size() > 21) __builtin_trap();
      break;
    }
    case 2: {
      std::vector<std::string> warnings;
      (void)read_xmp(text, warnings);
      break;
    }
    default: {
      auto p = parse_iso6709(text);
      if (p && (p->latitude < -90 || p->latitude > 90 || p->longitude < -180 || p->longitude > 180))
        __builtin_trap();
      break;
    }
  }
  return 0;
}
