// Integration tests of the pub/sub subscriber against a real Redis: messages arrive in order,
// readiness follows the subscription, a dropped connection is re-subscribed, Stop() is prompt,
// and an unreachable Redis leaves it UNAVAILABLE (retrying) instead of hanging.
#include "libs/redis/redis_subscriber.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "tests/libs/redis/redis_test_support.h"

namespace chatter::redis {
namespace {

using testing::Eventually;
using testing::KillClientsNamed;
using testing::TestEndpoint;
using testing::UniquePrefix;
using testing::UnreachableEndpoint;

class Recorder {
 public:
  SubscriberCallbacks Callbacks() {
    return {.on_message =
                [this](std::string payload) {
                  std::lock_guard lock(mu_);
                  messages_.push_back(std::move(payload));
                },
            .on_subscribed =
                [this](bool reconnected) {
                  std::lock_guard lock(mu_);
                  (reconnected ? resubscribed_ : subscribed_)++;
                },
            .on_lost =
                [this](const absl::Status&) {
                  std::lock_guard lock(mu_);
                  ++lost_;
                }};
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }
  int subscribed() {
    std::lock_guard lock(mu_);
    return subscribed_;
  }
  int resubscribed() {
    std::lock_guard lock(mu_);
    return resubscribed_;
  }
  int lost() {
    std::lock_guard lock(mu_);
    return lost_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> messages_;
  int subscribed_ = 0;
  int resubscribed_ = 0;
  int lost_ = 0;
};

SubscriberOptions Fast(const std::string& name) {
  SubscriberOptions options;
  options.connection.client_name = name;
  options.initial_backoff = absl::Milliseconds(20);
  options.max_backoff = absl::Milliseconds(200);
  options.ping_interval = absl::Milliseconds(300);
  return options;
}

class RedisSubscriberTest : public ::testing::Test {
 protected:
  std::string channel_ = UniquePrefix() + "events";
  std::string name_ = absl::StrCat("subscriber-test-", absl::ToUnixNanos(absl::Now()));
  Client publisher_{TestEndpoint(), ConnectionOptions{}, 1};
  Recorder recorder_;
};

TEST_F(RedisSubscriberTest, DeliversMessagesInOrderAndReportsReadiness) {
  Subscriber subscriber(TestEndpoint(), channel_, Fast(name_), recorder_.Callbacks());
  EXPECT_EQ(subscriber.Status().code(), absl::StatusCode::kUnavailable);
  subscriber.Start();
  ASSERT_TRUE(subscriber.WaitUntilSubscribed(absl::Seconds(5)));
  EXPECT_TRUE(subscriber.Status().ok());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(publisher_.Command({"PUBLISH", channel_, absl::StrCat("m", i)}).ok());
  }
  ASSERT_TRUE(Eventually([&] { return recorder_.messages().size() == 100; }));
  std::vector<std::string> messages = recorder_.messages();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(messages[i], absl::StrCat("m", i));
  EXPECT_EQ(recorder_.subscribed(), 1);

  absl::Time start = absl::Now();
  subscriber.Stop();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
  EXPECT_EQ(subscriber.Status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(RedisSubscriberTest, ResubscribesAfterTheConnectionWasDropped) {
  Subscriber subscriber(TestEndpoint(), channel_, Fast(name_), recorder_.Callbacks());
  subscriber.Start();
  ASSERT_TRUE(subscriber.WaitUntilSubscribed(absl::Seconds(5)));
  ASSERT_EQ(KillClientsNamed(publisher_, name_), 1);
  ASSERT_TRUE(Eventually([&] { return recorder_.resubscribed() == 1; }));
  EXPECT_GE(recorder_.lost(), 1);
  EXPECT_TRUE(subscriber.Status().ok());
  ASSERT_TRUE(publisher_.Command({"PUBLISH", channel_, "after"}).ok());
  ASSERT_TRUE(Eventually([&] {
    std::vector<std::string> messages = recorder_.messages();
    return !messages.empty() && messages.back() == "after";
  }));
}

TEST_F(RedisSubscriberTest, IdleConnectionsArePingedNotDropped) {
  Subscriber subscriber(TestEndpoint(), channel_, Fast(name_), recorder_.Callbacks());
  subscriber.Start();
  ASSERT_TRUE(subscriber.WaitUntilSubscribed(absl::Seconds(5)));
  // Without traffic the subscriber PINGs (its connection's last command turns to ping), and
  // the answered PING keeps the subscription.
  auto last_command_is_ping = [&] {
    absl::StatusOr<Reply> list = publisher_.Command({"CLIENT", "LIST"});
    if (!list.ok()) return false;
    for (absl::string_view line : absl::StrSplit(list->str, '\n')) {
      if (absl::StrContains(line, absl::StrCat("name=", name_, " ")) &&
          absl::StrContains(line, " cmd=ping")) {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(Eventually(last_command_is_ping));
  EXPECT_EQ(recorder_.lost(), 0);
  EXPECT_TRUE(subscriber.Status().ok());
}

TEST_F(RedisSubscriberTest, UnreachableRedisStaysUnavailableAndStopsPromptly) {
  Subscriber subscriber(UnreachableEndpoint(), channel_, Fast(name_), recorder_.Callbacks());
  subscriber.Start();
  ASSERT_TRUE(Eventually([&] { return recorder_.lost() >= 2; }));  // Retrying with backoff.
  EXPECT_EQ(subscriber.Status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(subscriber.WaitUntilSubscribed(absl::Milliseconds(50)));
  absl::Time start = absl::Now();
  subscriber.Stop();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
}

}  // namespace
}  // namespace chatter::redis
