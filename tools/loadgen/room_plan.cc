// Round-robin seating of users in rooms (see room_plan.h).
#include "tools/loadgen/room_plan.h"

namespace chatter::loadgen {

RoomPlan::RoomPlan(int users, int rooms) : users_(users), rooms_(rooms) {}

int RoomPlan::MembersOf(int room) const {
  return users_ / rooms_ + (room < users_ % rooms_ ? 1 : 0);
}

}  // namespace chatter::loadgen
