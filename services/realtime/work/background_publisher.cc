// Queued publishing for reactor threads.
#include "services/realtime/work/background_publisher.h"

namespace chatter::realtime {

bool BackgroundPublisher::PublishLater(v1::RealtimeFrame frame) {
  // The bus counts failures; a lost typing event is harmless.
  return queue_.PostToShard(0, [this, frame = std::move(frame)] { (void)bus_.Publish(frame); });
}

}  // namespace chatter::realtime
