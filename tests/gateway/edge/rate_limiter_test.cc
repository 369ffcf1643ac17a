// The rate-limit policy: which buckets a request takes from, and the 429 it gets.
#include "gateway/edge/rate_limiter.h"

#include <gtest/gtest.h>

#include "libs/status/error_details.h"
#include "libs/status/http_error.h"

namespace chatter::gateway {
namespace {

// Records the buckets of each check and answers with `next`.
class RecordingStore final : public TokenBucketStore {
 public:
  void Take(std::vector<BucketRef> buckets, Done done) override {
    checks.push_back(std::move(buckets));
    done(next);
  }
  std::vector<std::vector<BucketRef>> checks;
  RateDecision next;
};

class ManualClock final : public ids::Clock {
 public:
  int64_t UnixMillis() override { return millis; }
  int64_t millis = 1'800'000'000'000;
};

std::vector<std::string> Keys(const std::vector<BucketRef>& buckets) {
  std::vector<std::string> keys;
  for (const BucketRef& bucket : buckets) keys.push_back(bucket.key);
  return keys;
}

RateLimitCaller Ip(std::string address) { return {.client_ip = std::move(address), .user_id = ""}; }

absl::Status AdmitNow(RateLimiter& limiter, absl::string_view route, RateLimitCaller caller) {
  absl::Status result = absl::UnknownError("not answered");
  limiter.Admit(route, caller, [&](absl::Status status) { result = std::move(status); });
  return result;
}

TEST(RateLimiter, EveryRequestTakesFromItsIpAndItsUser) {
  RecordingStore store;
  metrics::Registry registry;
  RateLimiter limiter({}, store, registry);
  EXPECT_TRUE(AdmitNow(limiter, "/v1/rooms", Ip("203.0.113.9")).ok());
  EXPECT_TRUE(AdmitNow(limiter, "/v1/rooms", {.client_ip = "203.0.113.9", .user_id = "u1"}).ok());
  ASSERT_EQ(store.checks.size(), 2u);
  EXPECT_EQ(Keys(store.checks[0]), std::vector<std::string>({"ip:203.0.113.9"}));
  EXPECT_EQ(Keys(store.checks[1]), std::vector<std::string>({"ip:203.0.113.9", "user:u1"}));
  RateLimitSettings defaults;
  EXPECT_EQ(store.checks[1][0].spec.burst, defaults.per_ip.burst);
  EXPECT_EQ(store.checks[1][1].spec.burst, defaults.per_user.burst);
}

TEST(RateLimiter, LoginAndSignupAlsoTakeFromTheirStricterBuckets) {
  RecordingStore store;
  metrics::Registry registry;
  RateLimitSettings settings;
  RateLimiter limiter(settings, store, registry);
  EXPECT_TRUE(AdmitNow(limiter, RateLimiter::kLoginRoute, Ip("198.51.100.1")).ok());
  EXPECT_TRUE(AdmitNow(limiter, RateLimiter::kSignupRoute, Ip("198.51.100.1")).ok());
  ASSERT_EQ(store.checks.size(), 2u);
  EXPECT_EQ(Keys(store.checks[0]),
            std::vector<std::string>({"ip:198.51.100.1", "login:198.51.100.1"}));
  EXPECT_EQ(Keys(store.checks[1]),
            std::vector<std::string>({"ip:198.51.100.1", "signup:198.51.100.1"}));
  EXPECT_LT(store.checks[0][1].spec.per_second, settings.per_ip.per_second);
  EXPECT_LT(store.checks[1][1].spec.per_second, settings.login_per_ip.per_second);
}

TEST(RateLimiter, AnIpv6ClientIsKeyedByIts64) {
  RecordingStore store;
  metrics::Registry registry;
  RateLimiter limiter({}, store, registry);
  EXPECT_TRUE(AdmitNow(limiter, "/v1/rooms", Ip("2001:db8:1:2:aaaa::1")).ok());
  EXPECT_TRUE(AdmitNow(limiter, "/v1/rooms", Ip("2001:db8:1:2:bbbb::9")).ok());
  EXPECT_TRUE(AdmitNow(limiter, "/v1/rooms", Ip("2001:db8:1:3::1")).ok());
  ASSERT_EQ(store.checks.size(), 3u);
  EXPECT_EQ(store.checks[0][0].key, "ip:2001:db8:1:2::/64");
  EXPECT_EQ(store.checks[1][0].key, store.checks[0][0].key);
  EXPECT_EQ(store.checks[2][0].key, "ip:2001:db8:1:3::/64");
  EXPECT_EQ(RateLimiter::AddressKey("203.0.113.9"), "203.0.113.9");
}

TEST(RateLimiter, HealthChecksAndADisabledLimiterTakeNothing) {
  RecordingStore store;
  metrics::Registry registry;
  RateLimiter limiter({}, store, registry);
  EXPECT_TRUE(AdmitNow(limiter, "/healthz", Ip("10.0.0.1")).ok());
  EXPECT_TRUE(AdmitNow(limiter, "/readyz", Ip("10.0.0.1")).ok());
  RateLimiter off({.enabled = false}, store, registry);
  EXPECT_TRUE(AdmitNow(off, "/v1/rooms", Ip("10.0.0.1")).ok());
  EXPECT_TRUE(store.checks.empty());
}

TEST(RateLimiter, ARefusalIsResourceExhaustedNamingTheLimitWithRetryAfter) {
  RecordingStore store;
  metrics::Registry registry;
  RateLimiter limiter({}, store, registry);
  store.next = {.allowed = false, .retry_after = absl::Milliseconds(2500), .limiting_bucket = 1};
  absl::Status refused = AdmitNow(limiter, RateLimiter::kLoginRoute, Ip("198.51.100.1"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("login limit"), absl::string_view::npos) << refused;
  EXPECT_EQ(status::RetryAfterSeconds(refused), 3);  // Rounded up, never 0.
  EXPECT_EQ(status::HttpStatusFor(refused.code()), 429);
  EXPECT_EQ(registry.GetCounter("rate_limit_rejections_total", "", {{"limit", "login"}}).Value(),
            1);

  store.next = {.allowed = false, .retry_after = absl::Milliseconds(1), .limiting_bucket = 0};
  absl::Status short_wait = AdmitNow(limiter, "/v1/rooms", Ip("198.51.100.1"));
  EXPECT_EQ(status::RetryAfterSeconds(short_wait), 1);
  EXPECT_EQ(registry.GetCounter("rate_limit_rejections_total", "", {{"limit", "ip"}}).Value(), 1);
}

TEST(RateLimiter, WithRealBucketsTheBurstPassesThenTheNextIs429) {
  ManualClock clock;
  LocalTokenBuckets buckets(clock, 1000);
  metrics::Registry registry;
  RateLimiter limiter({.per_ip = {.per_second = 1, .burst = 5}}, buckets, registry);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(AdmitNow(limiter, "/v1/rooms", Ip("203.0.113.9")).ok()) << i;
  }
  absl::Status refused = AdmitNow(limiter, "/v1/rooms", Ip("203.0.113.9"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(AdmitNow(limiter, "/v1/rooms", Ip("203.0.113.10")).ok());
  clock.millis += 1000;
  EXPECT_TRUE(AdmitNow(limiter, "/v1/rooms", Ip("203.0.113.9")).ok());
}

}  // namespace
}  // namespace chatter::gateway
