// The checks every room operation starts with.
#include "services/chat/domain/room_access.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"
#include "services/chat/domain/permissions.h"

namespace chatter::chat {
namespace {

// The two user ids of a direct room, from its key.
std::pair<std::string, std::string> DirectUsers(const Room& room) {
  size_t colon = room.direct_key.find(':');
  if (colon == std::string::npos) return {};
  return {room.direct_key.substr(0, colon), room.direct_key.substr(colon + 1)};
}

}  // namespace

absl::Status NotAMember() { return absl::PermissionDeniedError("not a member of this room"); }

absl::StatusOr<RoomForUser> RoomAccess::LoadRoom(const std::string& room_id,
                                                 const std::string& user_id) {
  absl::StatusOr<RoomForUser> view = rooms_.FindForUser(room_id, user_id);
  if (view.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("room ", room_id, " not found"));
  }
  return view;
}

absl::StatusOr<RoomForUser> RoomAccess::LoadReadable(const std::string& room_id,
                                                     const std::string& user_id) {
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, LoadRoom(room_id, user_id));
  if (!MayRead(view)) return NotAMember();
  return view;
}

absl::StatusOr<Membership> RoomAccess::LoadMembership(const std::string& room_id,
                                                      const std::string& user_id, Room* room) {
  CHATTER_ASSIGN_OR_RETURN(RoomForUser view, LoadRoom(room_id, user_id));
  if (!view.membership) return NotAMember();
  if (room != nullptr) *room = std::move(view.room);
  return *std::move(view.membership);
}

absl::StatusOr<Message> RoomAccess::LoadMessage(const std::string& room_id,
                                                const std::string& message_id) {
  absl::StatusOr<Message> message = messages_.FindById(message_id);
  // A message addressed through another room does not exist there.
  if (message.status().code() == absl::StatusCode::kNotFound ||
      (message.ok() && message->room_id != room_id)) {
    return absl::NotFoundError(absl::StrCat("message ", message_id, " not found in this room"));
  }
  return message;
}

absl::Status RoomAccess::CheckNotBlocked(const Room& room) {
  if (room.kind != RoomKind::kDirect) return absl::OkStatus();
  auto [user_a, user_b] = DirectUsers(room);
  CHATTER_ASSIGN_OR_RETURN(bool blocked, contacts_.IsBlockedEitherWay(user_a, user_b));
  if (blocked) {
    return absl::PermissionDeniedError("one of the two users has blocked the other");
  }
  return absl::OkStatus();
}

}  // namespace chatter::chat
