// The fan-out bus on a real Redis: a frame published by one instance reaches every instance of
// the same prefix exactly once (itself included), decoded once into a shared frame; other
// prefixes (parallel stacks) see nothing; garbage on the channel is counted and skipped; Publish
// is UNAVAILABLE while Redis is down.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "services/realtime/bus/redis_event_bus.h"
#include "tests/libs/redis/redis_test_support.h"

namespace chatter::realtime {
namespace {

using redis::testing::Eventually;

// One realtime-svc instance's bus: publisher and subscription, recording deliveries.
class Instance {
 public:
  Instance(redis::Client& redis, const std::string& prefix, RealtimeMetrics& metrics)
      : bus_(redis, redis::EventsChannel(prefix), metrics),
        subscription_(
            redis::testing::TestEndpoint(), redis::EventsChannel(prefix), {},
            [this](const std::shared_ptr<const v1::RealtimeFrame>& frame) {
              std::lock_guard lock(mu_);
              received_.push_back(frame);
              return size_t{1};
            },
            metrics) {
    subscription_.Start();
  }
  ~Instance() { subscription_.Stop(); }

  RedisEventBus& bus() { return bus_; }
  BusSubscription& subscription() { return subscription_; }
  std::vector<std::shared_ptr<const v1::RealtimeFrame>> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  RedisEventBus bus_;
  std::mutex mu_;
  std::vector<std::shared_ptr<const v1::RealtimeFrame>> received_;
  BusSubscription subscription_;
};

v1::RealtimeFrame RoomEvent(const std::string& event_id) {
  v1::RealtimeFrame frame;
  frame.mutable_room_event()->set_room_id("r1");
  frame.mutable_room_event()->set_event_id(event_id);
  frame.mutable_room_event()->mutable_typing()->set_room_id("r1");
  return frame;
}

class RedisEventBusTest : public ::testing::Test {
 protected:
  std::string prefix_ = redis::testing::UniquePrefix();
  redis::Client redis_{redis::testing::TestEndpoint(), redis::ConnectionOptions{}, 2};
  metrics::Registry metric_registry_;
  RealtimeMetrics metrics_{metric_registry_};
};

TEST_F(RedisEventBusTest, EveryInstanceReceivesEveryFrameOnce) {
  Instance a(redis_, prefix_, metrics_);
  Instance b(redis_, prefix_, metrics_);
  Instance elsewhere(redis_, redis::testing::UniquePrefix(), metrics_);
  for (Instance* instance : {&a, &b, &elsewhere}) {
    ASSERT_TRUE(instance->subscription().WaitUntilSubscribed(absl::Seconds(5)));
    EXPECT_TRUE(instance->subscription().Status().ok());
  }
  for (int i = 0; i < 20; ++i) {
    Instance& from = i % 2 == 0 ? a : b;
    ASSERT_TRUE(from.bus().Publish(RoomEvent(absl::StrCat("e", i))).ok());
  }
  v1::RealtimeFrame presence;
  presence.mutable_presence()->mutable_presence()->set_user_id("u1");
  ASSERT_TRUE(a.bus().Publish(presence).ok());

  for (Instance* instance : {&a, &b}) {
    ASSERT_TRUE(Eventually([&] { return instance->received().size() == 21; }));
    std::vector<std::shared_ptr<const v1::RealtimeFrame>> frames = instance->received();
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(frames[i]->room_event().event_id(), absl::StrCat("e", i));  // In order, once.
    }
    EXPECT_EQ(frames[20]->presence().presence().user_id(), "u1");
  }
  EXPECT_TRUE(elsewhere.received().empty());
  EXPECT_EQ(metrics_.published_room_events.Value(), 20);
  EXPECT_EQ(metrics_.published_presence.Value(), 1);
  EXPECT_EQ(metrics_.received_frames.Value(), 42);
  EXPECT_EQ(metrics_.delivered_room_events.Value(), 40);
}

TEST_F(RedisEventBusTest, UndecodableMessagesAreCountedAndSkipped) {
  Instance a(redis_, prefix_, metrics_);
  ASSERT_TRUE(a.subscription().WaitUntilSubscribed(absl::Seconds(5)));
  ASSERT_TRUE(redis_
                  .Command({"PUBLISH", redis::EventsChannel(prefix_),
                            "\x0a\x05"
                            "ab"})
                  .ok());
  ASSERT_TRUE(a.bus().Publish(RoomEvent("after")).ok());
  ASSERT_TRUE(Eventually([&] { return a.received().size() == 1; }));
  EXPECT_EQ(a.received()[0]->room_event().event_id(), "after");
  EXPECT_EQ(metrics_.undecodable_frames.Value(), 1);
}

TEST_F(RedisEventBusTest, PublishIsUnavailableWhileRedisIsDown) {
  redis::Client down(redis::testing::UnreachableEndpoint(), redis::ConnectionOptions{}, 1);
  RedisEventBus bus(down, redis::EventsChannel(prefix_), metrics_);
  EXPECT_EQ(bus.Publish(RoomEvent("lost")).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(metrics_.publish_failures.Value(), 1);
}

}  // namespace
}  // namespace chatter::realtime
