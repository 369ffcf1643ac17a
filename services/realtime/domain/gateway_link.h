// The protocol of one Connect stream, apart from gRPC: hello -> welcome, then sessions,
// subscriptions, typing and heartbeats from the gateway turned into registry updates, presence
// work and typing events. Called on the stream's reactor thread, one frame at a time; never
// blocks.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "libs/ids/clock.h"
#include "libs/ids/uuid_generator.h"
#include "services/realtime/domain/event_bus.h"
#include "services/realtime/domain/frame_sink.h"
#include "services/realtime/domain/gateway_registry.h"
#include "services/realtime/domain/presence_tasks.h"
#include "services/realtime/domain/realtime_metrics.h"

namespace chatter::realtime {

struct LinkSettings {
  std::string instance_id;  // This realtime-svc process, for the gateway's logs.
  absl::Duration heartbeat_interval = absl::Seconds(10);
  absl::Duration presence_ttl = absl::Seconds(45);
};

// What every link shares; all must outlive the links.
struct LinkDependencies {
  GatewayRegistry& registry;
  PresenceTasks& presence;
  AsyncPublisher& publisher;
  ids::UuidGenerator& uuids;
  ids::Clock& clock;
  RealtimeMetrics& metrics;
};

class GatewayLink {
 public:
  // `sink` is the stream itself: it gets the welcome, is registered for fan-out and receives
  // presence snapshots.
  GatewayLink(LinkDependencies deps, LinkSettings settings, std::weak_ptr<FrameSink> sink);
  ~GatewayLink();
  GatewayLink(const GatewayLink&) = delete;
  GatewayLink& operator=(const GatewayLink&) = delete;

  // One frame from the gateway. An error ends the stream: FAILED_PRECONDITION when the first
  // frame is not hello. Later invalid frames are counted and ignored.
  absl::Status Handle(const v1::GatewayFrame& frame);
  // The stream ended: its subscriptions are forgotten now; its sessions' presence runs out
  // with the TTL unless the gateway comes back. Idempotent.
  void End();

 private:
  absl::Status Hello(const v1::Hello& hello);
  void SessionOpened(const v1::SessionOpened& opened);
  void SessionClosed(const v1::SessionClosed& closed);
  void Subscribe(const v1::RoomSubscription& subscription);
  void Unsubscribe(const v1::RoomSubscription& subscription);
  void Typing(const v1::TypingFrame& typing);
  void Heartbeat();
  void Invalid(absl::string_view reason);

  LinkDependencies deps_;
  LinkSettings settings_;
  std::weak_ptr<FrameSink> sink_;
  std::optional<StreamId> stream_;  // Set by hello.
  std::string gateway_id_;
};

}  // namespace chatter::realtime
