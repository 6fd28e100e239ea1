#pragma once
// One index of logical paths per evidence item, so locating artifacts costs O(files + patterns), not
// O(files x patterns): globs with a literal last segment (nearly all: "sms.db", "msgstore.db") are looked
// up by basename in a hash map and only those candidates are glob-matched.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kanshiki {

// Glob over '/'-separated paths: '*' and '?' stay within a segment, '**' spans any number of segments
// (including none), "[abc]" is a character class. Matching is case-sensitive (Android, iOS file systems are).
bool glob_match(std::string_view pattern, std::string_view path);

// Where a parser looks for its files.
struct Locator {
  std::string glob;  // matched against logical paths, e.g. "**/com.android.providers.telephony/databases/mmssms.db"
  // iOS backup form: domain + relative path, written in docs as "HomeDomain-Library/SMS/sms.db".
  static Locator backup(std::string_view domain, std::string_view relative_path);
  static Locator path(std::string_view glob) { return Locator{std::string(glob)}; }
};

class PathIndex {
 public:
  void reserve(size_t n);
  void add(int64_t item_id, std::string path);
  size_t size() const { return paths_.size(); }

  // Item ids whose path matches, in insertion order, without duplicates.
  std::vector<int64_t> match(const Locator& locator) const;
  std::vector<int64_t> match_any(const std::vector<Locator>& locators) const;
  std::optional<int64_t> find_exact(std::string_view path) const;
  const std::string& path_of(int64_t item_id) const;

 private:
  std::vector<std::pair<int64_t, std::string>> paths_;  // insertion order
  std::unordered_map<std::string, std::vector<size_t>> by_basename_;
  std::unordered_map<std::string, size_t> by_path_;
  std::unordered_map<int64_t, size_t> by_id_;
};

}  // namespace kanshiki
