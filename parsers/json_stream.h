#pragma once
// Streams a large JSON file record by record, so a 1 GB Takeout Records.json never sits in memory.
//
// A "record" is an object element of a record array: of the root array (`[ {...}, {...} ]`) or of an array
// that is the value of a root object key (`{"locations": [ {...}, ... ]}`). Each record is materialised on
// its own, handed to the callback with its array key, index and the byte offset of its '{', and discarded.
// Everything else at the root (small objects such as `userLocationProfile`) is kept and returned.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kanshiki::parsers {

struct JsonRecord {
  std::string_view array_key;  // root key of the array; "" for a root array
  size_t index = 0;            // position in that array
  uint64_t offset = 0;         // byte offset of the record's '{' in the file
  nlohmann::json& value;
};

struct JsonStreamResult {
  nlohmann::json root;  // the root with every record array emptied
  size_t records = 0;
  size_t non_object_elements = 0;  // array elements that were not objects (skipped; the caller warns)
  std::string error;               // parse error ("" when the file parsed to the end)
  uint64_t error_offset = 0;
};

// Throws kanshiki::Error(evidence_unreadable) when the file cannot be opened. A syntax error does not
// throw: records before it have been delivered and `error` says where the file stopped being JSON.
JsonStreamResult stream_json_records(const std::filesystem::path& file,
                                     const std::function<void(const JsonRecord&)>& on_record);

// "40.712776°, -74.005974°" (on-device Timeline), "geo:35.681200,139.767100" (iOS export), "35.68,139.76".
// False when the text is not a coordinate pair or out of range.
bool parse_lat_lng(std::string_view text, double& lat, double& lng);

// JSON pointer segment escaping (RFC 6901): "~" -> "~0", "/" -> "~1".
std::string json_pointer_escape(std::string_view key);

}  // namespace kanshiki::parsers
