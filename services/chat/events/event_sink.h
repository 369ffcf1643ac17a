// Where queued room events finally go: one blocking delivery attempt per event (realtime-svc's
// Publish in production, a recorder in tests).
#pragma once

#include "absl/status/status.h"
#include "services/chat/domain/model.h"

namespace chatter::chat {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Called from one background thread, one event at a time; may block up to its own deadline.
  virtual absl::Status Send(const RoomEvent& event) = 0;
};

}  // namespace chatter::chat
