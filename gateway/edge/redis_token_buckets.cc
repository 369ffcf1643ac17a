// RedisTokenBuckets: a bounded queue, one worker, pipelined script runs, local fallback.
#include "gateway/edge/redis_token_buckets.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/log/log.h"

namespace chatter::gateway {
namespace {

// Takes one token from every bucket in KEYS, or from none. ARGV holds each bucket's refill rate
// (tokens per second) and burst, in KEYS order. Time is Redis's own clock, so gateways whose
// clocks differ still agree. Returns {allowed (0/1), retry after (ms), 1-based index of the
// bucket that waits longest (0 when allowed)}.
constexpr char kTakeScript[] = R"lua(
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local levels = {}
local retry_ms = 0
local limiting = 0
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local stored = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(stored[1])
  local at = tonumber(stored[2])
  if tokens == nil or at == nil then
    tokens = burst
  else
    tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
  end
  levels[i] = tokens
  if tokens < 1 then
    local wait = math.ceil((1 - tokens) * 1000 / rate)
    if wait > retry_ms then
      retry_ms = wait
      limiting = i
    end
  end
end
-- A refusal writes nothing: the stored level and time still give the right level later, and
-- under attack most checks are refusals.
if retry_ms > 0 then return {0, retry_ms, limiting} end
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  redis.call('HSET', key, 'tokens', tostring(levels[i] - 1), 'at', tostring(now))
  -- Left alone, a bucket is full again after burst/rate seconds, and a full bucket is the same
  -- as none: let Redis forget it then.
  redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
end
return {1, 0, 0}
)lua";

redis::ScriptCall CallFor(const std::vector<BucketRef>& buckets, const std::string& prefix) {
  redis::ScriptCall call;
  for (const BucketRef& bucket : buckets) {
    call.keys.push_back(absl::StrCat(prefix, "rl:", bucket.key));
    // Full precision, so Redis and the per-process buckets do the same arithmetic.
    call.args.push_back(absl::StrFormat("%.17g", bucket.spec.per_second));
    call.args.push_back(absl::StrFormat("%.17g", bucket.spec.burst));
  }
  return call;
}

absl::StatusOr<RateDecision> ParseDecision(const redis::Reply& reply) {
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 3) {
    return absl::InternalError("rate limit script: unexpected reply");
  }
  absl::StatusOr<int64_t> allowed = reply.elements[0].Integer();
  absl::StatusOr<int64_t> retry_ms = reply.elements[1].Integer();
  absl::StatusOr<int64_t> limiting = reply.elements[2].Integer();
  if (!allowed.ok()) return allowed.status();
  if (!retry_ms.ok()) return retry_ms.status();
  if (!limiting.ok()) return limiting.status();
  return RateDecision{.allowed = *allowed == 1,
                      .retry_after = absl::Milliseconds(*retry_ms),
                      .limiting_bucket = static_cast<int>(*limiting) - 1};
}

}  // namespace

RedisTokenBuckets::RedisTokenBuckets(redis::Client& redis, LocalTokenBuckets& fallback,
                                     metrics::Registry& registry, Post post,
                                     RedisTokenBucketsOptions options)
    : redis_(redis),
      fallback_(fallback),
      registry_(registry),
      post_(std::move(post)),
      options_(std::move(options)),
      script_(kTakeScript) {
  constexpr const char* kReasons[] = {"redis_unavailable", "redis_slow", "queue_full",
                                      "script_error", "stopping"};
  for (size_t i = 0; i < fallbacks_.size(); ++i) {
    fallbacks_[i] = &registry_.GetCounter(
        "rate_limit_local_fallback_total",
        "Rate-limit checks decided by the per-process buckets although Redis is configured, by "
        "reason.",
        {{"reason", kReasons[i]}});
  }
  registry_.AddCallbackGauge(
      "rate_limit_redis_up",
      "1 while rate limits are shared through Redis; 0 while each gateway decides alone.", {},
      [this] { return redis_healthy() ? 1.0 : 0.0; });
  registry_.AddCallbackGauge("rate_limit_queue_depth",
                             "Rate-limit checks waiting for the Redis worker.", {}, [this] {
                               std::lock_guard lock(mu_);
                               return static_cast<double>(queue_.size());
                             });
  round_trip_ =
      &registry_.GetHistogram("rate_limit_redis_round_trip_seconds",
                              "Time of one pipelined batch of rate-limit checks against Redis.", {},
                              metrics::DefaultLatencyBuckets());
}

RedisTokenBuckets::~RedisTokenBuckets() { Stop(); }

void RedisTokenBuckets::Start() {
  worker_ = std::thread([this] { Run(); });
}

