// Who may do what in a room: the authorization rules of API.md's Rooms and Messages sections,
// as pure functions of the room and memberships, so they are tested on their own.
#pragma once

#include <optional>

#include "services/chat/domain/model.h"

namespace chatter::chat {

// Members read every room; anyone reads a public group room.
bool MayRead(const RoomForUser& view);
// Owners and admins add members (the way into private rooms).
bool MayAddMembers(const std::optional<Membership>& caller);
// The owner removes anyone else; an admin removes plain members; nobody else removes anyone.
bool MayRemove(Role caller, Role target);
// The sender deletes their message; the room's owner and admins delete any message.
bool MayDeleteMessage(const Membership& caller, const Message& message);

}  // namespace chatter::chat
