// An EventPublisher that keeps every event, so domain tests can assert what was published.
#pragma once

#include <mutex>
#include <vector>

#include "services/chat/domain/event_publisher.h"

namespace chatter::chat {

class RecordingEventPublisher final : public EventPublisher {
 public:
  void Publish(RoomEvent event) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  std::vector<RoomEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<RoomEvent> events_;
};

}  // namespace chatter::chat
