// RoomEvent / Presence / Notification -> WebSocket frames.
#include "gateway/ws/event_encoding.h"

#include "absl/strings/str_cat.h"
#include "gateway/transcoding/json_codec.h"

namespace chatter::gateway {
namespace {

using nlohmann::ordered_json;
using realtime::v1::RoomEvent;

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return absl::InfinitePast();
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

// The event name, data and the room id the payload names.
struct Encoded {
  absl::string_view event;
  ordered_json data;
  std::string payload_room_id;
};

absl::StatusOr<Encoded> EncodePayload(const RoomEvent& event) {
  switch (event.payload_case()) {
    case RoomEvent::kMessageCreated:
      return Encoded{"receive_message", EncodeJson(event.message_created()),
                     event.message_created().room_id()};
    case RoomEvent::kMessageUpdated:
      return Encoded{"message_updated", EncodeJson(event.message_updated()),
                     event.message_updated().room_id()};
    case RoomEvent::kMessageDeleted:
      return Encoded{"message_deleted", EncodeJson(event.message_deleted()),
                     event.message_deleted().room_id()};
    case RoomEvent::kReadReceipt:
      return Encoded{"read_receipt", EncodeJson(event.read_receipt()),
                     event.read_receipt().room_id()};
    case RoomEvent::kDeliveryReceipt:
      return Encoded{"delivery_receipt", EncodeJson(event.delivery_receipt()),
                     event.delivery_receipt().room_id()};
    case RoomEvent::kReactionAdded:
      return Encoded{"reaction_added", EncodeJson(event.reaction_added()),
                     event.reaction_added().room_id()};
    case RoomEvent::kReactionRemoved:
      return Encoded{"reaction_removed", EncodeJson(event.reaction_removed()),
                     event.reaction_removed().room_id()};
    case RoomEvent::kMemberJoined:
      return Encoded{"member_joined", EncodeJson(event.member_joined()),
                     event.member_joined().room_id()};
    case RoomEvent::kMemberLeft:
      return Encoded{"member_left", EncodeJson(event.member_left()), event.member_left().room_id()};
    case RoomEvent::kTyping: {
      // `started` is not part of the data: it chooses the event name.
      const realtime::v1::Typing& typing = event.typing();
      ordered_json data;
      data["room_id"] = typing.room_id();
      data["user_id"] = typing.user_id();
      data["username"] = typing.username();
      return Encoded{typing.started() ? "typing_start" : "typing_stop", std::move(data),
                     typing.room_id()};
    }
    case RoomEvent::kHead:  // For the gateway's sequencer; never shown to clients.
    case RoomEvent::PAYLOAD_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("room event without payload");
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RoomDelivery>> EncodeRoomEvent(const RoomEvent& event) {
  absl::StatusOr<Encoded> encoded = EncodePayload(event);
  if (!encoded.ok()) return encoded.status();
  if (event.room_id().empty() || encoded->payload_room_id != event.room_id()) {
    return absl::InvalidArgumentError(absl::StrCat("room event ", event.event_id(),
                                                   ": payload room_id \"", encoded->payload_room_id,
                                                   "\" differs from \"", event.room_id(), "\""));
  }
  auto delivery = std::make_shared<RoomDelivery>();
  delivery->room_id = event.room_id();
  delivery->frame = EncodeFrame(encoded->event, std::move(encoded->data));
  if (event.has_message_created()) delivery->created_seq = event.message_created().seq();
  delivery->occurred_at = TimeOf(event.occurred_at());
  return delivery;
}

Frame EncodePresence(const realtime::v1::Presence& presence) {
  return EncodeFrame("presence", EncodeJson(presence));
}

absl::StatusOr<Frame> EncodeNotification(const realtime::v1::UserEvent& event) {
  const realtime::v1::Notification& notification = event.notification();
  // Without exceptions: a malformed payload is "discarded", not thrown.
  ordered_json payload = ordered_json::parse(notification.payload_json(), nullptr, false);
  if (!payload.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("notification ", event.event_id(), ": payload_json is not a JSON object"));
  }
  ordered_json data;
  data["id"] = notification.id().empty() ? event.event_id() : notification.id();
  data["type"] = notification.type();
  data["payload"] = std::move(payload);
  return EncodeFrame("notification", std::move(data));
}

Frame EncodeResync(const std::string& room_id, int64_t last_seq) {
  ordered_json data;
  data["room_id"] = room_id;
  data["last_seq"] = last_seq;
  return EncodeFrame("resync_required", std::move(data));
}

Frame EncodeMessageEvent(absl::string_view event, const common::v1::Message& message) {
  return EncodeFrame(event, EncodeJson(message));
}

}  // namespace chatter::gateway
