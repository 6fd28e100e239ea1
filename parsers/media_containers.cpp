#include "parsers/media_containers.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>

namespace kanshiki::parsers::media {
namespace {

constexpr size_t kMaxWarnings = 20;
constexpr size_t kMaxPngChunks = 1'000'000;         // header reads only; a 4 GiB PNG in 8 KiB IDATs is 500k
constexpr uint32_t kMaxPngMetadataChunk = 8 << 20;  // eXIf / text chunks larger than this are not read
constexpr size_t kMaxInflated = 1 << 20;            // zTXt / compressed iTXt output bound
constexpr size_t kMaxBmffBoxes = 100'000;
constexpr int kMaxBmffDepth = 12;
constexpr uint64_t kMaxBmffMetadataBox = 1 << 20;  // udta item / keys / ilst entry read at most this
constexpr size_t kMaxKeys = 4096;
constexpr size_t kMaxXmpBytes = 1 << 20;

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t be64(const uint8_t* p) { return (uint64_t{be32(p)} << 32) | be32(p + 4); }
uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

void add_warning(std::vector<std::string>& warnings, std::string text) {
  if (warnings.size() < kMaxWarnings)
    warnings.push_back(std::move(text));
  else if (warnings.size() == kMaxWarnings)
    warnings.push_back("further container problems not listed");
}

// A four-character code as text; bytes outside printable ASCII shown as \xNN (© is 0xA9 in QuickTime,
// written as UTF-8 "©" so keys read naturally).
std::string fourcc(const uint8_t* p) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0xA9)
      s += "©";
    else if (p[i] >= 0x20 && p[i] < 0x7F)
      s += static_cast<char>(p[i]);
    else
      s += fmt::format("\\x{:02X}", p[i]);
  }
  return s;
}

// zlib stream → at most kMaxInflated bytes; false (with reason) when the stream is broken.
bool inflate_bounded(const uint8_t* data, size_t n, std::string& out, std::string& why) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) {
    why = "zlib initialisation failed";
    return false;
  }
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(n);
  std::array<char, 16384> buf{};
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = buf.size();
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - zs.avail_out);
    if (out.size() > kMaxInflated) {
      out.resize(kMaxInflated);
      why = fmt::format("text longer than {} bytes after decompression; cut there", kMaxInflated);
      inflateEnd(&zs);
      return false;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    why = fmt::format("compressed text is damaged (zlib: {})", zs.msg ? zs.msg : std::to_string(rc));
    return false;
  }
  return true;
}

}  // namespace

FileByteReader::FileByteReader(const std::filesystem::path& file) : in_(file, std::ios::binary) {
  std::error_code ec;
  size_ = std::filesystem::file_size(file, ec);
  if (ec) size_ = 0;
}

bool FileByteReader::read(uint64_t offset, void* out, size_t n) {
  if (offset > size_ || n > size_ - offset) return false;
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(offset));
  in_.read(static_cast<char*>(out), static_cast<std::streamsize>(n));
  return static_cast<size_t>(in_.gcount()) == n;
}

bool MemoryByteReader::read(uint64_t offset, void* out, size_t n) {
  if (offset > size_ || n > size_ - offset) return false;
  if (n) std::memcpy(out, data_ + offset, n);
  return true;
}

// ---------------------------------------------------------------------------------------------- PNG

