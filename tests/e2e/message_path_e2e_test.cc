// The message path under load and faults (issue "Message path"): concurrent senders through two
// chat-svc and two realtime-svc processes reach every session in one seq order, and a chat-svc
// killed between commit and publish, a realtime-svc restart or a Redis outage during sends loses
// no committed message for any connected session: each one gets every seq, in order, or a
// resync_required covering the ones it did not get.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/metrics_text.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/stack.h"
#include "tests/e2e/harness/ws_client.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

constexpr absl::Duration kWait = absl::Seconds(15);

// A room, its members, and sessions of some of them listening on every gateway.
struct Room {
  std::string id;
  std::vector<ApiUser> senders;
  std::vector<std::unique_ptr<WsClient>> listeners;
  std::vector<std::string> listener_names;
};

// `senders` members who send, and `listeners_per_gateway` more members with a session on each
// gateway, subscribed before anything is sent (so each must see every seq from 1).
Room MakeRoom(Stack& stack, const std::string& prefix, int senders, int listeners_per_gateway,
              int gateways) {
  Room room;
  ApiUser owner = SignUpUser(stack.gateway_port(0), prefix + "_owner");
  room.id = CreateRoomAs(stack.gateway_port(0), owner, prefix).value("id", "");
  for (int i = 0; i < senders; ++i) {
    room.senders.push_back(SignUpUser(stack.gateway_port(0), absl::StrCat(prefix, "_s", i)));
    JoinRoomAs(stack.gateway_port(0), room.senders.back(), room.id);
  }
  for (int gateway = 0; gateway < gateways; ++gateway) {
    for (int i = 0; i < listeners_per_gateway; ++i) {
      std::string name = absl::StrCat(prefix, "_l", gateway, "_", i);
      ApiUser listener = SignUpUser(stack.gateway_port(0), name);
      JoinRoomAs(stack.gateway_port(0), listener, room.id);
      absl::StatusOr<std::unique_ptr<WsClient>> ws = WsClient::Connect(
          stack.gateway_port(gateway),
          absl::StrCat("/ws?access_token=", listener.token, "&room_id=", room.id));
      EXPECT_TRUE(ws.ok()) << ws.status();
      if (!ws.ok()) continue;
      absl::StatusOr<json> ready = (*ws)->NextEvent("ready", kWait);
      EXPECT_TRUE(ready.ok()) << ready.status();
      room.listeners.push_back(*std::move(ws));
      room.listener_names.push_back(absl::StrCat(name, " on gateway ", gateway));
    }
  }
  return room;
}

struct SendTally {
  std::atomic<int> acked{0};
  std::atomic<int> refused{0};
};

