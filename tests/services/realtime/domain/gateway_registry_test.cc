// GatewayRegistry: who gets a frame. Room events reach only streams with a session subscribed
// to the room, presence the streams with a session in one of its rooms or of one of its users,
// user events the streams with a session of one of their users, each stream once and sharing one
// frame object; closing, unsubscribing, ending and replacing streams update the index at once.
#include "services/realtime/domain/gateway_registry.h"

#include <gtest/gtest.h>

#include "tests/services/realtime/fakes/recording_sink.h"

namespace chatter::realtime {
namespace {

constexpr char kRoom[] = "room-1";
constexpr char kOtherRoom[] = "room-2";

std::shared_ptr<const v1::RealtimeFrame> RoomEvent(const std::string& room) {
  auto frame = std::make_shared<v1::RealtimeFrame>();
  frame->mutable_room_event()->set_room_id(room);
  return frame;
}

std::shared_ptr<const v1::RealtimeFrame> Presence(std::vector<std::string> rooms,
                                                  std::vector<std::string> users) {
  auto frame = std::make_shared<v1::RealtimeFrame>();
  for (const std::string& room : rooms) frame->mutable_presence()->add_room_ids(room);
  for (const std::string& user : users) frame->mutable_presence()->add_user_ids(user);
  return frame;
}

std::shared_ptr<const v1::RealtimeFrame> UserEvent(std::vector<std::string> users) {
  auto frame = std::make_shared<v1::RealtimeFrame>();
  for (const std::string& user : users) frame->mutable_user_event()->add_user_ids(user);
  frame->mutable_user_event()->mutable_disconnect()->set_close_code(1008);
  return frame;
}

class GatewayRegistryTest : public ::testing::Test {
 protected:
  StreamId Connect(const std::string& gateway, std::shared_ptr<RecordingSink> sink) {
    return registry_.AddStream(gateway, sink, nullptr);
  }