PngMetadata read_png(ByteReader& in) {
  PngMetadata m;
  static constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  uint8_t sig[8];
  if (!in.read(0, sig, 8) || std::memcmp(sig, kSignature, 8) != 0) return m;
  m.signature_ok = true;
  uint64_t pos = 8;
  bool ended = false;
  size_t chunks = 0;
  std::vector<uint8_t> data;
  while (pos < in.size()) {
    if (++chunks > kMaxPngChunks) {
      add_warning(m.warnings,
                  fmt::format("PNG: more than {} chunks; the rest of the file was not read", kMaxPngChunks));
      break;
    }
    uint8_t head[8];
    if (!in.read(pos, head, 8)) {
      add_warning(m.warnings, fmt::format("PNG: truncated chunk header at offset {}", pos));
      break;
    }
    const uint32_t length = be32(head);
    const std::string type = fourcc(head + 4);
    if (length > 0x7FFFFFFFu) {
      add_warning(m.warnings,
                  fmt::format("PNG: chunk {} at offset {} has an invalid length {}; reading stopped", type,
                              pos, length));
      break;
    }
    if (pos + 12 + length > in.size()) {
      add_warning(m.warnings,
                  fmt::format("PNG: chunk {} at offset {} ({} bytes) runs past the end of the file "
                              "(truncated); reading stopped",
                              type, pos, length));
      break;
    }
    const uint64_t chunk_at = pos;
    pos += 12 + uint64_t{length};
    if (type == "IEND") {
      ended = true;
      break;
    }
    const bool wanted =
        type == "eXIf" || type == "tEXt" || type == "zTXt" || type == "iTXt" || type == "tIME";
    if (!wanted) continue;  // image data and other chunks: header only
    if (length > kMaxPngMetadataChunk) {
      add_warning(m.warnings,
                  fmt::format("PNG: {} chunk at offset {} is {} bytes, over the {} read; not read", type,
                              chunk_at, length, kMaxPngMetadataChunk));
      continue;
    }
    // CRC-32 (ISO 3309) over the type and the data, as PNG defines it.
    data.resize(4 + length + 4);
    if (!in.read(chunk_at + 4, data.data(), data.size())) break;
    const uint32_t stored_crc = be32(data.data() + 4 + length);
    const auto computed = static_cast<uint32_t>(crc32(crc32(0, nullptr, 0), data.data(), 4 + length));
    if (stored_crc != computed)
      add_warning(m.warnings,
                  fmt::format("PNG: {} chunk at offset {} fails its CRC (stored {:08x}, computed {:08x}): "
                              "the chunk was altered or damaged; its content is reported as read",
                              type, chunk_at, stored_crc, computed));
    const uint8_t* d = data.data() + 4;
    if (type == "eXIf") {
      if (!m.exif.empty()) {
        add_warning(
            m.warnings,
            fmt::format("PNG: second eXIf chunk at offset {} ignored (only one is allowed)", chunk_at));
        continue;
      }
      m.exif.assign(d, d + length);
      m.exif_offset = chunk_at;
      continue;
    }
    if (type == "tIME") {
      if (length != 7) {
        add_warning(m.warnings, fmt::format("PNG: tIME chunk at offset {} has {} bytes, not 7; not read",
                                            chunk_at, length));
        continue;
      }
      const int year = be16(d), month = d[2], day = d[3], hour = d[4], minute = d[5], second = d[6];
      if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
        add_warning(m.warnings,
                    fmt::format("PNG: tIME chunk at offset {} holds an impossible date ({}-{}-{} {}:{}:{})",
                                chunk_at, year, month, day, hour, minute, second));
        continue;
      }
      m.time_utc =
          fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", year, month, day, hour, minute, second);
      continue;
    }
    // Text chunks: keyword (1-79 bytes) NUL ...
    const auto* nul = static_cast<const uint8_t*>(std::memchr(d, 0, length));
    if (!nul || nul == d) {
      add_warning(m.warnings,
                  fmt::format("PNG: {} chunk at offset {} has no keyword; not read", type, chunk_at));
      continue;
    }
    PngText t;
    t.chunk = type;
    t.offset = chunk_at;
    t.keyword.assign(reinterpret_cast<const char*>(d), static_cast<size_t>(nul - d));
    const uint8_t* rest = nul + 1;
    const uint8_t* end = d + length;
    std::string why;
    if (type == "tEXt") {
      t.text.assign(reinterpret_cast<const char*>(rest), static_cast<size_t>(end - rest));
    } else if (type == "zTXt") {
      if (rest >= end || *rest != 0) {
        add_warning(m.warnings, fmt::format("PNG: zTXt \"{}\" at offset {}: unknown compression method",
                                            t.keyword, chunk_at));
        continue;
      }
      if (!inflate_bounded(rest + 1, static_cast<size_t>(end - rest - 1), t.text, why))
        add_warning(m.warnings, fmt::format("PNG: zTXt \"{}\" at offset {}: {}", t.keyword, chunk_at, why));
    } else {  // iTXt: flag, method, language NUL, translated keyword NUL, text
      if (end - rest < 2) {
        add_warning(m.warnings,
                    fmt::format("PNG: iTXt \"{}\" at offset {} is truncated", t.keyword, chunk_at));
        continue;
      }
      const bool compressed = rest[0] != 0;
      const uint8_t method = rest[1];
      rest += 2;
      const auto* lang_end =
          static_cast<const uint8_t*>(std::memchr(rest, 0, static_cast<size_t>(end - rest)));
      const auto* trans_end = lang_end ? static_cast<const uint8_t*>(std::memchr(
                                             lang_end + 1, 0, static_cast<size_t>(end - lang_end - 1)))
                                       : nullptr;
      if (!lang_end || !trans_end) {
        add_warning(m.warnings,
                    fmt::format("PNG: iTXt \"{}\" at offset {}: language or translated keyword not "
                                "terminated; not read",
                                t.keyword, chunk_at));
        continue;
      }
      t.language.assign(reinterpret_cast<const char*>(rest), static_cast<size_t>(lang_end - rest));
      rest = trans_end + 1;
      if (compressed && method != 0) {
        add_warning(m.warnings, fmt::format("PNG: iTXt \"{}\" at offset {}: unknown compression method",
                                            t.keyword, chunk_at));
        continue;
      }
      if (compressed) {
        if (!inflate_bounded(rest, static_cast<size_t>(end - rest), t.text, why))
          add_warning(m.warnings, fmt::format("PNG: iTXt \"{}\" at offset {}: {}", t.keyword, chunk_at, why));
      } else {
        t.text.assign(reinterpret_cast<const char*>(rest), static_cast<size_t>(end - rest));
      }
    }
    if (type == "iTXt" && t.keyword == "XML:com.adobe.xmp" && !m.xmp) m.xmp = t.text;
    m.texts.push_back(std::move(t));
  }
  if (ended && pos < in.size())
    add_warning(
        m.warnings,
        fmt::format("PNG: {} bytes follow the IEND chunk at offset {} (appended data, not part of the image)",
                    in.size() - pos, pos));
  else if (!ended && m.warnings.empty())
    add_warning(m.warnings, "PNG: no IEND chunk (file truncated)");
  return m;
}

