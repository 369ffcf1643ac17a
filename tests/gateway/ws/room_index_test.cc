// Tests RoomIndex: sessions by room and by user, removal from everything, unknown sessions, and
// concurrent readers and writers.
#include "gateway/ws/room_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/gateway/ws/fake_subscriber.h"

namespace chatter::gateway {
namespace {

using testing::MakeSubscriber;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Ids(const std::vector<RoomIndex::SubscriberPtr>& subscribers) {
  std::vector<std::string> ids;
  for (const auto& subscriber : subscribers) ids.push_back(subscriber->session_id());
  return ids;
}

TEST(RoomIndex, FindsSessionsByRoomAndByUser) {
  RoomIndex index;
  index.AddSession(MakeSubscriber("s1", "alice"));
  index.AddSession(MakeSubscriber("s2", "alice"));
  index.AddSession(MakeSubscriber("s3", "bob"));
  EXPECT_TRUE(index.Subscribe("r1", "s1"));
  EXPECT_TRUE(index.Subscribe("r1", "s3"));
  EXPECT_TRUE(index.Subscribe("r2", "s2"));

  EXPECT_THAT(Ids(index.InRoom("r1")), UnorderedElementsAre("s1", "s3"));
  EXPECT_THAT(Ids(index.InRoom("r2")), UnorderedElementsAre("s2"));
  EXPECT_TRUE(index.InRoom("r3").empty());
  EXPECT_THAT(Ids(index.OfUser("alice")), UnorderedElementsAre("s1", "s2"));
  EXPECT_THAT(Ids(index.All()), UnorderedElementsAre("s1", "s2", "s3"));
  EXPECT_TRUE(index.IsSubscribed("r1", "s1"));
  EXPECT_FALSE(index.IsSubscribed("r2", "s1"));
  EXPECT_EQ(index.session_count(), 3u);
  EXPECT_EQ(index.room_count(), 2u);
}

TEST(RoomIndex, SubscribingTwiceKeepsOneEntry) {
  RoomIndex index;
  index.AddSession(MakeSubscriber("s1", "alice"));
  index.Subscribe("r1", "s1");
  index.Subscribe("r1", "s1");
  EXPECT_EQ(index.InRoom("r1").size(), 1u);
}

TEST(RoomIndex, UnknownSessionsCannotSubscribe) {
  RoomIndex index;
  EXPECT_FALSE(index.Subscribe("r1", "ghost"));
  EXPECT_TRUE(index.InRoom("r1").empty());
  index.Unsubscribe("r1", "ghost");
  index.RemoveSession("ghost");
}

TEST(RoomIndex, UnsubscribeAndRemoveLeaveNothingBehind) {
  RoomIndex index;
  index.AddSession(MakeSubscriber("s1", "alice"));
  index.AddSession(MakeSubscriber("s2", "bob"));
  index.Subscribe("r1", "s1");
  index.Subscribe("r2", "s1");
  index.Subscribe("r1", "s2");
  index.Unsubscribe("r1", "s1");
  EXPECT_THAT(Ids(index.InRoom("r1")), UnorderedElementsAre("s2"));

  index.RemoveSession("s1");
  EXPECT_TRUE(index.InRoom("r2").empty());
  EXPECT_TRUE(index.OfUser("alice").empty());
  EXPECT_EQ(index.room_count(), 1u);
  index.RemoveSession("s2");
  EXPECT_EQ(index.room_count(), 0u);
  EXPECT_EQ(index.session_count(), 0u);
}

TEST(RoomIndex, ReAddingASessionDropsItsOldRooms) {
  RoomIndex index;
  index.AddSession(MakeSubscriber("s1", "alice"));
  index.Subscribe("r1", "s1");
  index.AddSession(MakeSubscriber("s1", "bob"));
  EXPECT_TRUE(index.InRoom("r1").empty());
  EXPECT_TRUE(index.OfUser("alice").empty());
  EXPECT_THAT(Ids(index.OfUser("bob")), UnorderedElementsAre("s1"));
}

TEST(RoomIndex, ConcurrentReadersAndWriters) {
  RoomIndex index;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      for (const auto& subscriber : index.InRoom("r"))
        EXPECT_FALSE(subscriber->session_id().empty());
      (void)index.OfUser("u");
    }
  });
  for (int i = 0; i < 2000; ++i) {
    std::string id = "s" + std::to_string(i % 50);
    index.AddSession(MakeSubscriber(id, "u"));
    index.Subscribe("r", id);
    if (i % 3 == 0) index.RemoveSession(id);
  }
  stop = true;
  reader.join();
}

}  // namespace
}  // namespace chatter::gateway
