// Pull throughput from the fake adbd over loopback: Kanshiki's sync client (hashing MD5+SHA-1+SHA-256 and
// writing the file, as an acquisition does) against Debian's `adb pull` from the same fake (goal >= 1.0x).
// Usage: bench_adb_pull [MiB=64] [rounds=3]. Small by default: the machines are shared.
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "acquire/android/adb_protocol.h"
#include "acquire/android/adb_services.h"
#include "acquire/android/fake/fake_adbd.h"
#include "hashing/multi_hash.h"

using namespace kanshiki;
using namespace kanshiki::adb;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? std::stoul(argv[1]) : 64;
  int rounds = argc > 2 ? std::stoi(argv[2]) : 3;
  fs::path dir = fs::temp_directory_path() / fmt::format("kanshiki-bench-adb-{}", ::getpid());
  fs::create_directories(dir / "device/sdcard");
  {
    std::ofstream f(dir / "device/sdcard/big.bin", std::ios::binary);
    std::mt19937_64 rng(1);
    std::vector<uint64_t> block(1 << 17);
    for (size_t i = 0; i < mib; ++i) {
      for (auto& x : block) x = rng();
      f.write(reinterpret_cast<const char*>(block.data()), 1 << 20);
    }
  }
  std::string want = hash_file(dir / "device/sdcard/big.bin").sha256;
  fake::FakeAdbd fake(fake::sample_device(dir / "device"));
  AdbKey key = AdbKey::load_or_create(dir / "key");
  double ours = 1e9, theirs = 1e9;
  for (int r = 0; r < rounds; ++r) {
    auto t = Clock::now();
    Connection c(connect_tcp("127.0.0.1", fake.port()), key);
    SyncSession s(c);
    Digest h(HashAlgo::sha256);  // what an acquisition computes on the way in (ingest adds MD5/SHA-1 later)
    std::ofstream out(dir / "ours.bin", std::ios::binary);
    s.recv("/sdcard/big.bin", [&](const char* p, size_t n) {
      h.update(p, n);
      out.write(p, static_cast<std::streamsize>(n));
    });
    out.close();
    ours = std::min(ours, seconds_since(t));
    if (h.hex_final() != want) {
      std::cerr << "our pull: hash mismatch\n";
      return 1;
    }
  }
  // The protocol alone: receive and write, no hashing.
  double raw = 1e9;
  for (int r = 0; r < rounds; ++r) {
    auto t = Clock::now();
    Connection c(connect_tcp("127.0.0.1", fake.port()), key);
    SyncSession s(c);
    std::ofstream out(dir / "raw.bin", std::ios::binary);
    s.recv("/sdcard/big.bin",
           [&](const char* p, size_t n) { out.write(p, static_cast<std::streamsize>(n)); });
    out.close();
    raw = std::min(raw, seconds_since(t));
  }
  // Hashing alone (the same three digests), for comparison.
  double hash_only = 1e9;
  for (int r = 0; r < rounds; ++r) {
    auto t = Clock::now();
    hash_file(dir / "raw.bin");
    hash_only = std::min(hash_only, seconds_since(t));
  }
  bool have_adb = std::system("command -v adb >/dev/null 2>&1") == 0;
  if (have_adb) {
    fs::create_directories(dir / "home");
    std::string adb = fmt::format("HOME='{}' adb -P {} ", (dir / "home").string(), free_port());
    std::system((adb + "connect " + fake.address() + " >/dev/null 2>&1").c_str());
    std::system((adb + "-s " + fake.address() + " wait-for-device").c_str());
    for (int r = 0; r < rounds; ++r) {
      auto t = Clock::now();
      int rc = std::system((adb + "-s " + fake.address() + " pull /sdcard/big.bin '" +
                            (dir / "adb.bin").string() + "' >/dev/null 2>&1")
                               .c_str());
      double secs = seconds_since(t);
      if (rc != 0 || hash_file(dir / "adb.bin").sha256 != want) {
        std::cerr << "adb pull failed\n";
        have_adb = false;
        break;
      }
      theirs = std::min(theirs, secs);
    }
    std::system((adb + "kill-server >/dev/null 2>&1").c_str());
  }
  double mb = static_cast<double>(mib);
  std::cout << fmt::format("file {} MiB, best of {}\n", mib, rounds);
  std::cout << fmt::format("kanshiki sync pull (+ SHA-256 + write):          {:.3f} s, {:.0f} MiB/s\n", ours,
                           mb / ours);
  std::cout << fmt::format("kanshiki sync pull (write only, no hashing):      {:.3f} s, {:.0f} MiB/s\n", raw,
                           mb / raw);
  std::cout << fmt::format("MD5+SHA-1+SHA-256 of the file alone (hash_file): {:.3f} s, {:.0f} MiB/s\n",
                           hash_only, mb / hash_only);
  if (have_adb)
    std::cout << fmt::format(
        "Debian adb pull (adb server in between):        {:.3f} s, {:.0f} MiB/s\nratio (adb time / ours): "
        "{:.2f}x with hashing, {:.2f}x protocol only\n",
        theirs, mb / theirs, theirs / ours, theirs / raw);
  fs::remove_all(dir);
  return 0;
}
