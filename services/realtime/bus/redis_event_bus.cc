// Redis pub/sub fan-out bus.
#include "services/realtime/bus/redis_event_bus.h"

#include "libs/log/log.h"

namespace chatter::realtime {

RedisEventBus::RedisEventBus(redis::Client& redis, std::string channel, RealtimeMetrics& metrics)
    : redis_(redis), channel_(std::move(channel)), metrics_(metrics) {}

absl::Status RedisEventBus::Publish(const v1::RealtimeFrame& frame) {
  return PublishAll(absl::MakeConstSpan(&frame, 1));
}

absl::Status RedisEventBus::PublishAll(absl::Span<const v1::RealtimeFrame> frames) {
  if (frames.empty()) return absl::OkStatus();
  std::vector<std::vector<std::string>> commands;
  commands.reserve(frames.size());
  for (const v1::RealtimeFrame& frame : frames) {
    std::string payload;
    if (!frame.SerializeToString(&payload)) {
      return absl::InternalError("realtime frame does not serialize");
    }
    commands.push_back({"PUBLISH", channel_, std::move(payload)});
  }
  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.Pipeline(commands);
  if (!replies.ok()) {
    metrics_.publish_failures.Inc(static_cast<double>(frames.size()));
    return replies.status();
  }
  for (const v1::RealtimeFrame& frame : frames) CountPublished(frame);
  return absl::OkStatus();
}

void RedisEventBus::CountPublished(const v1::RealtimeFrame& frame) {
  switch (frame.frame_case()) {
    case v1::RealtimeFrame::kPresence:
      return metrics_.published_presence.Inc();
    case v1::RealtimeFrame::kUserEvent:
      return metrics_.published_user_events.Inc();
    default:
      return metrics_.published_room_events.Inc();
  }
}

BusSubscription::BusSubscription(const redis::RedisEndpoint& endpoint, std::string channel,
                                 redis::SubscriberOptions options, Deliver deliver,
                                 RealtimeMetrics& metrics)
    : deliver_(std::move(deliver)),
      metrics_(metrics),
      subscriber_(
          endpoint, std::move(channel), options,
          {.on_message = [this](std::string payload) { OnMessage(payload); },
           .on_subscribed =
               [this](bool reconnected) {
                 log::Info(reconnected ? "bus subscription restored" : "bus subscribed");
                 if (!reconnected) return;
                 metrics_.bus_reconnects.Inc();
                 // Frames published meanwhile are gone: every gateway of this instance checks
                 // its rooms against chat-svc's history.
                 auto lost = std::make_shared<v1::RealtimeFrame>();
                 lost->mutable_events_lost()->set_reason("bus subscription restored");
                 deliver_(lost);
               },
           .on_lost =
               [](const absl::Status& error) {
                 log::Warn("bus subscription lost", {{"error", std::string(error.message())}});
               }}) {}

void BusSubscription::OnMessage(const std::string& payload) {
  auto frame = std::make_shared<v1::RealtimeFrame>();
  if (!frame->ParseFromString(payload)) {
    metrics_.undecodable_frames.Inc();
    return;
  }
  metrics_.received_frames.Inc();
  size_t delivered = deliver_(frame);
  if (delivered == 0) return;
  switch (frame->frame_case()) {
    case v1::RealtimeFrame::kPresence:
      return metrics_.delivered_presence.Inc(static_cast<double>(delivered));
    case v1::RealtimeFrame::kUserEvent:
      return metrics_.delivered_user_events.Inc(static_cast<double>(delivered));
    default:
      return metrics_.delivered_room_events.Inc(static_cast<double>(delivered));
  }
}

}  // namespace chatter::realtime