// ------------------------------------------------------------------------------------------ ISO BMFF

namespace {

class BmffWalker {
 public:
  BmffWalker(ByteReader& in, BmffMetadata& m) : in_(in), m_(m) {}

  void walk(uint64_t begin, uint64_t end, int depth, const std::string& path) {
    if (depth > kMaxBmffDepth) {
      add_warning(m_.warnings, fmt::format("{}: boxes nested deeper than {}; not read", path, kMaxBmffDepth));
      return;
    }
    uint64_t pos = begin;
    while (pos + 8 <= end) {
      if (++boxes_ > kMaxBmffBoxes) {
        if (boxes_ == kMaxBmffBoxes + 1)
          add_warning(m_.warnings,
                      fmt::format("more than {} boxes; the rest of the file was not read", kMaxBmffBoxes));
        return;
      }
      uint8_t head[16];
      if (!in_.read(pos, head, 8)) return;
      uint64_t size = be32(head);
      const std::string type = fourcc(head + 4);
      const std::string where = path.empty() ? type : path + "/" + type;
      uint64_t header = 8;
      if (size == 1) {
        if (pos + 16 > end || !in_.read(pos + 8, head + 8, 8)) {
          add_warning(m_.warnings, fmt::format("{} at offset {}: truncated 64-bit size", where, pos));
          return;
        }
        size = be64(head + 8);
        header = 16;
      } else if (size == 0) {
        size = end - pos;  // extends to the end of its container (ISO/IEC 14496-12 4.2)
      }
      if (size < header) {
        add_warning(m_.warnings,
                    fmt::format("{} at offset {}: box size {} is smaller than its header; reading "
                                "stopped there",
                                where, pos, size));
        return;
      }
      if (size > end - pos) {
        add_warning(m_.warnings,
                    fmt::format("{} at offset {}: box of {} bytes runs past its container ({} bytes "
                                "left; file truncated?)",
                                where, pos, size, end - pos));
        size = end - pos;  // read what is there; the loop ends after it
      }
      box(type, pos, pos + header, pos + size, depth, where);
      pos += size;
    }
    if (pos < end && end - pos < 8 && depth > 0)
      add_warning(m_.warnings, fmt::format("{}: {} stray bytes at offset {}", path, end - pos, pos));
  }

