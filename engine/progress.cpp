#include "engine/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace kanshiki {

Progress::Progress(std::string label, uint64_t total_bytes, bool enabled)
    : label_(std::move(label)), total_(total_bytes), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_) {}

Progress::~Progress() { finish(); }

bool Progress::wanted(bool quiet) {
  const char* ci = std::getenv("CI");
  return !quiet && ::isatty(STDERR_FILENO) && !(ci && *ci);
}

void Progress::update(uint64_t bytes_done, uint64_t items_done) {
  bytes_ = bytes_done;
  items_ = items_done;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  draw(false);
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  draw(true);
  std::fputc('\n', stderr);
}

void Progress::draw(bool final) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double mib = bytes_ / 1048576.0;
  double rate = secs > 0 ? mib / secs : 0;
  if (total_ > 0) {
    double frac = std::min(1.0, static_cast<double>(bytes_) / total_);
    int filled = static_cast<int>(frac * 30);
    std::string bar(filled, '#');
    bar.resize(30, '.');
    double eta = (rate > 0 && !final) ? (total_ / 1048576.0 - mib) / rate : 0;
    std::fprintf(stderr, "\r%-10s [%s] %5.1f%%  %llu items  %.1f MiB  %.1f MiB/s  ETA %.0fs   ", label_.c_str(),
                 bar.c_str(), frac * 100, static_cast<unsigned long long>(items_), mib, rate, eta);
  } else {
    std::fprintf(stderr, "\r%-10s %llu items  %.1f MiB  %.1f MiB/s  %.0fs   ", label_.c_str(),
                 static_cast<unsigned long long>(items_), mib, rate, secs);
  }
  std::fflush(stderr);
}

}  // namespace kanshiki
