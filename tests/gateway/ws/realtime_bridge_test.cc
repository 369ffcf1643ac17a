// Tests RealtimeBridge against in-process fake realtime-svc servers: hello with the service
// token, session/subscription/typing frames, heartbeats, room events reaching subscribed local
// sessions, reconnection re-sending the whole state, and fail-over to the next address.
#include "gateway/ws/realtime_bridge.h"

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/ws/event_fanout.h"
#include "gateway/ws/room_sequencer.h"
#include "tests/gateway/ws/fake_chat_backend.h"
#include "tests/gateway/ws/fake_realtime_service.h"
#include "tests/gateway/ws/fake_subscriber.h"

namespace chatter::gateway {
namespace {

using realtime::v1::GatewayFrame;
using testing::FakeRealtimeServer;
using testing::WaitFor;

int CountFrames(FakeRealtimeServer& server, GatewayFrame::FrameCase which) {
  int count = 0;
  for (const GatewayFrame& frame : server.service().frames()) count += frame.frame_case() == which;
  return count;
}

// The frames received since the last hello (the current stream's).
std::vector<GatewayFrame> LastStreamFrames(FakeRealtimeServer& server) {
  std::vector<GatewayFrame> all = server.service().frames();
  std::vector<GatewayFrame> out;
  for (const GatewayFrame& frame : all) {
    if (frame.has_hello()) out.clear();
    out.push_back(frame);
  }
  return out;
}

class RealtimeBridgeTest : public ::testing::Test {
 protected:
  std::unique_ptr<RealtimeBridge> MakeBridge(const std::string& target,
                                             RealtimeBridgeOptions options = {}) {
    options.gateway_id = "gw-1";
    options.version = "test";
    options.min_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(200);
    auto bridge = std::make_unique<RealtimeBridge>(
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials()),
        [this]() -> std::optional<std::string> {
          if (!token_available_) return std::nullopt;
          return std::string("service-token");
        },
        *sink_, registry_, std::move(options));
    bridge->Start();
    return bridge;
  }

  std::atomic<bool> token_available_{true};
  metrics::Registry registry_;
  RoomIndex index_;
  EventFanout fanout_{index_, registry_};
  testing::FakeChatBackend chat_;
  RoomSequencer sequencer_{fanout_, index_, chat_, registry_, {}};
  RealtimeEventSink* sink_ = &sequencer_;  // Where MakeBridge's bridges send what they hear.
};

// Writes "lost" into a shared log when told that events may have been lost; drops the rest.
class LossLog final : public RealtimeEventSink {
 public:
  LossLog(std::mutex& mu, std::vector<std::string>& log) : mu_(mu), log_(log) {}
  void OnRoomEvent(const realtime::v1::RoomEvent& /*event*/) override {}
  void OnPresence(const realtime::v1::PresenceEvent& /*event*/) override {}
  void OnUserEvent(const realtime::v1::UserEvent& /*event*/) override {}
  void OnEventsMayBeLost() override {
    std::lock_guard lock(mu_);
    log_.push_back("lost");
  }

