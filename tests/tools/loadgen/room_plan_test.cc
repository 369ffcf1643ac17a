// Tests for how users are seated in rooms.
#include "tools/loadgen/room_plan.h"

#include <gtest/gtest.h>

namespace chatter::loadgen {
namespace {

TEST(RoomPlanTest, SplitsUsersEvenly) {
  RoomPlan plan(/*users=*/10, /*rooms=*/4);
  EXPECT_EQ(plan.MembersOf(0), 3);
  EXPECT_EQ(plan.MembersOf(1), 3);
  EXPECT_EQ(plan.MembersOf(2), 2);
  EXPECT_EQ(plan.MembersOf(3), 2);
}

TEST(RoomPlanTest, SeatsAndUsersAreInverse) {
  RoomPlan plan(/*users=*/23, /*rooms=*/5);
  std::vector<int> seen(5, 0);
  for (int user = 0; user < plan.users(); ++user) {
    Seat seat = plan.SeatOf(user);
    ASSERT_LT(seat.slot, plan.MembersOf(seat.room)) << user;
    EXPECT_EQ(plan.UserAt(seat.room, seat.slot), user);
    ++seen[seat.room];
  }
  for (int room = 0; room < plan.rooms(); ++room) EXPECT_EQ(seen[room], plan.MembersOf(room));
}

TEST(RoomPlanTest, CreatorsAreTheFirstUsers) {
  RoomPlan plan(/*users=*/9, /*rooms=*/3);
  for (int room = 0; room < 3; ++room) {
    EXPECT_EQ(plan.CreatorOf(room), room);
    EXPECT_EQ(plan.SeatOf(room).slot, 0);
  }
}

}  // namespace
}  // namespace chatter::loadgen
