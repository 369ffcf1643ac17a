// Tests for when and how soon a cut-off load generator session comes back.
#include "tools/loadgen/reconnect_policy.h"

#include <gtest/gtest.h>

#include <random>

namespace chatter::loadgen {
namespace {

TEST(ReconnectPolicyTest, ResumesAfterRestartsOverloadAndLostConnectionsOnly) {
  for (int code : {0, 1001, 1012, 1013}) EXPECT_TRUE(ReconnectPolicy::Resumable(code)) << code;
  // Normal close, policy, protocol and auth closes are final for a client.
  for (int code : {1000, 1002, 1007, 1008, 1009, 4401}) {
    EXPECT_FALSE(ReconnectPolicy::Resumable(code)) << code;
  }
}

TEST(ReconnectPolicyTest, OnlyARefusalNoRetryCanFixEndsAResume) {
  for (const char* code :
       {"permission_denied", "not_found", "invalid_argument", "unauthenticated"}) {
    EXPECT_TRUE(ReconnectPolicy::FinalRefusal(code)) << code;
  }
  for (const char* code : {"resource_exhausted", "unavailable", "deadline_exceeded", "internal"}) {
    EXPECT_FALSE(ReconnectPolicy::FinalRefusal(code)) << code;
  }
}

TEST(ReconnectPolicyTest, BackoffIsJitteredBelowACapThatDoublesUpToTheMaximum) {
  ReconnectPolicy policy{.initial_backoff = absl::Milliseconds(100),
                         .max_backoff = absl::Milliseconds(1000)};
  std::mt19937_64 random(7);
  const absl::Duration caps[] = {absl::Milliseconds(100),  absl::Milliseconds(200),
                                 absl::Milliseconds(400),  absl::Milliseconds(800),
                                 absl::Milliseconds(1000), absl::Milliseconds(1000)};
  for (int attempt = 0; attempt < 6; ++attempt) {
    absl::Duration shortest = absl::InfiniteDuration();
    absl::Duration longest = absl::ZeroDuration();
    for (int draw = 0; draw < 2000; ++draw) {
      absl::Duration wait = policy.Backoff(attempt, random);
      shortest = std::min(shortest, wait);
      longest = std::max(longest, wait);
    }
    EXPECT_LE(longest, caps[attempt]) << "attempt " << attempt;
    // Spread over the whole range, not bunched: the reconnect storm is smeared out.
    EXPECT_GT(longest, caps[attempt] * 0.9) << "attempt " << attempt;
    EXPECT_LT(shortest, caps[attempt] * 0.1) << "attempt " << attempt;
  }
  EXPECT_LE(policy.Backoff(1000, random), absl::Milliseconds(1000)) << "no overflow";
}

}  // namespace
}  // namespace chatter::loadgen
