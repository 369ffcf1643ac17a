// A Prometheus counter: a total that only goes up. Lock-free, so hot paths may hold a reference.
#pragma once

#include <atomic>

namespace chatter::metrics {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Negative amounts are ignored: a falling counter reads as a process restart to rate().
  void Inc(double amount = 1.0) {
    if (amount > 0) value_.fetch_add(amount, std::memory_order_relaxed);
  }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

}  // namespace chatter::metrics