  GatewayRegistry registry_;
  std::shared_ptr<RecordingSink> a_ = std::make_shared<RecordingSink>();
  std::shared_ptr<RecordingSink> b_ = std::make_shared<RecordingSink>();
};

TEST_F(GatewayRegistryTest, RoomEventsReachOnlySubscribedStreamsOnceSharingTheFrame) {
  StreamId a = Connect("gw-a", a_);
  StreamId b = Connect("gw-b", b_);
  ASSERT_TRUE(registry_.OpenSession(a, {"s1", "u1", "alice"}));
  ASSERT_TRUE(registry_.OpenSession(a, {"s2", "u2", "bob"}));
  ASSERT_TRUE(registry_.OpenSession(b, {"s3", "u3", "carol"}));
  EXPECT_EQ(registry_.Subscribe(a, kRoom, {"s1", "s2"}).added.size(), 2u);
  registry_.Subscribe(b, kOtherRoom, {"s3"});

  auto event = RoomEvent(kRoom);
  EXPECT_EQ(registry_.Deliver(event), 1u);  // Two sessions on gateway a, delivered once.
  ASSERT_EQ(a_->frames().size(), 1u);
  EXPECT_EQ(a_->frames()[0].get(), event.get());  // Shared, not copied.
  EXPECT_TRUE(b_->frames().empty());

  registry_.Subscribe(b, kRoom, {"s3"});
  auto second = RoomEvent(kRoom);
  EXPECT_EQ(registry_.Deliver(second), 2u);
  EXPECT_EQ(a_->frames()[1].get(), second.get());
  EXPECT_EQ(b_->frames()[0].get(), second.get());
  EXPECT_EQ(registry_.Deliver(RoomEvent("room-nobody")), 0u);
}

TEST_F(GatewayRegistryTest, UserEventsReachOnlyStreamsWithASessionOfTheUsersOnce) {
  StreamId a = Connect("gw-a", a_);
  StreamId b = Connect("gw-b", b_);
  auto c = std::make_shared<RecordingSink>();
  Connect("gw-c", c);
  ASSERT_TRUE(registry_.OpenSession(a, {"s1", "u1", "alice"}));
  ASSERT_TRUE(registry_.OpenSession(a, {"s2", "u1", "alice"}));
  ASSERT_TRUE(registry_.OpenSession(a, {"s3", "u2", "bob"}));
  ASSERT_TRUE(registry_.OpenSession(b, {"s4", "u2", "bob"}));

  auto event = UserEvent({"u1", "u2"});
  EXPECT_EQ(registry_.Deliver(event), 2u);  // Three sessions on a, one on b; c has none.
  ASSERT_EQ(a_->frames().size(), 1u);
  ASSERT_EQ(b_->frames().size(), 1u);
  EXPECT_EQ(a_->frames()[0].get(), event.get());
  EXPECT_TRUE(c->frames().empty());

  EXPECT_EQ(registry_.Deliver(UserEvent({"u1"})), 1u);
  EXPECT_EQ(b_->frames().size(), 1u);
  registry_.CloseSession(a, "s1");
  registry_.CloseSession(a, "s2");
  EXPECT_EQ(registry_.Deliver(UserEvent({"u1"})), 0u);
}

TEST_F(GatewayRegistryTest, EventsLostReachesEveryStreamWhateverItFollows) {
  StreamId a = Connect("gw-a", a_);
  Connect("gw-b", b_);  // No session at all: it must still re-check its rooms later.
  ASSERT_TRUE(registry_.OpenSession(a, {"s1", "u1", "alice"}));
  registry_.Subscribe(a, kRoom, {"s1"});
  auto lost = std::make_shared<v1::RealtimeFrame>();
  lost->mutable_events_lost()->set_reason("bus subscription restored");
  EXPECT_EQ(registry_.Deliver(lost), 2u);
  ASSERT_EQ(a_->frames().size(), 1u);
  ASSERT_EQ(b_->frames().size(), 1u);
  EXPECT_EQ(b_->frames()[0].get(), lost.get());
}

TEST_F(GatewayRegistryTest, AGatewayThatReadsTheBusGetsNoBusFramesButKeepsItsSessions) {
  StreamId a = Connect("gw-a", a_);
  StreamId b = registry_.AddStream("gw-b", b_, nullptr, /*reads_bus=*/true);
  ASSERT_TRUE(registry_.OpenSession(a, {"s1", "u1", "alice"}));
  ASSERT_TRUE(registry_.OpenSession(b, {"s2", "u2", "bob"}));
  registry_.Subscribe(a, kRoom, {"s1"});
  EXPECT_EQ(registry_.Subscribe(b, kRoom, {"s2"}).added.size(), 1u);

  auto lost = std::make_shared<v1::RealtimeFrame>();
  lost->mutable_events_lost()->set_reason("bus subscription restored");
  EXPECT_EQ(registry_.Deliver(RoomEvent(kRoom)), 1u);
  EXPECT_EQ(registry_.Deliver(Presence({kRoom}, {"u2"})), 1u);
  EXPECT_EQ(registry_.Deliver(UserEvent({"u2"})), 0u);
  EXPECT_EQ(registry_.Deliver(lost), 1u);
  EXPECT_EQ(a_->frames().size(), 3u);
  EXPECT_TRUE(b_->frames().empty());
  // Still known for what is not a bus frame: typing checks and heartbeats.
  EXPECT_TRUE(registry_.SubscribedSession(b, "s2", kRoom).has_value());
  EXPECT_EQ(registry_.Sessions(b).size(), 1u);
}

TEST_F(GatewayRegistryTest, PresenceReachesRoomAndUserStreamsOnce) {
  StreamId a = Connect("gw-a", a_);
  StreamId b = Connect("gw-b", b_);
  registry_.OpenSession(a, {"s1", "u1", "alice"});
  registry_.OpenSession(b, {"s2", "u2", "bob"});
  registry_.Subscribe(a, kRoom, {"s1"});

  EXPECT_EQ(registry_.Deliver(Presence({kRoom, kOtherRoom}, {"u1"})), 1u);  // a once.
  EXPECT_EQ(registry_.Deliver(Presence({}, {"u2"})), 1u);                   // b by user.
  EXPECT_EQ(registry_.Deliver(Presence({kRoom}, {"u2"})), 2u);
  EXPECT_EQ(registry_.Deliver(Presence({"room-nobody"}, {"u-nobody"})), 0u);
  EXPECT_EQ(a_->frames().size(), 2u);
  EXPECT_EQ(b_->frames().size(), 2u);
}

TEST_F(GatewayRegistryTest, UnsubscribeAndCloseUpdateTheIndex) {
  StreamId a = Connect("gw-a", a_);
  registry_.OpenSession(a, {"s1", "u1", "alice"});
  registry_.OpenSession(a, {"s2", "u1", "alice"});
  registry_.Subscribe(a, kRoom, {"s1", "s2"});
  EXPECT_EQ(registry_.Unsubscribe(a, kRoom, {"s1", "unknown"}), 1);
  EXPECT_EQ(registry_.RoomTargets(kRoom).size(), 1u);  // s2 still follows the room.

  std::optional<SessionRooms> closed = registry_.CloseSession(a, "s2");
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->session.user_id, "u1");
  EXPECT_EQ(closed->room_ids, std::vector<std::string>{kRoom});
  EXPECT_TRUE(registry_.RoomTargets(kRoom).empty());
  EXPECT_EQ(registry_.Deliver(Presence({}, {"u1"})), 1u);  // s1 remains.
  registry_.CloseSession(a, "s1");
  EXPECT_EQ(registry_.Deliver(Presence({}, {"u1"})), 0u);
  EXPECT_FALSE(registry_.CloseSession(a, "s1").has_value());
  EXPECT_EQ(registry_.session_count(), 0u);
}

TEST_F(GatewayRegistryTest, SubscribedSessionChecksRoomAndSessions) {
  StreamId a = Connect("gw-a", a_);
  registry_.OpenSession(a, {"s1", "u1", "alice"});
  GatewayRegistry::SubscribeResult result = registry_.Subscribe(a, kRoom, {"s1", "s9"});
  EXPECT_EQ(result.unknown, 1);
  EXPECT_TRUE(registry_.Subscribe(a, kRoom, {"s1"}).added.empty());  // Already subscribed.
  std::optional<SessionInfo> session = registry_.SubscribedSession(a, "s1", kRoom);
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->username, "alice");
  EXPECT_FALSE(registry_.SubscribedSession(a, "s1", kOtherRoom).has_value());
  EXPECT_FALSE(registry_.SubscribedSession(a, "s9", kRoom).has_value());
  EXPECT_FALSE(registry_.OpenSession(a, {"s1", "u-other", "mallory"}));  // Another user's id.
}

