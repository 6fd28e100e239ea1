// media.exif: one MediaItem per located media file, plus a LocationPoint (kind "photo") when its EXIF
// carries GPS. JPEG EXIF is read with libexif (which stops reading at the APP1 segment); HEIC/HEIF keeps
// EXIF in an item of the ISOBMFF container, which libheif locates and hands over ("Exif" metadata block:
// a 4-byte offset to the TIFF header, then the TIFF data), and libexif then reads as for a JPEG.
// Tags (EXIF 2.32 / CIPA DC-008): IFD0 Make 0x010F, Model 0x0110, Software 0x0131; EXIF IFD
// DateTimeOriginal 0x9003, OffsetTimeOriginal 0x9011; GPS IFD 0x0001-0x0006 (refs, lat, lon, altitude).
// PNG: the eXIf chunk holds the same TIFF data (read with libexif); tEXt/zTXt/iTXt and an XMP packet fill
// what EXIF does not give. MP4/MOV/3GP: mvhd times (seconds since 1904, UTC), QuickTime 'mdta' keys
// (com.apple.quicktime.*) and udta '©' items (©xyz ISO 6709 position); the container walkers are in
// parsers/media_containers.cpp and never read image or media data.
#include "parsers/media_exif.h"

#include <fmt/format.h>
#include <libexif/exif-data.h>
#include <libexif/exif-loader.h>
#include <libexif/exif-log.h>
#include <libheif/heif.h>

#include <array>
#include <cmath>
#include <cstdarg>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "parsers/file_emitter.h"
#include "parsers/media_containers.h"

namespace kanshiki::parsers::media_exif {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxExifWarnings = 20;  // a badly broken block can log hundreds of lines
constexpr size_t kMaxHeifExifBytes = 4 * 1024 * 1024;

enum class Container { jpeg, heif, png, bmff, other };

struct Detected {
  Container container = Container::other;
  std::string mime;
};

// By content, never by file name: WhatsApp and LINE rename, and extensions lie.
Detected detect(const fs::path& file) {
  std::array<unsigned char, 16> h{};
  std::ifstream f(file, std::ios::binary);
  f.read(reinterpret_cast<char*>(h.data()), h.size());
  const auto n = static_cast<size_t>(f.gcount());
  auto at = [&](size_t off, const char* s) {
    return n >= off + std::strlen(s) && std::memcmp(h.data() + off, s, std::strlen(s)) == 0;
  };
  if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) return {Container::jpeg, "image/jpeg"};
  if (at(4, "ftyp")) {
    if (at(8, "heic") || at(8, "heix") || at(8, "hevc") || at(8, "heim") || at(8, "heis"))
      return {Container::heif, "image/heic"};
    if (at(8, "mif1") || at(8, "msf1") || at(8, "avif"))
      return {Container::heif, at(8, "avif") ? "image/avif" : "image/heif"};
    if (at(8, "qt  ")) return {Container::bmff, "video/quicktime"};
    if (at(8, "M4A ")) return {Container::bmff, "audio/mp4"};
    if (at(8, "3gp") || at(8, "3g2")) return {Container::bmff, "video/3gpp"};
    return {Container::bmff, "video/mp4"};
  }
  // QuickTime files older than 'ftyp' start straight with a top-level atom.
  if (at(4, "moov") || at(4, "mdat") || at(4, "wide")) return {Container::bmff, "video/quicktime"};
  if (at(0, "\x89PNG\r\n\x1a\n")) return {Container::png, "image/png"};
  if (at(0, "GIF8")) return {Container::other, "image/gif"};
  if (at(0, "RIFF") && at(8, "WEBP")) return {Container::other, "image/webp"};
  if (at(0, "OggS")) return {Container::other, "audio/ogg"};
  if (at(0, "%PDF")) return {Container::other, "application/pdf"};
  return {Container::other, "application/octet-stream"};
}

struct ExifDataDeleter {
  void operator()(ExifData* d) const { exif_data_unref(d); }
};
using ExifPtr = std::unique_ptr<ExifData, ExifDataDeleter>;

// libexif reports corrupt data through its log; collected here and turned into warnings.
struct ExifLogSink {
  std::vector<std::string> problems;
  size_t dropped = 0;
};

