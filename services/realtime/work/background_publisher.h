// AsyncPublisher over the bus: frames from reactor threads (typing) are queued and published by
// a worker thread, since publishing to Redis blocks.
#pragma once

#include "services/realtime/domain/event_bus.h"
#include "services/realtime/work/sharded_work_queue.h"

namespace chatter::realtime {

class BackgroundPublisher final : public AsyncPublisher {
 public:
  // Both must outlive this object; `queue` must be stopped before `bus` goes away.
  BackgroundPublisher(EventBus& bus, ShardedWorkQueue& queue) : bus_(bus), queue_(queue) {}

  bool PublishLater(v1::RealtimeFrame frame) override;

 private:
  EventBus& bus_;
  ShardedWorkQueue& queue_;
};

}  // namespace chatter::realtime
