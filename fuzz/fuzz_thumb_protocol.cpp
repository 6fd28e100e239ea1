// Thumbnail worker answers (engine/thumb_protocol.h): what `kanshiki thumbnails` and kanshiki-thumb-worker
// accept from a decoder child, which may have been taken over by a crafted image. The images themselves are
// decoded by Qt and libheif, only ever inside the confined child (docs/thumbnails.md).
#include <string>
#include <string_view>

#include "engine/thumb_protocol.h"

using namespace kanshiki::thumb_protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Response r;
  std::string why;
  if (decode_response(bytes, r, why)) {
    // Accepted answers are within the limits and re-encode to exactly the same bytes.
    if (r.note.size() > kMaxReasonBytes) __builtin_trap();
    if (r.status == Status::thumbnail &&
        (r.payload.size() > kMaxPayloadBytes || r.width == 0 || r.width > kThumbnailEdge))
      __builtin_trap();
    if (r.status == Status::failed && r.payload.size() > kMaxReasonBytes) __builtin_trap();
    if (encode_response(r) != bytes) __builtin_trap();
  } else if (why.empty()) {
    __builtin_trap();  // a refusal always says why
  }
  return 0;
}