void exif_log_func(ExifLog*, ExifLogCode code, const char* domain, const char* format, va_list args,
                   void* data) {
  if (code != EXIF_LOG_CODE_CORRUPT_DATA && code != EXIF_LOG_CODE_NO_MEMORY) return;
  auto* sink = static_cast<ExifLogSink*>(data);
  if (sink->problems.size() >= kMaxExifWarnings) {
    ++sink->dropped;
    return;
  }
  char buf[512];
  std::vsnprintf(buf, sizeof buf, format, args);
  sink->problems.push_back(fmt::format("{}: {}", domain ? domain : "libexif", buf));
}

struct LogHolder {
  ExifLog* log = exif_log_new();
  ~LogHolder() { exif_log_unref(log); }
};

// ASCII tag text, byte-exact up to the first NUL (EXIF strings are NUL-terminated; some writers pad).
std::optional<std::string> ascii(ExifData* d, ExifIfd ifd, int tag) {
  ExifEntry* e = exif_content_get_entry(d->ifd[ifd], static_cast<ExifTag>(tag));
  if (!e || !e->data || e->size == 0) return std::nullopt;
  if (e->format != EXIF_FORMAT_ASCII && e->format != EXIF_FORMAT_UNDEFINED) return std::nullopt;
  const char* p = reinterpret_cast<const char*>(e->data);
  size_t len = strnlen(p, e->size);
  return std::string(p, len);
}

// An ISO 8601 text names an instant only with a zone ("Z", "+09:00", "-0500"); without one it is local time
// of an unknown zone: raw kept, no UTC (Timestamp::from_iso8601 alone would read it as UTC).
Timestamp iso_time_if_zoned(const std::string& text) {
  const size_t t = text.find('T');
  const bool zoned = t != std::string::npos && text.find_first_of("Z+-", t) != std::string::npos;
  if (zoned) return Timestamp::from_iso8601(text);
  Timestamp ts;
  ts.raw = text;
  ts.kind = EpochKind::iso8601;
  return ts;
}

std::optional<double> rational_at(ExifData* d, ExifEntry* e, unsigned i) {
  if (!e || !e->data || i >= e->components) return std::nullopt;
  const ExifByteOrder order = exif_data_get_byte_order(d);
  if (e->format == EXIF_FORMAT_RATIONAL && e->size >= (i + 1) * 8) {
    ExifRational r = exif_get_rational(e->data + i * 8, order);
    if (r.denominator == 0) return std::nullopt;
    return static_cast<double>(r.numerator) / r.denominator;
  }
  if (e->format == EXIF_FORMAT_SRATIONAL && e->size >= (i + 1) * 8) {
    ExifSRational r = exif_get_srational(e->data + i * 8, order);
    if (r.denominator == 0) return std::nullopt;
    return static_cast<double>(r.numerator) / r.denominator;
  }
  return std::nullopt;
}

class MediaExifParser final : public Parser {
 public:
  const ParserInfo& info() const override { return media_exif::info(); }

  void parse(const ParseInput& in, ArtifactSink& sink) override {
    FileEmitter out(in, info(), sink, "exif");
    out_ = &out;
    std::error_code ec;
    const auto size = fs::file_size(in.working_copy, ec);
    if (ec)
      throw Error(ExitCode::evidence_unreadable,
                  fmt::format("cannot read {}: {}", in.working_copy.string(), ec.message()));
    const Detected type = detect(in.working_copy);

    MediaItem m;
    m.path = in.item_path;
    m.sha256 = in.item_sha256;
    m.mime_type = type.mime;
    m.size = static_cast<int64_t>(size);

    ExifLogSink log_sink;
    LogHolder log;
    exif_log_set_func(log.log, exif_log_func, &log_sink);
    if (type.container == Container::bmff) {
      parse_bmff(m);
      return;
    }
    ExifPtr exif;
    std::string where = "file";
    std::optional<int64_t> where_offset;
    std::optional<media::PngMetadata> png;
    if (type.container == Container::jpeg) {
      exif = load_jpeg(in.working_copy, log.log);
      where = "JPEG APP1 Exif";
    } else if (type.container == Container::heif) {
      exif = load_heif(in.working_copy, log.log);
      where = "HEIF Exif item";
    } else if (type.container == Container::png) {
      media::FileByteReader reader(in.working_copy);
      png = media::read_png(reader);
      for (const auto& w : png->warnings) out.warn(w);
      if (!png->exif.empty()) {
        exif = load_tiff(png->exif.data(), png->exif.size(), log.log);
        where = "PNG eXIf";
        where_offset = static_cast<int64_t>(png->exif_offset);
      } else {
        where = "PNG";
      }
    }
    for (const auto& problem : log_sink.problems)
      out.warn(fmt::format("{}: malformed EXIF: {}; values that could be read are reported", where, problem));
    if (log_sink.dropped)
      out.warn(fmt::format("{}: {} further EXIF problems not listed", where, log_sink.dropped));

    std::optional<LocationPoint> point;
    if (exif) {
      ExifData* d = exif.get();
      m.make = ascii(d, EXIF_IFD_0, EXIF_TAG_MAKE).value_or("");
      m.model = ascii(d, EXIF_IFD_0, EXIF_TAG_MODEL).value_or("");
      m.software = ascii(d, EXIF_IFD_0, EXIF_TAG_SOFTWARE).value_or("");
      m.captured = capture_time(d);
      point = gps(d, m.captured);
      if (point) {
        m.latitude = point->latitude;
        m.longitude = point->longitude;
      }
    }
    std::string point_where = "EXIF GPS IFD";
    if (png) png_text_facts(*png, m, point, where, point_where);
    out.emit(m, where, where_offset);
    if (point) out.emit(std::move(*point), point_where);
  }

