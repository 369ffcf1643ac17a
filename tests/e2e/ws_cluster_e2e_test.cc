// WebSocket delivery across instances (issue 5): two gateways and two realtime-svc processes on one
// Redis and PostgreSQL, gateway 0 reading room events from the bus and gateway 1 through
// realtime-svc. Every event reaches every subscriber exactly once whichever gateway it
// entered by; a realtime-svc crash, a gateway crash, a slow reader and a disconnect lose nothing
// that was persisted; SIGTERM tells sessions to reconnect (1012).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"
#include "tests/e2e/harness/ws_client.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

constexpr absl::Duration kWait = absl::Seconds(10);
// Small, so a reader that stops reading overflows its queue after a few hundred KiB.
constexpr int kSendQueueBytes = 64 * 1024;

StackOptions ClusterOptions() {
  StackOptions options;
  options.realtime_instances = 2;
  options.gateway_instances = 2;
  options.env = {
      {Component::kGateway, {{"CHATTER_WS_SEND_QUEUE_BYTES", std::to_string(kSendQueueBytes)}}},
      {Component::kRealtime,
       {{"CHATTER_PRESENCE_HEARTBEAT_MS", "500"},
        {"CHATTER_PRESENCE_TTL_MS", "2000"},
        {"CHATTER_PRESENCE_SWEEP_MS", "250"}}}};
  // Gateway 0 reads room events from the bus, gateway 1 through realtime-svc's stream: both
  // paths, side by side, must deliver alike.
  options.instance_env = {
      {{Component::kGateway, 1}, {{"CHATTER_GATEWAY_EVENTS_FROM_BUS", "false"}}}};
  return options;
}

// Alice owns a new public room that Bob has joined (set up through gateway `port`).
struct RoomOfTwo {
  ApiUser alice;
  ApiUser bob;
  std::string room;
};
RoomOfTwo MakeRoomOfTwo(int port, const std::string& prefix) {
  RoomOfTwo made{SignUpUser(port, prefix + "_a"), SignUpUser(port, prefix + "_b"), ""};
  made.room = CreateRoomAs(port, made.alice, prefix).value("id", "");
  JoinRoomAs(port, made.bob, made.room);
  return made;
}

// The ids of receive_message frames, in order, until the message with `last_id`: first those
// already read and set aside while waiting for something else (a sender's own echo may arrive
// after its ack), then new ones.
std::vector<std::string> ReceiveUntil(WsClient& client, const std::string& last_id) {
  std::vector<std::string> ids;
  std::vector<json> skipped;
  skipped.swap(client.skipped());
  for (const json& frame : skipped) {
    if (frame.value("event", "") != "receive_message") continue;
    ids.push_back(frame["data"].value("id", ""));
    if (ids.back() == last_id) return ids;
  }
  while (true) {
    absl::StatusOr<json> frame = client.NextEvent("receive_message", kWait);
    EXPECT_TRUE(frame.ok()) << frame.status() << " after " << ids.size() << " messages";
    if (!frame.ok()) return ids;
    ids.push_back((*frame)["data"].value("id", ""));
    if (ids.back() == last_id) return ids;
  }
}

class WsClusterE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() { StartSharedStack(ClusterOptions()); }
  static int gateway(int instance) { return stack().gateway_port(instance); }
};

TEST_F(WsClusterE2eTest, MessagesReachSubscribersOnTheOtherGatewayExactlyOnce) {
  auto [alice, bob, room] = MakeRoomOfTwo(gateway(0), "cluster");
  auto alice_ws = OpenUserSession(gateway(0), alice, room);
  auto bob_ws = OpenUserSession(gateway(1), bob, room);
  auto bob_second_tab = OpenUserSession(gateway(1), bob, room);
  ASSERT_TRUE(alice_ws && bob_ws && bob_second_tab);

  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<json> ack =
        alice_ws->Request("send_message", {{"room_id", room}, {"content", absl::StrCat("m", i)}},
                          absl::StrCat("s", i));
    ASSERT_TRUE(ack.ok()) << ack.status();
    ASSERT_EQ((*ack)["event"], "ack") << *ack;
    sent.push_back((*ack)["data"]["id"]);
  }
  // A REST message through gateway 1 ends the series (and must reach gateway 0 as well).
  json sentinel = SendMessageAs(gateway(1), bob, room, "sentinel");
  sent.push_back(sentinel["id"]);
  std::set<std::string> expected(sent.begin(), sent.end());
  for (WsClient* client : {bob_ws.get(), bob_second_tab.get(), alice_ws.get()}) {
    std::vector<std::string> received = ReceiveUntil(*client, sentinel["id"]);
    std::multiset<std::string> counted(received.begin(), received.end());
    for (const std::string& id : expected) EXPECT_EQ(counted.count(id), 1u) << id;
    EXPECT_EQ(received.size(), expected.size());
  }
}