void RedisTokenBuckets::Stop() {
  std::deque<Pending> left;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  for (Pending& pending : left) DecideLocally(pending, FallbackReason::kStopping);
}

bool RedisTokenBuckets::redis_healthy() const {
  std::lock_guard lock(mu_);
  return healthy_;
}

void RedisTokenBuckets::Take(std::vector<BucketRef> buckets, Done done) {
  Pending pending{.buckets = std::move(buckets), .done = std::move(done), .queued = absl::Now()};
  FallbackReason refused;
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < options_.queue_capacity) {
      queue_.push_back(std::move(pending));
      wake_.notify_one();
      return;
    }
    refused = stopping_ ? FallbackReason::kStopping : FallbackReason::kQueueFull;
  }
  DecideLocally(pending, refused);
}

void RedisTokenBuckets::Run() {
  while (true) {
    std::deque<Pending> batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      while (!queue_.empty() && batch.size() < options_.batch_size) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    DecideBatch(batch);
  }
}

void RedisTokenBuckets::DecideBatch(std::deque<Pending>& batch) {
  absl::Time now = absl::Now();
  if (now < retry_redis_at_) {
    for (Pending& pending : batch) DecideLocally(pending, FallbackReason::kRedisUnavailable);
    return;
  }
  // A check that already waited too long is decided here: a slow Redis must not become a slow
  // gateway. Redis stays "up"; the counter and a throttled warning tell.
  std::deque<Pending> fresh;
  for (Pending& pending : batch) {
    if (now - pending.queued <= options_.max_wait) {
      fresh.push_back(std::move(pending));
      continue;
    }
    DecideLocally(pending, FallbackReason::kRedisSlow);
    WarnThrottled("rate-limit checks waited too long for Redis; deciding them per process",
                  absl::OkStatus());
  }
  if (fresh.empty()) return;
  std::vector<redis::ScriptCall> calls;
  calls.reserve(fresh.size());
  for (const Pending& pending : fresh) {
    calls.push_back(CallFor(pending.buckets, options_.key_prefix));
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies =
      redis_.EvalMany(script_, calls);
  round_trip_->Observe(absl::ToDoubleSeconds(absl::Now() - now));
  // A Redis that answers but cannot run the script (READONLY after a failover, OOM, BUSY,
  // LOADING) is as good as down: mark it so and pause, rather than pay a round trip per check.
  if (replies.ok()) {
    for (const absl::StatusOr<redis::Reply>& reply : *replies) {
      if (!reply.ok() && reply.status().code() == absl::StatusCode::kUnavailable) {
        replies = reply.status();
        break;
      }
    }
  }
  if (!replies.ok()) {
    retry_redis_at_ = absl::Now() + options_.retry_interval;
    MarkRedis(false, replies.status());
    for (Pending& pending : fresh) DecideLocally(pending, FallbackReason::kRedisUnavailable);
    return;
  }
  MarkRedis(true, absl::OkStatus());
  for (size_t i = 0; i < fresh.size(); ++i) {
    absl::StatusOr<RateDecision> decision =
        (*replies)[i].ok() ? ParseDecision(*(*replies)[i]) : (*replies)[i].status();
    if (!decision.ok()) {
      WarnThrottled("rate-limit script failed; deciding per process", decision.status());
      DecideLocally(fresh[i], FallbackReason::kScriptError);
      continue;
    }
    Finish(fresh[i], *decision);
  }
}

void RedisTokenBuckets::WarnThrottled(absl::string_view message, const absl::Status& why) {
  absl::Time now = absl::Now();
  if (now - last_warning_ < absl::Seconds(10)) return;
  last_warning_ = now;
  log::Fields fields = log::Fields::object();
  if (!why.ok()) fields["error"] = std::string(why.message());
  log::Warn(message, fields);
}

void RedisTokenBuckets::DecideLocally(Pending& pending, FallbackReason reason) {
  fallbacks_[static_cast<size_t>(reason)]->Inc();
  Finish(pending, fallback_.TakeNow(pending.buckets));
}

void RedisTokenBuckets::Finish(Pending& pending, RateDecision decision) {
  if (!post_) return pending.done(decision);
  post_([done = std::move(pending.done), decision] { done(decision); });
}

void RedisTokenBuckets::MarkRedis(bool healthy, const absl::Status& why) {
  {
    std::lock_guard lock(mu_);
    if (healthy_ == healthy) return;
    healthy_ = healthy;
  }
  // One line per change, not per request: the gauge and the counter carry the rest.
  if (healthy) {
    log::Info("rate limits are shared through Redis again");
  } else {
    log::Warn("Redis unreachable: rate limits fall back to per-process buckets",
              {{"error", std::string(why.message())}});
  }
}

}  // namespace chatter::gateway
