// Times one parser over one file with a counting sink (no case database), to separate parse cost from
// storage cost in the ingest+process benchmark. Usage: bench_parse PARSER_ID FILE [--no-recover]
// (--no-recover: live rows only, without the deleted-record recovery pass that `process` runs by default)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string_view>

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
  bool recover = !(argc == 4 && std::string_view(argv[3]) == "--no-recover");
  if (argc != 3 && recover) {
    std::fprintf(stderr, "usage: bench_parse PARSER_ID FILE [--no-recover] (opened read-only; pass a copy)\n");
    return 2;
  }
  const ParserEntry* entry = find_parser(argv[1]);
  if (!entry) {
    std::fprintf(stderr, "unknown parser %s\n", argv[1]);
    return 2;
  }
  ParseInput in{1, 1, argv[2], "", argv[2]};
  in.recover_deleted = recover;
  CountingSink sink;
  auto t0 = std::chrono::steady_clock::now();
  entry->make()->parse(in, sink);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"bench\":\"parse\",\"parser\":\"%s\",\"recover\":%s,\"records\":%zu,\"warnings\":%zu,"
              "\"seconds\":%.3f}\n",
              argv[1], recover ? "true" : "false", sink.records, sink.warnings, s);
  return 0;
}
