// A clock tests move by hand, so presence expiry is tested without waiting.
#pragma once

#include <atomic>

#include "absl/time/time.h"
#include "libs/ids/clock.h"

namespace chatter::realtime {

class ManualClock final : public ids::Clock {
 public:
  explicit ManualClock(absl::Time now) : millis_(absl::ToUnixMillis(now)) {}
  int64_t UnixMillis() override { return millis_.load(); }
  absl::Time Now() const { return absl::FromUnixMillis(millis_.load()); }
  void Advance(absl::Duration by) { millis_.fetch_add(absl::ToInt64Milliseconds(by)); }

 private:
  std::atomic<int64_t> millis_;
};

}  // namespace chatter::realtime