 private:
  ExifPtr load_jpeg(const fs::path& file, ExifLog* log) {
    ExifLoader* loader = exif_loader_new();
    exif_loader_log(loader, log);
    exif_loader_write_file(loader, file.c_str());
    ExifPtr d(exif_loader_get_data(loader));
    exif_loader_unref(loader);
    return d;
  }

  // A TIFF header and its IFDs (PNG eXIf, HEIF Exif item after its offset): libexif wants "Exif\0\0" first.
  ExifPtr load_tiff(const unsigned char* tiff, size_t n, ExifLog* log) {
    std::vector<unsigned char> payload = {'E', 'x', 'i', 'f', 0, 0};
    payload.insert(payload.end(), tiff, tiff + n);
    ExifPtr d(exif_data_new());
    exif_data_log(d.get(), log);
    exif_data_load_data(d.get(), payload.data(), static_cast<unsigned>(payload.size()));
    return d;
  }

  // PNG: what EXIF did not give comes from the XMP packet, then from the predefined tEXt keywords "Creation
  // Time" and "Software" (PNG 3rd edition 11.3.4.2). tIME is the last modification, not the capture: it is
  // stated in the record's detail, never used as capture time.
  void png_text_facts(const media::PngMetadata& png, MediaItem& m, std::optional<LocationPoint>& point,
                      std::string& where, std::string& point_where) {
    std::vector<std::string> problems;
    if (png.xmp) {
      if (auto x = media::read_xmp(*png.xmp, problems)) {
        if (m.captured.empty() && !x->date_time_original.empty()) {
          m.captured = iso_time_if_zoned(x->date_time_original);
          where += "; capture time from XMP " + x->date_property;
        }
        if (m.make.empty()) m.make = x->make;
        if (m.model.empty()) m.model = x->model;
        if (m.software.empty()) m.software = x->software;
        if (!point && x->latitude && x->longitude) {
          LocationPoint p;
          p.latitude = *x->latitude;
          p.longitude = *x->longitude;
          p.altitude_m = x->altitude_m;
          p.kind = "photo";
          p.source = "XMP";
          p.label = out_->input().item_path;
          point = p;
          point_where = "PNG iTXt XML:com.adobe.xmp exif:GPSLatitude/GPSLongitude";
          m.latitude = p.latitude;
          m.longitude = p.longitude;
        }
      }
    }
    for (const auto& t : png.texts) {
      if (t.keyword == "Creation Time" && m.captured.empty() && !t.text.empty()) {
        m.captured = iso_time_if_zoned(t.text);
        where += fmt::format("; capture time from {} \"Creation Time\" at offset {}", t.chunk, t.offset);
      }
      if (t.keyword == "Software" && m.software.empty()) m.software = t.text;
    }
    if (point) point->time = m.captured;
    if (!png.time_utc.empty()) where += "; tIME (last modification, UTC) " + png.time_utc;
    for (auto& p : problems) out_->warn("PNG " + p);
  }

