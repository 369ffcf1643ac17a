// The one clock of a run: send times in message content and receive times come from it, so
// latencies are differences of the same monotonic clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace chatter::loadgen {

inline int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace chatter::loadgen
