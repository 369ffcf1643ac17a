// A latency histogram with bounded memory and about 1% relative error (log-linear buckets, as
// HdrHistogram does), so p50/p99 stay cheap however many deliveries a run measures.
#pragma once

#include <cstdint>
#include <vector>

namespace chatter::loadgen {

// Not thread-safe; the owner serialises access.
class LatencyHistogram {
 public:
  LatencyHistogram();

  // Negative values (clock oddities) count as 0.
  void Record(int64_t nanos);

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0 : sum_ / static_cast<double>(count_); }

  // The smallest recorded value v such that at least `percent`% of values are <= v, reported as
  // the top of v's bucket (capped at max()); exact below 128 ns. 0 when empty.
  int64_t Percentile(double percent) const;

 private:
  static int BucketOf(uint64_t value);
  static int64_t BucketTop(int bucket);

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace chatter::loadgen
