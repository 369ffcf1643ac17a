// Which user belongs to which room: users are dealt round-robin, so room sizes differ by at most
// one, and the first user dealt to a room creates it.
#pragma once

#include <vector>

namespace chatter::loadgen {

struct Seat {
  int room = 0;
  int slot = 0;  // Position among the room's members, 0 = creator.
};

class RoomPlan {
 public:
  RoomPlan(int users, int rooms);

  int users() const { return users_; }
  int rooms() const { return rooms_; }
  Seat SeatOf(int user) const { return {user % rooms_, user / rooms_}; }
  int MembersOf(int room) const;
  // The user in `slot` of `room`.
  int UserAt(int room, int slot) const { return slot * rooms_ + room; }
  int CreatorOf(int room) const { return UserAt(room, 0); }

 private:
  int users_;
  int rooms_;
};

}  // namespace chatter::loadgen
