// Validation of Publish, PublishUserEvent and GetPresence requests.
#include "services/realtime/domain/validation.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/ids/uuid.h"
#include "libs/status/error_details.h"

namespace chatter::realtime {
namespace {

// The payload's room id field, or nullptr when no payload is set.
std::string* PayloadRoomId(v1::RoomEvent& event, std::string& field) {
  switch (event.payload_case()) {
    case v1::RoomEvent::kMessageCreated:
      field = "event.message_created.room_id";
      return event.mutable_message_created()->mutable_room_id();
    case v1::RoomEvent::kMessageUpdated:
      field = "event.message_updated.room_id";
      return event.mutable_message_updated()->mutable_room_id();
    case v1::RoomEvent::kMessageDeleted:
      field = "event.message_deleted.room_id";
      return event.mutable_message_deleted()->mutable_room_id();
    case v1::RoomEvent::kReadReceipt:
      field = "event.read_receipt.room_id";
      return event.mutable_read_receipt()->mutable_room_id();
    case v1::RoomEvent::kMemberJoined:
      field = "event.member_joined.room_id";
      return event.mutable_member_joined()->mutable_room_id();
    case v1::RoomEvent::kMemberLeft:
      field = "event.member_left.room_id";
      return event.mutable_member_left()->mutable_room_id();
    case v1::RoomEvent::kTyping:
      field = "event.typing.room_id";
      return event.mutable_typing()->mutable_room_id();
    case v1::RoomEvent::kHead:
      field = "event.head.room_id";
      return event.mutable_head()->mutable_room_id();
    case v1::RoomEvent::kReactionAdded:
      field = "event.reaction_added.room_id";
      return event.mutable_reaction_added()->mutable_room_id();
    case v1::RoomEvent::kReactionRemoved:
      field = "event.reaction_removed.room_id";
      return event.mutable_reaction_removed()->mutable_room_id();
    case v1::RoomEvent::kDeliveryReceipt:
      field = "event.delivery_receipt.room_id";
      return event.mutable_delivery_receipt()->mutable_room_id();
    case v1::RoomEvent::PAYLOAD_NOT_SET:
      return nullptr;
  }
  return nullptr;
}

bool IsNotificationType(absl::string_view type) {
  if (type.empty() || type.size() > kMaxNotificationTypeBytes) return false;
  for (char c : type) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

// The close codes a server may choose (RFC 6455 7.4): normal, going away, policy violation, and
// the range for applications.
bool IsChosenCloseCode(int32_t code) {
  return code == 1000 || code == 1001 || code == 1008 || (code >= 4000 && code <= 4999);
}

absl::Status ValidateUserIds(google::protobuf::RepeatedPtrField<std::string>& ids) {
  if (ids.empty())
    return status::InvalidFieldError("event.user_ids", "at least one id is required");
  if (ids.size() > kMaxUserEventIds) {
    return status::InvalidFieldError("event.user_ids",
                                     absl::StrCat("at most ", kMaxUserEventIds, " ids"));
  }
  absl::flat_hash_set<std::string> seen;
  google::protobuf::RepeatedPtrField<std::string> unique;
  for (int i = 0; i < ids.size(); ++i) {
    absl::StatusOr<std::string> id = ParseId(absl::StrCat("event.user_ids[", i, "]"), ids[i]);
    if (!id.ok()) return id.status();
    if (seen.insert(*id).second) *unique.Add() = *std::move(id);
  }
  ids.Swap(&unique);
  return absl::OkStatus();
}

absl::Status ValidateNotification(const v1::Notification& notification) {
  if (!IsNotificationType(notification.type())) {
    return status::InvalidFieldError("event.notification.type",
                                     "must be 1-64 characters of [a-z0-9_.-]");
  }
  if (notification.payload_json().size() > kMaxNotificationPayloadBytes) {
    return status::InvalidFieldError(
        "event.notification.payload_json",
        absl::StrCat("must be at most ", kMaxNotificationPayloadBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ValidateDisconnect(const v1::Disconnect& disconnect) {
  if (!IsChosenCloseCode(disconnect.close_code())) {
    return status::InvalidFieldError("event.disconnect.close_code",
                                     "must be 1000, 1001, 1008 or 4000-4999");
  }
  if (disconnect.reason().size() > kMaxCloseReasonBytes) {
    return status::InvalidFieldError(
        "event.disconnect.reason",
        absl::StrCat("must be at most ", kMaxCloseReasonBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ParseId(absl::string_view field, absl::string_view value) {
  if (value.empty()) return status::InvalidFieldError(field, "is required");
  std::optional<std::string> id = ids::NormalizeUuid(std::string_view(value.data(), value.size()));
  if (!id) return status::InvalidFieldError(field, "must be a UUID");
  return *std::move(id);
}

absl::Status ValidateRoomEvent(v1::RoomEvent& event) {
  absl::StatusOr<std::string> room = ParseId("event.room_id", event.room_id());
  if (!room.ok()) return room.status();
  std::string field;
  std::string* payload_room = PayloadRoomId(event, field);
  if (payload_room == nullptr) return status::InvalidFieldError("event", "has no payload");
  std::optional<std::string> own = ids::NormalizeUuid(*payload_room);
  if (!own || *own != *room) return status::InvalidFieldError(field, "must equal event.room_id");
  event.set_room_id(*room);
  *payload_room = *std::move(own);
  return absl::OkStatus();
}

absl::Status ValidateUserEvent(v1::UserEvent& event) {
  if (absl::Status users = ValidateUserIds(*event.mutable_user_ids()); !users.ok()) return users;
  switch (event.payload_case()) {
    case v1::UserEvent::kNotification:
      return ValidateNotification(event.notification());
    case v1::UserEvent::kDisconnect:
      return ValidateDisconnect(event.disconnect());
    case v1::UserEvent::PAYLOAD_NOT_SET:
      break;
  }
  return status::InvalidFieldError("event", "has no payload");
}

absl::StatusOr<std::vector<std::string>> ParseUserIds(
    const google::protobuf::RepeatedPtrField<std::string>& ids) {
  if (ids.empty()) return status::InvalidFieldError("user_ids", "at least one id is required");
  if (ids.size() > kMaxPresenceIds) {
    return status::InvalidFieldError("user_ids", absl::StrCat("at most ", kMaxPresenceIds, " ids"));
  }
  std::vector<std::string> parsed;
  parsed.reserve(ids.size());
  for (int i = 0; i < ids.size(); ++i) {
    absl::StatusOr<std::string> id = ParseId(absl::StrCat("user_ids[", i, "]"), ids[i]);
    if (!id.ok()) return id.status();
    parsed.push_back(*std::move(id));
  }
  return parsed;
}

}  // namespace chatter::realtime