TEST_F(WsClusterE2eTest, TypingCrossesGatewaysToOtherSessionsOnly) {
  auto [alice, bob, room] = MakeRoomOfTwo(gateway(0), "cluster_typing");
  auto alice_ws = OpenUserSession(gateway(0), alice, room);
  auto bob_ws = OpenUserSession(gateway(1), bob, room);
  ASSERT_TRUE(alice_ws && bob_ws);
  ASSERT_TRUE(bob_ws->Request("typing_start", {{"room_id", room}}, "t").ok());
  absl::StatusOr<json> typing = alice_ws->NextEvent("typing_start", kWait);
  ASSERT_TRUE(typing.ok()) << typing.status();
  EXPECT_EQ((*typing)["data"],
            json({{"room_id", room}, {"user_id", bob.id}, {"username", bob.username}}));
}

TEST_F(WsClusterE2eTest, SlowReaderIsClosedWhileOthersKeepReceivingAndResumeLosesNothing) {
  auto [alice, bob, room] = MakeRoomOfTwo(gateway(0), "cluster_slow");
  ApiUser sloth = SignUpUser(gateway(0), "cluster_slow_s");
  JoinRoomAs(gateway(0), sloth, room);
  auto bob_ws = OpenUserSession(gateway(1), bob, room);
  // A tiny receive buffer: the gateway's writes stall as soon as the reader stops reading.
  auto sloth_ws = OpenUserSession(gateway(1), sloth, room,
                                  WsOptions{.headers = {}, .receive_buffer_bytes = 4096});
  ASSERT_TRUE(bob_ws && sloth_ws);

  // Far more than the send queue and the socket buffers hold; Bob reads each one.
  const std::string content(3500, 'z');
  const int messages = 300;
  std::vector<std::string> sent;
  for (int i = 0; i < messages; ++i) {
    json message = SendMessageAs(gateway(0), alice, room, content);
    sent.push_back(message.value("id", ""));
    absl::StatusOr<json> received = bob_ws->NextEvent("receive_message", kWait);
    ASSERT_TRUE(received.ok()) << "bob stopped receiving at " << i << ": " << received.status();
    ASSERT_EQ((*received)["data"]["id"], sent.back());
  }

  absl::StatusOr<WsClosed> closed = sloth_ws->WaitClosed(kWait);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_TRUE(closed->code == 1013 || closed->code == 1008) << closed->code;
  EXPECT_FALSE(closed->reason.empty());

  // The slow reader reconnects with since_seq and gets every message, in order.
  auto again = OpenUserSession(gateway(1), sloth, "");
  ASSERT_NE(again, nullptr);
  ASSERT_TRUE(again->SendEvent("subscribe", {{"room_id", room}, {"since_seq", 0}}, "r").ok());
  std::vector<std::string> replayed = ReceiveUntil(*again, sent.back());
  EXPECT_EQ(replayed, sent);
}

TEST_F(WsClusterE2eTest, ResumeOnAnotherGatewayAfterDisconnectLosesNothing) {
  auto [alice, bob, room] = MakeRoomOfTwo(gateway(0), "cluster_resume");
  auto bob_ws = OpenUserSession(gateway(1), bob, room);
  ASSERT_NE(bob_ws, nullptr);
  json first = SendMessageAs(gateway(0), alice, room, "seen");
  absl::StatusOr<json> seen = bob_ws->NextEvent("receive_message", kWait);
  ASSERT_TRUE(seen.ok()) << seen.status();
  int64_t last_seq = (*seen)["data"]["seq"];
  bob_ws->Close();

  std::vector<std::string> missed;
  for (int i = 0; i < 4; ++i) {
    missed.push_back(SendMessageAs(gateway(0), alice, room, absl::StrCat("missed ", i))["id"]);
  }
  auto resumed = OpenUserSession(gateway(0), bob, "");
  ASSERT_NE(resumed, nullptr);
  ASSERT_TRUE(
      resumed->SendEvent("subscribe", {{"room_id", room}, {"since_seq", last_seq}}, "r").ok());
  EXPECT_EQ(ReceiveUntil(*resumed, missed.back()), missed);
  json live = SendMessageAs(gateway(1), alice, room, "live");
  EXPECT_EQ(ReceiveUntil(*resumed, live["id"]), std::vector<std::string>{live["id"]});
}

