// Record-by-record JSON streaming on nlohmann-json's callback parser: returning false for a finished
// record discards it, so memory holds one record plus the root's small values.
#include "parsers/json_stream.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <istream>
#include <streambuf>
#include <vector>

#include "core/error.h"

namespace kanshiki::parsers {
namespace {

// A read-only file buffer that knows the byte offset of the next character it hands out.
class CountingFileBuf final : public std::streambuf {
 public:
  explicit CountingFileBuf(std::FILE* f) : f_(f) {}
  uint64_t position() const { return base_ + static_cast<uint64_t>(gptr() - eback()); }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    base_ += static_cast<uint64_t>(egptr() - eback());
    size_t n = std::fread(buf_.data(), 1, buf_.size(), f_);
    setg(buf_.data(), buf_.data(), buf_.data() + n);
    return n == 0 ? traits_type::eof() : traits_type::to_int_type(buf_[0]);
  }

 private:
  std::FILE* f_;
  std::array<char, 1 << 16> buf_{};
  uint64_t base_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

JsonStreamResult stream_json_records(const std::filesystem::path& file,
                                     const std::function<void(const JsonRecord&)>& on_record) {
  using json = nlohmann::json;
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(file.c_str(), "rb"));
  if (!f)
    throw Error(ExitCode::evidence_unreadable,
                fmt::format("cannot open {}: {}", file.string(), std::strerror(errno)));
  CountingFileBuf buf(f.get());
  std::istream in(&buf);

  JsonStreamResult result;
  // Our own view of the nesting: true for arrays. The record arrays are the root array (depth 0) or an
  // array directly under the root object (depth 1).
  std::vector<bool> is_array;
  std::string root_key;            // last key seen at the root object
  std::vector<size_t> next_index;  // per nesting level: next element index (for arrays)
  uint64_t record_start = 0;

  auto in_record_array = [&] {
    const size_t n = is_array.size();
    if (n == 1) return bool(is_array[0]);
    return n == 2 && !is_array[0] && is_array[1];
  };

  json::parser_callback_t cb = [&](int /*depth*/, json::parse_event_t event, json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::key:
        if (is_array.size() == 1 && !is_array[0]) root_key = parsed.get<std::string>();
        return true;
      case json::parse_event_t::object_start:
        if (in_record_array()) record_start = buf.position() - 1;
        is_array.push_back(false);
        next_index.push_back(0);
        return true;
      case json::parse_event_t::array_start:
        is_array.push_back(true);
        next_index.push_back(0);
        return true;
      case json::parse_event_t::object_end: {
        is_array.pop_back();
        next_index.pop_back();
        if (!in_record_array()) return true;
        const std::string_view key = is_array.size() == 1 ? std::string_view() : std::string_view(root_key);
        JsonRecord r{key, next_index.back()++, record_start, parsed};
        ++result.records;
        on_record(r);
        return false;  // discard: the record has been handled
      }
      case json::parse_event_t::array_end:
        is_array.pop_back();
        next_index.pop_back();
        return true;
      case json::parse_event_t::value:
        if (in_record_array()) {
          // A scalar where a record object belongs: counted and dropped so that memory stays bounded.
          ++next_index.back();
          ++result.non_object_elements;
          return false;
        }
        return true;
    }
    return true;
  };

  try {
    result.root = json::parse(in, cb, /*allow_exceptions=*/true);
  } catch (const json::parse_error& e) {
    result.error = e.what();
    result.error_offset = e.byte;
  } catch (const json::out_of_range& e) {
    // A number too large for any numeric type (e.g. "356812004e2024"); found by fuzz_parser_file.
    result.error = e.what();
    result.error_offset = buf.position();
  }
  if (std::ferror(f.get()))
    throw Error(ExitCode::evidence_unreadable, fmt::format("read error in {}", file.string()));
  return result;
}

bool parse_lat_lng(std::string_view text, double& lat, double& lng) {
  std::string_view s = text;
  if (s.substr(0, 4) == "geo:") s.remove_prefix(4);
  auto skip = [&](std::string_view chars) {
    while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  };
  auto number = [&](double& out) {
    skip(" ");
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p == s.data()) return false;
    s.remove_prefix(static_cast<size_t>(p - s.data()));
    if (s.substr(0, 2) == "\xC2\xB0") s.remove_prefix(2);  // "°" in UTF-8
    return true;
  };
  if (!number(lat)) return false;
  skip(" ");
  if (s.empty() || s.front() != ',') return false;
  s.remove_prefix(1);
  if (!number(lng)) return false;
  skip(" ");
  if (!s.empty()) return false;
  return std::isfinite(lat) && std::isfinite(lng) && std::fabs(lat) <= 90 && std::fabs(lng) <= 180;
}

std::string json_pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

}  // namespace kanshiki::parsers
