// Realtime events (chatter.realtime.v1) as WebSocket frames: each event is encoded once, into a
// buffer shared by every session it goes to. Message JSON is exactly what REST prints.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "chatter/common/v1/common.pb.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "gateway/ws/frame_codec.h"

namespace chatter::gateway {

// One room event on its way to the room's local subscribers.
struct RoomDelivery {
  std::string room_id;
  Frame frame;
  // Set for message_created only: the seq a replay may already have delivered.
  std::optional<int64_t> created_seq;
  // Set for resync_required only: the room's events up to here are to be read over REST.
  std::optional<int64_t> resync_seq;
  // When the change happened, for the fan-out latency metric (InfinitePast when unknown).
  absl::Time occurred_at = absl::InfinitePast();
};

// The WebSocket event name of a room event's payload ("receive_message", "typing_start", ...).
// INVALID_ARGUMENT when no payload is set or room ids disagree.
absl::StatusOr<std::shared_ptr<const RoomDelivery>> EncodeRoomEvent(
    const realtime::v1::RoomEvent& event);

// `presence` {"user_id","status","last_seen"} (last_seen null when absent).
Frame EncodePresence(const realtime::v1::Presence& presence);

// `notification` {"id","type","payload"}: payload is notification.payload_json's object, id the
// notification's (or else the event's) id. INVALID_ARGUMENT when payload_json is not a JSON
// object.
absl::StatusOr<Frame> EncodeNotification(const realtime::v1::UserEvent& event);

// `resync_required` {"room_id","last_seq"}: the client reads the room's history up to last_seq.
Frame EncodeResync(const std::string& room_id, int64_t last_seq);

// A message as `event` ("receive_message" for replays).
Frame EncodeMessageEvent(absl::string_view event, const common::v1::Message& message);

}  // namespace chatter::gateway