 private:
  std::mutex& mu_;
  std::vector<std::string>& log_;
};

TEST_F(RealtimeBridgeTest, SaysHelloWithTheServiceTokenAndGoesLiveOnWelcome) {
  FakeRealtimeServer server;
  auto bridge = MakeBridge(server.address());
  ASSERT_TRUE(WaitFor([&] { return bridge->live(); }));
  std::vector<GatewayFrame> frames = server.service().frames();
  ASSERT_FALSE(frames.empty());
  ASSERT_TRUE(frames[0].has_hello());
  EXPECT_EQ(frames[0].hello().gateway_id(), "gw-1");
  EXPECT_EQ(frames[0].hello().version(), "test");
  EXPECT_EQ(server.service().authorizations(), std::vector<std::string>{"Bearer service-token"});
  bridge->Stop();
  EXPECT_FALSE(bridge->live());
}

TEST_F(RealtimeBridgeTest, AsksForEventsFromTheBusAndTellsWhetherEachWelcomeWithholdsThem) {
  FakeRealtimeServer server;
  std::mutex mu;
  std::vector<std::string> log;  // Welcomes and losses, in order.
  LossLog losses(mu, log);
  sink_ = &losses;
  RealtimeBridgeOptions options;  // MakeBridge names the gateway.
  options.events_from_bus = true;
  // As if the bus passed events all along while the stream withheld them: no loss then.
  options.on_welcome = [&](bool withheld) {
    std::lock_guard lock(mu);
    log.push_back(absl::StrCat("welcome withheld=", withheld));
    return !withheld;
  };
  auto bridge = MakeBridge(server.address(), std::move(options));
  ASSERT_TRUE(WaitFor([&] { return bridge->live(); }));
  ASSERT_TRUE(server.service().frames()[0].hello().events_from_bus());
  // An instance from before the field forwards bus frames: the next welcome says so.
  server.service().set_honours_events_from_bus(false);
  ASSERT_TRUE(server.service().End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restart")));
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return log.size() == 3;
  }));
  bridge->Stop();
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(log, (std::vector<std::string>{"welcome withheld=1", "welcome withheld=0", "lost"}));
  }

  FakeRealtimeServer plain;
  auto without = MakeBridge(plain.address());
  ASSERT_TRUE(WaitFor([&] { return without->live(); }));
  EXPECT_FALSE(plain.service().frames()[0].hello().events_from_bus());
  // Without on_welcome, every welcome may follow a loss.
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return log.size() == 4 && log.back() == "lost";
  }));
  without->Stop();
}

TEST_F(RealtimeBridgeTest, WaitsForAServiceToken) {
  token_available_ = false;
  FakeRealtimeServer server;
  auto bridge = MakeBridge(server.address());
  EXPECT_FALSE(WaitFor([&] { return server.service().streams() > 0; }, absl::Milliseconds(300)));
  token_available_ = true;
  EXPECT_TRUE(WaitFor([&] { return bridge->live(); }));
}

TEST_F(RealtimeBridgeTest, ReportsSessionsSubscriptionsAndTyping) {
  FakeRealtimeServer server;
  auto bridge = MakeBridge(server.address());
  ASSERT_TRUE(WaitFor([&] { return bridge->live(); }));
  bridge->SessionOpened({.session_id = "s1", .user_id = "u1", .username = "alice"});
  bridge->Subscribe("r1", "s1");
  bridge->Subscribe("r1", "s1");  // Already subscribed: not repeated.
  realtime::v1::Typing typing;
  typing.set_room_id("r1");
  typing.set_user_id("u1");
  typing.set_username("alice");
  typing.set_started(true);
  bridge->Typing("s1", typing);
  bridge->Unsubscribe("r1", "s1");
  bridge->Unsubscribe("r1", "s1");  // Not subscribed any more: not repeated.
  bridge->SessionClosed("s1");
  ASSERT_TRUE(WaitFor([&] { return server.service().frames().size() >= 6; }));
  std::vector<GatewayFrame> frames = server.service().frames();
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[1].session_opened().session_id(), "s1");
  EXPECT_EQ(frames[1].session_opened().user_id(), "u1");
  EXPECT_EQ(frames[1].session_opened().username(), "alice");
  EXPECT_EQ(frames[2].subscribe().room_id(), "r1");
  EXPECT_EQ(frames[2].subscribe().session_ids(0), "s1");
  EXPECT_EQ(frames[3].typing().session_id(), "s1");
  EXPECT_TRUE(frames[3].typing().typing().started());
  EXPECT_EQ(frames[4].unsubscribe().room_id(), "r1");
  EXPECT_EQ(frames[5].session_closed().session_id(), "s1");
}

