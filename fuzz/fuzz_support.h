// Shared helpers for the libFuzzer targets in fuzz/ (built only with -DKANSHIKI_FUZZ=ON, see fuzz/README.md).
// Several decoders take a file path (they stream or mmap), so the input is written to a per-process scratch
// file first; /dev/shm keeps that in memory.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/artifact.h"
#include "parsers/parser.h"

namespace kanshiki::fuzz {

inline std::filesystem::path scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    auto d = base / ("kanshiki-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes `data` to scratch_dir()/name (replacing it) and returns the path.
inline std::filesystem::path write_scratch(const std::string& name, const uint8_t* data, size_t size) {
  auto p = scratch_dir() / name;
  if (FILE* f = std::fopen(p.c_str(), "wb")) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  return p;
}

// Runs one registered parser over a file the way `process` does. Errors are expected (Error is how a
// parser says "this file is unreadable"); anything else escaping is a bug and aborts the fuzzer.
inline void run_parser(std::string_view parser_id, const std::filesystem::path& file) {
  const ParserEntry* entry = find_parser(parser_id);
  if (!entry) std::abort();
  ParseInput in;
  in.evidence_id = 1;
  in.item_id = 1;
  in.item_path = file.filename().string();
  in.item_sha256 = std::string(64, '0');
  in.working_copy = file;
  CollectingSink sink;
  try {
    entry->make()->parse(in, sink);
  } catch (const kanshiki::Error&) {
  }
}

}  // namespace kanshiki::fuzz
