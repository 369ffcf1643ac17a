// Tests EventFanout against fake subscribers: one encoding shared by every recipient, the
// excluded session, revoked users leaving the room, the presence delivery rules, and user events
// (notifications to a user's sessions, disconnects).
#include "gateway/ws/event_fanout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/gateway/ws/fake_subscriber.h"

namespace chatter::gateway {
namespace {

using nlohmann::json;
using testing::FakeSubscriber;
using testing::MakeSubscriber;

realtime::v1::UserEvent Notify(std::vector<std::string> users, const std::string& payload_json) {
  realtime::v1::UserEvent event;
  event.set_event_id("ev-1");
  for (const std::string& user : users) event.add_user_ids(user);
  event.mutable_notification()->set_id("ev-1");
  event.mutable_notification()->set_type("billing.invoice_ready");
  event.mutable_notification()->set_payload_json(payload_json);
  return event;
}

realtime::v1::RoomEvent Created(const std::string& room, int64_t seq) {
  realtime::v1::RoomEvent event;
  event.set_room_id(room);
  event.mutable_message_created()->set_room_id(room);
  event.mutable_message_created()->set_seq(seq);
  return event;
}

class EventFanoutTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeSubscriber> Add(const std::string& session, const std::string& user,
                                      std::vector<std::string> rooms) {
    auto subscriber = MakeSubscriber(session, user);
    index_.AddSession(subscriber);
    for (const auto& room : rooms) index_.Subscribe(room, session);
    return subscriber;
  }

