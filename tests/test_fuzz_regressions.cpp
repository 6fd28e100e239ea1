// Every crash the fuzzers (fuzz/, scripts/fuzz-all) found, replayed through the same entry point in the
// normal build: the decoder must now end with a clear result (a warning or a kanshiki::Error), never with
// another exception, a crash or a hang. Inputs live in fuzz/regressions/<target>/ (small; also fuzz seeds).
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;

namespace {

std::string read_input(const std::string& rel) {
  std::ifstream in(test::source_dir() / "fuzz/regressions" / rel, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// fuzz_parser_file: the first byte picks the parser, the rest is the file (see fuzz/fuzz_parser_file.cpp).
// Returns the kanshiki::Error message when the parser refused the file ("" when it parsed).
std::string replay_parser_file(const std::string& rel, const char* parser_id, const char* file_name,
                               CollectingSink* sink = nullptr) {
  const std::string input = read_input(rel);
  REQUIRE(!input.empty());
  test::TempDir dir;
  const fs::path file = dir / file_name;
  std::ofstream(file, std::ios::binary) << input.substr(1);
  try {
    CollectingSink s = test::run_parser(parser_id, file);
    if (sink) *sink = std::move(s);
    return "";
  } catch (const Error& e) {
    return e.what();  // "this file cannot be read" is a correct answer; anything else escaping is not
  }
}

}  // namespace

TEST_CASE("fuzz regression: a JSON number too large for any type is a parse error, not an escaped exception",
          "[fuzz]") {
  // {"locations":[356812004e2024-...  — nlohmann::json throws out_of_range (406), not parse_error.
  const std::string error =
      replay_parser_file("fuzz_parser_file/json-number-overflow", "google.location.takeout", "Records.json");
  CHECK_THAT(error, Catch::Contains("not a Takeout location file") && Catch::Contains("number overflow"));
}

TEST_CASE("fuzz regression: an ISO-8601 time with an absurd minutes field is no time, not an integer overflow",
          "[fuzz]") {
  // "2023-10-01T08:77777777715:00.000Z" in a Timeline point: minutes * 60 overflowed int (UBSan).
  CollectingSink sink;
  const std::string error = replay_parser_file("fuzz_parser_file/iso8601-minutes-overflow",
                                               "google.location.device_timeline", "Timeline.json", &sink);
  // The file is also truncated JSON: refusing it with a clear error is as right as a partial parse.
  INFO(error);
  SUCCEED();
}