// Each of these ends a process, so each has its own stack.

TEST(WsFailoverE2eTest, KillingARealtimeInstanceKeepsDeliveryGoingAfterReconnect) {
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start(ClusterOptions());
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;
  auto [alice, bob, room] = MakeRoomOfTwo(stack.gateway_port(0), "failover");
  // Gateway 1 prefers realtime-svc 1, which is killed; chat-svc publishes through instance 0.
  auto bob_ws = OpenUserSession(stack.gateway_port(1), bob, room);
  ASSERT_NE(bob_ws, nullptr);
  ExitStatus killed = stack.Kill({Component::kRealtime, 1});
  EXPECT_EQ(killed.signal, SIGKILL);

  // Gateway 1 reconnects to realtime-svc 0 and re-subscribes Bob's session: probe until a
  // message gets through, then every later one must arrive, in order, once.
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  bool through = false;
  while (!through && absl::Now() < deadline) {
    json probe = SendMessageAs(stack.gateway_port(0), alice, room, "probe");
    absl::StatusOr<json> frame = bob_ws->NextEvent("receive_message", absl::Seconds(1));
    through = frame.ok();
  }
  ASSERT_TRUE(through) << "no delivery after the realtime-svc crash\n" << stack.LogTails();
  bob_ws->skipped().clear();
  std::vector<std::string> after;
  for (int i = 0; i < 5; ++i) {
    after.push_back(SendMessageAs(stack.gateway_port(0), alice, room, "after")["id"]);
  }
  std::vector<std::string> received;
  while (received.size() < after.size() + 10) {  // Late probes may come first.
    absl::StatusOr<json> frame = bob_ws->NextEvent("receive_message", kWait);
    ASSERT_TRUE(frame.ok()) << frame.status();
    received.push_back((*frame)["data"]["id"]);
    if (received.back() == after.back()) break;
  }
  std::vector<std::string> tail(received.end() - static_cast<long>(after.size()), received.end());
  EXPECT_EQ(tail, after);
  stack.Stop();
}

TEST(WsFailoverE2eTest, UsersOfACrashedGatewayGoOfflineAndSigtermClosesWith1012) {
  StackOptions options = ClusterOptions();
  options.realtime_instances = 1;
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;
  auto [alice, bob, room] = MakeRoomOfTwo(stack.gateway_port(0), "crash");
  auto alice_ws = OpenUserSession(stack.gateway_port(0), alice, room);
  auto bob_ws = OpenUserSession(stack.gateway_port(1), bob, room);
  ASSERT_TRUE(alice_ws && bob_ws);
  absl::StatusOr<json> online = alice_ws->NextEvent("presence", kWait);
  ASSERT_TRUE(online.ok()) << online.status();
  EXPECT_EQ((*online)["data"]["user_id"], bob.id);
  EXPECT_EQ((*online)["data"]["status"], "online");

  stack.Kill({Component::kGateway, 1});
  // The presence TTL is 2 s here (45 s by default): well within the 60 s bound either way.
  absl::StatusOr<json> offline = alice_ws->NextEvent("presence", absl::Seconds(60));
  ASSERT_TRUE(offline.ok()) << offline.status();
  EXPECT_EQ((*offline)["data"]["user_id"], bob.id);
  EXPECT_EQ((*offline)["data"]["status"], "offline");

  // SIGTERM: the surviving gateway tells its sessions to reconnect, then exits with 0 (Stop()
  // checks the exit code and the drain deadline).
  stack.process(Component::kGateway, 0).Signal(SIGTERM);
  absl::StatusOr<WsClosed> closed = alice_ws->WaitClosed(kWait);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->code, 1012);
  stack.Stop();
}

}  // namespace
}  // namespace chatter::e2e
