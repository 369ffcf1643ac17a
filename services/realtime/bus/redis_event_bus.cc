// Redis pub/sub fan-out bus.
#include "services/realtime/bus/redis_event_bus.h"

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace chatter::realtime {

std::string EventsChannel(absl::string_view prefix) { return absl::StrCat(prefix, "events"); }

RedisEventBus::RedisEventBus(redis::Client& redis, std::string channel, RealtimeMetrics& metrics)
    : redis_(redis), channel_(std::move(channel)), metrics_(metrics) {}

absl::Status RedisEventBus::Publish(const v1::RealtimeFrame& frame) {
  std::string payload;
  if (!frame.SerializeToString(&payload)) {
    return absl::InternalError("realtime frame does not serialize");
  }
  absl::StatusOr<redis::Reply> reply = redis_.Command({"PUBLISH", channel_, payload});
  if (!reply.ok()) {
    metrics_.publish_failures.Inc();
    return reply.status();
  }
  (frame.has_presence() ? metrics_.published_presence : metrics_.published_room_events).Inc();
  return absl::OkStatus();
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
  (frame->has_presence() ? metrics_.delivered_presence : metrics_.delivered_room_events)
      .Inc(static_cast<double>(delivered));
}

}  // namespace chatter::realtime