  // MP4 / MOV / 3GP. Capture time: Apple's com.apple.quicktime.creationdate (local time with its offset),
  // else udta ©day, else mvhd creation_time (seconds since 1904, UTC by ISO/IEC 14496-12 8.2.2). Position:
  // Apple's com.apple.quicktime.location.ISO6709, else udta ©xyz (Android MPEG4Writer, older QuickTime).
  void parse_bmff(MediaItem& m) {
    media::FileByteReader reader(out_->input().working_copy);
    const media::BmffMetadata b = media::read_bmff(reader);
    for (const auto& w : b.warnings) out_->warn("MP4/QuickTime: " + w);
    auto find = [&](std::initializer_list<const char*> keys) -> const media::BmffItem* {
      for (const char* k : keys)
        for (const auto& item : b.items)
          if (item.key == k && !item.value.empty()) return &item;
      return nullptr;
    };
    std::string where = "ISO BMFF";
    if (!b.major_brand.empty()) where += fmt::format(" (brand {})", b.major_brand);
    if (b.creation_time) {
      where += fmt::format("; moov/mvhd created {} modified {} (mac1904_s)", *b.creation_time,
                           b.modification_time.value_or(0));
      if (b.timescale && b.duration)
        where += fmt::format(", duration {:.3f} s", static_cast<double>(*b.duration) / b.timescale);
    }
    for (const auto& t : b.tracks) {
      where += fmt::format("; track {} {}", t.id, t.handler.empty() ? "?" : t.handler);
      if (t.width > 0 && t.height > 0) where += fmt::format(" {}x{}", t.width, t.height);
    }
    if (const auto* c = find({"com.apple.quicktime.creationdate", "©day"})) {
      m.captured = iso_time_if_zoned(c->value);
      where += "; capture time from " + c->path;
    } else if (b.creation_time) {
      m.captured = Timestamp::from_int(static_cast<int64_t>(*b.creation_time), EpochKind::mac1904_s);
      where += "; capture time from moov/mvhd";
    }
    if (const auto* v = find({"com.apple.quicktime.make", "©mak"})) m.make = v->value;
    if (const auto* v = find({"com.apple.quicktime.model", "©mod"})) m.model = v->value;
    if (const auto* v = find({"com.apple.quicktime.software", "©swr", "©too"})) m.software = v->value;
    if (!b.is_bmff) out_->warn("MP4/QuickTime: no ftyp or moov box found; file reported without metadata");

    std::optional<LocationPoint> point;
    std::string point_where;
    if (const auto* loc = find({"com.apple.quicktime.location.ISO6709", "©xyz"})) {
      if (auto pos = media::parse_iso6709(loc->value)) {
        LocationPoint p;
        p.latitude = pos->latitude;
        p.longitude = pos->longitude;
        p.altitude_m = pos->altitude_m;
        if (const auto* acc = find({"com.apple.quicktime.location.accuracy.horizontal"})) {
          char* end = nullptr;
          const double a = std::strtod(acc->value.c_str(), &end);
          if (end != acc->value.c_str() && a >= 0) p.accuracy_m = a;
        }
        p.time = m.captured;
        p.kind = "video";
        p.source = loc->key == "©xyz" ? "MP4 udta ©xyz" : "QuickTime metadata";
        p.label = out_->input().item_path;
        m.latitude = p.latitude;
        m.longitude = p.longitude;
        point_where = fmt::format("{} \"{}\"", loc->path, loc->value);
        point = p;
      } else {
        out_->warn(fmt::format("MP4/QuickTime: position \"{}\" in {} is not ISO 6709; no location reported",
                               loc->value, loc->path));
      }
    }
    out_->emit(m, where,
               b.mvhd_offset ? std::optional<int64_t>(static_cast<int64_t>(b.mvhd_offset)) : std::nullopt);
    if (point) {
      const auto* loc = find({"com.apple.quicktime.location.ISO6709", "©xyz"});
      out_->emit(std::move(*point), point_where, static_cast<int64_t>(loc->offset));
    }
  }

