// Tests the token bucket (burst, refill, cap) and the abuse window on top of it, with explicit
// times instead of a clock.
#include "gateway/ws/event_rate_limiter.h"

#include <gtest/gtest.h>

namespace chatter::gateway {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1795342320);
using Verdict = EventRateLimiter::Verdict;

TEST(TokenBucket, AllowsTheBurstThenTheRate) {
  TokenBucket bucket(/*rate=*/20, /*burst=*/40, kStart);
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(bucket.TryTake(kStart)) << i;
  EXPECT_FALSE(bucket.TryTake(kStart));
  EXPECT_FALSE(bucket.TryTake(kStart + absl::Milliseconds(49)));
  EXPECT_TRUE(bucket.TryTake(kStart + absl::Milliseconds(50)));
  EXPECT_FALSE(bucket.TryTake(kStart + absl::Milliseconds(50)));
}

TEST(TokenBucket, RefillIsCappedAtTheBurst) {
  TokenBucket bucket(20, 40, kStart);
  for (int i = 0; i < 40; ++i) bucket.TryTake(kStart);
  absl::Time later = kStart + absl::Hours(1);
  int taken = 0;
  while (bucket.TryTake(later)) ++taken;
  EXPECT_EQ(taken, 40);
}

TEST(TokenBucket, TimeGoingBackwardsAddsNothing) {
  TokenBucket bucket(1, 1, kStart);
  EXPECT_TRUE(bucket.TryTake(kStart));
  EXPECT_FALSE(bucket.TryTake(kStart - absl::Seconds(10)));
  EXPECT_FALSE(bucket.TryTake(kStart));
}

TEST(EventRateLimiter, RejectsThenCallsSustainedRejectionAbuse) {
  EventRateLimiter limiter(20, 40, /*max_rejections=*/50, absl::Seconds(10), kStart);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(limiter.Check(kStart), Verdict::kAllow);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(limiter.Check(kStart), Verdict::kReject) << i;
  EXPECT_EQ(limiter.Check(kStart), Verdict::kAbuse);
}

TEST(EventRateLimiter, OldRejectionsLeaveTheWindow) {
  EventRateLimiter limiter(1, 1, /*max_rejections=*/3, absl::Seconds(10), kStart);
  EXPECT_EQ(limiter.Check(kStart), Verdict::kAllow);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Check(kStart), Verdict::kReject);
  // 11 s later the refill allows one, and the old refusals no longer count.
  absl::Time later = kStart + absl::Seconds(11);
  EXPECT_EQ(limiter.Check(later), Verdict::kAllow);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Check(later), Verdict::kReject);
  EXPECT_EQ(limiter.Check(later), Verdict::kAbuse);
}

TEST(EventRateLimiter, AClientWithinTheRateIsNeverRejected) {
  EventRateLimiter limiter(20, 40, 50, absl::Seconds(10), kStart);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_EQ(limiter.Check(kStart + absl::Milliseconds(50) * i), Verdict::kAllow) << i;
  }
}

}  // namespace
}  // namespace chatter::gateway
