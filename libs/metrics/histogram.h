// A Prometheus histogram: observations counted into fixed buckets, plus their sum.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace chatter::metrics {

// Seconds from 0.5 ms to 10 s, roughly 1-2.5-5 per decade: request and query latencies.
std::vector<double> DefaultLatencyBuckets();

class Histogram {
 public:
  // `upper_bounds` must be finite and strictly increasing (Registry checks this); the +Inf
  // bucket is implicit.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Lock-free. NaN lands only in the +Inf bucket, as in the Go client.
  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative_counts;  // One per upper bound, then +Inf (== count).
    double sum = 0;
  };
  // Counts are read bucket by bucket while others may observe, so the snapshot is consistent
  // with itself (+Inf equals the sum of buckets) though not necessarily with `sum`.
  Snapshot Read() const;

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // Per bucket, not cumulative.
  std::atomic<double> sum_{0.0};
};

}  // namespace chatter::metrics
