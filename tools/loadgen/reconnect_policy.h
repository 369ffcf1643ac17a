// When a simulated client reconnects: which close codes it resumes after, and how long it waits
// before each attempt. The wait is "full jitter" exponential backoff (a uniform draw below a cap
// that doubles per attempt), so the sessions a gateway restart cut off come back spread out
// instead of as one stampede.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string_view>

#include "absl/time/time.h"

namespace chatter::loadgen {

struct ReconnectPolicy {
  bool enabled = true;
  absl::Duration initial_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(5);
  // A session not back within this long after it was cut off gives up (an unexpected close).
  absl::Duration give_up_after = absl::Seconds(60);

  // Close codes after which a client should come back: 1001 going away, 1012 restarting,
  // 1013 try again later, and 0 for an end without a close frame (1006).
  static bool Resumable(int close_code) {
    return close_code == 0 || close_code == 1001 || close_code == 1012 || close_code == 1013;
  }

  // A refused resubscribe that no retry can fix (the user may not be in the room any more).
  static bool FinalRefusal(std::string_view error_code) {
    return error_code == "permission_denied" || error_code == "not_found" ||
           error_code == "invalid_argument" || error_code == "unauthenticated";
  }

  // The wait before attempt `attempt` (0 = the first reconnect): uniform in
  // [0, min(max_backoff, initial_backoff * 2^attempt)].
  template <typename Random>
  absl::Duration Backoff(int attempt, Random& random) const {
    absl::Duration cap = initial_backoff;
    for (int i = 0; i < attempt && cap < max_backoff; ++i) cap *= 2;
    cap = std::min(cap, max_backoff);
    std::uniform_int_distribution<int64_t> draw(0, absl::ToInt64Microseconds(cap));
    return absl::Microseconds(draw(random));
  }
};

}  // namespace chatter::loadgen
