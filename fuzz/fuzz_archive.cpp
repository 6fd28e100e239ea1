// Archive evidence (tar in any compression libarchive knows, zip/zip64): the bytes a seized extraction
// container holds. Reads every member to the end, as ingest does.
#include <vector>

#include "core/error.h"
#include "core/evidence/source.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki;
  if (size < 1) return 0;
  // The first byte picks the reader, so one corpus exercises both.
  const SourceKind kind = (data[0] & 1) ? SourceKind::zip : SourceKind::tar;
  auto file = fuzz::write_scratch(kind == SourceKind::zip ? "input.zip" : "input.tar", data + 1, size - 1);
  try {
    auto source = open_evidence(file, kind);
    std::vector<char> buf(64 * 1024);
    source->for_each_file([](std::string_view) { return true; },
                          [&](const EvidenceEntry&, ByteReader& r) {
                            while (r.read(buf.data(), buf.size()) > 0) {
                            }
                          },
                          [](const SourceProblem&) {});
  } catch (const kanshiki::Error&) {
  }
  return 0;
}
