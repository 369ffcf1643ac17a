// The event queue between commits and realtime-svc: delivers in order from a background thread,
// never blocks the publisher, counts failures and drops, and stops cleanly.
#include "services/chat/events/queued_event_publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace chatter::chat {
namespace {

using ::testing::ElementsAre;

// Records what it is sent; can fail every send or hold sends until released.
class FakeSink final : public EventSink {
 public:
  absl::Status Send(const RoomEvent& event) override {
    std::unique_lock lock(mu_);
    released_.wait(lock, [&] { return !holding_; });
    sent_.push_back(event.kind == RoomEvent::Kind::kRoomHead
                        ? absl::StrCat("head ", event.room_id, " ", event.seq)
                        : event.event_id);
    request_ids_.push_back(log::CurrentRequestId());
    return failure_;
  }
  void Hold() {
    std::lock_guard lock(mu_);
    holding_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      holding_ = false;
    }
    released_.notify_all();
  }
  void Fail(absl::Status status) {
    std::lock_guard lock(mu_);
    failure_ = std::move(status);
  }
  std::vector<std::string> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  // The worker thread's current request id during each send.
  std::vector<std::string> request_ids() {
    std::lock_guard lock(mu_);
    return request_ids_;
  }

 private:
  std::mutex mu_;
  std::condition_variable released_;
  bool holding_ = false;
  absl::Status failure_;
  std::vector<std::string> sent_;
  std::vector<std::string> request_ids_;
};

RoomEvent Event(int n) {
  RoomEvent event;
  event.event_id = absl::StrCat("e", n);
  event.room_id = "r";
  event.message.seq = n;
  return event;
}

double Value(metrics::Registry& registry, const char* name) {
  return registry.GetCounter(name, "").Value();
}

TEST(QueuedEventPublisherTest, DeliversEveryEventInOrder) {
  metrics::Registry registry;
  FakeSink sink;
  QueuedEventPublisher publisher(sink, registry, 100);
  publisher.Start();
  for (int i = 1; i <= 3; ++i) publisher.Publish(Event(i));
  ASSERT_TRUE(publisher.WaitIdleForTest(absl::Seconds(10)));
  EXPECT_THAT(sink.sent(), ElementsAre("e1", "e2", "e3"));
  EXPECT_EQ(Value(registry, "chat_events_published_total"), 3);
  EXPECT_EQ(Value(registry, "chat_events_dropped_total"), 0);
}

TEST(QueuedEventPublisherTest, EachEventIsSentUnderTheRequestIdItWasPublishedWith) {
  metrics::Registry registry;
  FakeSink sink;
  QueuedEventPublisher publisher(sink, registry, 100);
  publisher.Start();
  {
    log::ScopedRequestId scope("req-a");
    publisher.Publish(Event(1));
  }
  publisher.Publish(Event(2));  // Outside any request.
  {
    log::ScopedRequestId scope("req-b");
    publisher.Publish(Event(3));
  }
  ASSERT_TRUE(publisher.WaitIdleForTest(absl::Seconds(10)));
  EXPECT_THAT(sink.sent(), ElementsAre("e1", "e2", "e3"));
  EXPECT_THAT(sink.request_ids(), ElementsAre("req-a", "", "req-b"));
}

TEST(QueuedEventPublisherTest, AFullQueueDropsInsteadOfBlocking) {
  metrics::Registry registry;
  FakeSink sink;
  sink.Hold();
  QueuedEventPublisher publisher(sink, registry, 2);
  publisher.Start();
  publisher.Publish(Event(1));
  // Wait until the worker holds e1 in the sink, so the queue itself is empty again.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (registry.GetGauge("chat_events_queue_depth", "").Value() != 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  for (int i = 2; i <= 6; ++i) publisher.Publish(Event(i));  // e2, e3 fit; e4..e6 do not.
  EXPECT_EQ(Value(registry, "chat_events_dropped_total"), 3);
  sink.Release();
  ASSERT_TRUE(publisher.WaitIdleForTest(absl::Seconds(10)));
  // The dropped messages' room gets its head, so gateways fill seqs 4-6 from history.
  EXPECT_THAT(sink.sent(), ElementsAre("e1", "e2", "e3", "head r 6"));
  EXPECT_EQ(Value(registry, "chat_events_room_heads_total"), 1);
}

TEST(QueuedEventPublisherTest, FailedSendsAreNotRetriedButTheirRoomsHeadIsUntilTaken) {
  metrics::Registry registry;
  FakeSink sink;
  sink.Fail(absl::UnavailableError("realtime-svc down"));
  QueuedEventPublisher publisher(sink, registry, 100);
  publisher.Start();
  publisher.Publish(Event(1));
  publisher.Publish(Event(2));
  // The events fail once each; then the room's head is tried (every 250 ms) while it fails.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (sink.sent().size() < 4 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  sink.Fail(absl::OkStatus());
  ASSERT_TRUE(publisher.WaitIdleForTest(absl::Seconds(10)));
  std::vector<std::string> sent = sink.sent();
  ASSERT_GE(sent.size(), 4u);
  EXPECT_EQ(sent[0], "e1");
  EXPECT_EQ(sent[1], "e2");
  for (size_t i = 2; i < sent.size(); ++i) EXPECT_EQ(sent[i], "head r 2") << i;
  EXPECT_EQ(Value(registry, "chat_events_publish_failures_total"), 2);
  EXPECT_EQ(Value(registry, "chat_events_published_total"), 0);
  EXPECT_EQ(Value(registry, "chat_events_room_heads_total"), 1);
}

TEST(QueuedEventPublisherTest, StopSendsWhatIsQueuedThenRefusesMore) {
  metrics::Registry registry;
  FakeSink sink;
  QueuedEventPublisher publisher(sink, registry, 100);
  publisher.Publish(Event(1));  // Queued before Start: sent once started.
  publisher.Start();
  publisher.Stop(absl::Seconds(10));
  EXPECT_THAT(sink.sent(), ElementsAre("e1"));
  publisher.Publish(Event(2));
  EXPECT_EQ(Value(registry, "chat_events_dropped_total"), 1);
  publisher.Stop(absl::Seconds(1));  // Idempotent.
}

TEST(QueuedEventPublisherTest, NeverStartedDropsAndCountsTheQueue) {
  metrics::Registry registry;
  FakeSink sink;
  {
    QueuedEventPublisher publisher(sink, registry, 100);
    publisher.Publish(Event(1));
    publisher.Publish(Event(2));
  }
  EXPECT_TRUE(sink.sent().empty());
  EXPECT_EQ(Value(registry, "chat_events_dropped_total"), 2);
}

}  // namespace
}  // namespace chatter::chat
