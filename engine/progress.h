#pragma once
// A progress line on stderr for long work (hashing, ingest, process): only on a TTY, never in CI or --quiet.
#include <chrono>
#include <cstdint>
#include <string>

namespace kanshiki {

class Progress {
 public:
  // total_bytes = 0 means unknown (then items and bytes are shown without a bar or ETA).
  Progress(std::string label, uint64_t total_bytes, bool enabled);
  ~Progress();
  static bool wanted(bool quiet);  // stderr is a TTY, CI unset, not quiet
  void update(uint64_t bytes_done, uint64_t items_done);
  void finish();

 private:
  void draw(bool final);
  std::string label_;
  uint64_t total_, bytes_ = 0, items_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace kanshiki
