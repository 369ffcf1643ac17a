// Where frames for one gateway go: its Connect stream (the gRPC reactor in production, a recorder
// in tests). Fan-out shares one frame object among every stream it goes to.
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "chatter/realtime/v1/realtime.pb.h"

namespace chatter::realtime {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Queues `frame` for the gateway without blocking. False when it was not taken: the stream is
  // ending, or its queue overflowed (which ends it).
  virtual bool Send(std::shared_ptr<const v1::RealtimeFrame> frame) = 0;
  // For frames that may be lost without harm (presence snapshots): queued only while the queue
  // is at most half full, else dropped (false). Never ends the stream, so a burst of them (many
  // subscribes after a gateway reconnects) cannot push a gateway into a reconnect loop.
  virtual bool SendIfRoom(std::shared_ptr<const v1::RealtimeFrame> frame) = 0;
  // Ends the stream with `status`; a no-op once it is ending.
  virtual void Close(const absl::Status& status) = 0;
};

}  // namespace chatter::realtime
