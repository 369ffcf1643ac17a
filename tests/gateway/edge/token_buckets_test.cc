// Token bucket arithmetic and the per-process store: refill, burst, all-or-nothing checks,
// retry-after, and the memory cap.
#include "gateway/edge/token_buckets.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace chatter::gateway {
namespace {

class ManualClock final : public ids::Clock {
 public:
  int64_t UnixMillis() override { return millis; }
  int64_t millis = 1'800'000'000'000;
};

constexpr BucketSpec kTwoPerSecondBurstThree{.per_second = 2, .burst = 3};

TEST(TokenBucketMath, RefillsAtTheRateUpToTheBurst) {
  BucketLevel empty{.tokens = 0, .at_millis = 1000};
  EXPECT_DOUBLE_EQ(RefilledTokens(empty, kTwoPerSecondBurstThree, 1000), 0);
  EXPECT_DOUBLE_EQ(RefilledTokens(empty, kTwoPerSecondBurstThree, 1250), 0.5);
  EXPECT_DOUBLE_EQ(RefilledTokens(empty, kTwoPerSecondBurstThree, 2000), 2);
  EXPECT_DOUBLE_EQ(RefilledTokens(empty, kTwoPerSecondBurstThree, 60000), 3);
  // A clock that went backwards refills nothing (and takes nothing away).
  EXPECT_DOUBLE_EQ(RefilledTokens({.tokens = 1, .at_millis = 5000}, kTwoPerSecondBurstThree, 4000),
                   1);
}

TEST(TokenBucketMath, TimeUntilTheNextToken) {
  EXPECT_EQ(TimeUntilToken(1, kTwoPerSecondBurstThree), absl::ZeroDuration());
  EXPECT_EQ(TimeUntilToken(0, kTwoPerSecondBurstThree), absl::Milliseconds(500));
  EXPECT_EQ(TimeUntilToken(0.5, kTwoPerSecondBurstThree), absl::Milliseconds(250));
  EXPECT_EQ(TimeUntilToken(0, {.per_second = 10.0 / 60, .burst = 1}), absl::Seconds(6));
}

TEST(LocalTokenBuckets, AllowsTheBurstThenRefusesUntilRefilled) {
  ManualClock clock;
  LocalTokenBuckets buckets(clock, 100);
  std::vector<BucketRef> check = {{.key = "ip:a", .spec = kTwoPerSecondBurstThree}};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(buckets.TakeNow(check).allowed) << i;
  RateDecision refused = buckets.TakeNow(check);
  EXPECT_FALSE(refused.allowed);
  EXPECT_TRUE(refused.decided_locally);
  EXPECT_EQ(refused.retry_after, absl::Milliseconds(500));
  EXPECT_EQ(refused.limiting_bucket, 0);
  clock.millis += 499;
  EXPECT_FALSE(buckets.TakeNow(check).allowed);
  clock.millis += 1;
  EXPECT_TRUE(buckets.TakeNow(check).allowed);
  EXPECT_FALSE(buckets.TakeNow(check).allowed);
}

TEST(LocalTokenBuckets, KeysAreIndependent) {
  ManualClock clock;
  LocalTokenBuckets buckets(clock, 100);
  BucketSpec one{.per_second = 1, .burst = 1};
  EXPECT_TRUE(buckets.TakeNow({{.key = "ip:a", .spec = one}}).allowed);
  EXPECT_FALSE(buckets.TakeNow({{.key = "ip:a", .spec = one}}).allowed);
  EXPECT_TRUE(buckets.TakeNow({{.key = "ip:b", .spec = one}}).allowed);
}

TEST(LocalTokenBuckets, ACheckTakesFromEveryBucketOrFromNone) {
  ManualClock clock;
  LocalTokenBuckets buckets(clock, 100);
  BucketSpec roomy{.per_second = 1, .burst = 10};
  BucketSpec strict{.per_second = 0.1, .burst = 1};
  std::vector<BucketRef> login = {{.key = "ip:a", .spec = roomy},
                                  {.key = "login:a", .spec = strict}};
  EXPECT_TRUE(buckets.TakeNow(login).allowed);
  RateDecision refused = buckets.TakeNow(login);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.limiting_bucket, 1);
  EXPECT_EQ(refused.retry_after, absl::Seconds(10));
  // The refused login took nothing from the IP bucket: 9 tokens are left there.
  for (int i = 0; i < 9; ++i) {
    EXPECT_TRUE(buckets.TakeNow({{.key = "ip:a", .spec = roomy}}).allowed) << i;
  }
  EXPECT_FALSE(buckets.TakeNow({{.key = "ip:a", .spec = roomy}}).allowed);
}

TEST(LocalTokenBuckets, RetryAfterIsTheLongestWait) {
  ManualClock clock;
  LocalTokenBuckets buckets(clock, 100);
  BucketSpec fast{.per_second = 10, .burst = 1};
  BucketSpec slow{.per_second = 0.5, .burst = 1};
  std::vector<BucketRef> both = {{.key = "a", .spec = fast}, {.key = "b", .spec = slow}};
  EXPECT_TRUE(buckets.TakeNow(both).allowed);
  RateDecision refused = buckets.TakeNow(both);
  EXPECT_EQ(refused.retry_after, absl::Seconds(2));
  EXPECT_EQ(refused.limiting_bucket, 1);
}

TEST(LocalTokenBuckets, TheCapDropsRefilledBucketsFirst) {
  ManualClock clock;
  LocalTokenBuckets buckets(clock, 100);
  BucketSpec one{.per_second = 1, .burst = 1};
  for (int i = 0; i < 100; ++i) buckets.TakeNow({{.key = absl::StrCat("k", i), .spec = one}});
  EXPECT_EQ(buckets.size(), 100u);
  clock.millis += 2000;  // All of them are full again: the same as no bucket.
  buckets.TakeNow({{.key = "new", .spec = one}});
  EXPECT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets.evicted_unrefilled(), 0u);
  EXPECT_FALSE(buckets.TakeNow({{.key = "new", .spec = one}}).allowed);  // "new" was kept.
}

TEST(LocalTokenBuckets, TheCapHoldsEvenWhenNoBucketIsFullDroppingTheFullestFirst) {
  ManualClock clock;
  metrics::Counter evictions;
  LocalTokenBuckets buckets(clock, 100, &evictions);
  BucketSpec five{.per_second = 0.001, .burst = 5};
  // A drained bucket (a login under attack, say) must outlive the merely touched ones.
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(buckets.TakeNow({{.key = "drained", .spec = five}}).allowed);
  for (int i = 0; i < 100; ++i) buckets.TakeNow({{.key = absl::StrCat("k", i), .spec = five}});
  EXPECT_LE(buckets.size(), 100u);
  EXPECT_GT(buckets.evicted_unrefilled(), 0u);
  EXPECT_EQ(evictions.Value(), static_cast<double>(buckets.evicted_unrefilled()));
  EXPECT_FALSE(buckets.TakeNow({{.key = "drained", .spec = five}}).allowed);
}

TEST(LocalTokenBuckets, TakeAnswersThroughTheCallbackInline) {
  ManualClock clock;
  LocalTokenBuckets buckets(clock, 100);
  bool answered = false;
  buckets.Take({{.key = "a", .spec = kTwoPerSecondBurstThree}}, [&](RateDecision decision) {
    answered = true;
    EXPECT_TRUE(decision.allowed);
  });
  EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace chatter::gateway
