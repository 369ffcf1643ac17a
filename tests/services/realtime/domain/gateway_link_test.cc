// GatewayLink: the Connect protocol apart from gRPC. hello first (welcome with the configured
// intervals), sessions and subscriptions reach the registry and the presence queue, typing is
// relayed only for a subscribed session of the same user, a heartbeat refreshes every session,
// and a reconnecting gateway replaces its old stream.
#include "services/realtime/domain/gateway_link.h"

#include <gtest/gtest.h>

#include "libs/ids/uuid.h"
#include "tests/services/realtime/fakes/recording_bus.h"
#include "tests/services/realtime/fakes/recording_presence_tasks.h"
#include "tests/services/realtime/fakes/recording_sink.h"

namespace chatter::realtime {
namespace {

constexpr char kRoom[] = "018f0000-0000-7000-8000-0000000000a1";
constexpr char kSession[] = "018f0000-0000-7000-8000-0000000000b1";
constexpr char kOtherSession[] = "018f0000-0000-7000-8000-0000000000b2";
constexpr char kAlice[] = "018f0000-0000-7000-8000-0000000000c1";
constexpr char kBob[] = "018f0000-0000-7000-8000-0000000000c2";

v1::GatewayFrame Hello(const std::string& gateway_id = "gw-1") {
  v1::GatewayFrame frame;
  frame.mutable_hello()->set_gateway_id(gateway_id);
  frame.mutable_hello()->set_version("test");
  return frame;
}

v1::GatewayFrame Opened(const std::string& session, const std::string& user,
                        const std::string& username) {
  v1::GatewayFrame frame;
  frame.mutable_session_opened()->set_session_id(session);
  frame.mutable_session_opened()->set_user_id(user);
  frame.mutable_session_opened()->set_username(username);
  return frame;
}

v1::GatewayFrame Subscribe(const std::string& room, std::vector<std::string> sessions) {
  v1::GatewayFrame frame;
  frame.mutable_subscribe()->set_room_id(room);
  for (const std::string& session : sessions) frame.mutable_subscribe()->add_session_ids(session);
  return frame;
}

v1::GatewayFrame Typing(const std::string& session, const std::string& room,
                        const std::string& user) {
  v1::GatewayFrame frame;
  frame.mutable_typing()->set_session_id(session);
  frame.mutable_typing()->mutable_typing()->set_room_id(room);
  frame.mutable_typing()->mutable_typing()->set_user_id(user);
  frame.mutable_typing()->mutable_typing()->set_username("spoofed");
  frame.mutable_typing()->mutable_typing()->set_started(true);
  return frame;
}

class GatewayLinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<GatewayLink> NewLink(std::shared_ptr<RecordingSink> sink) {
    return std::make_unique<GatewayLink>(
        LinkDependencies{registry_, presence_, bus_, uuids_, clock_, metrics_},
        LinkSettings{.instance_id = "rt-1",
                     .heartbeat_interval = absl::Seconds(10),
                     .presence_ttl = absl::Seconds(45)},
        sink);
  }

  // A link after hello, alice's session open and subscribed to kRoom.
  void Prepare() {
    ASSERT_TRUE(link_->Handle(Hello()).ok());
    ASSERT_TRUE(link_->Handle(Opened(kSession, kAlice, "alice")).ok());
    ASSERT_TRUE(link_->Handle(Subscribe(kRoom, {kSession})).ok());
  }

