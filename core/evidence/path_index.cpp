#include "core/evidence/path_index.h"

#include <algorithm>
#include <unordered_set>

#include "core/error.h"

namespace kanshiki {
namespace {

constexpr size_t npos = std::string_view::npos;

// Index just past the UTF-8 code point starting at i (a stray continuation byte counts as one).
size_t next_code_point(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

char32_t decode_code_point(std::string_view s, size_t i, size_t end) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  char32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = i + 1; k < end && k <= i + extra; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[k]) & 0x3F);
  return cp;
}

// "[...]" starting at pattern[p] == '['. Returns the index past ']' or npos when the class is not closed
// (then '[' is an ordinary character). `matched` tells whether code point cp is in the class.
size_t match_class(std::string_view pattern, size_t p, char32_t cp, bool& matched) {
  size_t i = p + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool in = false;
  bool first = true;
  while (i < pattern.size()) {
    if (pattern[i] == ']' && !first) {
      matched = in != negate;
      return i + 1;
    }
    first = false;
    size_t end = next_code_point(pattern, i);
    char32_t lo = decode_code_point(pattern, i, end);
    i = end;
    char32_t hi = lo;
    if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
      size_t end2 = next_code_point(pattern, i + 1);
      hi = decode_code_point(pattern, i + 1, end2);
      i = end2;
    }
    if (cp >= lo && cp <= hi) in = true;
  }
  return npos;
}

bool has_wildcard(std::string_view segment) { return segment.find_first_of("*?[") != npos; }

// Matches one path segment: '*' any run of characters, '?' one character (UTF-8 code point), "[..]" a class.
// Greedy with a single backtrack point, O(|pattern| x |segment|) at worst.
bool segment_match(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star_p = npos, star_i = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      while (p < pat.size() && pat[p] == '*') ++p;
      star_p = p;
      star_i = i;
      continue;
    }
    if (p < pat.size()) {
      if (pat[p] == '?') {
        ++p;
        i = next_code_point(s, i);
        continue;
      }
      if (pat[p] == '[') {
        size_t end = next_code_point(s, i);
        bool matched = false;
        size_t after = match_class(pat, p, decode_code_point(s, i, end), matched);
        if (after != npos) {
          if (matched) {
            p = after;
            i = end;
            continue;
          }
        } else if (s[i] == '[') {
          ++p;
          ++i;
          continue;
        }
      } else if (pat[p] == s[i]) {
        ++p;
        ++i;
        continue;
      }
    }
    if (star_p == npos) return false;
    star_i = next_code_point(s, star_i);
    i = star_i;
    p = star_p;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

struct CompiledGlob {
  std::vector<std::string_view> segments;  // "**" kept as a segment of its own
};

CompiledGlob compile(std::string_view pattern) {
  CompiledGlob g;
  size_t start = 0;
  for (size_t i = 0; i <= pattern.size(); ++i) {
    if (i == pattern.size() || pattern[i] == '/') {
      if (i > start) g.segments.push_back(pattern.substr(start, i - start));
      start = i + 1;
    }
  }
  return g;
}

// Matches segment by segment; '**' is to segments what '*' is to characters, so the same greedy
// single-backtrack scheme is exact here too.
bool compiled_match(const CompiledGlob& g, std::string_view path) {
  const auto& pat = g.segments;
  auto segment_at = [&](size_t s) {
    size_t e = path.find('/', s);
    return path.substr(s, (e == npos ? path.size() : e) - s);
  };
  auto next = [&](size_t s) {
    size_t e = path.find('/', s);
    return e == npos ? npos : e + 1;
  };
  size_t pi = 0, si = path.empty() ? npos : 0, star_pi = npos, star_si = 0;
  while (si != npos) {
    if (pi < pat.size() && pat[pi] == "**") {
      while (pi < pat.size() && pat[pi] == "**") ++pi;
      star_pi = pi;
      star_si = si;
      continue;
    }
    if (pi < pat.size() && segment_match(pat[pi], segment_at(si))) {
      ++pi;
      si = next(si);
      continue;
    }
    if (star_pi == npos) return false;
    star_si = next(star_si);
    si = star_si;
    pi = star_pi;
  }
  while (pi < pat.size() && pat[pi] == "**") ++pi;
  return pi == pat.size();
}

std::string_view basename_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == npos ? path : path.substr(slash + 1);
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  return compiled_match(compile(pattern), path);
}

Locator Locator::backup(std::string_view domain, std::string_view relative_path) {
  while (!relative_path.empty() && relative_path.front() == '/') relative_path.remove_prefix(1);
  std::string glob(domain);
  glob += '/';
  glob.append(relative_path);
  return Locator{std::move(glob)};
}

void PathIndex::reserve(size_t n) {
  paths_.reserve(n);
  by_basename_.reserve(n);
  by_path_.reserve(n);
  by_id_.reserve(n);
}

void PathIndex::add(int64_t item_id, std::string path) {
  size_t index = paths_.size();
  by_basename_[std::string(basename_of(path))].push_back(index);
  by_path_.emplace(path, index);  // the first item with a path wins find_exact
  by_id_.emplace(item_id, index);
  paths_.emplace_back(item_id, std::move(path));
}

namespace {

// Indices (insertion order) of paths matching the glob: a hash look-up by basename when the last
// segment is literal, a full scan otherwise.
template <typename Paths, typename ByBasename>
void collect(const Paths& paths, const ByBasename& by_basename, const std::string& glob,
             std::vector<size_t>& out) {
  CompiledGlob g = compile(glob);
  if (g.segments.empty()) return;
  std::string_view last = g.segments.back();
  if (last != "**" && !has_wildcard(last)) {
    auto it = by_basename.find(std::string(last));
    if (it == by_basename.end()) return;
    for (size_t index : it->second)
      if (compiled_match(g, paths[index].second)) out.push_back(index);
    return;
  }
  for (size_t index = 0; index < paths.size(); ++index)
    if (compiled_match(g, paths[index].second)) out.push_back(index);
}

template <typename Paths>
std::vector<int64_t> ids_of(const Paths& paths, const std::vector<size_t>& indices) {
  std::vector<int64_t> ids;
  ids.reserve(indices.size());
  std::unordered_set<int64_t> seen;
  for (size_t index : indices)
    if (seen.insert(paths[index].first).second) ids.push_back(paths[index].first);
  return ids;
}

}  // namespace

std::vector<int64_t> PathIndex::match(const Locator& locator) const {
  std::vector<size_t> indices;
  collect(paths_, by_basename_, locator.glob, indices);
  return ids_of(paths_, indices);
}

std::vector<int64_t> PathIndex::match_any(const std::vector<Locator>& locators) const {
  std::vector<size_t> indices;
  for (const Locator& locator : locators) collect(paths_, by_basename_, locator.glob, indices);
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  return ids_of(paths_, indices);
}

std::optional<int64_t> PathIndex::find_exact(std::string_view path) const {
  auto it = by_path_.find(std::string(path));
  if (it == by_path_.end()) return std::nullopt;
  return paths_[it->second].first;
}

const std::string& PathIndex::path_of(int64_t item_id) const {
  auto it = by_id_.find(item_id);
  if (it == by_id_.end())
    throw Error(ExitCode::failure, "PathIndex: unknown item id " + std::to_string(item_id));
  return paths_[it->second].second;
}

}  // namespace kanshiki
