// Which token buckets a request takes from, and the 429 when one is empty.
//
// Every REST request and WebSocket upgrade takes from its client IP's bucket and, when it
// carries a valid user token, from its user's bucket. Login and sign-up also take from their
// own, much stricter per-IP buckets: they are where credential stuffing and account farming
// happen, and they cost an argon2id hash each.
#pragma once

#include <array>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/edge/token_buckets.h"
#include "libs/metrics/registry.h"

namespace chatter::gateway {

struct RateLimitSettings {
  bool enabled = true;
  BucketSpec per_ip{.per_second = 1200.0 / 60, .burst = 100};
  BucketSpec per_user{.per_second = 600.0 / 60, .burst = 50};
  BucketSpec login_per_ip{.per_second = 10.0 / 60, .burst = 20};
  BucketSpec signup_per_ip{.per_second = 20.0 / 3600, .burst = 10};
  // Cap on buckets one process keeps in memory (per-process mode and Redis fallback).
  size_t max_local_buckets = 100000;
};

// Who is asking.
struct RateLimitCaller {
  std::string client_ip;
  std::string user_id;  // "" when the request has no valid user token.
};

class RateLimiter {
 public:
  using Done = std::function<void(absl::Status)>;

  // `store` decides; it and `registry` must outlive the limiter.
  RateLimiter(RateLimitSettings settings, TokenBucketStore& store, metrics::Registry& registry);

  // OK, or RESOURCE_EXHAUSTED naming the limit with a retry-after (HTTP 429 + Retry-After).
  // `route` is the route template. `done` runs exactly once, inline or on another thread.
  void Admit(absl::string_view route, const RateLimitCaller& caller, Done done);

  // The subject of an address's buckets: an IPv4 address as it is, an IPv6 one's /64.
  static std::string AddressKey(absl::string_view client_ip);

  // Routes never limited: load balancers and orchestrators poll them.
  static bool Unlimited(absl::string_view route);

  // Route templates with their own buckets.
  static constexpr absl::string_view kLoginRoute = "/v1/auth/login";
  static constexpr absl::string_view kSignupRoute = "/v1/auth/signup";

 private:
  enum class Limit { kIp, kUser, kLogin, kSignup, kCount };
  static absl::string_view LimitName(Limit limit);

  RateLimitSettings settings_;
  TokenBucketStore& store_;
  std::array<metrics::Counter*, static_cast<size_t>(Limit::kCount)> rejections_{};
};

}  // namespace chatter::gateway
