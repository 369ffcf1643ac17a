// Unit tests for RevokedSessions (the bounded, expiring denylist), RevocationFeed (cursor
// polling into it) and the Authenticator refusing tokens of ended logins.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "libs/authn/authenticator.h"
#include "libs/authn/revocation_feed.h"
#include "libs/authn/revoked_sessions.h"
#include "libs/jwt/signer.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::authn {
namespace {

using jwt::testing::FakeClock;
using jwt::testing::kNow;

TEST(RevokedSessionsTest, AnEntryHoldsUntilItsTimeAndNotAfter) {
  FakeClock clock;
  RevokedSessions revoked(clock);
  EXPECT_FALSE(revoked.Contains("s1"));
  EXPECT_TRUE(revoked.Add("s1", kNow + absl::Minutes(17)));
  EXPECT_FALSE(revoked.Add("s1", kNow + absl::Minutes(5)));  // Known: the later time stays.
  EXPECT_TRUE(revoked.Contains("s1"));
  EXPECT_FALSE(revoked.Contains("s2"));
  clock.Set(kNow + absl::Minutes(17) - absl::Milliseconds(1));
  EXPECT_TRUE(revoked.Contains("s1"));
  clock.Set(kNow + absl::Minutes(17));
  EXPECT_FALSE(revoked.Contains("s1"));
  // Nothing to hold once every token of the login has expired.
  EXPECT_FALSE(revoked.Add("s3", kNow));
  EXPECT_FALSE(revoked.Contains("s3"));
}

TEST(RevokedSessionsTest, StaysWithinItsBoundDroppingExpiredThenSoonestEntries) {
  FakeClock clock;
  RevokedSessions revoked(clock, 10);
  for (int i = 0; i < 10; ++i) {
    revoked.Add("short-" + std::to_string(i), kNow + absl::Seconds(10 + i));
  }
  EXPECT_EQ(revoked.size(), 10u);
  // Full of live entries: the one expiring soonest gives way.
  revoked.Add("new", kNow + absl::Minutes(10));
  EXPECT_LE(revoked.size(), 10u);
  EXPECT_TRUE(revoked.Contains("new"));
  EXPECT_FALSE(revoked.Contains("short-0"));
  EXPECT_TRUE(revoked.Contains("short-9"));
  EXPECT_EQ(revoked.evicted(), 1u);
  // Expired entries go before any live one.
  clock.Set(kNow + absl::Seconds(15));
  for (int i = 0; i < 5; ++i) revoked.Add("later-" + std::to_string(i), kNow + absl::Minutes(9));
  EXPECT_EQ(revoked.evicted(), 1u);
  EXPECT_TRUE(revoked.Contains("short-9"));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(revoked.Contains("later-" + std::to_string(i)));
}

// A log in memory, answering pages like auth-svc does; can be made to fail.
class FakeSource final : public RevocationSource {
 public:
  absl::StatusOr<RevocationPage> After(int64_t after_seq, int limit) override {
    ++calls;
    if (!failure.ok()) return failure;
    RevocationPage page;
    page.last_seq = after_seq;
    for (const Revocation& revocation : log) {
      if (revocation.seq <= after_seq) continue;
      if (static_cast<int>(page.revocations.size()) == limit) break;
      page.revocations.push_back(revocation);
      page.last_seq = revocation.seq;
    }
    return page;
  }
  void Append(std::string session_id, absl::Time until) {
    log.push_back({.seq = static_cast<int64_t>(log.size()) + 1,
                   .session_id = std::move(session_id),
                   .user_id = "user-" + std::to_string(log.size() % 3),
                   .until = until});
  }

  std::vector<Revocation> log;
  absl::Status failure;
  int calls = 0;
};

TEST(RevocationFeedTest, ReadsEveryPageTellsTheListenerOnceAndResumesAfterAFailure) {
  FakeClock clock;
  RevokedSessions revoked(clock);
  FakeSource source;
  std::vector<std::string> heard;
  RevocationFeed feed(source, revoked, [&](const std::vector<Revocation>& fresh) {
    for (const Revocation& revocation : fresh) heard.push_back(revocation.session_id);
  });
  // More than one page.
  for (int i = 0; i < 2500; ++i) source.Append("s" + std::to_string(i), kNow + absl::Minutes(5));
  ASSERT_TRUE(feed.PollOnce().ok());
  EXPECT_EQ(source.calls, 3);
  EXPECT_EQ(feed.cursor(), 2500);
  EXPECT_EQ(heard.size(), 2500u);
  EXPECT_TRUE(revoked.Contains("s0"));
  EXPECT_TRUE(revoked.Contains("s2499"));

  source.failure = absl::UnavailableError("auth-svc down");
  source.Append("late", kNow + absl::Minutes(5));
  EXPECT_EQ(feed.PollOnce().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(revoked.Contains("late"));
  EXPECT_EQ(feed.cursor(), 2500);
  source.failure = absl::OkStatus();
  ASSERT_TRUE(feed.PollOnce().ok());
  EXPECT_TRUE(revoked.Contains("late"));
  EXPECT_EQ(heard.back(), "late");
  EXPECT_EQ(heard.size(), 2501u);
  // Nothing new: nobody is told anything.
  ASSERT_TRUE(feed.PollOnce().ok());
  EXPECT_EQ(heard.size(), 2501u);
}

TEST(RevocationFeedTest, TheBackgroundThreadPollsUntilStopped) {
  FakeClock clock;
  RevokedSessions revoked(clock);
  FakeSource source;
  source.Append("s1", kNow + absl::Minutes(5));
  RevocationFeed feed(source, revoked);
  feed.Start(absl::Milliseconds(5));
  for (int i = 0; i < 400 && !revoked.Contains("s1"); ++i) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_TRUE(revoked.Contains("s1"));
  feed.Stop();
}

TEST(AuthenticatorRevocationTest, ATokenOfAnEndedLoginIsRefusedEvenWhenRemembered) {
  jwt::SigningKey key = jwt::testing::TestKey("k1", 1);
  jwt::Signer signer{{key}};
  jwt::KeySet keys{{jwt::PublicKeyOf(key)}};
  FakeClock clock;
  jwt::Verifier verifier{
      keys, {.issuer = jwt::testing::kIssuer, .audience = jwt::testing::kAudience}, clock};
  RevokedSessions revoked(clock);
  Authenticator authenticator(verifier, &revoked);
  jwt::Claims claims = jwt::testing::UserClaims();
  std::string token = signer.Sign(claims);
  jwt::Claims other_login = claims;
  other_login.session_id = "another-login";
  other_login.token_id = "another-token";
  std::string other_token = signer.Sign(other_login);
  ASSERT_TRUE(authenticator.AuthenticateToken(token).ok());  // Now in the verified cache.
  ASSERT_TRUE(authenticator.AuthenticateToken(other_token).ok());

  revoked.Add(claims.session_id, kNow + absl::Minutes(17));
  absl::StatusOr<Principal> refused = authenticator.AuthenticateToken(token);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.status().message(), "session ended (logged out)");
  EXPECT_TRUE(authenticator.AuthenticateToken(other_token).ok());
  // Service tokens carry no login and are not affected.
  EXPECT_TRUE(authenticator.AuthenticateToken(signer.Sign(jwt::testing::ServiceClaims())).ok());
}

}  // namespace
}  // namespace chatter::authn
