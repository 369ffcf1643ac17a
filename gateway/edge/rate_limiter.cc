// Request -> buckets -> admitted or 429.
#include "gateway/edge/rate_limiter.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v6.hpp>
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

std::string RateLimiter::AddressKey(absl::string_view client_ip) {
  boost::system::error_code ec;
  boost::asio::ip::address address = boost::asio::ip::make_address(std::string(client_ip), ec);
  if (ec || !address.is_v6()) return std::string(client_ip);
  // One IPv6 host usually owns a whole /64 and can rotate through it at will; a per-address
  // bucket would be a bucket per request.
  boost::asio::ip::network_v6 network(address.to_v6(), 64);
  return absl::StrCat(network.network().to_string(), "/64");
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
  std::string address = AddressKey(caller.client_ip);
  add(Limit::kIp, address, settings_.per_ip);
  if (!caller.user_id.empty()) add(Limit::kUser, caller.user_id, settings_.per_user);
  if (route == kLoginRoute) add(Limit::kLogin, address, settings_.login_per_ip);
  if (route == kSignupRoute) add(Limit::kSignup, address, settings_.signup_per_ip);
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
