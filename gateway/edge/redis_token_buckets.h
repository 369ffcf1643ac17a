// Token buckets shared by every gateway through Redis: one atomic Lua script per check, so N
// gateways enforce one limit together.
//
// Redis calls block, and the gateway's I/O threads must not, so checks queue (bounded) for one
// worker thread that sends them in pipelined batches. Whenever Redis cannot decide (down, slow,
// queue full, script error) the check is decided by the per-process buckets instead: limits
// stay on, loosened to per-process, and metrics and a log line say so. Never fail open, never
// refuse everything.
#pragma once

#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "gateway/edge/token_buckets.h"
#include "libs/metrics/registry.h"
#include "libs/redis/redis_client.h"
#include "libs/redis/redis_script.h"

namespace chatter::gateway {

struct RedisTokenBucketsOptions {
  std::string key_prefix = "chatter:";  // Keys are <prefix>rl:<bucket key>.
  size_t queue_capacity = 4096;         // Checks waiting for the worker; beyond: local.
  size_t batch_size = 256;              // Checks per pipelined round trip.
  // A check queued longer than this is decided per process (counted as "redis_slow").
  absl::Duration max_wait = absl::Milliseconds(50);
  // After Redis failed, checks are decided locally for this long before Redis is tried again.
  absl::Duration retry_interval = absl::Seconds(1);
};

class RedisTokenBuckets final : public TokenBucketStore {
 public:
  // Runs a decision's continuation elsewhere (the gateway posts it to its I/O threads), so the
  // worker goes straight back to Redis.
  using Post = std::function<void(std::function<void()>)>;

  RedisTokenBuckets(redis::Client& redis, LocalTokenBuckets& fallback, metrics::Registry& registry,
                    Post post, RedisTokenBucketsOptions options);
  ~RedisTokenBuckets() override;

  void Start();
  // Checks still queued are decided locally. Idempotent.
  void Stop();

  void Take(std::vector<BucketRef> buckets, Done done) override;

  // False while checks are decided locally because Redis failed.
  bool redis_healthy() const;

 private:
  struct Pending {
    std::vector<BucketRef> buckets;
    Done done;
    absl::Time queued;
  };
  void Run();
  void DecideBatch(std::deque<Pending>& batch);
  enum class FallbackReason {
    kRedisUnavailable,
    kRedisSlow,
    kQueueFull,
    kScriptError,
    kStopping,
    kCount
  };
  void DecideLocally(Pending& pending, FallbackReason reason);
  void Finish(Pending& pending, RateDecision decision);
  void MarkRedis(bool healthy, const absl::Status& why);
  // At most one warning per 10 s: a failing Redis must not turn into a log line per request.
  void WarnThrottled(absl::string_view message, const absl::Status& why);

  redis::Client& redis_;
  LocalTokenBuckets& fallback_;
  metrics::Registry& registry_;
  Post post_;
  RedisTokenBucketsOptions options_;
  redis::Script script_;
  std::array<metrics::Counter*, static_cast<size_t>(FallbackReason::kCount)> fallbacks_{};
  metrics::Histogram* round_trip_ = nullptr;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;                         // Guarded by mu_.
  bool stopping_ = false;                             // Guarded by mu_.
  bool healthy_ = true;                               // Guarded by mu_.
  absl::Time retry_redis_at_ = absl::InfinitePast();  // Worker thread only.
  absl::Time last_warning_ = absl::InfinitePast();    // Worker thread only.
  std::thread worker_;
};

}  // namespace chatter::gateway
