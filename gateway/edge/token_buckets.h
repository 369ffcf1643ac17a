// Token buckets: the arithmetic, and the per-process store every gateway can fall back to.
//
// One check may involve several buckets (the client's IP and its user, say). It is all or
// nothing: a request takes one token from every bucket or from none, so a refused request does
// not drain the buckets that had room.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/ids/clock.h"
#include "libs/metrics/counter.h"

namespace chatter::gateway {

// Refills at `per_second` up to `burst` tokens; a full bucket lets `burst` requests through at
// once.
struct BucketSpec {
  double per_second = 1;
  double burst = 1;
};

// One bucket a check takes from: its key names the subject ("ip:203.0.113.9", "user:<id>") and
// the policy it counts for ("rest", "login").
struct BucketRef {
  std::string key;
  BucketSpec spec;
};

struct RateDecision {
  bool allowed = true;
  // When refused: how long until every bucket of the check has a token again.
  absl::Duration retry_after = absl::ZeroDuration();
  // When refused: the index (in the check) of the bucket that waits longest.
  int limiting_bucket = -1;
  // The per-process store decided because the shared one could not (for metrics and tests).
  bool decided_locally = false;
};

// A bucket's level at a moment.
struct BucketLevel {
  double tokens = 0;
  int64_t at_millis = 0;
};

// The level `level` reaches at `now_millis` under `spec` (never above the burst; a clock that
// went backwards refills nothing).
double RefilledTokens(const BucketLevel& level, const BucketSpec& spec, int64_t now_millis);

// Time until a bucket holding `tokens` has one token under `spec`.
absl::Duration TimeUntilToken(double tokens, const BucketSpec& spec);

// Where buckets live: this process, or Redis shared by every gateway.
class TokenBucketStore {
 public:
  using Done = std::function<void(RateDecision)>;
  virtual ~TokenBucketStore() = default;
  // Takes one token from every bucket or from none; `done` runs exactly once, inline or on
  // another thread. Never blocks the caller.
  virtual void Take(std::vector<BucketRef> buckets, Done done) = 0;
};

// Buckets in this process's memory. Thread-safe; never blocks beyond a short mutex.
class LocalTokenBuckets final : public TokenBucketStore {
 public:
  // At most `max_buckets` are kept: past it, buckets that have refilled completely are dropped
  // (they behave exactly like new ones), then, if still too many, the fullest ones, each counted
  // on `evictions` (optional).
  LocalTokenBuckets(ids::Clock& clock, size_t max_buckets, metrics::Counter* evictions = nullptr);

  RateDecision TakeNow(const std::vector<BucketRef>& buckets);
  void Take(std::vector<BucketRef> buckets, Done done) override { done(TakeNow(buckets)); }

  size_t size() const;
  // Buckets dropped although they were not full (the cap was too small for the traffic).
  uint64_t evicted_unrefilled() const;

 private:
  void EvictLocked(int64_t now_millis) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ids::Clock& clock_;
  size_t max_buckets_;
  metrics::Counter* evictions_;
  mutable absl::Mutex mu_;
  struct Entry {
    BucketLevel level;
    BucketSpec spec;
  };
  // Node-based: Take holds pointers to several entries while it adds others.
  absl::node_hash_map<std::string, Entry> buckets_ ABSL_GUARDED_BY(mu_);
  uint64_t evicted_unrefilled_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace chatter::gateway