  metrics::Registry metric_registry_;
  RealtimeMetrics metrics_{metric_registry_};
  GatewayRegistry registry_;
  RecordingPresenceTasks presence_;
  RecordingBus bus_;
  ids::SystemClock clock_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator uuids_{clock_, random_};
  std::shared_ptr<RecordingSink> sink_ = std::make_shared<RecordingSink>();
  std::unique_ptr<GatewayLink> link_ = NewLink(sink_);
};

TEST_F(GatewayLinkTest, HelloFirstThenWelcome) {
  absl::Status refused = link_->Handle(Opened(kSession, kAlice, "alice"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(link_->Handle(Hello("")).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(link_->Handle(Hello()).ok());
  ASSERT_EQ(sink_->frames().size(), 1u);
  const v1::Welcome& welcome = sink_->frames()[0]->welcome();
  EXPECT_EQ(welcome.instance_id(), "rt-1");
  EXPECT_EQ(welcome.heartbeat_interval_ms(), 10000);
  EXPECT_EQ(welcome.presence_ttl_ms(), 45000);
  EXPECT_FALSE(welcome.bus_frames_withheld());
  EXPECT_EQ(registry_.stream_count(), 1u);
  EXPECT_TRUE(link_->Handle(Hello()).ok());  // Repeated: counted and ignored.
  EXPECT_EQ(metrics_.gateway_invalid_frames.Value(), 1);
}

TEST_F(GatewayLinkTest, AResumedSubscriptionGetsNoPresenceSnapshot) {
  ASSERT_TRUE(link_->Handle(Hello()).ok());
  ASSERT_TRUE(link_->Handle(Opened(kSession, kAlice, "alice")).ok());
  ASSERT_TRUE(link_->Handle(Opened(kOtherSession, kBob, "bob")).ok());
  ASSERT_TRUE(link_->Handle(Subscribe(kRoom, {kSession})).ok());
  v1::GatewayFrame resumed = Subscribe(kRoom, {kOtherSession});
  resumed.mutable_subscribe()->set_resumed(true);  // Bob had his on the gateway's last stream.
  ASSERT_TRUE(link_->Handle(resumed).ok());
  std::vector<RecordingPresenceTasks::Call> calls = presence_.calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[2].session_id, kSession);
  EXPECT_TRUE(calls[2].snapshot);
  EXPECT_EQ(calls[3].kind, "subscribed");  // Still subscribed, and presence still told.
  EXPECT_EQ(calls[3].session_id, kOtherSession);
  EXPECT_FALSE(calls[3].snapshot);
  EXPECT_EQ(registry_.RoomTargets(kRoom).size(), 1u);
}

TEST_F(GatewayLinkTest, AGatewayThatReadsTheBusIsToldItsBusFramesAreWithheld) {
  v1::GatewayFrame hello = Hello();
  hello.mutable_hello()->set_events_from_bus(true);
  ASSERT_TRUE(link_->Handle(hello).ok());
  ASSERT_TRUE(link_->Handle(Opened(kSession, kAlice, "alice")).ok());
  ASSERT_TRUE(link_->Handle(Subscribe(kRoom, {kSession})).ok());
  ASSERT_EQ(sink_->frames().size(), 1u);
  EXPECT_TRUE(sink_->frames()[0]->welcome().bus_frames_withheld());
  // Subscribed (presence and typing checks see it), but no target of the bus' room events.
  EXPECT_EQ(presence_.calls().back().kind, "subscribed");
  EXPECT_TRUE(registry_.RoomTargets(kRoom).empty());
}

TEST_F(GatewayLinkTest, SessionsAndSubscriptionsReachRegistryAndPresence) {
  Prepare();
  ASSERT_TRUE(link_->Handle(Subscribe(kRoom, {kOtherSession})).ok());  // Unknown session.
  EXPECT_EQ(metrics_.gateway_invalid_frames.Value(), 1);
  EXPECT_EQ(registry_.RoomTargets(kRoom).size(), 1u);
  std::vector<RecordingPresenceTasks::Call> calls = presence_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].kind, "opened");
  EXPECT_EQ(calls[0].user_id, kAlice);
  EXPECT_EQ(calls[1].kind, "subscribed");
  EXPECT_EQ(calls[1].room_id, kRoom);

  v1::GatewayFrame closed;
  closed.mutable_session_closed()->set_session_id(kSession);
  ASSERT_TRUE(link_->Handle(closed).ok());
  EXPECT_TRUE(registry_.RoomTargets(kRoom).empty());
  EXPECT_EQ(presence_.calls().back().kind, "closed");
  EXPECT_EQ(presence_.calls().back().user_id, kAlice);
}

TEST_F(GatewayLinkTest, IdsAreComparedLowerCase) {
  ASSERT_TRUE(link_->Handle(Hello()).ok());
  std::string upper_session = kSession;
  for (char& c : upper_session) c = static_cast<char>(std::toupper(c));
  ASSERT_TRUE(link_->Handle(Opened(upper_session, kAlice, "alice")).ok());
  ASSERT_TRUE(link_->Handle(Subscribe(kRoom, {kSession})).ok());
  EXPECT_EQ(registry_.RoomTargets(kRoom).size(), 1u);
  ASSERT_TRUE(link_->Handle(Opened("not-a-uuid", kAlice, "alice")).ok());
  EXPECT_EQ(metrics_.gateway_invalid_frames.Value(), 1);
}

TEST_F(GatewayLinkTest, TypingIsRelayedExcludingTheTypingSession) {
  Prepare();
  ASSERT_TRUE(link_->Handle(Typing(kSession, kRoom, kAlice)).ok());
  std::vector<v1::RealtimeFrame> published = bus_.frames();
  ASSERT_EQ(published.size(), 1u);
  const v1::RoomEvent& event = published[0].room_event();
  EXPECT_EQ(event.room_id(), kRoom);
  EXPECT_EQ(event.exclude_session_id(), kSession);
  EXPECT_TRUE(ids::IsValidUuid(event.event_id()));
  EXPECT_TRUE(event.has_occurred_at());
  EXPECT_EQ(event.typing().room_id(), kRoom);
  EXPECT_EQ(event.typing().user_id(), kAlice);
  EXPECT_EQ(event.typing().username(), "alice");  // The session's, not the frame's.
  EXPECT_TRUE(event.typing().started());
}

TEST_F(GatewayLinkTest, TypingOfStrangersIsCountedAndIgnored) {
  Prepare();
  ASSERT_TRUE(link_->Handle(Opened(kOtherSession, kBob, "bob")).ok());
  // Bob's session does not follow the room; alice's session cannot type as bob.
  ASSERT_TRUE(link_->Handle(Typing(kOtherSession, kRoom, kBob)).ok());
  ASSERT_TRUE(link_->Handle(Typing(kSession, kRoom, kBob)).ok());
  ASSERT_TRUE(link_->Handle(Typing(kSession, "018f0000-0000-7000-8000-0000000000a9", kAlice)).ok());
  EXPECT_TRUE(bus_.frames().empty());
  EXPECT_EQ(metrics_.typing_rejected.Value(), 3);
  bus_.set_full(true);
  ASSERT_TRUE(link_->Handle(Typing(kSession, kRoom, kAlice)).ok());
  EXPECT_EQ(metrics_.typing_dropped.Value(), 1);
}

TEST_F(GatewayLinkTest, HeartbeatRefreshesEverySessionWithItsRooms) {
  Prepare();
  ASSERT_TRUE(link_->Handle(Opened(kOtherSession, kBob, "bob")).ok());
  v1::GatewayFrame heartbeat;
  heartbeat.mutable_heartbeat();
  ASSERT_TRUE(link_->Handle(heartbeat).ok());
  RecordingPresenceTasks::Call call = presence_.calls().back();
  EXPECT_EQ(call.kind, "heartbeat");
  ASSERT_EQ(call.sessions.size(), 2u);
  for (const SessionRooms& session : call.sessions) {
    EXPECT_EQ(session.room_ids.size(), session.session.user_id == kAlice ? 1u : 0u);
  }
}

TEST_F(GatewayLinkTest, EndForgetsSubscriptionsAndAReconnectReplacesTheOldStream) {
  Prepare();
  auto second_sink = std::make_shared<RecordingSink>();
  std::unique_ptr<GatewayLink> second = NewLink(second_sink);
  ASSERT_TRUE(second->Handle(Hello()).ok());  // Same gateway id.
  ASSERT_TRUE(sink_->closed().has_value());
  EXPECT_EQ(sink_->closed()->code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(registry_.RoomTargets(kRoom).empty());
  link_->End();  // The old stream ending later leaves the new one alone.
  EXPECT_EQ(registry_.stream_count(), 1u);
  second->End();
  EXPECT_EQ(registry_.stream_count(), 0u);
}

}  // namespace
}  // namespace chatter::realtime