TEST_F(GatewayRegistryTest, EndingAStreamForgetsItsSubscriptions) {
  StreamId a = Connect("gw-a", a_);
  registry_.OpenSession(a, {"s1", "u1", "alice"});
  registry_.Subscribe(a, kRoom, {"s1"});
  registry_.RemoveStream(a);
  EXPECT_TRUE(registry_.RoomTargets(kRoom).empty());
  EXPECT_EQ(registry_.stream_count(), 0u);
  EXPECT_EQ(registry_.session_count(), 0u);
  EXPECT_FALSE(registry_.OpenSession(a, {"s1", "u1", "alice"}));
}

TEST_F(GatewayRegistryTest, ASameGatewayReconnectingReplacesTheOldStream) {
  StreamId old_stream = Connect("gw-a", a_);
  registry_.OpenSession(old_stream, {"s1", "u1", "alice"});
  registry_.Subscribe(old_stream, kRoom, {"s1"});
  std::shared_ptr<FrameSink> replaced;
  StreamId fresh = registry_.AddStream("gw-a", b_, &replaced);
  EXPECT_EQ(replaced, a_);
  EXPECT_TRUE(registry_.RoomTargets(kRoom).empty());  // The old state is gone.
  EXPECT_EQ(registry_.stream_count(), 1u);
  registry_.OpenSession(fresh, {"s1", "u1", "alice"});
  registry_.Subscribe(fresh, kRoom, {"s1"});
  registry_.RemoveStream(old_stream);  // The old stream ending later changes nothing.
  Sinks targets = registry_.RoomTargets(kRoom);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0], b_);
}

TEST_F(GatewayRegistryTest, SessionsListsRoomsForHeartbeats) {
  StreamId a = Connect("gw-a", a_);
  registry_.OpenSession(a, {"s1", "u1", "alice"});
  registry_.OpenSession(a, {"s2", "u2", "bob"});
  registry_.Subscribe(a, kRoom, {"s1"});
  registry_.Subscribe(a, kOtherRoom, {"s1"});
  std::vector<SessionRooms> sessions = registry_.Sessions(a);
  ASSERT_EQ(sessions.size(), 2u);
  for (const SessionRooms& entry : sessions) {
    EXPECT_EQ(entry.room_ids.size(), entry.session.session_id == "s1" ? 2u : 0u);
  }
}

TEST_F(GatewayRegistryTest, ASinkThatRefusesIsNotCounted) {
  StreamId a = Connect("gw-a", a_);
  registry_.OpenSession(a, {"s1", "u1", "alice"});
  registry_.Subscribe(a, kRoom, {"s1"});
  a_->Close(absl::ResourceExhaustedError("full"));
  EXPECT_EQ(registry_.Deliver(RoomEvent(kRoom)), 0u);
}

}  // namespace
}  // namespace chatter::realtime
