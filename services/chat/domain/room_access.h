// The checks every room operation starts with: does the room exist, may this user read it, is
// the user a member, is the message in this room, does a block stop a direct room. Shared by
// ChatService and ConversationService, so both answer NOT_FOUND and PERMISSION_DENIED alike.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

class RoomAccess {
 public:
  // The repositories must outlive this.
  RoomAccess(RoomRepository& rooms, MessageRepository& messages, ContactRepository& contacts)
      : rooms_(rooms), messages_(messages), contacts_(contacts) {}

  // The room and the user's membership; NOT_FOUND when the room does not exist.
  absl::StatusOr<RoomForUser> LoadRoom(const std::string& room_id, const std::string& user_id);
  // LoadRoom, then PERMISSION_DENIED unless the user may read the room.
  absl::StatusOr<RoomForUser> LoadReadable(const std::string& room_id, const std::string& user_id);
  // LoadRoom, then PERMISSION_DENIED unless the user is a member; `room` (if given) gets the room.
  absl::StatusOr<Membership> LoadMembership(const std::string& room_id, const std::string& user_id,
                                            Room* room);
  // The message, NOT_FOUND when absent or in another room.
  absl::StatusOr<Message> LoadMessage(const std::string& room_id, const std::string& message_id);
  // PERMISSION_DENIED when `room` is direct and either of its users blocks the other.
  absl::Status CheckNotBlocked(const Room& room);

 private:
  RoomRepository& rooms_;
  MessageRepository& messages_;
  ContactRepository& contacts_;
};

// PERMISSION_DENIED: the caller is not a member of the room.
absl::Status NotAMember();

}  // namespace chatter::chat
