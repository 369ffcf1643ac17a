// The fan-out bus between realtime-svc instances: a frame published here reaches every instance
// (this one included), which delivers it to its own gateways.
#pragma once

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "chatter/realtime/v1/realtime.pb.h"

namespace chatter::realtime {

// Blocking publish, for threads that may block (synchronous RPCs, workers).
class EventBus {
 public:
  virtual ~EventBus() = default;
  // UNAVAILABLE when the bus is down; the frame is then lost (delivery is best effort).
  virtual absl::Status Publish(const v1::RealtimeFrame& frame) = 0;
  // All of `frames`, in order and in one round trip where the bus can; UNAVAILABLE when the bus
  // is down (then any of them may be lost).
  virtual absl::Status PublishAll(absl::Span<const v1::RealtimeFrame> frames) = 0;
};

// Non-blocking publish, for reactor threads: queued and published by a worker.
class AsyncPublisher {
 public:
  virtual ~AsyncPublisher() = default;
  // False when the frame was dropped (queue full or stopping); the caller counts nothing more.
  virtual bool PublishLater(v1::RealtimeFrame frame) = 0;
};

}  // namespace chatter::realtime
