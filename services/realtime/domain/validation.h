// Input rules of realtime.proto: ids are UUID strings (compared lower-case), Publish's event
// shape, GetPresence's id list, PublishUserEvent's event. Errors are INVALID_ARGUMENT naming the
// field.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace chatter::realtime {

inline constexpr int kMaxPresenceIds = 200;
inline constexpr int kMaxUserEventIds = 100;
inline constexpr size_t kMaxNotificationTypeBytes = 64;
inline constexpr size_t kMaxNotificationPayloadBytes = 4096;
// A WebSocket close frame holds 125 bytes: the 2-byte code and at most 123 of reason.
inline constexpr size_t kMaxCloseReasonBytes = 123;

// The lower-case form of a UUID; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseId(absl::string_view field, absl::string_view value);

// Publish's event: room_id a UUID ("event.room_id"), exactly one payload, and the payload's own
// room id equal to it ("event.<payload>.room_id"). Normalizes both room ids to lower case.
absl::Status ValidateRoomEvent(v1::RoomEvent& event);

// PublishUserEvent's event: 1-100 UUIDs ("event.user_ids[i]"; normalized, duplicates dropped),
// and a payload: a notification whose type is 1-64 of [a-z0-9_.-] and payload_json at most
// 4,096 bytes ("event.notification.<field>"), or a disconnect with close code 1000, 1001, 1008
// or 4000-4999 and a reason of at most 123 bytes ("event.disconnect.<field>"). Whether
// payload_json is a JSON object is the gateway's to check (it parses it anyway).
absl::Status ValidateUserEvent(v1::UserEvent& event);

// GetPresence: 1-200 UUIDs ("user_ids"), normalized, in order.
absl::StatusOr<std::vector<std::string>> ParseUserIds(
    const google::protobuf::RepeatedPtrField<std::string>& ids);

}  // namespace chatter::realtime
