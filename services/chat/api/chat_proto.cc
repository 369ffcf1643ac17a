// Domain records <-> protos for chat-svc.
#include "services/chat/api/chat_proto.h"

#include <algorithm>
#include <limits>

namespace chatter::chat {
namespace {

// Every stored message is persisted and ordered; per-reader progress travels as read receipts.
constexpr char kSentStatus[] = "sent";

}  // namespace

void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
  int64_t millis = absl::ToUnixMillis(time);
  // Floor division, so times before 1970 keep nanos in [0, 1e9).
  int64_t seconds = millis / 1000 - (millis % 1000 < 0 ? 1 : 0);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(millis - seconds * 1000) * 1000000);
}

void ToProto(const Message& message, common::v1::Message* out) {
  out->set_id(message.id);
  out->set_room_id(message.room_id);
  out->set_seq(message.seq);
  out->set_sender_id(message.sender_id);
  out->set_content(message.content);
  for (const Attachment& attachment : message.attachments) {
    common::v1::Attachment* item = out->add_attachments();
    item->set_url(attachment.url);
    item->set_content_type(attachment.content_type);
    item->set_size_bytes(attachment.size_bytes);
    item->set_name(attachment.name);
  }
  out->set_client_msg_id(message.client_msg_id);
  out->set_status(kSentStatus);
  SetTime(message.created_at, out->mutable_created_at());
  SetTime(message.updated_at, out->mutable_updated_at());
  out->set_edited(message.edited);
  out->set_deleted(message.deleted);
  out->set_sender_kind(std::string(SenderKindName(message.sender_kind)));
  if (message.deleted) return;  // A deleted message keeps no reply link, reactions or mentions.
  if (!message.reply_to.empty()) out->set_reply_to(message.reply_to);
  out->set_reply_count(message.reply_count);
  for (const ReactionCount& reaction : message.reactions) {
    common::v1::Reaction* item = out->add_reactions();
    item->set_emoji(reaction.emoji);
    item->set_count(reaction.count);
    item->set_me(reaction.me);
  }
  for (const std::string& user_id : message.mentions) out->add_mentions(user_id);
}

void ToProto(const Room& room, v1::Room* out) {
  out->set_id(room.id);
  out->set_name(room.name);
  out->set_kind(std::string(KindName(room.kind)));
  out->set_visibility(std::string(VisibilityName(room.visibility)));
  out->set_created_by(room.created_by);
  SetTime(room.created_at, out->mutable_created_at());
  out->set_member_count(room.member_count);
  out->set_last_seq(room.last_seq);
}

void ToProto(const RoomSummary& summary, v1::Room* out) {
  ToProto(summary.room, out);
  int64_t unread = std::min<int64_t>(summary.unread_count, std::numeric_limits<int32_t>::max());
  out->set_unread_count(static_cast<int32_t>(unread));
  out->set_unread_mentions(static_cast<int32_t>(
      std::min<int64_t>(summary.unread_mentions, std::numeric_limits<int32_t>::max())));
  if (summary.last_message) ToProto(*summary.last_message, out->mutable_last_message());
}

void ToProto(const MemberView& member, v1::Member* out) {
  out->set_user_id(member.membership.user_id);
  out->set_username(member.username);
  out->set_role(std::string(RoleName(member.membership.role)));
  SetTime(member.membership.joined_at, out->mutable_joined_at());
}

void ToProto(const ContactView& contact, v1::Contact* out) {
  out->set_user_id(contact.contact.contact_id);
  out->set_username(contact.username);
  SetTime(contact.contact.created_at, out->mutable_created_at());
  out->set_blocked(contact.contact.blocked);
}

std::vector<Attachment> FromProto(
    const google::protobuf::RepeatedPtrField<common::v1::Attachment>& attachments) {
  std::vector<Attachment> result;
  result.reserve(attachments.size());
  for (const common::v1::Attachment& item : attachments) {
    result.push_back(Attachment{.url = item.url(),
                                .content_type = item.content_type(),
                                .size_bytes = item.size_bytes(),
                                .name = item.name()});
  }
  return result;
}

}  // namespace chatter::chat
