// EventBus and AsyncPublisher that keep what is published (or fail on demand), for tests of
// presence and gateway links without Redis.
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include "services/realtime/domain/event_bus.h"

namespace chatter::realtime {

class RecordingBus final : public EventBus, public AsyncPublisher {
 public:
  absl::Status Publish(const v1::RealtimeFrame& frame) override {
    if (failing_) return absl::UnavailableError("bus down (fake)");
    std::lock_guard lock(mu_);
    frames_.push_back(frame);
    return absl::OkStatus();
  }
  absl::Status PublishAll(absl::Span<const v1::RealtimeFrame> frames) override {
    for (const v1::RealtimeFrame& frame : frames) {
      if (absl::Status published = Publish(frame); !published.ok()) return published;
    }
    return absl::OkStatus();
  }
  bool PublishLater(v1::RealtimeFrame frame) override {
    if (full_) return false;
    return Publish(frame).ok();
  }

  void set_failing(bool failing) { failing_ = failing; }
  void set_full(bool full) { full_ = full; }
  std::vector<v1::RealtimeFrame> frames() const {
    std::lock_guard lock(mu_);
    return frames_;
  }
  // Published presence frames only.
  std::vector<v1::PresenceEvent> presence() const {
    std::vector<v1::PresenceEvent> events;
    for (const v1::RealtimeFrame& frame : frames()) {
      if (frame.has_presence()) events.push_back(frame.presence());
    }
    return events;
  }

 private:
  mutable std::mutex mu_;
  std::vector<v1::RealtimeFrame> frames_;
  std::atomic<bool> failing_{false};
  std::atomic<bool> full_{false};
};

}  // namespace chatter::realtime
