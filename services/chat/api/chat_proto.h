// Domain records <-> chatter.chat.v1 / chatter.common.v1 messages: the one place that knows both
// shapes, used by the gRPC service and by the realtime event sink.
#pragma once

#include <vector>

#include "absl/time/time.h"
#include "chatter/chat/v1/chat.pb.h"
#include "chatter/common/v1/common.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/chat/domain/chat_service.h"

namespace chatter::chat {

// Millisecond precision, as the contract prints timestamps.
void SetTime(absl::Time time, google::protobuf::Timestamp* out);

void ToProto(const Message& message, common::v1::Message* out);
// Without unread_count and last_message (only ListRooms carries them).
void ToProto(const Room& room, v1::Room* out);
void ToProto(const RoomSummary& summary, v1::Room* out);
void ToProto(const MemberView& member, v1::Member* out);
void ToProto(const ContactView& contact, v1::Contact* out);

std::vector<Attachment> FromProto(
    const google::protobuf::RepeatedPtrField<common::v1::Attachment>& attachments);

}  // namespace chatter::chat
