// Per-session limit on client events: a token bucket answers each event, and too many refusals
// within a window mark the client as abusive (the session then closes with 1008).
#pragma once

#include <boost/container/deque.hpp>

#include "absl/time/time.h"

namespace chatter::gateway {

// `rate` tokens per second up to `burst`; starts full. Time is passed in, so tests need no
// clock.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst, absl::Time now);
  bool TryTake(absl::Time now);

 private:
  double rate_;
  double burst_;
  double tokens_;
  absl::Time last_;
};

class EventRateLimiter {
 public:
  enum class Verdict { kAllow, kReject, kAbuse };

  EventRateLimiter(double rate, double burst, int max_rejections, absl::Duration window,
                   absl::Time now);
  // kReject while over the rate; kAbuse once more than `max_rejections` refusals fell within
  // the last `window`.
  Verdict Check(absl::Time now);

 private:
  TokenBucket bucket_;
  int max_rejections_;
  absl::Duration window_;
  // At most max_rejections_ + 1 entries; usually none (Boost's deque allocates nothing empty).
  boost::container::deque<absl::Time> rejections_;
};

}  // namespace chatter::gateway
