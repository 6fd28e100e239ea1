#pragma once
// A bounded queue of batches between one producer thread and one consumer thread (parsing or decoding on
// one side, the case writer on the other). Bounded, so memory stays flat however many records a file has;
// FIFO, so artifact ids follow the parser's output order.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace kanshiki {

template <class Batch>
class BatchQueue {
 public:
  explicit BatchQueue(size_t max_batches = 16) : max_(max_batches) {}

  // Producer: blocks while the queue is full. False when the consumer abandoned it (stop producing).
  bool push(Batch batch) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return queue_.size() < max_ || abandoned_; });
    if (abandoned_) return false;
    queue_.push_back(std::move(batch));
    cv_.notify_all();
    return true;
  }
  // Producer: nothing more will come.
  void close() {
    std::lock_guard lk(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // Consumer: the next batch; false once the queue is closed and empty.
  bool pop(Batch& out) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return false;
    out = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return true;
  }
  // Consumer: stop; a blocked or later push() returns false.
  void abandon() {
    std::lock_guard lk(mu_);
    abandoned_ = true;
    queue_.clear();
    cv_.notify_all();
  }

 private:
  const size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool closed_ = false, abandoned_ = false;
};

}  // namespace kanshiki
