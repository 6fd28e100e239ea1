#pragma once
// Metadata walkers for the media containers media.exif reads without a library of their own:
//   PNG  (ISO/IEC 15948 / W3C PNG 3rd edition): chunk walk with CRC check; eXIf (raw EXIF), tEXt, zTXt,
//        iTXt (XMP packet under the keyword "XML:com.adobe.xmp"), tIME.
//   ISO BMFF (ISO/IEC 14496-12; MP4, 3GP) and QuickTime (Apple "QuickTime File Format"): box walk reading
//        only box headers and the small metadata boxes (mvhd, tkhd, udta, meta/keys/ilst); mdat is never
//        read.
//   XMP (ISO 16684-1): the few properties a capture is described by, read with libxml2 (no network, no DTD).
//   ISO 6709 position strings ("+35.6812+139.7671+40.5/").
// Everything is bounded: chunk/box counts, nesting depth and the bytes read per metadata item are capped,
// and every problem becomes a warning text; nothing here throws on bad input.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kanshiki::parsers::media {

// Random access to the bytes of a file (the working copy) or of a buffer (fuzzing, tests).
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly n bytes at offset; false when they are not all there.
  virtual bool read(uint64_t offset, void* out, size_t n) = 0;
};

class FileByteReader final : public ByteReader {
 public:
  explicit FileByteReader(const std::filesystem::path& file);
  uint64_t size() const override { return size_; }
  bool read(uint64_t offset, void* out, size_t n) override;

 private:
  std::ifstream in_;
  uint64_t size_ = 0;
};

class MemoryByteReader final : public ByteReader {
 public:
  MemoryByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t size() const override { return size_; }
  bool read(uint64_t offset, void* out, size_t n) override;

 private:
  const uint8_t* data_;
  size_t size_;
};

// ---- PNG ----

struct PngText {
  std::string chunk;     // tEXt, zTXt or iTXt
  std::string keyword;   // Latin-1 as stored (ASCII in practice)
  std::string language;  // iTXt only
  std::string text;      // tEXt/zTXt: Latin-1 bytes as stored; iTXt: UTF-8
  uint64_t offset = 0;   // byte offset of the chunk
};

struct PngMetadata {
  bool signature_ok = false;
  std::vector<uint8_t> exif;  // eXIf payload: a TIFF header and IFDs (no "Exif\0\0" prefix)
  uint64_t exif_offset = 0;
  std::vector<PngText> texts;
  std::optional<std::string> xmp;  // the iTXt "XML:com.adobe.xmp" packet
  std::string time_utc;            // tIME (last modification, UTC) as "YYYY-MM-DDTHH:MM:SSZ"; "" when absent
  std::vector<std::string> warnings;
};

PngMetadata read_png(ByteReader& in);

// ---- ISO BMFF / QuickTime ----

struct BmffItem {     // one metadata value with where it was found
  std::string key;    // "©xyz", "©day", "com.apple.quicktime.make", ...
  std::string value;  // UTF-8 text as stored
  std::string path;   // box path, e.g. "moov/udta/©xyz" or "moov/meta/ilst[3]"
  uint64_t offset = 0;
};

struct BmffTrack {
  uint32_t id = 0;
  std::string handler;           // "vide", "soun", ... (mdia/hdlr)
  double width = 0, height = 0;  // tkhd 16.16 presentation size
};

struct BmffMetadata {
  bool is_bmff = false;
  std::string major_brand;
  std::optional<uint64_t> creation_time, modification_time;  // mvhd, seconds since 1904-01-01 UTC
  uint32_t timescale = 0;
  std::optional<uint64_t> duration;  // in timescale units
  uint64_t mvhd_offset = 0;
  std::vector<BmffTrack> tracks;
  std::vector<BmffItem> items;  // udta text items, ilst values and mdta keys, in file order
  std::vector<std::string> warnings;
};

BmffMetadata read_bmff(ByteReader& in);

// ---- Positions and XMP ----

struct Iso6709 {
  double latitude = 0, longitude = 0;
  std::optional<double> altitude_m;
};
// Decimal-degree form as QuickTime and Android write it: ±DD.DDDD±DDD.DDDD[±AAA.A][CRSxxx]/; also ±DDMM.MM
// and ±DDMMSS.S forms (Annex H). nullopt when not readable or out of range.
std::optional<Iso6709> parse_iso6709(std::string_view text);

struct XmpFacts {
  std::string date_time_original;  // exif:DateTimeOriginal, else photoshop:DateCreated, else xmp:CreateDate
  std::string date_property;       // which of them
  std::string make, model, software;          // tiff:Make, tiff:Model, xmp:CreatorTool (else tiff:Software)
  std::optional<double> latitude, longitude;  // exif:GPSLatitude / GPSLongitude "DD,MM.mmmN" / "DD,MM,SSN"
  std::optional<double> altitude_m;
  std::string gps_text;  // the two texts as stored, for warnings
};
// nullopt (with a warning) when the packet is not well-formed XML.
std::optional<XmpFacts> read_xmp(std::string_view packet, std::vector<std::string>& warnings);

}  // namespace kanshiki::parsers::media
