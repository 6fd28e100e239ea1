// Times one parser over one file with a counting sink (no case database), to separate parse cost from
// storage cost in the ingest+process benchmark. Usage: bench_parse PARSER_ID FILE
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "parsers/parser.h"

using namespace kanshiki;

namespace {
class CountingSink final : public ArtifactSink {
 public:
  void emit(Record) override { ++records; }
  void warn(Warning) override { ++warnings; }
  size_t records = 0, warnings = 0;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_parse PARSER_ID FILE (the file is opened read-only; pass a copy)\n");
    return 2;
  }
  const ParserEntry* entry = find_parser(argv[1]);
  if (!entry) {
    std::fprintf(stderr, "unknown parser %s\n", argv[1]);
    return 2;
  }
  ParseInput in{1, 1, argv[2], "", argv[2]};
  CountingSink sink;
  auto t0 = std::chrono::steady_clock::now();
  entry->make()->parse(in, sink);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"bench\":\"parse\",\"parser\":\"%s\",\"records\":%zu,\"warnings\":%zu,\"seconds\":%.3f}\n", argv[1],
              sink.records, sink.warnings, s);
  return 0;
}