// Each sender posts over REST through gateway (index % gateways), `per_sender` messages or
// until `until`, whichever is first, pausing `pause` after each; failures are counted, not fatal.
void SendConcurrently(Stack& stack, const Room& room, int gateways, int per_sender,
                      absl::Time until, absl::Duration pause, SendTally& tally) {
  std::vector<std::thread> threads;
  for (size_t i = 0; i < room.senders.size(); ++i) {
    threads.emplace_back([&, i] {
      int port = stack.gateway_port(static_cast<int>(i) % gateways);
      for (int n = 0; n < per_sender && absl::Now() < until; ++n) {
        ApiReply reply = CallApi(port, "POST", absl::StrCat("/v1/rooms/", room.id, "/messages"),
                                 room.senders[i], json{{"content", absl::StrCat("m", i, "-", n)}});
        (reply.status == 201 ? tally.acked : tally.refused)++;
        absl::SleepFor(reply.status == 201 ? pause : absl::Milliseconds(20));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
}

// The room's newest committed seq, from history (what every session is owed).
int64_t LastSeq(Stack& stack, const Room& room) {
  ApiReply reply =
      CallApi(stack.gateway_port(0), "GET",
              absl::StrCat("/v1/rooms/", room.id, "/messages?limit=1"), room.senders[0]);
  EXPECT_EQ(reply.status, 200) << reply.body;
  if (reply.status != 200 || reply.body["messages"].empty()) return 0;
  return reply.body["messages"][0]["seq"].get<int64_t>();
}

struct Seen {
  int64_t delivered = 0;
  int resyncs = 0;
};

// Reads the session's room frames until it has every seq up to `last_seq` (0 while unknown:
// the senders have not finished): each must come as receive_message exactly once and in order,
// unless a resync_required covered it (the client would read those over REST). Any other
// outcome fails the test, naming `who`. Safe to run on its own thread per session.
Seen ExpectEverySeqInOrder(WsClient& ws, const std::atomic<int64_t>& last_seq,
                           const std::string& who) {
  Seen seen;
  int64_t next = 1;
  std::vector<json> early;
  early.swap(ws.skipped());
  size_t early_index = 0;
  absl::Time progress_deadline = absl::Now() + kWait;
  while (last_seq.load() == 0 || next <= last_seq.load()) {
    // Short waits, so a target set meanwhile is seen; a stall of kWait fails.
    absl::StatusOr<json> frame = early_index < early.size()
                                     ? absl::StatusOr<json>(early[early_index++])
                                     : ws.Next(absl::Milliseconds(200));
    if (!frame.ok() && absl::IsDeadlineExceeded(frame.status()) &&
        absl::Now() < progress_deadline) {
      continue;
    }
    progress_deadline = absl::Now() + kWait;
    if (!frame.ok()) {
      ADD_FAILURE() << who << ": nothing after seq " << next - 1 << " of " << last_seq.load()
                    << ": " << frame.status();
      return seen;
    }
    std::string event = frame->value("event", "");
    if (event == "receive_message") {
      int64_t seq = (*frame)["data"]["seq"].get<int64_t>();
      if (seq != next) {
        ADD_FAILURE() << who << ": got seq " << seq << " where " << next << " was due";
        return seen;
      }
      ++seen.delivered;
      ++next;
    } else if (event == "resync_required") {
      int64_t covered = (*frame)["data"]["last_seq"].get<int64_t>();
      EXPECT_GE(covered, next - 1) << who << ": resync_required goes back";
      next = std::max(next, covered + 1);
      ++seen.resyncs;
    }
  }
  return seen;
}

double GatewayMetric(Stack& stack, int gateway, const std::string& name) {
  absl::StatusOr<HttpReply> metrics =
      HttpGet(stack.admin_port(Component::kGateway, gateway), "/metrics", {}, absl::Seconds(5));
  if (!metrics.ok()) return -1;
  return Sample(metrics->body, name).value_or(0);
}

// Messages sent while live events could not flow reached the sessions another way: filled from
// history by each gateway, or covered by resync_required.
void ExpectGatewayRecovered(Stack& stack, int gateway) {
  EXPECT_GE(GatewayMetric(stack, gateway, "ws_sequencer_filled_messages_total") +
                GatewayMetric(stack, gateway, "ws_sequencer_resyncs_total"),
            1)
      << "gateway " << gateway << " recovered nothing: were live events lost at all?";
}

void ExpectEachGatewayRecovered(Stack& stack) {
  for (int gateway = 0; gateway < 2; ++gateway) ExpectGatewayRecovered(stack, gateway);
}

TEST(MessagePathE2eTest, ConcurrentSendersThroughTwoChatAndTwoRealtimeKeepOneOrder) {
  StackOptions options;
  options.chat_instances = 2;
  options.realtime_instances = 2;
  options.gateway_instances = 2;
  // The two ways room events reach the bus at once: chat-svc 0 PUBLISHes them to Redis itself,
  // chat-svc 1 (without the bus' Redis) sends them through realtime-svc's PublishStream.
  options.instance_env = {{{Component::kChat, 1}, {{"CHATTER_REDIS_URL", ""}}}};
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;
  Room room = MakeRoom(stack, "order", /*senders=*/6, /*listeners_per_gateway=*/2, 2);
  ASSERT_EQ(room.listeners.size(), 4u);

  SendTally tally;
  SendConcurrently(stack, room, 2, /*per_sender=*/40, absl::InfiniteFuture(), absl::ZeroDuration(),
                   tally);
  EXPECT_EQ(tally.acked.load(), 240);
  EXPECT_EQ(tally.refused.load(), 0);
  std::atomic<int64_t> last_seq = LastSeq(stack, room);
  EXPECT_EQ(last_seq.load(), 240);
  for (size_t i = 0; i < room.listeners.size(); ++i) {
    Seen seen = ExpectEverySeqInOrder(*room.listeners[i], last_seq, room.listener_names[i]);
    // Nothing failed, so every message came live (or from a gap fill), none by resync.
    EXPECT_EQ(seen.delivered, last_seq.load()) << room.listener_names[i];
    EXPECT_EQ(seen.resyncs, 0) << room.listener_names[i];
  }
  stack.Stop();
}

// Each fault test runs its own stack, sends for `send_for` through both gateways, and injects
// the fault meanwhile.
class MessagePathFaultE2eTest : public ::testing::Test {
 protected:
  void StartStack(StackOptions options) {
    options.gateway_instances = 2;
    absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    stack_ = *std::move(started);
    room_ = MakeRoom(*stack_, "fault", /*senders=*/4, /*listeners_per_gateway=*/2, 2);
    ASSERT_EQ(room_.listeners.size(), 4u);
  }

  // Sends (about 400 messages/s) and reads every listener on other threads while `fault` runs
  // on this one; then every listener must have had every committed seq.
  void SendThrough(const std::function<void()>& fault) {
    SendTally tally;
    std::atomic<int64_t> last_seq{0};
    std::vector<std::thread> readers;
    for (size_t i = 0; i < room_.listeners.size(); ++i) {
      readers.emplace_back([&, i] {
        ExpectEverySeqInOrder(*room_.listeners[i], last_seq, room_.listener_names[i]);
      });
    }
    absl::Time until = absl::Now() + absl::Seconds(5);
    std::thread senders([&] {
      SendConcurrently(*stack_, room_, 2, /*per_sender=*/100000, until, absl::Milliseconds(10),
                       tally);
    });
    absl::SleepFor(absl::Milliseconds(500));
    fault();
    senders.join();
    EXPECT_GT(tally.acked.load(), 0);
    // Everything acked was committed; more may be (a send whose answer was lost).
    last_seq = LastSeq(*stack_, room_);
    EXPECT_GE(last_seq.load(), tally.acked.load());
    for (std::thread& reader : readers) reader.join();
  }

  std::unique_ptr<Stack> stack_;
  Room room_;
};

TEST_F(MessagePathFaultE2eTest, ChatSvcKilledBetweenCommitAndPublishLosesNoLiveMessage) {
  StackOptions options;
  options.chat_instances = 2;
  // chat-svc 1 (behind gateway 1) dies after its 15th commit, before publishing it.
  options.instance_env = {{{Component::kChat, 1}, {{"CHATTER_FAULT_KILL_AFTER_COMMITS", "15"}}}};
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  SendThrough([&] {
    absl::Time deadline = absl::Now() + absl::Seconds(4);
    while (stack_->process(Component::kChat, 1).Running() && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    EXPECT_FALSE(stack_->process(Component::kChat, 1).Running()) << "the fault hook never fired";
    stack_->Kill({Component::kChat, 1});  // Already dead; tells Stop() not to expect a clean exit.
  });
  // The 15th message's event was never published: each gateway filled it from history (gateway
  // 1 from chat-svc 0, its second address).
  EXPECT_GE(GatewayMetric(*stack_, 0, "ws_sequencer_filled_messages_total"), 1);
  EXPECT_GE(GatewayMetric(*stack_, 1, "ws_sequencer_filled_messages_total"), 1);
  stack_->Stop();
}

TEST_F(MessagePathFaultE2eTest, RealtimeSvcRestartLosesNoLiveMessage) {
  // Gateway 0 reads room events from the bus, which realtime-svc's death does not touch;
  // gateway 1 reads them through realtime-svc's stream, loses what is published while it is
  // down and fills that from history.
  StackOptions options;
  options.instance_env = {
      {{Component::kGateway, 1}, {{"CHATTER_GATEWAY_EVENTS_FROM_BUS", "false"}}}};
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  SendThrough([&] {
    ExitStatus killed = stack_->Kill(Component::kRealtime);
    EXPECT_EQ(killed.signal, SIGKILL);
    absl::SleepFor(absl::Seconds(2));
    ASSERT_TRUE(stack_->Restart(Component::kRealtime).ok());
  });
  EXPECT_EQ(GatewayMetric(*stack_, 0, "ws_bus_active"), 1);
  EXPECT_EQ(GatewayMetric(*stack_, 1, "ws_bus_active"), 0);
  ExpectGatewayRecovered(*stack_, 1);
  stack_->Stop();
}

TEST_F(MessagePathFaultE2eTest, RedisOutageLosesNoLiveMessage) {
  StackOptions options;
  options.proxy_redis = true;
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  SendThrough([&] {
    stack_->redis_proxy()->Cut();
    absl::SleepFor(absl::Seconds(2));
    stack_->redis_proxy()->Restore();
  });
  ExpectEachGatewayRecovered(*stack_);
  stack_->Stop();
}

}  // namespace
}  // namespace chatter::e2e