  metrics::Registry registry_;
  RoomIndex index_;
  EventFanout fanout_{index_, registry_};
};

TEST_F(EventFanoutTest, EveryRecipientGetsTheSameBuffer) {
  auto a = Add("s1", "alice", {"r1"});
  auto b = Add("s2", "bob", {"r1"});
  auto c = Add("s3", "carol", {"r2"});
  fanout_.OnRoomEvent(Created("r1", 3));
  ASSERT_EQ(a->rooms().size(), 1u);
  ASSERT_EQ(b->rooms().size(), 1u);
  EXPECT_TRUE(c->rooms().empty());
  EXPECT_EQ(a->rooms()[0].get(), b->rooms()[0].get());
  EXPECT_EQ(a->rooms()[0]->frame.get(), b->rooms()[0]->frame.get());
  EXPECT_EQ(a->rooms()[0]->created_seq, 3);
  EXPECT_EQ(json::parse(*a->rooms()[0]->frame)["event"], "receive_message");
}

TEST_F(EventFanoutTest, WithLanesEachSessionGetsEveryEventOnceInCallOrderOnItsLane) {
  std::vector<std::shared_ptr<FakeSubscriber>> sessions;
  for (int i = 0; i < 20; ++i) sessions.push_back(Add(absl::StrCat("s", i), "alice", {"r1"}));
  boost::asio::io_context io;
  std::vector<boost::asio::any_io_executor> lanes;
  for (int i = 0; i < 3; ++i) lanes.push_back(boost::asio::make_strand(io));
  EventFanout on_lanes(index_, registry_, std::move(lanes));
  for (int64_t seq = 1; seq <= 100; ++seq) on_lanes.OnRoomEvent(Created("r1", seq));
  on_lanes.OnResync("r1", 100);
  for (const auto& session : sessions) EXPECT_TRUE(session->rooms().empty());  // Not here.
  std::vector<std::thread> runners;
  for (int i = 0; i < 3; ++i) runners.emplace_back([&io] { io.run(); });
  for (auto& runner : runners) runner.join();
  for (const auto& session : sessions) {
    ASSERT_EQ(session->rooms().size(), 101u) << session->session_id();
    for (int64_t seq = 1; seq <= 100; ++seq) {
      EXPECT_EQ(session->rooms()[seq - 1]->created_seq, seq);
    }
    EXPECT_EQ(session->rooms()[100]->resync_seq, 100);
  }
}

TEST_F(EventFanoutTest, TheExcludedSessionIsSkipped) {
  auto a = Add("s1", "alice", {"r1"});
  auto b = Add("s2", "alice", {"r1"});
  realtime::v1::RoomEvent typing;
  typing.set_room_id("r1");
  typing.set_exclude_session_id("s1");
  typing.mutable_typing()->set_room_id("r1");
  typing.mutable_typing()->set_user_id("alice");
  typing.mutable_typing()->set_started(true);
  fanout_.OnRoomEvent(typing);
  EXPECT_TRUE(a->rooms().empty());
  ASSERT_EQ(b->rooms().size(), 1u);
  EXPECT_EQ(json::parse(*b->rooms()[0]->frame)["event"], "typing_start");
}

TEST_F(EventFanoutTest, RevokedUsersGetTheEventThenLeaveTheRoom) {
  auto gone = Add("s1", "mallory", {"r1", "r2"});
  auto stays = Add("s2", "bob", {"r1"});
  realtime::v1::RoomEvent left;
  left.set_room_id("r1");
  left.add_revoked_user_ids("mallory");
  left.mutable_member_left()->set_room_id("r1");
  left.mutable_member_left()->set_user_id("mallory");
  fanout_.OnRoomEvent(left);
  EXPECT_EQ(gone->rooms().size(), 1u);  // The member_left itself still arrives.
  EXPECT_EQ(gone->revoked(), std::vector<std::string>{"r1"});
  EXPECT_TRUE(stays->revoked().empty());
  EXPECT_FALSE(index_.IsSubscribed("r1", "s1"));
  EXPECT_TRUE(index_.IsSubscribed("r2", "s1"));

  fanout_.OnRoomEvent(Created("r1", 9));
  EXPECT_EQ(gone->rooms().size(), 1u);
  EXPECT_EQ(stays->rooms().size(), 2u);
}

TEST_F(EventFanoutTest, RevocationAlsoReachesSessionsNotYetInTheRoom) {
  // Mallory's second session is still having its subscribe to r1 checked: not in the index.
  auto in_room = Add("s1", "mallory", {"r1"});
  auto checking = Add("s2", "mallory", {});
  auto other = Add("s3", "bob", {});
  realtime::v1::RoomEvent left;
  left.set_room_id("r1");
  left.add_revoked_user_ids("mallory");
  left.mutable_member_left()->set_room_id("r1");
  left.mutable_member_left()->set_user_id("mallory");
  fanout_.OnRoomEvent(left);
  EXPECT_EQ(in_room->revoked(), std::vector<std::string>{"r1"});
  EXPECT_EQ(checking->revoked(), std::vector<std::string>{"r1"});
  EXPECT_TRUE(checking->rooms().empty());  // It was not in the room: no member_left for it.
  EXPECT_TRUE(other->revoked().empty());
}

TEST_F(EventFanoutTest, InvalidEventsAreDropped) {
  auto a = Add("s1", "alice", {"r1"});
  realtime::v1::RoomEvent empty;
  empty.set_room_id("r1");
  fanout_.OnRoomEvent(empty);
  EXPECT_TRUE(a->rooms().empty());
}

TEST_F(EventFanoutTest, PresenceGoesOncePerSessionByRoomOrUser) {
  auto both = Add("s1", "bob", {"r1", "r2"});  // In two rooms and a contact: once.
  auto room_only = Add("s2", "carol", {"r2"});
  auto contact = Add("s3", "dave", {});
  auto outsider = Add("s4", "erin", {"r9"});
  auto self = Add("s5", "alice", {"r1"});      // alice's own session: never.
  auto hidden = Add("s6", "mallory", {"r1"});  // alice blocked mallory: never.
  realtime::v1::PresenceEvent event;
  event.mutable_presence()->set_user_id("alice");
  event.mutable_presence()->set_status("online");
  event.add_room_ids("r1");
  event.add_room_ids("r2");
  event.add_user_ids("bob");
  event.add_user_ids("dave");
  event.add_hidden_from_user_ids("mallory");
  fanout_.OnPresence(event);

  EXPECT_EQ(both->frames().size(), 1u);
  EXPECT_EQ(room_only->frames().size(), 1u);
  EXPECT_EQ(contact->frames().size(), 1u);
  EXPECT_TRUE(outsider->frames().empty());
  EXPECT_TRUE(self->frames().empty());
  EXPECT_TRUE(hidden->frames().empty());
  EXPECT_EQ(both->frames()[0].get(), contact->frames()[0].get());
  EXPECT_EQ(json::parse(*both->frames()[0]),
            json::parse(R"({"event":"presence","data":{"user_id":"alice","status":"online",
                           "last_seen":null}})"));
}

