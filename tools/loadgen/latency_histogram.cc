// Log-linear bucketing: values below 2^kSubBits are their own bucket; each later power of two is
// split into 2^kSubBits equal buckets, so a bucket is never wider than 1/128 of its values.
#include "tools/loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace chatter::loadgen {
namespace {

constexpr int kSubBits = 7;
constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBits;
constexpr int kBuckets = static_cast<int>(kSubBuckets) * (64 - kSubBits + 1);

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::BucketOf(uint64_t value) {
  if (value < kSubBuckets) return static_cast<int>(value);
  int exponent = 63 - std::countl_zero(value);  // >= kSubBits
  int shift = exponent - kSubBits;
  uint64_t sub = (value >> shift) - kSubBuckets;  // 0 .. kSubBuckets-1
  return static_cast<int>(kSubBuckets * (shift + 1) + sub);
}

int64_t LatencyHistogram::BucketTop(int bucket) {
  if (bucket < static_cast<int>(kSubBuckets)) return bucket;
  int shift = bucket / static_cast<int>(kSubBuckets) - 1;
  uint64_t sub = static_cast<uint64_t>(bucket) % kSubBuckets;
  uint64_t low = (kSubBuckets + sub) << shift;
  return static_cast<int64_t>(low + ((uint64_t{1} << shift) - 1));
}

void LatencyHistogram::Record(int64_t nanos) {
  nanos = std::max<int64_t>(nanos, 0);
  ++counts_[BucketOf(static_cast<uint64_t>(nanos))];
  min_ = count_ == 0 ? nanos : std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  sum_ += static_cast<double>(nanos);
  ++count_;
}

int64_t LatencyHistogram::Percentile(double percent) const {
  if (count_ == 0) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(percent * static_cast<double>(count_) / 100.0));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (int bucket = 0; bucket < kBuckets; ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) return std::min(BucketTop(bucket), max_);
  }
  return max_;
}

}  // namespace chatter::loadgen
