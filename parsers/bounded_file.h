#pragma once
// Reads a whole small file (a plist, a settings XML) into memory with a size limit, for parsers of formats
// that cannot be streamed. Failures are whole-file failures: kanshiki::Error naming the item.
#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"

namespace kanshiki::parsers {

inline std::string read_bounded_file(const std::filesystem::path& file, const std::string& item_path,
                                     std::uintmax_t max_bytes, std::string_view what) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec)
    throw Error(ExitCode::evidence_unreadable,
                fmt::format("cannot read {}: {}", file.string(), ec.message()));
  if (size == 0) throw Error(ExitCode::corrupt_input, fmt::format("{}: empty file, not {}", item_path, what));
  if (size > max_bytes)
    throw Error(ExitCode::corrupt_input, fmt::format("{}: {} bytes is too large for {} (limit {} bytes)",
                                                     item_path, size, what, max_bytes));
  std::ifstream f(file, std::ios::binary);
  std::string data(static_cast<size_t>(size), '\0');
  if (!f.read(data.data(), static_cast<std::streamsize>(data.size())))
    throw Error(ExitCode::evidence_unreadable, fmt::format("cannot read {}", file.string()));
  return data;
}

}  // namespace kanshiki::parsers
