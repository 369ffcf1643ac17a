// Input rules of realtime.proto: ids are UUID strings (compared lower-case), Publish's event
// shape, GetPresence's id list. Errors are INVALID_ARGUMENT naming the field.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace chatter::realtime {

inline constexpr int kMaxPresenceIds = 200;

// The lower-case form of a UUID; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseId(absl::string_view field, absl::string_view value);

// Publish's event: room_id a UUID ("event.room_id"), exactly one payload, and the payload's own
// room id equal to it ("event.<payload>.room_id"). Normalizes both room ids to lower case.
absl::Status ValidateRoomEvent(v1::RoomEvent& event);

// GetPresence: 1-200 UUIDs ("user_ids"), normalized, in order.
absl::StatusOr<std::vector<std::string>> ParseUserIds(
    const google::protobuf::RepeatedPtrField<std::string>& ids);

}  // namespace chatter::realtime
