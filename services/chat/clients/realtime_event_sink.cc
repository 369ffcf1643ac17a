// realtime-svc's Publish as the destination of chat-svc's room events.
#include "services/chat/clients/realtime_event_sink.h"

#include <grpcpp/client_context.h>

#include "libs/grpc_client/request_id.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/chat/api/chat_proto.h"

namespace chatter::chat {
namespace {

void SetMemberChange(const RoomEvent& event, realtime::v1::MemberChange* out) {
  out->set_room_id(event.room_id);
  out->set_user_id(event.user_id);
}

}  // namespace

realtime::v1::RoomEvent ToProto(const RoomEvent& event) {
  realtime::v1::RoomEvent out;
  out.set_room_id(event.room_id);
  out.set_event_id(event.event_id);
  SetTime(event.occurred_at, out.mutable_occurred_at());
  for (const std::string& user : event.revoked_user_ids) out.add_revoked_user_ids(user);
  switch (event.kind) {
    case RoomEvent::Kind::kMessageCreated:
      ToProto(event.message, out.mutable_message_created());
      break;
    case RoomEvent::Kind::kMessageUpdated:
      ToProto(event.message, out.mutable_message_updated());
      break;
    case RoomEvent::Kind::kMessageDeleted:
      ToProto(event.message, out.mutable_message_deleted());
      break;
    case RoomEvent::Kind::kReadReceipt: {
      realtime::v1::ReadReceipt* receipt = out.mutable_read_receipt();
      receipt->set_room_id(event.room_id);
      receipt->set_user_id(event.user_id);
      receipt->set_seq(event.seq);
      break;
    }
    case RoomEvent::Kind::kMemberJoined:
      SetMemberChange(event, out.mutable_member_joined());
      break;
    case RoomEvent::Kind::kMemberLeft:
      SetMemberChange(event, out.mutable_member_left());
      break;
    case RoomEvent::Kind::kRoomHead:
      out.mutable_head()->set_room_id(event.room_id);
      out.mutable_head()->set_last_seq(event.seq);
      break;
  }
  return out;
}

RealtimeEventSink::RealtimeEventSink(std::shared_ptr<grpc::ChannelInterface> realtime_channel,
                                     authn::ServiceTokenSource& tokens, absl::Duration call_timeout)
    : stub_(realtime::v1::RealtimeService::NewStub(std::move(realtime_channel))),
      tokens_(tokens),
      call_timeout_(call_timeout) {}

absl::Status RealtimeEventSink::Send(const RoomEvent& event) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + call_timeout_));
  // The publisher's worker runs this inside the scope of the request that caused the event.
  grpc_client::ForwardRequestId(context);
  CHATTER_RETURN_IF_ERROR(tokens_.Attach(context));
  realtime::v1::PublishRequest request;
  *request.mutable_event() = ToProto(event);
  realtime::v1::PublishResponse response;
  return status::FromGrpcStatus(stub_->Publish(&context, request, &response));
}

}  // namespace chatter::chat
