#pragma once
// Helpers shared by signal.android and signal.ios: both apps renamed columns across versions (phone -> e164,
// recipientUUID -> aciString, ...), and both parsers read lookup tables with whichever name the file has.
#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

namespace kanshiki::parsers::signal_common {

// The first of `candidates` that is among `columns`, or "" when none is (the value then reads as NULL).
inline std::string first_column(const std::vector<std::string>& columns,
                                std::initializer_list<const char*> candidates) {
  for (const char* c : candidates)
    if (std::find(columns.begin(), columns.end(), c) != columns.end()) return c;
  return "";
}

// A column for a SELECT list: quoted, or NULL when the file has no such column.
inline std::string column_or_null(const std::string& column) {
  return column.empty() ? "NULL" : "\"" + column + "\"";
}

}  // namespace kanshiki::parsers::signal_common
