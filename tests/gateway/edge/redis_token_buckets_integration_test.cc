// Shared token buckets against the real Redis of CHATTER_TEST_REDIS_URL: two stores (two
// gateways) enforce one limit together, and when Redis is unreachable the per-process buckets
// decide instead: limits stay on, and the gauge and the counter say so.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "gateway/edge/redis_token_buckets.h"
#include "tests/e2e/harness/tcp_proxy.h"
#include "tests/libs/redis/redis_test_support.h"

namespace chatter::gateway {
namespace {

using redis::testing::Eventually;
using redis::testing::TestEndpoint;
using redis::testing::UniquePrefix;
using redis::testing::UnreachableEndpoint;

RateDecision TakeAndWait(TokenBucketStore& store, std::vector<BucketRef> buckets) {
  std::promise<RateDecision> answered;
  store.Take(std::move(buckets),
             [&answered](RateDecision decision) { answered.set_value(decision); });
  return answered.get_future().get();
}

double GaugeValue(metrics::Registry& registry, absl::string_view name) {
  std::string text = "\n" + registry.RenderText();
  size_t at = text.find(absl::StrCat("\n", name, " "));
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

struct Gateway {
  explicit Gateway(const redis::RedisEndpoint& endpoint, const std::string& prefix,
                   RedisTokenBucketsOptions options = {})
      : redis(endpoint,
              {.connect_timeout = absl::Milliseconds(200),
               .command_timeout = absl::Milliseconds(200),
               .reconnect_backoff = absl::Milliseconds(10),
               .client_name = "rate-limit-test"},
              1),
        local(clock, 1000),
        shared(redis, local, registry, nullptr, WithPrefix(std::move(options), prefix)) {
    shared.Start();
  }
  static RedisTokenBucketsOptions WithPrefix(RedisTokenBucketsOptions options,
                                             const std::string& prefix) {
    options.key_prefix = prefix;
    return options;
  }
  ids::SystemClock clock;
  metrics::Registry registry;
  redis::Client redis;
  LocalTokenBuckets local;
  RedisTokenBuckets shared;
};

TEST(RedisTokenBuckets, TwoGatewaysShareOneLimit) {
  std::string prefix = UniquePrefix();
  Gateway first(TestEndpoint(), prefix);
  Gateway second(TestEndpoint(), prefix);
  // Slow refill: one token per 100 s, so nothing refills during the test.
  std::vector<BucketRef> check = {
      {.key = "ip:203.0.113.9", .spec = {.per_second = 0.01, .burst = 4}}};
  int allowed = 0;
  for (int i = 0; i < 4; ++i) {
    RateDecision decision = TakeAndWait(i % 2 == 0 ? first.shared : second.shared, check);
    EXPECT_FALSE(decision.decided_locally);
    allowed += decision.allowed ? 1 : 0;
  }
  EXPECT_EQ(allowed, 4);
  RateDecision refused = TakeAndWait(first.shared, check);
  EXPECT_FALSE(refused.allowed);
  EXPECT_FALSE(refused.decided_locally);
  EXPECT_EQ(refused.limiting_bucket, 0);
  EXPECT_GT(refused.retry_after, absl::Seconds(90));
  EXPECT_LE(refused.retry_after, absl::Seconds(100));
  EXPECT_FALSE(TakeAndWait(second.shared, check).allowed);
  // Each gateway alone would still have had tokens left in its own memory.
  EXPECT_TRUE(first.local.TakeNow(check).allowed);
  EXPECT_EQ(GaugeValue(first.registry, "rate_limit_redis_up"), 1);
}

TEST(RedisTokenBuckets, ACheckIsAllOrNothingInRedisToo) {
  Gateway gateway(TestEndpoint(), UniquePrefix());
  BucketSpec roomy{.per_second = 0.01, .burst = 3};
  BucketSpec strict{.per_second = 0.01, .burst = 1};
  std::vector<BucketRef> login = {{.key = "ip:a", .spec = roomy},
                                  {.key = "login:a", .spec = strict}};
  EXPECT_TRUE(TakeAndWait(gateway.shared, login).allowed);
  RateDecision refused = TakeAndWait(gateway.shared, login);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.limiting_bucket, 1);
  // The refused login took nothing from the IP bucket: 2 tokens left there.
  std::vector<BucketRef> ip_only = {{.key = "ip:a", .spec = roomy}};
  EXPECT_TRUE(TakeAndWait(gateway.shared, ip_only).allowed);
  EXPECT_TRUE(TakeAndWait(gateway.shared, ip_only).allowed);
  EXPECT_FALSE(TakeAndWait(gateway.shared, ip_only).allowed);
}

TEST(RedisTokenBuckets, BucketsExpireOnceTheyWouldBeFull) {
  std::string prefix = UniquePrefix();
  Gateway gateway(TestEndpoint(), prefix);
  ASSERT_TRUE(TakeAndWait(gateway.shared, {{.key = "ip:b", .spec = {.per_second = 1, .burst = 2}}})
                  .allowed);
  absl::StatusOr<redis::Reply> ttl =
      gateway.redis.Command({"PTTL", absl::StrCat(prefix, "rl:ip:b")});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  // burst / rate = 2 s, plus a second of slack.
  EXPECT_GT(ttl->integer, 2000);
  EXPECT_LE(ttl->integer, 3000);
}

TEST(RedisTokenBuckets, WhenRedisIsDownTheProcessDecidesAndSaysSo) {
  Gateway gateway(UnreachableEndpoint(), UniquePrefix());
  std::vector<BucketRef> check = {{.key = "ip:c", .spec = {.per_second = 0.01, .burst = 2}}};
  RateDecision first = TakeAndWait(gateway.shared, check);
  EXPECT_TRUE(first.allowed);  // Never refuse everything...
  EXPECT_TRUE(first.decided_locally);
  EXPECT_TRUE(TakeAndWait(gateway.shared, check).allowed);
  RateDecision third = TakeAndWait(gateway.shared, check);
  EXPECT_FALSE(third.allowed);  // ...and never fail open.
  EXPECT_TRUE(third.decided_locally);
  EXPECT_FALSE(gateway.shared.redis_healthy());
  EXPECT_EQ(GaugeValue(gateway.registry, "rate_limit_redis_up"), 0);
  EXPECT_GE(
      gateway.registry
          .GetCounter("rate_limit_local_fallback_total", "", {{"reason", "redis_unavailable"}})
          .Value(),
      3);
}

TEST(RedisTokenBuckets, ChecksThatWaitedTooLongAreDecidedLocallyWithoutMarkingRedisDown) {
  // A negative bound: every check counts as having waited too long.
  Gateway gateway(TestEndpoint(), UniquePrefix(), {.max_wait = absl::Nanoseconds(-1)});
  RateDecision decision =
      TakeAndWait(gateway.shared, {{.key = "ip:e", .spec = {.per_second = 1, .burst = 1}}});
  EXPECT_TRUE(decision.allowed);
  EXPECT_TRUE(decision.decided_locally);
  EXPECT_TRUE(gateway.shared.redis_healthy());
  EXPECT_EQ(
      gateway.registry.GetCounter("rate_limit_local_fallback_total", "", {{"reason", "redis_slow"}})
          .Value(),
      1);
}

TEST(RedisTokenBuckets, AfterAnOutageRedisDecidesAgainByItself) {
  redis::RedisEndpoint real = TestEndpoint();
  absl::StatusOr<std::unique_ptr<e2e::TcpProxy>> proxy = e2e::TcpProxy::Start(real.host, real.port);
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  redis::RedisEndpoint through = real;
  through.port = (*proxy)->port();
  Gateway gateway(through, UniquePrefix(), {.retry_interval = absl::Milliseconds(50)});
  std::vector<BucketRef> check = {{.key = "ip:f", .spec = {.per_second = 0.01, .burst = 100}}};
  EXPECT_FALSE(TakeAndWait(gateway.shared, check).decided_locally);
  (*proxy)->Cut();
  EXPECT_TRUE(TakeAndWait(gateway.shared, check).decided_locally);
  EXPECT_FALSE(gateway.shared.redis_healthy());
  (*proxy)->Restore();
  EXPECT_TRUE(Eventually([&] { return !TakeAndWait(gateway.shared, check).decided_locally; }));
  EXPECT_TRUE(gateway.shared.redis_healthy());
  EXPECT_EQ(GaugeValue(gateway.registry, "rate_limit_redis_up"), 1);
}

TEST(RedisTokenBuckets, AFullQueueIsDecidedLocallyAtOnce) {
  ids::SystemClock clock;
  metrics::Registry registry;
  redis::Client redis(TestEndpoint(), {}, 1);
  LocalTokenBuckets local(clock, 100);
  // Never started: nothing drains the queue of one.
  RedisTokenBuckets shared(redis, local, registry, nullptr,
                           {.key_prefix = UniquePrefix(), .queue_capacity = 1});
  std::vector<BucketRef> check = {{.key = "ip:d", .spec = {.per_second = 1, .burst = 5}}};
  std::atomic<int> answered{0};
  shared.Take(check, [&](RateDecision) { ++answered; });
  EXPECT_EQ(answered.load(), 0);  // Queued.
  RateDecision overflow = TakeAndWait(shared, check);
  EXPECT_TRUE(overflow.decided_locally);
  EXPECT_TRUE(overflow.allowed);
  EXPECT_EQ(registry.GetCounter("rate_limit_local_fallback_total", "", {{"reason", "queue_full"}})
                .Value(),
            1);
  shared.Stop();  // The queued check is still answered, locally.
  EXPECT_EQ(answered.load(), 1);
}

}  // namespace
}  // namespace chatter::gateway
