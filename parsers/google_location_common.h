#pragma once
// Helpers shared by the Google location parsers (on-device Timeline export and Takeout): tolerant field
// readers (the iOS export writes numbers as strings), and the time fields' two encodings.
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.h"

namespace kanshiki::parsers::google_location {

using nlohmann::json;

inline const json* member(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

inline std::string text_of(const json& obj, std::string_view key) {
  const json* v = member(obj, key);
  if (!v) return {};
  return v->is_string() ? v->get<std::string>() : v->dump();
}

// A number, or a number written as a string ("accuracyMeters": "12").
inline std::optional<double> number_of(const json& obj, std::string_view key) {
  const json* v = member(obj, key);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && p == s.data() + s.size() && std::isfinite(d)) return d;
  }
  return std::nullopt;
}

// Google writes times as ISO 8601 text ("timestamp", "startTime"; with 'Z' or an offset such as "+09:00")
// or, in older Takeout, as Unix milliseconds in a string ("timestampMs"). Returns an empty Timestamp when
// the field is absent; a present but unreadable value keeps its raw text and has no UTC (caller warns).
inline Timestamp time_of(const json& obj, std::string_view iso_key, std::string_view ms_key = {}) {
  if (const json* v = member(obj, iso_key); v && v->is_string())
    return Timestamp::from_iso8601(v->get<std::string>());
  if (!ms_key.empty()) {
    if (const json* v = member(obj, ms_key)) {
      std::string s = v->is_string() ? v->get<std::string>() : v->dump();
      int64_t ms = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
      if (ec == std::errc() && p == s.data() + s.size()) {
        Timestamp t = Timestamp::from_int(ms, EpochKind::unix_ms);
        return t;
      }
      Timestamp t;
      t.raw = s;
      t.kind = EpochKind::unix_ms;
      return t;
    }
  }
  if (const json* v = member(obj, iso_key)) {  // present but not a string
    Timestamp t;
    t.raw = v->dump();
    t.kind = EpochKind::iso8601;
    return t;
  }
  return {};
}

}  // namespace kanshiki::parsers::google_location