  ExifPtr load_heif(const fs::path& file, ExifLog* log) {
    struct CtxDeleter {
      void operator()(heif_context* c) const { heif_context_free(c); }
    };
    struct HandleDeleter {
      void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
    };
    std::unique_ptr<heif_context, CtxDeleter> ctx(heif_context_alloc());
    heif_error err = heif_context_read_from_file(ctx.get(), file.c_str(), nullptr);
    if (err.code != heif_error_Ok) {
      out_->warn(
          fmt::format("HEIF container could not be read ({}); file reported without EXIF", err.message));
      return nullptr;
    }
    heif_image_handle* raw_handle = nullptr;
    err = heif_context_get_primary_image_handle(ctx.get(), &raw_handle);
    if (err.code != heif_error_Ok) {
      out_->warn(
          fmt::format("HEIF has no readable primary image ({}); file reported without EXIF", err.message));
      return nullptr;
    }
    std::unique_ptr<heif_image_handle, HandleDeleter> handle(raw_handle);
    heif_item_id id = 0;
    if (heif_image_handle_get_list_of_metadata_block_IDs(handle.get(), "Exif", &id, 1) < 1) return nullptr;
    const size_t n = heif_image_handle_get_metadata_size(handle.get(), id);
    if (n < 4 || n > kMaxHeifExifBytes) {
      out_->warn(fmt::format("HEIF Exif block of {} bytes is implausible; not read", n));
      return nullptr;
    }
    std::vector<unsigned char> blob(n);
    err = heif_image_handle_get_metadata(handle.get(), id, blob.data());
    if (err.code != heif_error_Ok) {
      out_->warn(fmt::format("HEIF Exif block could not be read ({})", err.message));
      return nullptr;
    }
    // ISO/IEC 23008-12 A.2.1: exif_tiff_header_offset (u32 BE), then the Exif payload; libexif wants
    // "Exif\0\0" followed by the TIFF header.
    const uint32_t skip =
        (uint32_t{blob[0]} << 24) | (uint32_t{blob[1]} << 16) | (uint32_t{blob[2]} << 8) | blob[3];
    if (skip > n - 4) {
      out_->warn(
          fmt::format("HEIF Exif block: TIFF header offset {} is past its {} bytes; not read", skip, n));
      return nullptr;
    }
    return load_tiff(blob.data() + 4 + skip, n - 4 - skip, log);
  }

