// Android `adb backup` (.ab) files: the text header (version, compression, encryption parameters with their
// PBKDF2 round count and hex fields) and the zlib/AES stream behind it, read through to the end of the tar.
#include <vector>

#include "core/error.h"
#include "core/evidence/android_backup.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki;
  auto file = fuzz::write_scratch("backup.ab", data, size);
  try {
    (void)android_backup::read_header(file);
    // An attacker-chosen PBKDF2 round count must not hang the fuzzer; the header reader bounds it.
    android_backup::TarStream tar(file, std::string("123456"));
    std::vector<char> buf(64 * 1024);
    while (tar.read(buf.data(), buf.size()) > 0) {
    }
  } catch (const kanshiki::Error&) {
  }
  return 0;
}