TEST_F(RealtimeBridgeTest, StopWritesTheQueuedFramesFirst) {
  FakeRealtimeServer server;
  auto bridge = MakeBridge(server.address());
  ASSERT_TRUE(WaitFor([&] { return bridge->live(); }));
  bridge->SessionOpened({.session_id = "s1", .user_id = "u1", .username = "alice"});
  bridge->SessionClosed("s1");
  bridge->Stop();
  EXPECT_TRUE(WaitFor([&] { return CountFrames(server, GatewayFrame::kSessionClosed) == 1; }));
}

TEST_F(RealtimeBridgeTest, SendsHeartbeatsAtTheWelcomeInterval) {
  FakeRealtimeServer server(/*heartbeat_interval_ms=*/30);
  auto bridge = MakeBridge(server.address());
  EXPECT_TRUE(WaitFor([&] { return CountFrames(server, GatewayFrame::kHeartbeat) >= 3; }));
}

TEST_F(RealtimeBridgeTest, RoomEventsReachTheSubscribedLocalSessions) {
  FakeRealtimeServer server;
  auto subscribed = testing::MakeSubscriber("s1", "u1");
  auto other = testing::MakeSubscriber("s2", "u2");
  index_.AddSession(subscribed);
  index_.AddSession(other);
  index_.Subscribe("r1", "s1");
  auto bridge = MakeBridge(server.address());
  ASSERT_TRUE(WaitFor([&] { return bridge->live(); }));
  realtime::v1::RealtimeFrame frame;
  frame.mutable_room_event()->set_room_id("r1");
  frame.mutable_room_event()->mutable_member_joined()->set_room_id("r1");
  frame.mutable_room_event()->mutable_member_joined()->set_user_id("u3");
  ASSERT_TRUE(server.service().Push(frame));
  ASSERT_TRUE(WaitFor([&] { return subscribed->rooms().size() == 1; }));
  EXPECT_EQ(*subscribed->rooms()[0]->frame,
            R"({"event":"member_joined","data":{"room_id":"r1","user_id":"u3"}})");
  EXPECT_TRUE(other->rooms().empty());
}

TEST_F(RealtimeBridgeTest, ReconnectsAndResendsEveryLiveSessionAndRoom) {
  FakeRealtimeServer server;
  auto bridge = MakeBridge(server.address());
  ASSERT_TRUE(WaitFor([&] { return bridge->live(); }));
  bridge->SessionOpened({.session_id = "s1", .user_id = "u1", .username = "alice"});
  bridge->SessionOpened({.session_id = "s2", .user_id = "u2", .username = "bob"});
  bridge->SessionOpened({.session_id = "s3", .user_id = "u3", .username = "carol"});
  bridge->Subscribe("r1", "s1");
  bridge->Subscribe("r1", "s2");
  bridge->Subscribe("r2", "s2");
  bridge->SessionClosed("s3");
  ASSERT_TRUE(WaitFor([&] { return server.service().frames().size() >= 8; }));

  ASSERT_TRUE(server.service().End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")));
  ASSERT_TRUE(WaitFor([&] { return server.service().streams() == 2 && bridge->live(); }));
  ASSERT_TRUE(WaitFor([&] { return LastStreamFrames(server).size() >= 5; }));
  std::vector<GatewayFrame> frames = LastStreamFrames(server);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames[0].hello().gateway_id(), "gw-1");
  std::set<std::string> opened;
  std::map<std::string, std::set<std::string>> rooms;
  for (const GatewayFrame& frame : frames) {
    if (frame.has_session_opened()) opened.insert(frame.session_opened().session_id());
    if (frame.has_subscribe()) {
      for (const auto& id : frame.subscribe().session_ids())
        rooms[frame.subscribe().room_id()].insert(id);
    }
  }
  EXPECT_EQ(opened, (std::set<std::string>{"s1", "s2"}));
  EXPECT_EQ(rooms,
            (std::map<std::string, std::set<std::string>>{{"r1", {"s1", "s2"}}, {"r2", {"s2"}}}));
  EXPECT_GE(bridge->reconnects(), 1);
}