 private:
  // Reads a small box's payload; false (with a warning) when it is implausibly large.
  bool payload(uint64_t body, uint64_t end, const std::string& path, std::vector<uint8_t>& out) {
    if (end - body > kMaxBmffMetadataBox) {
      add_warning(m_.warnings, fmt::format("{} at offset {}: {} bytes, over the {} read; not read", path,
                                           body, end - body, kMaxBmffMetadataBox));
      return false;
    }
    out.resize(static_cast<size_t>(end - body));
    return in_.read(body, out.data(), out.size());
  }

  void box(const std::string& type, uint64_t start, uint64_t body, uint64_t end, int depth,
           const std::string& path) {
    std::vector<uint8_t> p;
    if (depth == 0) {
      if (type == "ftyp") {
        uint8_t brand[4];
        if (end - body >= 4 && in_.read(body, brand, 4)) m_.major_brand = fourcc(brand);
        m_.is_bmff = true;
      } else if (type == "moov") {
        m_.is_bmff = true;
        walk(body, end, depth + 1, path);
      }
      return;  // mdat, free, wide, ...: header only
    }
    if (type == "trak") {
      m_.tracks.emplace_back();
      walk(body, end, depth + 1, path);
    } else if (type == "mdia" || type == "udta") {
      walk(body, end, depth + 1, path);
    } else if (type == "mvhd") {
      if (!payload(body, end, path, p)) return;
      read_mvhd(p, start, path);
    } else if (type == "tkhd" && !m_.tracks.empty()) {
      if (!payload(body, end, path, p)) return;
      read_tkhd(p, path);
    } else if (type == "hdlr" && path.find("/mdia/") != std::string::npos && !m_.tracks.empty()) {
      if (payload(body, end, path, p) && p.size() >= 12) m_.tracks.back().handler = fourcc(p.data() + 8);
    } else if (type == "meta") {
      read_meta(body, end, depth, path);
    } else if (!type.empty() && type.starts_with("©") && path.find("/udta/") != std::string::npos) {
      if (!payload(body, end, path, p)) return;
      read_udta_text(type, p, body, path);
    }
  }

  void read_mvhd(const std::vector<uint8_t>& p, uint64_t start, const std::string& path) {
    const bool v1 = !p.empty() && p[0] == 1;
    if (p.size() < (v1 ? 32u : 20u)) {
      add_warning(m_.warnings, fmt::format("{} at offset {}: truncated ({} bytes)", path, start, p.size()));
      return;
    }
    const uint8_t* d = p.data() + 4;
    m_.mvhd_offset = start;
    if (v1) {
      m_.creation_time = be64(d);
      m_.modification_time = be64(d + 8);
      m_.timescale = be32(d + 16);
      m_.duration = be64(d + 20);
    } else {
      m_.creation_time = be32(d);
      m_.modification_time = be32(d + 4);
      m_.timescale = be32(d + 8);
      m_.duration = be32(d + 12);
    }
  }

