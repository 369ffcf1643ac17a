// Room events onto the Redis bus, as realtime-svc's PublishStream would have published them.
#include "services/chat/clients/redis_event_sink.h"

#include "chatter/realtime/v1/realtime.pb.h"
#include "services/chat/clients/realtime_event_sink.h"

namespace chatter::chat {

RedisEventSink::RedisEventSink(redis::Client& redis, std::string channel, ids::UuidGenerator& uuids,
                               ids::Clock& clock)
    : redis_(redis), channel_(std::move(channel)), uuids_(uuids), clock_(clock) {}

absl::StatusOr<std::vector<size_t>> RedisEventSink::SendBatch(absl::Span<const RoomEvent> events) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(events.size());
  for (const RoomEvent& event : events) {
    realtime::v1::RoomEvent room_event = ToProto(event);
    if (room_event.event_id().empty()) room_event.set_event_id(uuids_.NewV7());
    if (!room_event.has_occurred_at()) {
      int64_t now_ms = clock_.UnixMillis();
      room_event.mutable_occurred_at()->set_seconds(now_ms / 1000);
      room_event.mutable_occurred_at()->set_nanos(static_cast<int32_t>(now_ms % 1000) * 1000000);
    }
    realtime::v1::RealtimeFrame frame;
    *frame.mutable_room_event() = std::move(room_event);
    std::string payload;
    if (!frame.SerializeToString(&payload)) {
      return absl::InternalError("realtime frame does not serialize");
    }
    commands.push_back({"PUBLISH", channel_, std::move(payload)});
  }
  if (commands.empty()) return std::vector<size_t>();
  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  // An error reply (READONLY from a replica, NOPERM, ...) fails the batch like an outage: the
  // rooms' heads are owed and published once Redis takes commands again.
  for (const redis::Reply& reply : *replies) {
    if (reply.is_error()) return redis::ErrorReplyStatus("publish room events", reply.str);
  }
  return std::vector<size_t>();
}

}  // namespace chatter::chat
