// The fan-out bus on Redis pub/sub: every frame (room events, presence, user events) goes to one
// channel, `<prefix>events`, which every realtime-svc instance subscribes to. Each instance
// therefore sees every frame once and delivers it to its own gateways only; a gateway is connected
// to one instance, so it gets each frame exactly once (while everything is up: pub/sub keeps
// nothing).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "libs/redis/events_channel.h"
#include "libs/redis/redis_client.h"
#include "libs/redis/redis_subscriber.h"
#include "services/realtime/domain/event_bus.h"
#include "services/realtime/domain/realtime_metrics.h"

namespace chatter::realtime {

class RedisEventBus final : public EventBus {
 public:
  // Both must outlive the bus.
  RedisEventBus(redis::Client& redis, std::string channel, RealtimeMetrics& metrics);

  // Serializes and PUBLISHes; UNAVAILABLE when Redis is down.
  absl::Status Publish(const v1::RealtimeFrame& frame) override;
  // One PUBLISH per frame (so every instance, old or new, reads frames alike), pipelined.
  absl::Status PublishAll(absl::Span<const v1::RealtimeFrame> frames) override;

 private:
  void CountPublished(const v1::RealtimeFrame& frame);

  redis::Client& redis_;
  std::string channel_;
  RealtimeMetrics& metrics_;
};

// Receives every frame of the bus on its own thread and connection, decodes each once and hands
// the shared, immutable frame to `deliver` (the local fan-out: it must not block). Reconnects
// with backoff, and then delivers an `events_lost` frame, since pub/sub kept nothing meanwhile;
// Status() is this instance's readiness as a bus member.
class BusSubscription {
 public:
  using Deliver = std::function<size_t(const std::shared_ptr<const v1::RealtimeFrame>&)>;

  BusSubscription(const redis::RedisEndpoint& endpoint, std::string channel,
                  redis::SubscriberOptions options, Deliver deliver, RealtimeMetrics& metrics);

  void Start() { subscriber_.Start(); }
  void Stop() { subscriber_.Stop(); }
  absl::Status Status() const { return subscriber_.Status(); }
  bool WaitUntilSubscribed(absl::Duration timeout) const {
    return subscriber_.WaitUntilSubscribed(timeout);
  }

 private:
  void OnMessage(const std::string& payload);

  Deliver deliver_;
  RealtimeMetrics& metrics_;
  redis::Subscriber subscriber_;  // Last: its thread uses the members above.
};

}  // namespace chatter::realtime