  void read_tkhd(const std::vector<uint8_t>& p, const std::string& path) {
    const bool v1 = !p.empty() && p[0] == 1;
    const size_t need = v1 ? 96 : 84;
    if (p.size() < need) {
      add_warning(m_.warnings, fmt::format("{}: truncated ({} of {} bytes)", path, p.size(), need));
      return;
    }
    BmffTrack& t = m_.tracks.back();
    t.id = be32(p.data() + (v1 ? 20 : 12));
    t.width = be32(p.data() + need - 8) / 65536.0;
    t.height = be32(p.data() + need - 4) / 65536.0;
  }

  // QuickTime user-data text item: (u16 size, u16 language, text) entries; or, as some writers do, a 'data'
  // box as in an ilst entry.
  void read_udta_text(const std::string& type, const std::vector<uint8_t>& p, uint64_t body,
                      const std::string& path) {
    if (p.size() >= 16 && std::memcmp(p.data() + 4, "data", 4) == 0) {
      read_data_boxes(type, p, body, path);
      return;
    }
    if (p.size() < 4) return;
    const size_t len = be16(p.data());
    if (len > p.size() - 4) {
      add_warning(m_.warnings, fmt::format("{} at offset {}: text of {} bytes in a {}-byte item", path, body,
                                           len, p.size()));
      return;
    }
    m_.items.push_back({type, std::string(reinterpret_cast<const char*>(p.data() + 4), len), path, body});
  }

  // 'data' boxes inside an ilst entry (or udta item): u32 type indicator, u32 locale, value.
  void read_data_boxes(const std::string& key, const std::vector<uint8_t>& p, uint64_t body,
                       const std::string& path) {
    size_t pos = 0;
    while (pos + 16 <= p.size()) {
      const uint32_t size = be32(p.data() + pos);
      if (size < 16 || size > p.size() - pos) {
        add_warning(m_.warnings, fmt::format("{} at offset {}: damaged data box", path, body + pos));
        return;
      }
      if (std::memcmp(p.data() + pos + 4, "data", 4) == 0) {
        const uint32_t well_known = be32(p.data() + pos + 8) & 0xFFFFFF;
        const uint8_t* v = p.data() + pos + 16;
        const size_t n = size - 16;
        std::string value;
        switch (well_known) {
          case 1:
            value.assign(reinterpret_cast<const char*>(v), n);
            break;  // UTF-8
          case 21:  // big-endian signed integer
            if (n == 1) value = std::to_string(static_cast<int8_t>(v[0]));
            if (n == 2) value = std::to_string(static_cast<int16_t>(be16(v)));
            if (n == 4) value = std::to_string(static_cast<int32_t>(be32(v)));
            if (n == 8) value = std::to_string(static_cast<int64_t>(be64(v)));
            break;
          case 23:  // big-endian float32
            if (n == 4) value = fmt::format("{}", std::bit_cast<float>(be32(v)));
            break;
          case 24:  // big-endian float64
            if (n == 8) value = fmt::format("{}", std::bit_cast<double>(be64(v)));
            break;
          default:
            value = fmt::format("(value of type {}, {} bytes, not decoded)", well_known, n);
        }
        m_.items.push_back({key, std::move(value), path, body + pos});
      }
      pos += size;
    }
  }

