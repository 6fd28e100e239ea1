#pragma once
// The byte protocol between `kanshiki thumbnails` (engine/thumbnails.cpp) and kanshiki-thumb-worker
// (engine/thumb_worker_main.cpp), over one AF_UNIX stream socket that is the worker's stdin and stdout.
//   request:  u32 length (little-endian), then the original image bytes;
//   response: u8 status (0 = thumbnail, 1 = failed), u32 source width, u32 source height, u32 width,
//             u32 height, u32 payload length, payload (the JPEG when status 0; a UTF-8 reason when 1),
//             u32 note length, note (what the decoder complained about while still producing an image,
//             e.g. "Premature end of JPEG file"; empty for a clean decode).
// Widths and heights are after the image's own orientation (EXIF Orientation, HEIF irot/imir) is applied.
// One request at a time; the worker answers every request, also for an image that crashed its decoder.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace kanshiki::thumb_protocol {

inline constexpr uint32_t kMaxImageBytes = 256u << 20;  // larger originals are not sent (reason stored)
inline constexpr uint32_t kMaxPayloadBytes = 16u
                                             << 20;  // a 256x256 JPEG is ~20 KB; anything near this is wrong
inline constexpr uint32_t kMaxReasonBytes = 4096;
inline constexpr int kThumbnailEdge = 256;  // thumbnails fit a 256x256 box, aspect ratio kept
inline constexpr int kJpegQuality = 85;     // fixed: the same original gives the same bytes
inline constexpr size_t kResponseHeaderBytes = 1 + 5 * 4;

enum class Status : uint8_t { thumbnail = 0, failed = 1 };

struct Response {
  Status status = Status::failed;
  uint32_t source_width = 0, source_height = 0, width = 0, height = 0;
  std::string payload;
  std::string note;
};

inline void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
inline uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

inline std::string encode_response(const Response& r) {
  std::string out;
  out.reserve(kResponseHeaderBytes + r.payload.size() + 4 + r.note.size());
  out.push_back(static_cast<char>(r.status));
  put_u32(out, r.source_width);
  put_u32(out, r.source_height);
  put_u32(out, r.width);
  put_u32(out, r.height);
  put_u32(out, static_cast<uint32_t>(r.payload.size()));
  out += r.payload;
  put_u32(out, static_cast<uint32_t>(r.note.size()));
  out += r.note;
  return out;
}

// Decodes the fixed-size header: the payload length still to read (then a u32 note length and the note), or
// false with the error in `why`.
inline bool decode_response_header(std::string_view header, Response& r, uint32_t& payload_length,
                                   std::string& why) {
  if (header.size() != kResponseHeaderBytes) {
    why = "short response header";
    return false;
  }
  const auto status = static_cast<uint8_t>(header[0]);
  if (status > 1) {
    why = "unknown response status " + std::to_string(status);
    return false;
  }
  r.status = static_cast<Status>(status);
  r.source_width = get_u32(header.data() + 1);
  r.source_height = get_u32(header.data() + 5);
  r.width = get_u32(header.data() + 9);
  r.height = get_u32(header.data() + 13);
  payload_length = get_u32(header.data() + 17);
  const uint32_t limit = r.status == Status::thumbnail ? kMaxPayloadBytes : kMaxReasonBytes;
  if (payload_length > limit) {
    why = "response payload of " + std::to_string(payload_length) + " bytes is over the limit";
    return false;
  }
  if (r.status == Status::thumbnail &&
      (r.width == 0 || r.height == 0 || r.width > kThumbnailEdge || r.height > kThumbnailEdge)) {
    why = "thumbnail size " + std::to_string(r.width) + "x" + std::to_string(r.height) + " is out of range";
    return false;
  }
  return true;
}

// Decodes a whole response held in memory (the worker checks its child's answer this way before passing it
// on). False with `why` when it is malformed or has bytes left over.
inline bool decode_response(std::string_view bytes, Response& r, std::string& why) {
  uint32_t payload_length = 0;
  if (bytes.size() < kResponseHeaderBytes) {
    why = "short response (" + std::to_string(bytes.size()) + " bytes)";
    return false;
  }
  if (!decode_response_header(bytes.substr(0, kResponseHeaderBytes), r, payload_length, why)) return false;
  bytes.remove_prefix(kResponseHeaderBytes);
  if (bytes.size() < size_t{payload_length} + 4) {
    why = "truncated response payload";
    return false;
  }
  r.payload.assign(bytes.substr(0, payload_length));
  bytes.remove_prefix(payload_length);
  const uint32_t note_length = get_u32(bytes.data());
  bytes.remove_prefix(4);
  if (note_length > kMaxReasonBytes || bytes.size() != note_length) {
    why = "malformed response note";
    return false;
  }
  r.note.assign(bytes);
  return true;
}

}  // namespace kanshiki::thumb_protocol
