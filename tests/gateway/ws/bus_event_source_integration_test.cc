// BusEventSource on a real Redis: frames published on the bus reach the sink in order when they
// concern local sessions, and nothing else does (other rooms and users, garbage, anything while
// inactive); each subscription, first or again, tells the sink that events may have been lost.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gateway/ws/bus_event_source.h"
#include "libs/redis/events_channel.h"
#include "tests/libs/redis/redis_test_support.h"

namespace chatter::gateway {
namespace {

using realtime::v1::RealtimeFrame;
using redis::testing::Eventually;

// What reached the sink, as "room:<event_id>", "presence:<user>", "user:<event_id>", "lost".
class RecordingSink final : public RealtimeEventSink {
 public:
  void OnRoomEvent(const realtime::v1::RoomEvent& event) override {
    Record(absl::StrCat("room:", event.event_id()));
  }
  void OnPresence(const realtime::v1::PresenceEvent& event) override {
    Record(absl::StrCat("presence:", event.presence().user_id()));
  }
  void OnUserEvent(const realtime::v1::UserEvent& event) override {
    Record(absl::StrCat("user:", event.event_id()));
  }
  void OnEventsMayBeLost() override { Record("lost"); }

  std::vector<std::string> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void Record(std::string what) {
    std::lock_guard lock(mu_);
    seen_.push_back(std::move(what));
  }
  std::mutex mu_;
  std::vector<std::string> seen_;
};

RealtimeFrame RoomEvent(const std::string& room, const std::string& event_id) {
  RealtimeFrame frame;
  frame.mutable_room_event()->set_room_id(room);
  frame.mutable_room_event()->set_event_id(event_id);
  frame.mutable_room_event()->mutable_typing()->set_room_id(room);
  return frame;
}

RealtimeFrame Presence(const std::string& user, std::vector<std::string> rooms,
                       std::vector<std::string> audience) {
  RealtimeFrame frame;
  frame.mutable_presence()->mutable_presence()->set_user_id(user);
  for (const std::string& room : rooms) frame.mutable_presence()->add_room_ids(room);
  for (const std::string& to : audience) frame.mutable_presence()->add_user_ids(to);
  return frame;
}

RealtimeFrame UserEvent(const std::string& event_id, std::vector<std::string> users) {
  RealtimeFrame frame;
  frame.mutable_user_event()->set_event_id(event_id);
  for (const std::string& user : users) frame.mutable_user_event()->add_user_ids(user);
  frame.mutable_user_event()->mutable_disconnect()->set_close_code(4000);
  return frame;
}

class BusEventSourceTest : public ::testing::Test {
 protected:
  BusEventSourceTest() {
    source_.OnStreamWelcome(true);
    source_.Start();
  }
  ~BusEventSourceTest() override { source_.Stop(); }

  void Publish(const RealtimeFrame& frame) {
    ASSERT_TRUE(redis_.Command({"PUBLISH", channel_, frame.SerializeAsString()}).ok());
  }

  // Publishes a marker for a local room and waits until it arrived: everything published
  // before it has been handled by then (one connection, in order).
  void Flush() {
    static int markers = 0;
    std::string id = absl::StrCat("marker-", ++markers);
    Publish(RoomEvent("room-here", id));
    ASSERT_TRUE(Eventually([&] {
      std::vector<std::string> seen = sink_.seen();
      return !seen.empty() && seen.back() == absl::StrCat("room:", id);
    }));
  }