  // 'meta': a FullBox in ISO BMFF (version/flags first), a plain container in QuickTime; told apart by where
  // the 'hdlr' child starts. Children: hdlr, keys (mdta key names) and ilst (values by key index or 4cc).
  void read_meta(uint64_t body, uint64_t end, int depth, const std::string& path) {
    uint8_t probe[12];
    if (end - body < 12 || !in_.read(body, probe, 12)) return;
    const uint64_t children = std::memcmp(probe + 4, "hdlr", 4) == 0 ? body : body + 4;
    std::vector<std::string> keys;
    uint64_t pos = children;
    while (pos + 8 <= end) {
      if (++boxes_ > kMaxBmffBoxes) return;
      uint8_t head[8];
      if (!in_.read(pos, head, 8)) return;
      uint64_t size = be32(head);
      if (size == 0) size = end - pos;
      if (size < 8 || size > end - pos) {
        add_warning(m_.warnings, fmt::format("{} at offset {}: damaged child box", path, pos));
        return;
      }
      const std::string type = fourcc(head + 4);
      std::vector<uint8_t> p;
      if (type == "keys") {
        if (payload(pos + 8, pos + size, path + "/keys", p)) read_keys(p, pos, path, keys);
      } else if (type == "ilst") {
        read_ilst(pos + 8, pos + size, path + "/ilst", keys);
      }
      pos += size;
    }
    (void)depth;
  }

  void read_keys(const std::vector<uint8_t>& p, uint64_t at, const std::string& path,
                 std::vector<std::string>& keys) {
    if (p.size() < 8) return;
    const uint32_t count = be32(p.data() + 4);
    size_t pos = 8;
    for (uint32_t i = 0; i < count && keys.size() < kMaxKeys; ++i) {
      if (pos + 8 > p.size()) {
        add_warning(m_.warnings,
                    fmt::format("{}/keys at offset {}: {} keys announced, {} present", path, at, count, i));
        return;
      }
      const uint32_t size = be32(p.data() + pos);
      if (size < 8 || size > p.size() - pos) {
        add_warning(m_.warnings, fmt::format("{}/keys at offset {}: key {} is damaged", path, at, i + 1));
        return;
      }
      keys.emplace_back(reinterpret_cast<const char*>(p.data() + pos + 8), size - 8);
      pos += size;
    }
  }

  void read_ilst(uint64_t begin, uint64_t end, const std::string& path,
                 const std::vector<std::string>& keys) {
    uint64_t pos = begin;
    while (pos + 8 <= end) {
      if (++boxes_ > kMaxBmffBoxes) return;
      uint8_t head[8];
      if (!in_.read(pos, head, 8)) return;
      const uint64_t size = be32(head);
      if (size < 8 || size > end - pos) {
        add_warning(m_.warnings, fmt::format("{} at offset {}: damaged entry", path, pos));
        return;
      }
      // With an mdta 'keys' box the entry type is a 1-based key index; otherwise a four-character code.
      const uint32_t index = be32(head + 4);
      std::string key;
      if (!keys.empty()) {
        if (index >= 1 && index <= keys.size()) {
          key = keys[index - 1];
        } else {
          add_warning(m_.warnings, fmt::format("{} at offset {}: entry names key {} of {}", path, pos, index,
                                               keys.size()));
          pos += size;
          continue;
        }
      } else {
        key = fourcc(head + 4);
      }
      std::vector<uint8_t> p;
      const std::string entry_path = fmt::format("{}[{}]", path, key);
      if (payload(pos + 8, pos + size, entry_path, p)) read_data_boxes(key, p, pos + 8, entry_path);
      pos += size;
    }
  }

  ByteReader& in_;
  BmffMetadata& m_;
  size_t boxes_ = 0;
};

}  // namespace

BmffMetadata read_bmff(ByteReader& in) {
  BmffMetadata m;
  BmffWalker(in, m).walk(0, in.size(), 0, "");
  return m;
}

// ------------------------------------------------------------------------------------------ ISO 6709

