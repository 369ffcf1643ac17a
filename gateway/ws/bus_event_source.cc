// BusEventSource: decode, keep what local sessions want, hand it to the sink.
#include "gateway/ws/bus_event_source.h"

#include "libs/log/log.h"

namespace chatter::gateway {

using realtime::v1::RealtimeFrame;

BusEventSource::BusEventSource(const redis::RedisEndpoint& endpoint, std::string channel,
                               redis::SubscriberOptions options, LocalInterest interest,
                               RealtimeEventSink& sink, metrics::Registry& registry)
    : interest_(std::move(interest)),
      sink_(sink),
      received_(registry.GetCounter("ws_bus_frames_received_total",
                                    "Frames read from the bus (every frame of the system).")),
      passed_(registry.GetCounter("ws_bus_frames_passed_total",
                                  "Bus frames for local sessions, handed to the fan-out.")),
      undecodable_(registry.GetCounter("ws_bus_frames_undecodable_total",
                                       "Bus messages that were no RealtimeFrame.")),
      resubscribed_(registry.GetCounter(
          "ws_bus_resubscriptions_total",
          "Times the bus subscription came back after a loss (followed rooms were read back).")),
      subscriber_(
          endpoint, std::move(channel), options,
          {.on_message = [this](std::string payload) { OnMessage(payload); },
           .on_subscribed = [this](bool reconnected) { OnSubscribed(reconnected); },
           .on_lost =
               [](const absl::Status& error) {
                 log::Warn("bus subscription lost", {{"error", std::string(error.message())}});
               }}) {
  registry.AddCallbackGauge("ws_bus_active",
                            "1 while room events, presence and user events come from the bus.", {},
                            [this] { return active_.load() ? 1.0 : 0.0; });
}

BusEventSource::~BusEventSource() { Stop(); }

void BusEventSource::OnSubscribed(bool reconnected) {
  log::Info(reconnected ? "bus subscription restored" : "bus subscribed");
  if (reconnected) resubscribed_.Inc();
  // Whatever was published before this moment went nowhere (the first time too: sessions may
  // have followed rooms while Redis was not reachable).
  if (active_.load()) sink_.OnEventsMayBeLost();
}

void BusEventSource::OnMessage(const std::string& payload) {
  received_.Inc();
  if (!active_.load()) return;
  RealtimeFrame frame;
  if (!frame.ParseFromString(payload)) {
    undecodable_.Inc();
    return;
  }
  if (!Wanted(frame)) return;
  passed_.Inc();
  switch (frame.frame_case()) {
    case RealtimeFrame::kRoomEvent:
      return sink_.OnRoomEvent(frame.room_event());
    case RealtimeFrame::kPresence:
      return sink_.OnPresence(frame.presence());
    case RealtimeFrame::kUserEvent:
      return sink_.OnUserEvent(frame.user_event());
    default:
      return;
  }
}

bool BusEventSource::Wanted(const RealtimeFrame& frame) const {
  switch (frame.frame_case()) {
    case RealtimeFrame::kRoomEvent:
      return interest_.room(frame.room_event().room_id());
    case RealtimeFrame::kPresence:
      for (const std::string& room : frame.presence().room_ids()) {
        if (interest_.room(room)) return true;
      }
      for (const std::string& user : frame.presence().user_ids()) {
        if (interest_.user(user)) return true;
      }
      return false;
    case RealtimeFrame::kUserEvent:
      for (const std::string& user : frame.user_event().user_ids()) {
        if (interest_.user(user)) return true;
      }
      return false;
    default:
      // Welcome and events_lost are the stream's, never published on the bus.
      return false;
  }
}

}  // namespace chatter::gateway
