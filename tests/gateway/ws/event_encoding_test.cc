// Tests the realtime event -> WebSocket frame mapping: event names, data exactly as REST prints
// it, typing without `started`, presence with null last_seen, and rejected malformed events.
#include "gateway/ws/event_encoding.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace chatter::gateway {
namespace {

using nlohmann::json;
using realtime::v1::RoomEvent;

common::v1::Message SampleMessage() {
  common::v1::Message message;
  message.set_id("m1");
  message.set_room_id("r1");
  message.set_seq(7);
  message.set_sender_id("u1");
  message.set_content("hello");
  message.set_status("sent");
  message.set_sender_kind("user");
  message.mutable_created_at()->set_seconds(1795342320);
  message.mutable_created_at()->set_nanos(123000000);
  *message.mutable_updated_at() = message.created_at();
  return message;
}

const json kSampleMessageJson = json::parse(R"({
  "id":"m1","room_id":"r1","seq":7,"sender_id":"u1","content":"hello","attachments":[],
  "client_msg_id":"","status":"sent","created_at":"2026-11-22T10:12:00.123Z",
  "updated_at":"2026-11-22T10:12:00.123Z","edited":false,"deleted":false,"reply_to":null,
  "reply_count":0,"reactions":[],"mentions":[],"sender_kind":"user"})");

TEST(EncodeRoomEvent, MessageCreatedIsReceiveMessageWithItsSeq) {
  RoomEvent event;
  event.set_room_id("r1");
  event.mutable_occurred_at()->set_seconds(1795342320);
  *event.mutable_message_created() = SampleMessage();
  auto delivery = EncodeRoomEvent(event);
  ASSERT_TRUE(delivery.ok()) << delivery.status();
  EXPECT_EQ((*delivery)->room_id, "r1");
  EXPECT_EQ((*delivery)->created_seq, 7);
  EXPECT_EQ((*delivery)->occurred_at, absl::FromUnixSeconds(1795342320));
  json frame = json::parse(*(*delivery)->frame);
  EXPECT_EQ(frame, json({{"event", "receive_message"}, {"data", kSampleMessageJson}}));
  EXPECT_FALSE(frame.contains("ref"));
}

TEST(EncodeRoomEvent, EveryPayloadHasItsEventName) {
  struct Case {
    std::function<void(RoomEvent&)> fill;
    std::string event;
    json data;
  };
  std::vector<Case> cases = {
      {[](RoomEvent& e) { *e.mutable_message_updated() = SampleMessage(); }, "message_updated",
       kSampleMessageJson},
      {[](RoomEvent& e) { *e.mutable_message_deleted() = SampleMessage(); }, "message_deleted",
       kSampleMessageJson},
      {[](RoomEvent& e) {
         e.mutable_read_receipt()->set_room_id("r1");
         e.mutable_read_receipt()->set_user_id("u2");
         e.mutable_read_receipt()->set_seq(5);
       },
       "read_receipt", json({{"room_id", "r1"}, {"user_id", "u2"}, {"seq", 5}})},
      {[](RoomEvent& e) {
         e.mutable_delivery_receipt()->set_room_id("r1");
         e.mutable_delivery_receipt()->set_user_id("u2");
         e.mutable_delivery_receipt()->set_seq(6);
       },
       "delivery_receipt", json({{"room_id", "r1"}, {"user_id", "u2"}, {"seq", 6}})},
      {[](RoomEvent& e) {
         realtime::v1::Reaction* reaction = e.mutable_reaction_added();
         reaction->set_room_id("r1");
         reaction->set_message_id("m1");
         reaction->set_emoji("👍");
         reaction->set_user_id("u2");
       },
       "reaction_added",
       json({{"room_id", "r1"}, {"message_id", "m1"}, {"emoji", "👍"}, {"user_id", "u2"}})},
      {[](RoomEvent& e) {
         realtime::v1::Reaction* reaction = e.mutable_reaction_removed();
         reaction->set_room_id("r1");
         reaction->set_message_id("m1");
         reaction->set_emoji("👍");
         reaction->set_user_id("u2");
       },
       "reaction_removed",
       json({{"room_id", "r1"}, {"message_id", "m1"}, {"emoji", "👍"}, {"user_id", "u2"}})},
      {[](RoomEvent& e) {
         e.mutable_member_joined()->set_room_id("r1");
         e.mutable_member_joined()->set_user_id("u3");
       },
       "member_joined", json({{"room_id", "r1"}, {"user_id", "u3"}})},
      {[](RoomEvent& e) {
         e.mutable_member_left()->set_room_id("r1");
         e.mutable_member_left()->set_user_id("u3");
       },
       "member_left", json({{"room_id", "r1"}, {"user_id", "u3"}})},
      {[](RoomEvent& e) {
         e.mutable_typing()->set_room_id("r1");
         e.mutable_typing()->set_user_id("u2");
         e.mutable_typing()->set_username("bob");
         e.mutable_typing()->set_started(true);
       },
       "typing_start", json({{"room_id", "r1"}, {"user_id", "u2"}, {"username", "bob"}})},
      {[](RoomEvent& e) {
         e.mutable_typing()->set_room_id("r1");
         e.mutable_typing()->set_user_id("u2");
         e.mutable_typing()->set_username("bob");
       },
       "typing_stop", json({{"room_id", "r1"}, {"user_id", "u2"}, {"username", "bob"}})},
  };
  for (const Case& c : cases) {
    RoomEvent event;
    event.set_room_id("r1");
    c.fill(event);
    auto delivery = EncodeRoomEvent(event);
    ASSERT_TRUE(delivery.ok()) << c.event << ": " << delivery.status();
    EXPECT_EQ(json::parse(*(*delivery)->frame), json({{"event", c.event}, {"data", c.data}}));
    EXPECT_EQ((*delivery)->created_seq, std::nullopt) << c.event;
    EXPECT_EQ((*delivery)->occurred_at, absl::InfinitePast()) << c.event;
  }
}

TEST(EncodeRoomEvent, RefusesEventsWithoutPayloadOrWithAnotherRoom) {
  RoomEvent empty;
  empty.set_room_id("r1");
  EXPECT_EQ(EncodeRoomEvent(empty).status().code(), absl::StatusCode::kInvalidArgument);
  RoomEvent other;
  other.set_room_id("r2");
  *other.mutable_message_created() = SampleMessage();
  EXPECT_EQ(EncodeRoomEvent(other).status().code(), absl::StatusCode::kInvalidArgument);
  RoomEvent no_room;
  *no_room.mutable_message_created() = SampleMessage();
  EXPECT_EQ(EncodeRoomEvent(no_room).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EncodePresence, LastSeenIsNullWhenAbsent) {
  realtime::v1::Presence presence;
  presence.set_user_id("u1");
  presence.set_status("offline");
  EXPECT_EQ(json::parse(*EncodePresence(presence)),
            json::parse(R"({"event":"presence","data":{"user_id":"u1","status":"offline",
                           "last_seen":null}})"));
  presence.set_status("online");
  presence.mutable_last_seen()->set_seconds(1795342320);
  EXPECT_EQ(json::parse(*EncodePresence(presence))["data"]["last_seen"],
            "2026-11-22T10:12:00.000Z");
}

TEST(EncodeMessageEvent, ReplayFramesMatchLiveOnes) {
  RoomEvent event;
  event.set_room_id("r1");
  *event.mutable_message_created() = SampleMessage();
  EXPECT_EQ(*EncodeMessageEvent("receive_message", SampleMessage()),
            *(*EncodeRoomEvent(event))->frame);
}

}  // namespace
}  // namespace chatter::gateway
