#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <string>

#include "hashing/multi_hash.h"
#include "tests/test_support.h"

using namespace kanshiki;

namespace {
class StringReader final : public ByteReader {
 public:
  explicit StringReader(std::string s) : s_(std::move(s)) {}
  size_t read(void* buf, size_t n) override {
    size_t k = std::min(n, s_.size() - pos_);
    std::memcpy(buf, s_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string s_;
  size_t pos_ = 0;
};
}  // namespace

TEST_CASE("MD5, SHA-1 and SHA-256 in one pass match known answers", "[hashing]") {
  StringReader abc("abc");
  auto d = hash_stream(abc);
  CHECK(d.md5 == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(d.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(d.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(d.size == 3);
}

TEST_CASE("parallel hashing equals single-threaded hashing on multi-chunk input", "[hashing]") {
  std::string data;
  for (int i = 0; i < 5 * 1024 * 1024 + 12345; ++i) data.push_back(static_cast<char>((i * 131) ^ (i >> 7)));
  MultiHasher ref;
  ref.update(data.data(), data.size());
  auto expected = ref.finish();
  StringReader r(data);
  uint64_t teed = 0;
  HashOptions opt;
  opt.chunk_size = 1 << 20;
  opt.tee = [&](const void*, size_t n) { teed += n; };
  auto got = hash_stream(r, opt);
  CHECK(got.md5 == expected.md5);
  CHECK(got.sha1 == expected.sha1);
  CHECK(got.sha256 == expected.sha256);
  CHECK(got.size == data.size());
  CHECK(teed == data.size());
}

TEST_CASE("hash_file reads a file read-only", "[hashing]") {
  test::TempDir dir;
  auto p = dir / "x.bin";
  std::ofstream(p) << "Kanshiki 鑑識";
  auto d = hash_file(p);
  CHECK(d.size == std::string("Kanshiki 鑑識").size());
  CHECK(d.sha256 == sha256_hex("Kanshiki 鑑識"));
}
