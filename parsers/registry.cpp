// The parser registry: one line per parser, nothing else. Order is the order `process` runs them in.
#include "parsers/parser.h"
// Parser headers, one per line.

namespace kanshiki {

const std::vector<ParserEntry>& parser_registry() {
  static const std::vector<ParserEntry> entries = {
      // {parsers::android_sms::info, parsers::android_sms::make},
  };
  return entries;
}

}  // namespace kanshiki