std::optional<Iso6709> parse_iso6709(std::string_view s) {
  // One signed number: sign, digits, optional fraction. Returns the integer-digit count for the
  // DD/DDMM/DDMMSS form.
  size_t i = 0;
  auto number = [&](double& value, size_t& int_digits) -> bool {
    if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
    const bool negative = s[i] == '-';
    ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    int_digits = i - start;
    if (int_digits == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    }
    value = std::strtod(std::string(s.substr(start, i - start)).c_str(), nullptr);
    if (negative) value = -value;
    return true;
  };
  // DD.D / DDMM.M / DDMMSS.S (latitude: 2/4/6 integer digits; longitude 3/5/7); Android writes "%+.4f"
  // without zero padding, so shorter degree fields are read as degrees too.
  auto degrees = [](double v, size_t digits, size_t degree_digits) -> std::optional<double> {
    const double a = std::fabs(v);
    double out;
    if (digits <= degree_digits) {
      out = a;
    } else if (digits == degree_digits + 2) {
      const double d = std::floor(a / 100), mi = a - d * 100;
      if (mi >= 60) return std::nullopt;
      out = d + mi / 60;
    } else if (digits == degree_digits + 4) {
      const double d = std::floor(a / 10000), mi = std::floor((a - d * 10000) / 100),
                   se = a - d * 10000 - mi * 100;
      if (mi >= 60 || se >= 60) return std::nullopt;
      out = d + mi / 60 + se / 3600;
    } else {
      return std::nullopt;
    }
    return v < 0 ? -out : out;
  };
  double lat_raw, lon_raw;
  size_t lat_digits, lon_digits;
  if (!number(lat_raw, lat_digits) || !number(lon_raw, lon_digits)) return std::nullopt;
  auto lat = degrees(lat_raw, lat_digits, 2), lon = degrees(lon_raw, lon_digits, 3);
  if (!lat || !lon || std::fabs(*lat) > 90 || std::fabs(*lon) > 180) return std::nullopt;
  Iso6709 p{*lat, *lon, std::nullopt};
  double alt;
  size_t alt_digits;
  if (number(alt, alt_digits)) p.altitude_m = alt;
  return p;
}

// ---------------------------------------------------------------------------------------------- XMP

