// Token bucket arithmetic and the in-process store.
#include "gateway/edge/token_buckets.h"

#include <algorithm>
#include <cmath>

namespace chatter::gateway {

double RefilledTokens(const BucketLevel& level, const BucketSpec& spec, int64_t now_millis) {
  int64_t elapsed = std::max<int64_t>(0, now_millis - level.at_millis);
  return std::min(spec.burst, level.tokens + static_cast<double>(elapsed) * spec.per_second / 1000);
}

absl::Duration TimeUntilToken(double tokens, const BucketSpec& spec) {
  if (tokens >= 1) return absl::ZeroDuration();
  return absl::Milliseconds(std::ceil((1 - tokens) * 1000 / spec.per_second));
}

LocalTokenBuckets::LocalTokenBuckets(ids::Clock& clock, size_t max_buckets,
                                     metrics::Counter* evictions)
    : clock_(clock), max_buckets_(std::max<size_t>(1, max_buckets)), evictions_(evictions) {}

RateDecision LocalTokenBuckets::TakeNow(const std::vector<BucketRef>& buckets) {
  int64_t now = clock_.UnixMillis();
  absl::MutexLock lock(&mu_);
  RateDecision decision{.decided_locally = true};
  std::vector<Entry*> entries;
  entries.reserve(buckets.size());
  for (size_t i = 0; i < buckets.size(); ++i) {
    const BucketRef& bucket = buckets[i];
    auto [it, added] = buckets_.try_emplace(bucket.key);
    Entry& entry = it->second;
    if (added) entry.level = {.tokens = bucket.spec.burst, .at_millis = now};
    entry.spec = bucket.spec;
    entry.level = {.tokens = RefilledTokens(entry.level, bucket.spec, now), .at_millis = now};
    if (entry.level.tokens < 1) {
      decision.allowed = false;
      absl::Duration wait = TimeUntilToken(entry.level.tokens, bucket.spec);
      if (wait > decision.retry_after) {
        decision.retry_after = wait;
        decision.limiting_bucket = static_cast<int>(i);
      }
    }
    entries.push_back(&entry);
  }
  if (decision.allowed) {
    for (Entry* entry : entries) entry->level.tokens -= 1;
  }
  if (buckets_.size() > max_buckets_) EvictLocked(now);
  return decision;
}

void LocalTokenBuckets::EvictLocked(int64_t now_millis) {
  // Sweeping is O(buckets); going down to 90 % of the cap makes it rare.
  size_t target = max_buckets_ - max_buckets_ / 10;
  absl::erase_if(buckets_, [&](const auto& item) {
    const Entry& entry = item.second;
    return RefilledTokens(entry.level, entry.spec, now_millis) >= entry.spec.burst;
  });
  if (buckets_.size() <= target) return;
  // Still too many: drop the fullest first. They are the least in debt, so forgetting them
  // loosens the limits least (a drained login bucket is the last to go).
  std::vector<std::pair<double, const std::string*>> fill;
  fill.reserve(buckets_.size());
  for (const auto& [key, entry] : buckets_) {
    fill.emplace_back(RefilledTokens(entry.level, entry.spec, now_millis) / entry.spec.burst, &key);
  }
  size_t excess = buckets_.size() - target;
  std::nth_element(fill.begin(), fill.begin() + excess, fill.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> doomed;
  doomed.reserve(excess);
  for (size_t i = 0; i < excess; ++i) doomed.push_back(*fill[i].second);
  for (const std::string& key : doomed) buckets_.erase(key);
  evicted_unrefilled_ += excess;
  if (evictions_ != nullptr) evictions_->Inc(static_cast<double>(excess));
}

size_t LocalTokenBuckets::size() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

uint64_t LocalTokenBuckets::evicted_unrefilled() const {
  absl::MutexLock lock(&mu_);
  return evicted_unrefilled_;
}

}  // namespace chatter::gateway
