// The seam through which committed changes leave chat-svc for realtime-svc. Publishing is a
// hand-off: it never blocks the RPC and never fails it (clients catch up with since_seq).
#pragma once

#include "services/chat/domain/model.h"

namespace chatter::chat {

class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  // Called after the change is committed. Must return quickly; losing the event is acceptable,
  // blocking or failing the caller is not.
  virtual void Publish(RoomEvent event) = 0;
};

}  // namespace chatter::chat
