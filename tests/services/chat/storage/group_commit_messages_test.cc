// GroupCommitMessages: a lone send goes straight through; sends that queue behind a running one
// share the next batch, get their own answers and errors; the queue is bounded; a retry of a
// queued send (same client_msg_id) waits for the next batch.
#include "services/chat/storage/group_commit_messages.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace chatter::chat {
namespace {

// Answers each send with its own content; the single-send path can be held at a gate, so the
// test can queue sends behind it. Records every call.
class FakeStore final : public MessageRepository, public MessageBatchWriter {
 public:
  absl::StatusOr<std::optional<StoredMessage>> Insert(const NewMessage& message) override {
    {
      std::lock_guard lock(mu_);
      calls.push_back(1);
    }
    // Single sends never overlap (one batch at a time), so this check does not race.
    if (!entered.HasBeenNotified()) entered.Notify();
    gate.WaitForNotification();
    return Answer(message);
  }
  absl::StatusOr<std::vector<std::optional<StoredMessage>>> InsertBatch(
      const std::vector<NewMessage>& messages) override {
    std::lock_guard lock(mu_);
    calls.push_back(messages.size());
    if (!batch_failure.ok()) return batch_failure;
    std::vector<std::optional<StoredMessage>> answers;
    for (const NewMessage& message : messages) answers.push_back(Answer(message));
    return answers;
  }
  absl::StatusOr<Message> FindById(absl::string_view) override { return absl::NotFoundError(""); }
  absl::StatusOr<std::vector<Message>> ListBefore(absl::string_view, int64_t, int) override {
    return std::vector<Message>{};
  }
  absl::StatusOr<std::vector<Message>> ListAfter(absl::string_view, int64_t, int) override {
    return std::vector<Message>{};
  }
  absl::StatusOr<Message> UpdateContent(absl::string_view, absl::string_view, absl::Time,
                                        const std::vector<std::string>&) override {
    return absl::NotFoundError("");
  }
  absl::StatusOr<DeletedMessage> MarkDeleted(absl::string_view, absl::Time) override {
    return absl::NotFoundError("");
  }

  std::vector<size_t> Calls() {
    std::lock_guard lock(mu_);
    return calls;
  }

  absl::Notification entered;  // The single-send path was reached (the first time).
  absl::Notification gate;     // Lets it finish.
  absl::Status batch_failure;

 private:
  static std::optional<StoredMessage> Answer(const NewMessage& message) {
    if (message.content == "refuse") return std::nullopt;
    return StoredMessage{.message = {.id = message.id, .content = message.content},
                         .created = true};
  }
  std::mutex mu_;
  std::vector<size_t> calls;  // 1 for Insert, the size for InsertBatch.
};

NewMessage Make(const std::string& content, std::optional<std::string> key = std::nullopt) {
  return NewMessage{.id = "id-" + content,
                    .room_id = "room",
                    .sender_id = "alice",
                    .content = content,
                    .attachments = {},
                    .client_msg_id = std::move(key),
                    .created_at = absl::Now()};
}

class GroupCommitMessagesTest : public ::testing::Test {
 protected:
  // Starts a send on its own thread.
  std::future<absl::StatusOr<std::optional<StoredMessage>>> SendAsync(NewMessage message) {
    return std::async(std::launch::async,
                      [this, message = std::move(message)] { return sends_.Insert(message); });
  }
  // Waits until `count` sends wait behind the running one.
  void AwaitQueued(size_t count) {
    for (int i = 0; i < 2000 && Queued() < count; ++i) absl::SleepFor(absl::Milliseconds(1));
    ASSERT_EQ(Queued(), count);
  }
  size_t Queued() {
    return static_cast<size_t>(registry_.GetCounter("chat_message_sends_queued_total", "").Value());
  }

  FakeStore store_;
  metrics::Registry registry_;
  GroupCommitMessages sends_{store_, store_, registry_, {.max_batch = 100, .max_waiting = 8}};
};

TEST_F(GroupCommitMessagesTest, ALoneSendGoesStraightThrough) {
  store_.gate.Notify();
  absl::StatusOr<std::optional<StoredMessage>> stored = sends_.Insert(Make("hello"));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)->message.content, "hello");
  EXPECT_EQ(store_.Calls(), std::vector<size_t>{1});
}

TEST_F(GroupCommitMessagesTest, SendsQueuedBehindARunningOneShareTheNextBatch) {
  auto first = SendAsync(Make("first"));
  store_.entered.WaitForNotification();
  std::vector<std::future<absl::StatusOr<std::optional<StoredMessage>>>> queued;
  for (const char* text : {"a", "b", "refuse", "c", "d"}) queued.push_back(SendAsync(Make(text)));
  AwaitQueued(5);
  store_.gate.Notify();
  EXPECT_EQ((*first.get())->message.content, "first");
  std::vector<std::string> answered;
  for (auto& future : queued) {
    absl::StatusOr<std::optional<StoredMessage>> stored = future.get();
    ASSERT_TRUE(stored.ok()) << stored.status();
    answered.push_back(stored->has_value() ? (*stored)->message.content : "(refused)");
  }
  EXPECT_EQ(answered, (std::vector<std::string>{"a", "b", "(refused)", "c", "d"}));
  EXPECT_EQ(store_.Calls(), (std::vector<size_t>{1, 5}));
  EXPECT_EQ(registry_.GetCounter("chat_message_batches_total", "").Value(), 2);
}

TEST_F(GroupCommitMessagesTest, ABatchErrorReachesEverySendOfIt) {
  store_.batch_failure = absl::UnavailableError("database down");
  auto first = SendAsync(Make("first"));
  store_.entered.WaitForNotification();
  auto a = SendAsync(Make("a"));
  auto b = SendAsync(Make("b"));
  AwaitQueued(2);
  store_.gate.Notify();
  EXPECT_TRUE(first.get().ok());
  EXPECT_EQ(a.get().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(b.get().status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(GroupCommitMessagesTest, PastMaxWaitingASendIsRefusedAtOnce) {
  auto first = SendAsync(Make("first"));
  store_.entered.WaitForNotification();
  std::vector<std::future<absl::StatusOr<std::optional<StoredMessage>>>> queued;
  for (int i = 0; i < 8; ++i) queued.push_back(SendAsync(Make("m" + std::to_string(i))));
  AwaitQueued(8);
  absl::StatusOr<std::optional<StoredMessage>> refused = sends_.Insert(Make("one too many"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(registry_.GetCounter("chat_message_sends_refused_total", "").Value(), 1);
  store_.gate.Notify();
  EXPECT_TRUE(first.get().ok());
  for (auto& future : queued) EXPECT_TRUE(future.get().ok());
}

TEST_F(GroupCommitMessagesTest, ARetryOfAQueuedSendWaitsForTheNextBatch) {
  auto first = SendAsync(Make("first"));
  store_.entered.WaitForNotification();
  auto original = SendAsync(Make("original", "key"));
  AwaitQueued(1);
  auto retry = SendAsync(Make("retry", "key"));
  auto other = SendAsync(Make("other"));
  AwaitQueued(3);
  store_.gate.Notify();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(original.get().ok());
  EXPECT_TRUE(other.get().ok());
  EXPECT_TRUE(retry.get().ok());
  // original and other together, the retry alone after them (through the single-send path).
  EXPECT_EQ(store_.Calls(), (std::vector<size_t>{1, 2, 1}));
}

}  // namespace
}  // namespace chatter::chat
