// Streaming check for the Google location parsers: writes a Takeout Records.json of N fixes (default
// 1,500,000, about 245 MB), runs google.location.takeout on it with a sink that only counts, and prints
// the time and the process's peak resident memory, which must stay far below the file's size.
// Usage: bench_location [N]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/artifact.h"
#include "parsers/parser.h"

namespace fs = std::filesystem;
using namespace kanshiki;

namespace {
class CountingSink final : public ArtifactSink {
 public:
  void emit(Record) override { ++records; }
  void warn(Warning) override { ++warnings; }
  size_t records = 0, warnings = 0;
};

long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}
}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1500000;
  const fs::path file =
      fs::temp_directory_path() / ("kanshiki-bench-Records-" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(file, std::ios::binary);
    out << "{\"locations\":[\n";
    for (long i = 0; i < n; ++i)
      out << "{\"latitudeE7\":" << 356812360 + i << ",\"longitudeE7\":" << 1397671250 - i
          << ",\"accuracy\":12,\"altitude\":40,\"source\":\"GPS\",\"timestamp\":\"2022-05-01T03:04:05.678Z\"}"
          << (i + 1 < n ? ",\n" : "\n");
    out << "]}\n";
  }
  const auto size_mb = fs::file_size(file) / (1024 * 1024);
  const long rss_before = peak_rss_mb();
  const ParserEntry* parser = find_parser("google.location.takeout");
  if (!parser) return 1;
  ParseInput in;
  in.item_path = "Takeout/Location History/Records.json";
  in.working_copy = file;
  CountingSink sink;
  const auto start = std::chrono::steady_clock::now();
  parser->make()->parse(in, sink);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "Records.json %ld fixes, %lu MB: %zu points, %zu warnings in %.2f s; peak RSS %ld MB (before parse %ld "
      "MB)\n",
      n, static_cast<unsigned long>(size_mb), sink.records, sink.warnings, s, peak_rss_mb(), rss_before);
  fs::remove(file);
  return sink.records == static_cast<size_t>(n) && sink.warnings == 0 ? 0 : 1;
}