  std::string prefix_ = redis::testing::UniquePrefix();
  std::string channel_ = redis::EventsChannel(prefix_);
  std::string client_name_ = absl::StrCat("bus-test-", prefix_.substr(5, 8));
  redis::Client redis_{redis::testing::TestEndpoint(), redis::ConnectionOptions{}, 1};
  metrics::Registry registry_;
  RecordingSink sink_;
  std::set<std::string> rooms_{"room-here"};
  std::set<std::string> users_{"user-here"};
  BusEventSource source_{
      redis::testing::TestEndpoint(),
      channel_,
      {.connection = {.client_name = client_name_}, .initial_backoff = absl::Milliseconds(10)},
      {.room = [this](const std::string& room) { return rooms_.contains(room); },
       .user = [this](const std::string& user) { return users_.contains(user); }},
      sink_,
      registry_};
};

TEST_F(BusEventSourceTest, FramesForLocalSessionsArriveInOrderAndTheRestIsDropped) {
  ASSERT_TRUE(source_.WaitUntilSubscribed(absl::Seconds(5)));
  ASSERT_TRUE(Eventually([&] { return sink_.seen() == std::vector<std::string>{"lost"}; }));

  for (int i = 0; i < 20; ++i) Publish(RoomEvent("room-here", absl::StrCat("e", i)));
  Publish(RoomEvent("room-elsewhere", "not-ours"));
  Publish(Presence("u-a", {"room-here"}, {}));                  // By room.
  Publish(Presence("u-b", {"room-elsewhere"}, {"user-here"}));  // By audience.
  Publish(Presence("u-c", {"room-elsewhere"}, {"user-elsewhere"}));
  Publish(UserEvent("ue-1", {"user-elsewhere", "user-here"}));
  Publish(UserEvent("ue-2", {"user-elsewhere"}));
  ASSERT_TRUE(redis_
                  .Command({"PUBLISH", channel_,
                            "\x0a\x05"
                            "ab"})
                  .ok());  // Garbage.
  Flush();

  std::vector<std::string> expected = {"lost"};
  for (int i = 0; i < 20; ++i) expected.push_back(absl::StrCat("room:e", i));
  expected.insert(expected.end(), {"presence:u-a", "presence:u-b", "user:ue-1"});
  std::vector<std::string> seen = sink_.seen();
  seen.pop_back();  // The marker.
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(registry_.GetCounter("ws_bus_frames_undecodable_total", "").Value(), 1);
  EXPECT_EQ(registry_.GetCounter("ws_bus_frames_passed_total", "").Value(), 24);
}

TEST_F(BusEventSourceTest, NothingPassesWhileInactive) {
  ASSERT_TRUE(source_.WaitUntilSubscribed(absl::Seconds(5)));
  source_.OnStreamWelcome(false);  // An older realtime-svc forwards bus frames.
  Publish(RoomEvent("room-here", "while-off"));
  Publish(UserEvent("ue-off", {"user-here"}));
  // Both read (and dropped) before the source is turned on again.
  ASSERT_TRUE(Eventually(
      [&] { return registry_.GetCounter("ws_bus_frames_received_total", "").Value() == 2; }));
  source_.OnStreamWelcome(true);
  Flush();
  for (const std::string& seen : sink_.seen()) {
    EXPECT_NE(seen, "room:while-off");
    EXPECT_NE(seen, "user:ue-off");
  }
}

TEST_F(BusEventSourceTest, AStreamWelcomeLosesEventsOnlyWhenTheBusDidNotPassThemAllAlong) {
  EXPECT_FALSE(source_.OnStreamWelcome(true));  // A realtime-svc restart: the bus delivered.
  EXPECT_TRUE(source_.OnStreamWelcome(false));  // An older instance: the stream carries them.
  EXPECT_TRUE(source_.OnStreamWelcome(false));  // It had them, and went away meanwhile.
  EXPECT_TRUE(source_.OnStreamWelcome(true));   // Nothing passed from the bus in between.
  EXPECT_FALSE(source_.OnStreamWelcome(true));
}

TEST_F(BusEventSourceTest, ASubscriptionThatComesBackSaysEventsMayHaveBeenLost) {
  ASSERT_TRUE(source_.WaitUntilSubscribed(absl::Seconds(5)));
  ASSERT_TRUE(Eventually([&] { return sink_.seen().size() == 1; }));
  ASSERT_EQ(redis::testing::KillClientsNamed(redis_, client_name_), 1);
  ASSERT_TRUE(Eventually([&] { return sink_.seen().size() == 2; }));
  EXPECT_EQ(sink_.seen()[1], "lost");
  EXPECT_EQ(registry_.GetCounter("ws_bus_resubscriptions_total", "").Value(), 1);
  Flush();  // Delivering again.
}

}  // namespace
}  // namespace chatter::gateway