// "room resumed=0|1: sessions" for each subscribe of the server's last stream, sorted.
std::set<std::string> LastSnapshotSubscriptions(FakeRealtimeServer& server) {
  std::set<std::string> subscriptions;
  for (const GatewayFrame& frame : LastStreamFrames(server)) {
    if (!frame.has_subscribe()) continue;
    std::set<std::string> sessions(frame.subscribe().session_ids().begin(),
                                   frame.subscribe().session_ids().end());
    subscriptions.insert(absl::StrCat(frame.subscribe().room_id(),
                                      " resumed=", frame.subscribe().resumed(), ": ",
                                      absl::StrJoin(sessions, ",")));
  }
  return subscriptions;
}

TEST_F(RealtimeBridgeTest, OnlySubscriptionsAnEarlierStreamCarriedAreResumed) {
  FakeRealtimeServer server;
  auto bridge = MakeBridge(server.address());
  ASSERT_TRUE(WaitFor([&] { return bridge->live(); }));
  bridge->SessionOpened({.session_id = "s1", .user_id = "u1", .username = "alice"});
  bridge->Subscribe("r1", "s1");
  ASSERT_TRUE(WaitFor([&] { return server.service().frames().size() >= 3; }));
  // No stream for a while (no token to open one): what happens meanwhile was never announced.
  token_available_ = false;
  ASSERT_TRUE(server.service().End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")));
  ASSERT_TRUE(WaitFor([&] { return !bridge->live(); }));
  bridge->SessionOpened({.session_id = "s2", .user_id = "u2", .username = "bob"});
  bridge->Subscribe("r1", "s2");
  bridge->Subscribe("r2", "s1");
  token_available_ = true;
  ASSERT_TRUE(WaitFor([&] { return server.service().streams() == 2 && bridge->live(); }));
  ASSERT_TRUE(WaitFor([&] { return LastSnapshotSubscriptions(server).size() == 3; }));
  EXPECT_EQ(LastSnapshotSubscriptions(server),
            (std::set<std::string>{"r1 resumed=0: s2", "r1 resumed=1: s1", "r2 resumed=0: s1"}));
  // The second stream carried them all.
  ASSERT_TRUE(server.service().End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")));
  ASSERT_TRUE(WaitFor([&] { return server.service().streams() == 3 && bridge->live(); }));
  ASSERT_TRUE(WaitFor([&] { return LastSnapshotSubscriptions(server).size() == 2; }));
  EXPECT_EQ(LastSnapshotSubscriptions(server),
            (std::set<std::string>{"r1 resumed=1: s1,s2", "r2 resumed=1: s1"}));
}

TEST_F(RealtimeBridgeTest, FailsOverToTheNextAddressWhenTheFirstDies) {
  auto first = std::make_unique<FakeRealtimeServer>();
  FakeRealtimeServer second;
  std::string target = absl::StrCat("ipv4:", first->address(), ",", second.address());
  auto bridge = MakeBridge(target);
  ASSERT_TRUE(WaitFor([&] { return bridge->live(); }));
  EXPECT_EQ(first->service().streams(), 1);
  EXPECT_EQ(second.service().streams(), 0);
  bridge->SessionOpened({.session_id = "s1", .user_id = "u1", .username = "alice"});
  bridge->Subscribe("r1", "s1");

  first->Shutdown();
  ASSERT_TRUE(WaitFor([&] { return second.service().streams() >= 1 && bridge->live(); }));
  ASSERT_TRUE(WaitFor([&] { return LastStreamFrames(second).size() >= 3; }));
  std::vector<GatewayFrame> frames = LastStreamFrames(second);
  EXPECT_TRUE(frames[0].has_hello());
  EXPECT_EQ(frames[1].session_opened().session_id(), "s1");
  EXPECT_EQ(frames[2].subscribe().room_id(), "r1");
}

}  // namespace
}  // namespace chatter::gateway
