// The event queue between commits and realtime-svc: a lone event is sent by the thread that
// publishes it; the rest go in order from a background thread, in batches of what queued up
// meanwhile; a full queue drops rather than blocks; failures and drops are counted, rooms are
// owed their heads, and it stops cleanly.
#include "services/chat/events/queued_event_publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace chatter::chat {
namespace {

using ::testing::ElementsAre;

// Records what it is sent; can fail every batch, refuse some events, or hold batches until
// released.
class FakeSink final : public EventSink {
 public:
  absl::StatusOr<std::vector<size_t>> SendBatch(absl::Span<const RoomEvent> events) override {
    std::unique_lock lock(mu_);
    ++entered_;
    entered_changed_.notify_all();
    released_.wait(lock, [&] { return !holding_; });
    senders_.push_back(std::this_thread::get_id());
    std::vector<std::string> batch;
    std::vector<size_t> rejected;
    for (size_t i = 0; i < events.size(); ++i) {
      const RoomEvent& event = events[i];
      std::string name = event.kind == RoomEvent::Kind::kRoomHead
                             ? absl::StrCat("head ", event.room_id, " ", event.seq)
                             : event.event_id;
      if (refused_.contains(name)) rejected.push_back(i);
      request_ids_.push_back(event.request_id);
      sent_.push_back(name);
      batch.push_back(std::move(name));
    }
    batches_.push_back(std::move(batch));
    if (!failure_.ok()) return failure_;
    return rejected;
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
  // Returns once `count` batches have reached SendBatch (held ones included).
  void WaitUntilEntered(int count) {
    std::unique_lock lock(mu_);
    entered_changed_.wait(lock, [&] { return entered_ >= count; });
  }
  void Fail(absl::Status status) {
    std::lock_guard lock(mu_);
    failure_ = std::move(status);
  }
  // The sink takes the batch but answers this event as invalid.
  void Refuse(std::string name) {
    std::lock_guard lock(mu_);
    refused_.insert(std::move(name));
  }
  // Every event sent, in order, across batches.
  std::vector<std::string> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  std::vector<std::vector<std::string>> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }
  // The thread that sent each batch, in order.
  std::vector<std::thread::id> senders() {
    std::lock_guard lock(mu_);
    return senders_;
  }
  // The request id each event carried, in order.
  std::vector<std::string> request_ids() {
    std::lock_guard lock(mu_);
    return request_ids_;
  }

