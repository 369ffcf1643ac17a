// Token bucket and the sliding window of refusals.
#include "gateway/ws/event_rate_limiter.h"

#include <algorithm>

namespace chatter::gateway {

TokenBucket::TokenBucket(double rate, double burst, absl::Time now)
    : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

bool TokenBucket::TryTake(absl::Time now) {
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_);
    last_ = now;
  }
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

EventRateLimiter::EventRateLimiter(double rate, double burst, int max_rejections,
                                   absl::Duration window, absl::Time now)
    : bucket_(rate, burst, now), max_rejections_(max_rejections), window_(window) {}

EventRateLimiter::Verdict EventRateLimiter::Check(absl::Time now) {
  if (bucket_.TryTake(now)) return Verdict::kAllow;
  while (!rejections_.empty() && rejections_.front() <= now - window_) rejections_.pop_front();
  rejections_.push_back(now);
  if (static_cast<int>(rejections_.size()) > max_rejections_ + 1) rejections_.pop_front();
  if (static_cast<int>(rejections_.size()) > max_rejections_) return Verdict::kAbuse;
  return Verdict::kReject;
}

}  // namespace chatter::gateway
