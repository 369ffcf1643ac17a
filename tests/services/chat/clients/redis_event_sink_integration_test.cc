// chat-svc's RedisEventSink on a real Redis, read by realtime-svc's own bus subscription (the
// consumer in production): each event arrives once, in batch order, as the RealtimeFrame
// realtime-svc would have published (event id and time filled in when missing); other prefixes
// see nothing; a Redis that cannot be reached fails the batch as a whole.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/ids/clock.h"
#include "libs/ids/random_source.h"
#include "libs/ids/uuid_generator.h"
#include "libs/metrics/registry.h"
#include "libs/redis/events_channel.h"
#include "services/chat/clients/redis_event_sink.h"
#include "services/realtime/bus/redis_event_bus.h"
#include "tests/libs/redis/redis_test_support.h"

namespace chatter::chat {
namespace {

using redis::testing::Eventually;

// realtime-svc's subscription on `prefix`, recording what it decodes.
class Listener {
 public:
  explicit Listener(const std::string& prefix)
      : metrics_(registry_),
        subscription_(
            redis::testing::TestEndpoint(), redis::EventsChannel(prefix), {},
            [this](const std::shared_ptr<const realtime::v1::RealtimeFrame>& frame) {
              std::lock_guard lock(mu_);
              frames_.push_back(frame);
              return size_t{1};
            },
            metrics_) {
    subscription_.Start();
  }
  ~Listener() { subscription_.Stop(); }

  bool Subscribed() { return subscription_.WaitUntilSubscribed(absl::Seconds(5)); }
  std::vector<std::shared_ptr<const realtime::v1::RealtimeFrame>> frames() {
    std::lock_guard lock(mu_);
    return frames_;
  }

 private:
  metrics::Registry registry_;
  realtime::RealtimeMetrics metrics_;
  std::mutex mu_;
  std::vector<std::shared_ptr<const realtime::v1::RealtimeFrame>> frames_;
  realtime::BusSubscription subscription_;
};

RoomEvent Created(int64_t seq) {
  RoomEvent event;
  event.kind = RoomEvent::Kind::kMessageCreated;
  event.room_id = "r1";
  event.message.id = absl::StrCat("m", seq);
  event.message.room_id = "r1";
  event.message.seq = seq;
  event.message.content = absl::StrCat("message ", seq);
  return event;
}

class RedisEventSinkTest : public ::testing::Test {
 protected:
  std::string prefix_ = redis::testing::UniquePrefix();
  redis::Client redis_{redis::testing::TestEndpoint(), redis::ConnectionOptions{}, 1};
  ids::SystemClock clock_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator uuids_{clock_, random_};
};

TEST_F(RedisEventSinkTest, EveryEventOfABatchArrivesOnceInOrderAsARealtimeFrame) {
  Listener listener(prefix_);
  Listener elsewhere(redis::testing::UniquePrefix());
  ASSERT_TRUE(listener.Subscribed());
  ASSERT_TRUE(elsewhere.Subscribed());
  RedisEventSink sink(redis_, redis::EventsChannel(prefix_), uuids_, clock_);
  std::vector<RoomEvent> batch;
  for (int64_t seq = 1; seq <= 30; ++seq) batch.push_back(Created(seq));
  batch[0].event_id = "given";
  batch[0].occurred_at = absl::FromUnixMillis(1'700'000'000'123);
  batch.push_back(RoomEvent{.kind = RoomEvent::Kind::kRoomHead, .room_id = "r1", .seq = 30});
  absl::StatusOr<std::vector<size_t>> refused = sink.SendBatch(batch);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_TRUE(refused->empty());

  ASSERT_TRUE(Eventually([&] { return listener.frames().size() == 31; }));
  std::vector<std::shared_ptr<const realtime::v1::RealtimeFrame>> frames = listener.frames();
  for (int64_t seq = 1; seq <= 30; ++seq) {
    const realtime::v1::RoomEvent& event = frames[seq - 1]->room_event();
    EXPECT_EQ(event.room_id(), "r1");
    EXPECT_EQ(event.message_created().seq(), seq);
    EXPECT_EQ(event.message_created().content(), absl::StrCat("message ", seq));
    EXPECT_FALSE(event.event_id().empty());
    EXPECT_TRUE(event.has_occurred_at());
  }
  EXPECT_EQ(frames[0]->room_event().event_id(), "given");
  EXPECT_EQ(frames[0]->room_event().occurred_at().seconds(), 1'700'000'000);
  EXPECT_EQ(frames[0]->room_event().occurred_at().nanos(), 123'000'000);
  EXPECT_NE(frames[1]->room_event().event_id(), frames[2]->room_event().event_id());
  EXPECT_EQ(frames[30]->room_event().head().last_seq(), 30);
  EXPECT_TRUE(elsewhere.frames().empty());
}

TEST_F(RedisEventSinkTest, ARedisThatCannotBeReachedFailsTheWholeBatch) {
  redis::RedisEndpoint nowhere = redis::testing::TestEndpoint();
  nowhere.port = 1;  // Nothing listens there.
  redis::Client down(nowhere, redis::ConnectionOptions{}, 1);
  RedisEventSink sink(down, redis::EventsChannel(prefix_), uuids_, clock_);
  absl::StatusOr<std::vector<size_t>> refused = sink.SendBatch({Created(1), Created(2)});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
}

}  // namespace
}  // namespace chatter::chat
