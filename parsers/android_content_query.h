#pragma once
// `content query` output captured by `kanshiki acquire android` (logical/content_*.txt): SMS, call log and
// contact phones printed by the shell's Content.java, parsed back into the ordinary artifact tables.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsers/parser.h"

namespace kanshiki::parsers::android_content_query {
const ParserInfo& info();
std::unique_ptr<Parser> make();

// One printed row: column -> value (nullopt for the literal NULL), and where it starts in the file.
struct PrintedRow {
  int64_t index = 0;
  uint64_t offset = 0;
  std::map<std::string, std::optional<std::string>> values;
  std::vector<std::string> problems;  // columns missing or out of order
};

// Splits `Row: N col=val, col=val, ...` output, given the projection in order. Values may contain ", ", "="
// and newlines: a value ends only where ", <next expected column>=" begins, and lines not starting with
// "Row: " continue the previous row. "No result found." gives no rows.
std::vector<PrintedRow> parse_rows(const std::string& text, const std::vector<std::string>& columns);
}  // namespace kanshiki::parsers::android_content_query
