// Validation of Publish's event, PublishUserEvent's event and GetPresence's ids: the code, the
// field, and normalization.
#include "services/realtime/domain/validation.h"

#include <gtest/gtest.h>

#include "libs/status/error_details.h"

namespace chatter::realtime {
namespace {

constexpr char kRoom[] = "018f0000-0000-7000-8000-0000000000a1";
constexpr char kRoomUpper[] = "018F0000-0000-7000-8000-0000000000A1";

std::string FieldOf(const absl::Status& status) {
  std::optional<common::v1::ErrorDetails> details = status::GetErrorDetails(status);
  return details && details->field_violations_size() > 0 ? details->field_violations(0).field()
                                                         : "";
}

TEST(ValidateRoomEvent, RequiresRoomAndOneMatchingPayload) {
  v1::RoomEvent event;
  EXPECT_EQ(FieldOf(ValidateRoomEvent(event)), "event.room_id");
  event.set_room_id("nope");
  EXPECT_EQ(FieldOf(ValidateRoomEvent(event)), "event.room_id");
  event.set_room_id(kRoom);
  absl::Status no_payload = ValidateRoomEvent(event);
  EXPECT_EQ(no_payload.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(no_payload), "event");
  event.mutable_read_receipt()->set_room_id("018f0000-0000-7000-8000-0000000000a2");
  EXPECT_EQ(FieldOf(ValidateRoomEvent(event)), "event.read_receipt.room_id");
  event.mutable_message_created()->set_room_id(kRoom);
  EXPECT_TRUE(ValidateRoomEvent(event).ok());
}

TEST(ValidateRoomEvent, NormalizesRoomIds) {
  v1::RoomEvent event;
  event.set_room_id(kRoomUpper);
  event.mutable_typing()->set_room_id(kRoomUpper);
  ASSERT_TRUE(ValidateRoomEvent(event).ok());
  EXPECT_EQ(event.room_id(), kRoom);
  EXPECT_EQ(event.typing().room_id(), kRoom);
}

TEST(ValidateRoomEvent, AHeadNamesItsRoomLikeAnyPayload) {
  v1::RoomEvent event;
  event.set_room_id(kRoom);
  event.mutable_head()->set_room_id("018f0000-0000-7000-8000-0000000000a2");
  event.mutable_head()->set_last_seq(7);
  EXPECT_EQ(FieldOf(ValidateRoomEvent(event)), "event.head.room_id");
  event.mutable_head()->set_room_id(kRoomUpper);
  ASSERT_TRUE(ValidateRoomEvent(event).ok());
  EXPECT_EQ(event.head().room_id(), kRoom);
}

TEST(ParseUserIds, OneToTwoHundredUuids) {
  google::protobuf::RepeatedPtrField<std::string> ids;
  EXPECT_EQ(FieldOf(ParseUserIds(ids).status()), "user_ids");
  *ids.Add() = kRoomUpper;
  absl::StatusOr<std::vector<std::string>> parsed = ParseUserIds(ids);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)[0], kRoom);
  *ids.Add() = "bad";
  EXPECT_EQ(FieldOf(ParseUserIds(ids).status()), "user_ids[1]");
  ids.Clear();
  for (int i = 0; i < 201; ++i) *ids.Add() = kRoom;
  EXPECT_EQ(ParseUserIds(ids).status().code(), absl::StatusCode::kInvalidArgument);
  ids.RemoveLast();
  EXPECT_TRUE(ParseUserIds(ids).ok());
}

v1::UserEvent Notification(const std::string& type, const std::string& payload_json) {
  v1::UserEvent event;
  event.add_user_ids(kRoom);  // Any UUID will do.
  event.mutable_notification()->set_type(type);
  event.mutable_notification()->set_payload_json(payload_json);
  return event;
}

v1::UserEvent Disconnect(int32_t code, const std::string& reason) {
  v1::UserEvent event;
  event.add_user_ids(kRoom);
  event.mutable_disconnect()->set_close_code(code);
  event.mutable_disconnect()->set_reason(reason);
  return event;
}

TEST(ValidateUserEvent, OneToOneHundredUuidsNormalizedOnceEach) {
  v1::UserEvent event = Notification("t", "{}");
  event.clear_user_ids();
  absl::Status none = ValidateUserEvent(event);
  EXPECT_EQ(none.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(none), "event.user_ids");
  *event.add_user_ids() = kRoomUpper;
  *event.add_user_ids() = kRoom;
  *event.add_user_ids() = "018f0000-0000-7000-8000-0000000000b2";
  ASSERT_TRUE(ValidateUserEvent(event).ok());
  ASSERT_EQ(event.user_ids_size(), 2);
  EXPECT_EQ(event.user_ids(0), kRoom);
  EXPECT_EQ(event.user_ids(1), "018f0000-0000-7000-8000-0000000000b2");
  *event.add_user_ids() = "bad";
  EXPECT_EQ(FieldOf(ValidateUserEvent(event)), "event.user_ids[2]");
  event.clear_user_ids();
  for (int i = 0; i < 101; ++i) *event.add_user_ids() = kRoom;
  EXPECT_EQ(FieldOf(ValidateUserEvent(event)), "event.user_ids");
  event.mutable_user_ids()->RemoveLast();
  EXPECT_TRUE(ValidateUserEvent(event).ok());
}

TEST(ValidateUserEvent, NeedsAPayload) {
  v1::UserEvent event;
  event.add_user_ids(kRoom);
  absl::Status status = ValidateUserEvent(event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(status), "event");
}

TEST(ValidateUserEvent, NotificationTypeAndPayloadSize) {
  v1::UserEvent valid = Notification("billing.invoice_ready-2_x", "{}");
  EXPECT_TRUE(ValidateUserEvent(valid).ok());
  for (const std::string& type : {std::string(), std::string("Upper"), std::string("a b"),
                                  std::string("emoji\xF0\x9F\x98\x80"), std::string(65, 'a')}) {
    v1::UserEvent event = Notification(type, "{}");
    EXPECT_EQ(FieldOf(ValidateUserEvent(event)), "event.notification.type") << type;
  }
  v1::UserEvent longest = Notification(std::string(64, 'a'), std::string(4096, ' '));
  EXPECT_TRUE(ValidateUserEvent(longest).ok());
  v1::UserEvent too_long = Notification("t", std::string(4097, ' '));
  EXPECT_EQ(FieldOf(ValidateUserEvent(too_long)), "event.notification.payload_json");
}

TEST(ValidateUserEvent, DisconnectCodesAndReason) {
  for (int32_t code : {1000, 1001, 1008, 4000, 4401, 4999}) {
    v1::UserEvent event = Disconnect(code, "bye");
    EXPECT_TRUE(ValidateUserEvent(event).ok()) << code;
  }
  for (int32_t code : {0, 999, 1002, 1005, 1006, 1011, 3000, 3999, 5000, -1}) {
    v1::UserEvent event = Disconnect(code, "bye");
    EXPECT_EQ(FieldOf(ValidateUserEvent(event)), "event.disconnect.close_code") << code;
  }
  v1::UserEvent longest = Disconnect(1008, std::string(123, 'r'));
  EXPECT_TRUE(ValidateUserEvent(longest).ok());
  v1::UserEvent too_long = Disconnect(1008, std::string(124, 'r'));
  EXPECT_EQ(FieldOf(ValidateUserEvent(too_long)), "event.disconnect.reason");
}

}  // namespace
}  // namespace chatter::realtime
