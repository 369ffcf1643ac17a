// Where queued room events finally go: one blocking delivery attempt per batch (realtime-svc's
// PublishStream in production, a recorder in tests).
#pragma once

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/chat/domain/model.h"

namespace chatter::chat {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Called from one background thread, one batch at a time; may block up to its own deadline.
  // OK: every event was delivered except those whose indexes are answered (refused as invalid,
  // not worth a retry). An error: none of them can be counted as delivered.
  virtual absl::StatusOr<std::vector<size_t>> SendBatch(absl::Span<const RoomEvent> events) = 0;
};

}  // namespace chatter::chat