 private:
  std::mutex mu_;
  std::condition_variable released_;
  std::condition_variable entered_changed_;
  int entered_ = 0;
  bool holding_ = false;
  absl::Status failure_;
  absl::flat_hash_set<std::string> refused_;
  std::vector<std::string> sent_;
  std::vector<std::vector<std::string>> batches_;
  std::vector<std::string> request_ids_;
  std::vector<std::thread::id> senders_;
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

TEST(QueuedEventPublisherTest, ALoneEventIsSentByThePublishingThreadBeforePublishReturns) {
  metrics::Registry registry;
  FakeSink sink;
  QueuedEventPublisher publisher(sink, registry, 100);
  publisher.Start();
  publisher.Publish(Event(1));
  EXPECT_THAT(sink.sent(), ElementsAre("e1"));  // No waiting: the send is done.
  EXPECT_THAT(sink.senders(), ElementsAre(std::this_thread::get_id()));
  EXPECT_EQ(Value(registry, "chat_events_published_total"), 1);
  EXPECT_EQ(Value(registry, "chat_events_batches_total"), 1);
}

TEST(QueuedEventPublisherTest, EventsQueuedWhileABatchIsOnItsWayGoTogetherInTheNextOne) {
  metrics::Registry registry;
  FakeSink sink;
  sink.Hold();
  QueuedEventPublisher publisher(sink, registry, 1000);
  publisher.Start();
  std::thread first([&] { publisher.Publish(Event(1)); });  // Goes alone, at once.
  sink.WaitUntilEntered(1);
  for (int i = 2; i <= 4; ++i) publisher.Publish(Event(i));  // Queued behind it, not sent.
  sink.Release();
  first.join();
  ASSERT_TRUE(publisher.WaitIdleForTest(absl::Seconds(10)));
  EXPECT_THAT(sink.batches(), ElementsAre(ElementsAre("e1"), ElementsAre("e2", "e3", "e4")));
  // The first by its publisher, the queued ones by the worker.
  std::vector<std::thread::id> senders = sink.senders();
  ASSERT_EQ(senders.size(), 2u);
  EXPECT_NE(senders[1], std::this_thread::get_id());
  EXPECT_EQ(Value(registry, "chat_events_batches_total"), 2);
  EXPECT_EQ(Value(registry, "chat_events_published_total"), 4);
}

TEST(QueuedEventPublisherTest, EachEventCarriesTheRequestIdItWasPublishedUnder) {
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

TEST(QueuedEventPublisherTest, ABatchHoldsAtMost500Events) {
  metrics::Registry registry;
  FakeSink sink;
  sink.Hold();
  QueuedEventPublisher publisher(sink, registry, 2000);
  publisher.Start();
  std::thread first([&] { publisher.Publish(Event(0)); });
  sink.WaitUntilEntered(1);
  for (int i = 1; i <= 1200; ++i) publisher.Publish(Event(i));
  sink.Release();
  first.join();
  ASSERT_TRUE(publisher.WaitIdleForTest(absl::Seconds(10)));
  std::vector<size_t> sizes;
  for (const std::vector<std::string>& batch : sink.batches()) sizes.push_back(batch.size());
  EXPECT_THAT(sizes, ElementsAre(1u, 500u, 500u, 200u));
  EXPECT_EQ(sink.sent().back(), "e1200");
}

TEST(QueuedEventPublisherTest, AnEventTheSinkRefusesIsAFailureAndItsRoomIsOwedItsHead) {
  metrics::Registry registry;
  FakeSink sink;
  sink.Refuse("e2");
  QueuedEventPublisher publisher(sink, registry, 100);
  sink.Hold();
  publisher.Start();
  std::thread first([&] { publisher.Publish(Event(1)); });
  sink.WaitUntilEntered(1);
  for (int i = 2; i <= 3; ++i) publisher.Publish(Event(i));
  sink.Release();
  first.join();
  ASSERT_TRUE(publisher.WaitIdleForTest(absl::Seconds(10)));
  EXPECT_THAT(sink.sent(), ElementsAre("e1", "e2", "e3", "head r 2"));
  EXPECT_EQ(Value(registry, "chat_events_published_total"), 2);
  EXPECT_EQ(Value(registry, "chat_events_publish_failures_total"), 1);
  EXPECT_EQ(Value(registry, "chat_events_room_heads_total"), 1);
}

TEST(QueuedEventPublisherTest, AFullQueueDropsInsteadOfBlocking) {
  metrics::Registry registry;
  FakeSink sink;
  sink.Hold();
  QueuedEventPublisher publisher(sink, registry, 2);
  publisher.Start();
  std::thread first([&] { publisher.Publish(Event(1)); });
  sink.WaitUntilEntered(1);  // e1 is held in the sink: the queue is empty.
  for (int i = 2; i <= 6; ++i) publisher.Publish(Event(i));  // e2, e3 fit; e4..e6 do not.
  EXPECT_EQ(Value(registry, "chat_events_dropped_total"), 3);
  sink.Release();
  first.join();
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
  // The worker may try the head e1 left owed before e2 is even published (a slow test thread);
  // after e2 fails, only its own head, the later one, is tried.
  size_t e2 = std::find(sent.begin(), sent.end(), "e2") - sent.begin();
  ASSERT_LT(e2, sent.size());
  for (size_t i = 1; i < e2; ++i) EXPECT_EQ(sent[i], "head r 1") << i;
  for (size_t i = e2 + 1; i < sent.size(); ++i) EXPECT_EQ(sent[i], "head r 2") << i;
  EXPECT_EQ(sent.back(), "head r 2");
  // e1 failed in its publisher's hands; with a head owed, e2 queued for the worker (one event
  // or head per batch here, so batch i sent sent[i]).
  std::vector<std::thread::id> senders = sink.senders();
  ASSERT_EQ(senders.size(), sent.size());
  EXPECT_EQ(senders[0], std::this_thread::get_id());
  EXPECT_NE(senders[e2], std::this_thread::get_id());
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