namespace {

constexpr const char* kNsExif = "http://ns.adobe.com/exif/1.0/";
constexpr const char* kNsTiff = "http://ns.adobe.com/tiff/1.0/";
constexpr const char* kNsXmp = "http://ns.adobe.com/xap/1.0/";
constexpr const char* kNsPhotoshop = "http://ns.adobe.com/photoshop/1.0/";

struct XmlDocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

// XMP GPSCoordinate (XMP Specification Part 2, 1.2.7.4 / EXIF 2.32 annex): "DDD,MM,SSk" or "DDD,MM.mmk", k in
// NSEW.
std::optional<double> xmp_coordinate(const std::string& s, char positive, char negative) {
  if (s.size() < 3) return std::nullopt;
  const char ref = s.back();
  if (ref != positive && ref != negative) return std::nullopt;
  double parts[3] = {0, 0, 0};
  int n = 0;
  size_t start = 0;
  const std::string body = s.substr(0, s.size() - 1);
  while (n < 3) {
    const size_t comma = body.find(',', start);
    const std::string part =
        body.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* endp = nullptr;
    parts[n++] = std::strtod(part.c_str(), &endp);
    if (part.empty() || *endp != '\0') return std::nullopt;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (n < 2 || parts[1] >= 60 || parts[2] >= 60) return std::nullopt;
  const double v = parts[0] + parts[1] / 60 + parts[2] / 3600;
  return ref == negative ? -v : v;
}

}  // namespace

std::optional<XmpFacts> read_xmp(std::string_view packet, std::vector<std::string>& warnings) {
  if (packet.size() > kMaxXmpBytes) {
    add_warning(warnings, fmt::format("XMP packet of {} bytes is over the {} read; not read", packet.size(),
                                      kMaxXmpBytes));
    return std::nullopt;
  }
  // No network, no entity substitution, no DTD loading; errors come back as a null document.
  std::unique_ptr<xmlDoc, XmlDocDeleter> doc(
      xmlReadMemory(packet.data(), static_cast<int>(packet.size()), "xmp.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) {
    add_warning(warnings, "XMP packet is not well-formed XML; not read");
    return std::nullopt;
  }
  XmpFacts f;
  std::string exif_date, photoshop_date, xmp_date, tiff_software, lat, lon, alt, alt_ref;
  auto take = [&](const xmlChar* ns, const xmlChar* name, const std::string& value) {
    if (!ns) return;
    const std::string n = reinterpret_cast<const char*>(name);
    const char* u = reinterpret_cast<const char*>(ns);
    auto set = [&](std::string& field) {
      if (field.empty()) field = value;
    };
    if (std::strcmp(u, kNsExif) == 0) {
      if (n == "DateTimeOriginal") set(exif_date);
      if (n == "GPSLatitude") set(lat);
      if (n == "GPSLongitude") set(lon);
      if (n == "GPSAltitude") set(alt);
      if (n == "GPSAltitudeRef") set(alt_ref);
    } else if (std::strcmp(u, kNsTiff) == 0) {
      if (n == "Make") set(f.make);
      if (n == "Model") set(f.model);
      if (n == "Software") set(tiff_software);
    } else if (std::strcmp(u, kNsXmp) == 0) {
      if (n == "CreateDate") set(xmp_date);
      if (n == "CreatorTool") set(f.software);
    } else if (std::strcmp(u, kNsPhotoshop) == 0) {
      if (n == "DateCreated") set(photoshop_date);
    }
  };
  // Properties are attributes of rdf:Description (short form) or child elements with text content; an
  // explicit stack keeps the walk bounded by the document, not by the C++ stack.
  std::vector<xmlNode*> stack{xmlDocGetRootElement(doc.get())};
  while (!stack.empty()) {
    xmlNode* node = stack.back();
    stack.pop_back();
    for (; node; node = node->next) {
      if (node->type != XML_ELEMENT_NODE) continue;
      for (xmlAttr* a = node->properties; a; a = a->next) {
        xmlChar* v = xmlNodeListGetString(doc.get(), a->children, 1);
        if (v) take(a->ns ? a->ns->href : nullptr, a->name, reinterpret_cast<const char*>(v));
        xmlFree(v);
      }
      const bool simple = node->children && node->children->type == XML_TEXT_NODE && !node->children->next;
      if (simple && node->ns) {
        xmlChar* v = xmlNodeGetContent(node);
        if (v) take(node->ns->href, node->name, reinterpret_cast<const char*>(v));
        xmlFree(v);
      }
      if (node->children) stack.push_back(node->children);
    }
  }
  if (!exif_date.empty()) {
    f.date_time_original = exif_date;
    f.date_property = "exif:DateTimeOriginal";
  } else if (!photoshop_date.empty()) {
    f.date_time_original = photoshop_date;
    f.date_property = "photoshop:DateCreated";
  } else if (!xmp_date.empty()) {
    f.date_time_original = xmp_date;
    f.date_property = "xmp:CreateDate";
  }
  if (f.software.empty()) f.software = tiff_software;
  if (!lat.empty() || !lon.empty()) {
    f.gps_text = lat + " " + lon;
    f.latitude = xmp_coordinate(lat, 'N', 'S');
    f.longitude = xmp_coordinate(lon, 'E', 'W');
    if (!f.latitude || !f.longitude || std::fabs(*f.latitude) > 90 || std::fabs(*f.longitude) > 180) {
      add_warning(warnings,
                  fmt::format("XMP GPS position \"{}\" is incomplete or not readable; no location reported",
                              f.gps_text));
      f.latitude.reset();
      f.longitude.reset();
    }
  }
  if (!alt.empty()) {  // a rational "n/d"
    double num = 0, den = 1;
    if (std::sscanf(alt.c_str(), "%lf/%lf", &num, &den) >= 1 && den != 0)
      f.altitude_m = (alt_ref == "1" ? -1 : 1) * num / den;
  }
  return f;
}

}  // namespace kanshiki::parsers::media
