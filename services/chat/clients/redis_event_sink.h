// EventSink that PUBLISHes room events straight onto realtime-svc's bus: the Redis pub/sub
// channel `<prefix>events` that every realtime-svc instance subscribes to and fans out to its
// gateways. Each event goes as the RealtimeFrame realtime-svc's PublishStream would have put
// there (an event id and time filled in when missing), one PUBLISH per event, a batch pipelined
// in one round trip on one pooled connection.
//
// Why not through realtime-svc: its PublishStream only validated and re-published each event,
// and that hop cost a gRPC message and an ack each way plus a Redis round trip on
// realtime-svc's side, with a thread hand-off at every step; publishing here removes it from
// every message's path (issue 11, measured in services/chat/README.md). Order and loss are
// handled as before: the gateways put message events in seq order and fill gaps from history,
// and a failed batch (Redis down) makes its rooms' heads owed (QueuedEventPublisher).
#pragma once

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "libs/ids/clock.h"
#include "libs/ids/uuid_generator.h"
#include "libs/redis/redis_client.h"
#include "services/chat/events/event_sink.h"

namespace chatter::chat {

class RedisEventSink final : public EventSink {
 public:
  // All must outlive the sink.
  RedisEventSink(redis::Client& redis, std::string channel, ids::UuidGenerator& uuids,
                 ids::Clock& clock);

  // UNAVAILABLE (or DEADLINE_EXCEEDED) when Redis does not take the batch; nothing is refused
  // one by one (chat-svc makes its own events).
  absl::StatusOr<std::vector<size_t>> SendBatch(absl::Span<const RoomEvent> events) override;

 private:
  redis::Client& redis_;
  std::string channel_;
  ids::UuidGenerator& uuids_;
  ids::Clock& clock_;
};

}  // namespace chatter::chat
