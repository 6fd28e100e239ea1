#pragma once
// A pull-style byte stream. Evidence sources hand one out per file so callers stream, never slurp.
#include <cstddef>

namespace kanshiki {

class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to n bytes; returns 0 only at end of stream. Throws kanshiki::Error on I/O failure or
  // truncation (ExitCode::corrupt_input / evidence_unreadable).
  virtual size_t read(void* buffer, size_t n) = 0;
};

}  // namespace kanshiki