  // DateTimeOriginal "YYYY:MM:DD HH:MM:SS" is the camera's local time; with OffsetTimeOriginal ("+09:00")
  // it names an instant. Raw keeps both texts, separated by a space; without an offset there is no UTC.
  Timestamp capture_time(ExifData* d) {
    auto dt = ascii(d, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL);
    if (!dt || dt->empty()) return {};
    auto offset = ascii(d, EXIF_IFD_EXIF, EXIF_TAG_OFFSET_TIME_ORIGINAL);
    Timestamp t;
    t.raw = *dt + (offset && !offset->empty() ? " " + *offset : "");
    t.kind = EpochKind::iso8601;
    int y, mo, da, h, mi, s;
    if (std::sscanf(dt->c_str(), "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &da, &h, &mi, &s) != 6) {
      out_->warn(
          fmt::format("DateTimeOriginal \"{}\" is not \"YYYY:MM:DD HH:MM:SS\"; kept raw without UTC", *dt));
      return t;
    }
    if (!offset || offset->empty()) return t;  // local time of an unknown zone: see limitations
    Timestamp parsed = Timestamp::from_iso8601(
        fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}", y, mo, da, h, mi, s, *offset));
    if (!parsed.utc_us)
      out_->warn(fmt::format("OffsetTimeOriginal \"{}\" could not be read; capture time kept raw without UTC",
                             *offset));
    t.utc_us = parsed.utc_us;
    return t;
  }

  // GPS IFD: latitude/longitude as three rationals (degrees, minutes, seconds) with N/S, E/W refs.
  std::optional<LocationPoint> gps(ExifData* d, const Timestamp& captured) {
    ExifContent* g = d->ifd[EXIF_IFD_GPS];
    ExifEntry* lat_e = exif_content_get_entry(g, static_cast<ExifTag>(EXIF_TAG_GPS_LATITUDE));
    ExifEntry* lon_e = exif_content_get_entry(g, static_cast<ExifTag>(EXIF_TAG_GPS_LONGITUDE));
    if (!lat_e && !lon_e) return std::nullopt;
    auto dms = [&](ExifEntry* e) -> std::optional<double> {
      auto deg = rational_at(d, e, 0), min = rational_at(d, e, 1), sec = rational_at(d, e, 2);
      if (!deg || !min || !sec) return std::nullopt;
      return *deg + *min / 60.0 + *sec / 3600.0;
    };
    auto lat = dms(lat_e), lon = dms(lon_e);
    const std::string lat_ref = ascii(d, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE_REF).value_or("");
    const std::string lon_ref = ascii(d, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE_REF).value_or("");
    if (!lat || !lon || *lat > 90 || *lon > 180 || (lat_ref != "N" && lat_ref != "S") ||
        (lon_ref != "E" && lon_ref != "W")) {
      out_->warn(
          fmt::format("EXIF GPS position incomplete or invalid (latitude {}{}, longitude {}{}); no location "
                      "reported",
                      lat ? fmt::format("{}", *lat) : "unreadable", lat_ref,
                      lon ? fmt::format("{}", *lon) : "unreadable", lon_ref));
      return std::nullopt;
    }
    LocationPoint p;
    p.latitude = lat_ref == "S" ? -*lat : *lat;
    p.longitude = lon_ref == "W" ? -*lon : *lon;
    if (auto alt =
            rational_at(d, exif_content_get_entry(g, static_cast<ExifTag>(EXIF_TAG_GPS_ALTITUDE)), 0)) {
      ExifEntry* ref = exif_content_get_entry(g, static_cast<ExifTag>(EXIF_TAG_GPS_ALTITUDE_REF));
      const bool below = ref && ref->data && ref->size >= 1 && ref->data[0] == 1;
      p.altitude_m = below ? -*alt : *alt;
    }
    // Horizontal positioning error (EXIF 2.31, tag 0x001F) when the camera wrote it.
    p.accuracy_m = rational_at(d, exif_content_get_entry(g, static_cast<ExifTag>(0x001F)), 0);
    p.time = captured;
    p.kind = "photo";
    p.source = "EXIF";
    p.label = out_->input().item_path;
    return p;
  }

  FileEmitter* out_ = nullptr;
};

std::vector<Locator> media_locators() {
  std::vector<Locator> out;
  for (const char* ext : {"jpg", "jpeg", "JPG", "JPEG", "heic", "HEIC", "heif", "HEIF", "png", "PNG", "mp4",
                          "MP4", "mov", "MOV", "3gp", "3GP"}) {
    out.push_back(Locator::path(fmt::format("**/DCIM/**/*.{}", ext)));
    out.push_back(Locator::path(fmt::format("**/Pictures/**/*.{}", ext)));
  }
  out.push_back(Locator::path("**/WhatsApp/Media/**/*"));
  out.push_back(Locator::path("**/Telegram/Telegram Images/**/*"));
  out.push_back(Locator::path("**/Telegram/Telegram Video/**/*"));
  return out;
}

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "media.exif",
      "1.1.0",
      Platform::any,
      "Photos and media (EXIF)",
      "Every media file in camera, picture and messenger media folders: type, size, hash, and the capture "
      "time, "
      "GPS position, make, model and software from JPEG/HEIC/HEIF/PNG EXIF, PNG XMP and text chunks, and "
      "MP4/MOV/3GP movie header and QuickTime/udta metadata",
      media_locators(),
      {
          "Metadata is read from JPEG, HEIC/HEIF, PNG and MP4/MOV/3GP; GIF, WebP and other files are "
          "reported "
          "with type, size and hash only. XMP is read from PNG only (not from JPEG or HEIC).",
          "PNG: tIME is the last modification time and is only stated in the record's detail; tEXt keywords "
          "other than \"Creation Time\" and \"Software\" are not reported.",
          "MP4/MOV: mvhd creation time is UTC by the standard, but some cameras write local time there; "
          "Apple's "
          "creationdate (with its offset) is preferred when present. Duration, modification time and track "
          "sizes are stated in the record's detail only; fragmented (moof) and per-track metadata are not "
          "read.",
          "Capture time is DateTimeOriginal; without OffsetTimeOriginal it is local time of an unknown zone "
          "and has no UTC value (raw text kept). DateTimeDigitized, DateTime and GPS time stamps are not "
          "used.",
          "Maker notes, thumbnails and edit history are not read. The type is decided by content, not name.",
          "Media inside app databases or caches outside the located folders is not found by this parser.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<MediaExifParser>(); }

}  // namespace kanshiki::parsers::media_exif
