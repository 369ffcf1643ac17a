// Authorization rules of rooms and messages.
#include "services/chat/domain/permissions.h"

namespace chatter::chat {

bool MayRead(const RoomForUser& view) {
  if (view.membership) return true;
  return view.room.kind == RoomKind::kGroup && view.room.visibility == Visibility::kPublic;
}

bool MayAddMembers(const std::optional<Membership>& caller) {
  return caller && caller->role >= Role::kAdmin;
}

bool MayRemove(Role caller, Role target) {
  if (caller == Role::kOwner) return target != Role::kOwner;
  if (caller == Role::kAdmin) return target == Role::kMember;
  return false;
}

bool MayDeleteMessage(const Membership& caller, const Message& message) {
  return message.sender_id == caller.user_id || caller.role >= Role::kAdmin;
}

}  // namespace chatter::chat