TEST_F(EventFanoutTest, ANotificationReachesEverySessionOfTheUsersInOneBuffer) {
  auto alice_1 = Add("s1", "alice", {"r1"});
  auto alice_2 = Add("s2", "alice", {});
  auto bob = Add("s3", "bob", {"r1"});
  auto carol = Add("s4", "carol", {"r1"});  // Not listed: nothing, whatever her rooms.
  fanout_.OnUserEvent(Notify({"alice", "bob", "alice", "nobody-here"},
                             R"({"invoice":"in-7","amount":{"cents":1250}})"));

  for (const auto& session : {alice_1, alice_2, bob}) {
    ASSERT_EQ(session->frames().size(), 1u) << session->session_id();
    EXPECT_EQ(session->frames()[0].get(), alice_1->frames()[0].get());  // Encoded once.
    EXPECT_TRUE(session->rooms().empty());
  }
  EXPECT_TRUE(carol->frames().empty());
  EXPECT_EQ(*alice_1->frames()[0],
            R"({"event":"notification","data":{"id":"ev-1","type":"billing.invoice_ready",)"
            R"("payload":{"invoice":"in-7","amount":{"cents":1250}}}})");
  EXPECT_EQ(
      registry_.GetCounter("ws_fanout_deliveries_total", "", {{"kind", "notification"}}).Value(),
      3);
}

TEST_F(EventFanoutTest, ANotificationWithLanesGoesOncePerSession) {
  std::vector<std::shared_ptr<FakeSubscriber>> sessions;
  for (int i = 0; i < 10; ++i) sessions.push_back(Add(absl::StrCat("s", i), "alice", {}));
  auto bob = Add("s-bob", "bob", {});
  boost::asio::io_context io;
  std::vector<boost::asio::any_io_executor> lanes;
  for (int i = 0; i < 3; ++i) lanes.push_back(boost::asio::make_strand(io));
  EventFanout on_lanes(index_, registry_, std::move(lanes));
  on_lanes.OnUserEvent(Notify({"alice"}, R"({"n":1})"));
  io.run();
  for (const auto& session : sessions) {
    ASSERT_EQ(session->frames().size(), 1u) << session->session_id();
    EXPECT_EQ(session->frames()[0].get(), sessions[0]->frames()[0].get());
  }
  EXPECT_TRUE(bob->frames().empty());
}

TEST_F(EventFanoutTest, ANotificationWhosePayloadIsNotAJsonObjectIsDroppedAndCounted) {
  auto alice = Add("s1", "alice", {});
  metrics::Counter& invalid = registry_.GetCounter("ws_realtime_invalid_events_total", "", {});
  for (const char* payload : {"", "[1,2]", "\"text\"", "{\"open\":", "null", "{} {}"}) {
    fanout_.OnUserEvent(Notify({"alice"}, payload));
  }
  EXPECT_TRUE(alice->frames().empty());
  EXPECT_EQ(invalid.Value(), 6);
  fanout_.OnUserEvent(Notify({"alice"}, "{}"));
  ASSERT_EQ(alice->frames().size(), 1u);
  EXPECT_EQ(json::parse(*alice->frames()[0])["data"]["payload"], json::object());
}

TEST_F(EventFanoutTest, ADisconnectClosesExactlyTheUsersSessions) {
  auto mallory_1 = Add("s1", "mallory", {"r1"});
  auto mallory_2 = Add("s2", "mallory", {});
  auto bob = Add("s3", "bob", {"r1"});
  realtime::v1::UserEvent event;
  event.set_event_id("ev-2");
  event.add_user_ids("mallory");
  event.mutable_disconnect()->set_close_code(4003);
  event.mutable_disconnect()->set_reason("banned by moderator");
  fanout_.OnUserEvent(event);

  using Close = std::pair<uint16_t, std::string>;
  EXPECT_EQ(mallory_1->disconnects(), std::vector<Close>{Close(4003, "banned by moderator")});
  EXPECT_EQ(mallory_2->disconnects(), std::vector<Close>{Close(4003, "banned by moderator")});
  EXPECT_TRUE(bob->disconnects().empty());
  EXPECT_TRUE(mallory_1->frames().empty());

  event.mutable_disconnect()->set_close_code(1005);  // Reserved: never sent on the wire.
  fanout_.OnUserEvent(event);
  EXPECT_EQ(mallory_1->disconnects().size(), 1u);
}

}  // namespace
}  // namespace chatter::gateway
