// Request -> buckets -> admitted or 429.
#include "gateway/edge/rate_limiter.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/status/error_details.h"

namespace chatter::gateway {

RateLimiter::RateLimiter(RateLimitSettings settings, TokenBucketStore& store,
                         metrics::Registry& registry)
    : settings_(settings), store_(store) {
  for (size_t i = 0; i < rejections_.size(); ++i) {
    rejections_[i] = &registry.GetCounter(
        "rate_limit_rejections_total", "Requests and upgrades refused with 429, by the limit hit.",
        {{"limit", std::string(LimitName(static_cast<Limit>(i)))}});
  }
}

absl::string_view RateLimiter::LimitName(Limit limit) {
  switch (limit) {
    case Limit::kIp:
      return "ip";
    case Limit::kUser:
      return "user";
    case Limit::kLogin:
      return "login";
    case Limit::kSignup:
      return "signup";
    case Limit::kCount:
      break;
  }
  return "unknown";
}

bool RateLimiter::Unlimited(absl::string_view route) {
  return route == "/healthz" || route == "/readyz";
}

void RateLimiter::Admit(absl::string_view route, const RateLimitCaller& caller, Done done) {
  if (!settings_.enabled || Unlimited(route)) return done(absl::OkStatus());
  std::vector<BucketRef> buckets;
  std::vector<Limit> limits;
  auto add = [&](Limit limit, absl::string_view subject, const BucketSpec& spec) {
    buckets.push_back({.key = absl::StrCat(LimitName(limit), ":", subject), .spec = spec});
    limits.push_back(limit);
  };
  add(Limit::kIp, caller.client_ip, settings_.per_ip);
  if (!caller.user_id.empty()) add(Limit::kUser, caller.user_id, settings_.per_user);
  if (route == kLoginRoute) add(Limit::kLogin, caller.client_ip, settings_.login_per_ip);
  if (route == kSignupRoute) add(Limit::kSignup, caller.client_ip, settings_.signup_per_ip);
  store_.Take(std::move(buckets), [this, limits = std::move(limits),
                                   done = std::move(done)](RateDecision decision) {
    if (decision.allowed) return done(absl::OkStatus());
    Limit limit =
        decision.limiting_bucket >= 0 && decision.limiting_bucket < static_cast<int>(limits.size())
            ? limits[decision.limiting_bucket]
            : Limit::kIp;
    rejections_[static_cast<size_t>(limit)]->Inc();
    int seconds =
        std::max(1, static_cast<int>(std::ceil(absl::ToDoubleSeconds(decision.retry_after))));
    done(status::RateLimitedError(absl::StrCat("too many requests (", LimitName(limit),
                                               " limit); retry after ", seconds, " s"),
                                  seconds));
  });
}

}  // namespace chatter::gateway
