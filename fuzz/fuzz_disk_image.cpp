// Disk images (issue 12): the container headers and what The Sleuth Kit reads through them — raw/dd with a
// partition table and file system, E01 (libewf) and Android sparse images. The first byte picks the container
// so one corpus covers all three; the walk reads every file to the end, as ingest does.
#include <vector>

#include "core/error.h"
#include "core/evidence/source.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki;
  if (size < 1) return 0;
  struct Choice {
    SourceKind kind;
    const char* name;
  };
  static constexpr Choice kChoices[] = {{SourceKind::raw_image, "input.img"},
                                        {SourceKind::ewf, "input.E01"},
                                        {SourceKind::android_sparse, "input.simg"}};
  const Choice& c = kChoices[data[0] % 3];
  auto file = fuzz::write_scratch(c.name, data + 1, size - 1);
  try {
    auto source = open_evidence(file, c.kind);
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
