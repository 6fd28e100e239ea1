// Every SQLite app parser over a hostile database file: the SQLite library opens it read-only, the
// framework checks declared tables/columns, the row handlers run, then deleted-record recovery carves the
// same file. The first byte picks the parser.
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> v;
    for (const auto& e : kanshiki::parser_registry())
      if (dynamic_cast<kanshiki::SqliteParser*>(e.make().get())) v.push_back(e.info().id);
    return v;
  }();
  if (size < 1 || ids.empty()) return 0;
  auto file = kanshiki::fuzz::write_scratch("app.db", data + 1, size - 1);
  kanshiki::fuzz::run_parser(ids[data[0] % ids.size()], file);
  return 0;
}
