// realtime-svc and auth-svc for the server API.
#include "services/chat/clients/admin_clients.h"

#include <grpcpp/client_context.h>

#include "libs/grpc_client/request_id.h"
#include "libs/log/log.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"

namespace chatter::chat {
namespace {

absl::Status Prepare(grpc::ClientContext& context, authn::ServiceTokenSource& tokens,
                     absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc_client::ForwardRequestId(context);
  return tokens.Attach(context);
}

}  // namespace

RealtimeLiveSessions::RealtimeLiveSessions(std::shared_ptr<grpc::ChannelInterface> realtime_channel,
                                           authn::ServiceTokenSource& tokens,
                                           absl::Duration call_timeout)
    : stub_(realtime::v1::RealtimeService::NewStub(std::move(realtime_channel))),
      tokens_(tokens),
      call_timeout_(call_timeout) {}

absl::Status RealtimeLiveSessions::Publish(realtime::v1::UserEvent event) {
  grpc::ClientContext context;
  CHATTER_RETURN_IF_ERROR(Prepare(context, tokens_, call_timeout_));
  event.set_request_id(log::CurrentRequestId());
  realtime::v1::PublishUserEventRequest request;
  *request.mutable_event() = std::move(event);
  realtime::v1::PublishUserEventResponse response;
  grpc::Status rpc = stub_->PublishUserEvent(&context, request, &response);
  if (!rpc.ok()) return status::FromDependencyFailure(rpc, "realtime-svc PublishUserEvent");
  return absl::OkStatus();
}

absl::Status RealtimeLiveSessions::Notify(const std::vector<std::string>& user_ids,
                                          const std::string& id, const std::string& type,
                                          const std::string& payload_json) {
  realtime::v1::UserEvent event;
  event.set_event_id(id);
  for (const std::string& user_id : user_ids) event.add_user_ids(user_id);
  realtime::v1::Notification* notification = event.mutable_notification();
  notification->set_id(id);
  notification->set_type(type);
  notification->set_payload_json(payload_json);
  return Publish(std::move(event));
}

absl::Status RealtimeLiveSessions::Disconnect(const std::vector<std::string>& user_ids,
                                              int close_code, const std::string& reason) {
  realtime::v1::UserEvent event;
  for (const std::string& user_id : user_ids) event.add_user_ids(user_id);
  event.mutable_disconnect()->set_close_code(close_code);
  event.mutable_disconnect()->set_reason(reason);
  return Publish(std::move(event));
}

absl::StatusOr<std::vector<LivePresence>> RealtimeLiveSessions::Presence(
    const std::vector<std::string>& user_ids) {
  grpc::ClientContext context;
  CHATTER_RETURN_IF_ERROR(Prepare(context, tokens_, call_timeout_));
  realtime::v1::GetPresenceRequest request;
  for (const std::string& user_id : user_ids) request.add_user_ids(user_id);
  realtime::v1::GetPresenceResponse response;
  grpc::Status rpc = stub_->GetPresence(&context, request, &response);
  if (!rpc.ok()) return status::FromDependencyFailure(rpc, "realtime-svc GetPresence");
  std::vector<LivePresence> presences;
  for (const realtime::v1::Presence& presence : response.presences()) {
    LivePresence& live = presences.emplace_back();
    live.user_id = presence.user_id();
    live.online = presence.status() == "online";
    if (presence.has_last_seen()) {
      live.last_seen = absl::FromUnixSeconds(presence.last_seen().seconds()) +
                       absl::Nanoseconds(presence.last_seen().nanos());
    }
  }
  return presences;
}

AuthLoginRevoker::AuthLoginRevoker(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                                   authn::ServiceTokenSource& tokens, absl::Duration call_timeout)
    : stub_(auth::v1::AuthService::NewStub(std::move(auth_channel))),
      tokens_(tokens),
      call_timeout_(call_timeout) {}

absl::StatusOr<int> AuthLoginRevoker::RevokeAll(const std::string& user_id) {
  grpc::ClientContext context;
  CHATTER_RETURN_IF_ERROR(Prepare(context, tokens_, call_timeout_));
  auth::v1::RevokeUserSessionsRequest request;
  request.set_user_id(user_id);
  auth::v1::RevokeUserSessionsResponse response;
  grpc::Status rpc = stub_->RevokeUserSessions(&context, request, &response);
  if (!rpc.ok()) {
    return status::FromDependencyFailure(rpc, "auth-svc RevokeUserSessions",
                                         {absl::StatusCode::kNotFound});
  }
  return response.revoked_logins();
}

}  // namespace chatter::chat
