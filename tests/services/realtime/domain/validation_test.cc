// Validation of Publish's event and GetPresence's ids: the code, the field, and normalization.
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

}  // namespace
}  // namespace chatter::realtime
