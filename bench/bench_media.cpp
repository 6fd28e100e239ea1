// Hashing + EXIF of many small photos: generates N JPEG files (default 100,000) whose APP1 carries the
// EXIF a phone writes (Make, Model, Software, DateTimeOriginal, OffsetTimeOriginal, GPS), then hashes each
// (MD5, SHA-1, SHA-256, as ingest does) and runs the media.exif parser on it, on 2 threads.
// Target (issue 4): <= 60 s for 100,000 photos on 2 cores. Usage: bench_media [N] [threads]
// The files are EXIF-only JPEGs (SOI, APP1, a little entropy-coded filler, EOI): the image data is not
// decoded by media.exif, so only its size matters for hashing.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/artifact.h"
#include "hashing/multi_hash.h"
#include "parsers/parser.h"

namespace fs = std::filesystem;
using namespace kanshiki;

namespace {

struct Entry {
  uint16_t tag, type;
  uint32_t count;
  std::string data;  // raw little-endian value bytes
};

void put16(std::string& s, uint16_t v) { s += char(v & 0xFF), s += char(v >> 8); }
void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += char((v >> (8 * i)) & 0xFF);
}

Entry ascii(uint16_t tag, const std::string& text) {
  return {tag, 2, uint32_t(text.size() + 1), text + '\0'};
}
Entry long_value(uint16_t tag, uint32_t v) {
  std::string d;
  put32(d, v);
  return {tag, 4, 1, d};
}
Entry rationals(uint16_t tag, std::vector<std::pair<uint32_t, uint32_t>> values) {
  std::string d;
  for (auto [n, den] : values) put32(d, n), put32(d, den);
  return {tag, 5, uint32_t(values.size()), d};
}

// One IFD at `offset` (from the TIFF header): entries, next-IFD 0, then values longer than 4 bytes.
std::string ifd(const std::vector<Entry>& entries, uint32_t offset) {
  std::string head, data;
  put16(head, uint16_t(entries.size()));
  uint32_t data_at = offset + 2 + 12 * uint32_t(entries.size()) + 4;
  for (const auto& e : entries) {
    put16(head, e.tag), put16(head, e.type), put32(head, e.count);
    if (e.data.size() <= 4) {
      std::string v = e.data;
      v.resize(4, '\0');
      head += v;
    } else {
      put32(head, data_at + uint32_t(data.size()));
      data += e.data;
      if (data.size() % 2) data += '\0';
    }
  }
  put32(head, 0);
  return head + data;
}

std::string make_jpeg(int i) {
  std::vector<Entry> exif = {ascii(0x9003, "2024:05:01 12:34:56"), ascii(0x9011, "+09:00")};
  std::vector<Entry> gps = {
      ascii(0x0001, "N"), rationals(0x0002, {{35, 1}, {40, 1}, {uint32_t(5244 + i % 1000), 100}}),
      ascii(0x0003, "E"), rationals(0x0004, {{139, 1}, {46, 1}, {uint32_t(102 + i % 500), 100}})};
  auto ifd0_entries = [&](uint32_t exif_at, uint32_t gps_at) {
    return std::vector<Entry>{ascii(0x010F, "Apple"), ascii(0x0110, "iPhone 15"), ascii(0x0131, "17.4.1"),
                              long_value(0x8769, exif_at), long_value(0x8825, gps_at)};
  };
  const uint32_t ifd0_size = uint32_t(ifd(ifd0_entries(0, 0), 8).size());
  const uint32_t exif_at = 8 + ifd0_size;
  const std::string exif_block = ifd(exif, exif_at);
  const uint32_t gps_at = exif_at + uint32_t(exif_block.size());
  std::string tiff = "II";
  put16(tiff, 42), put32(tiff, 8);
  tiff += ifd(ifd0_entries(exif_at, gps_at), 8) + exif_block + ifd(gps, gps_at);
  std::string app1 = std::string("Exif\0\0", 6) + tiff;
  std::string out = "\xFF\xD8\xFF\xE1";
  out += char((app1.size() + 2) >> 8), out += char((app1.size() + 2) & 0xFF);
  out += app1;
  out += "\xFF\xDA";  // filler standing in for the scan: a few KB, different per file
  for (int k = 0; k < 3000; ++k) out += char((k * 31 + i) & 0x7F);
  out += "\xFF\xD9";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const fs::path dir = fs::temp_directory_path() / ("kanshiki-bench-media-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (int i = 0; i < n; ++i)
    std::ofstream(dir / ("IMG_" + std::to_string(i) + ".jpg"), std::ios::binary) << make_jpeg(i);
  std::printf("generated %d JPEGs in %s\n", n, dir.c_str());

  const ParserEntry* parser = find_parser("media.exif");
  if (!parser) return 1;
  std::atomic<int> next{0}, with_gps{0}, warnings{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i; (i = next++) < n;) {
        ParseInput in;
        in.item_path = "DCIM/100APPLE/IMG_" + std::to_string(i) + ".jpg";
        in.working_copy = dir / ("IMG_" + std::to_string(i) + ".jpg");
        in.item_sha256 = hash_file(in.working_copy).sha256;
        CollectingSink sink;
        parser->make()->parse(in, sink);
        if (sink.of_type<LocationPoint>().size() == 1) ++with_gps;
        warnings += int(sink.warnings.size());
      }
    });
  for (auto& t : pool) t.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("hash + EXIF of %d photos on %d threads: %.2f s (%.0f photos/s); %d with GPS, %d warnings\n", n,
              threads, s, n / s, with_gps.load(), warnings.load());
  fs::remove_all(dir);
  return with_gps.load() == n && warnings.load() == 0 ? 0 : 1;
}
