// The server API's reach beyond chat-svc: users' live sessions through realtime-svc
// (PublishUserEvent, GetPresence) and their logins at auth-svc (RevokeUserSessions), each with
// chat-svc's service token. A refusal of our token is a deployment error (INTERNAL).
#pragma once

#include <grpcpp/channel.h>

#include <memory>

#include "absl/time/time.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "libs/authn/service_token_source.h"
#include "services/chat/domain/admin_ports.h"

namespace chatter::chat {

class RealtimeLiveSessions final : public LiveSessions {
 public:
  // `tokens` must outlive this.
  RealtimeLiveSessions(std::shared_ptr<grpc::ChannelInterface> realtime_channel,
                       authn::ServiceTokenSource& tokens, absl::Duration call_timeout);

  absl::Status Notify(const std::vector<std::string>& user_ids, const std::string& id,
                      const std::string& type, const std::string& payload_json) override;
  absl::Status Disconnect(const std::vector<std::string>& user_ids, int close_code,
                          const std::string& reason) override;
  absl::StatusOr<std::vector<LivePresence>> Presence(
      const std::vector<std::string>& user_ids) override;

 private:
  absl::Status Publish(realtime::v1::UserEvent event);

  std::unique_ptr<realtime::v1::RealtimeService::Stub> stub_;
  authn::ServiceTokenSource& tokens_;
  absl::Duration call_timeout_;
};

class AuthLoginRevoker final : public LoginRevoker {
 public:
  // `tokens` must outlive this.
  AuthLoginRevoker(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                   authn::ServiceTokenSource& tokens, absl::Duration call_timeout);

  absl::StatusOr<int> RevokeAll(const std::string& user_id) override;

 private:
  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
  authn::ServiceTokenSource& tokens_;
  absl::Duration call_timeout_;
};

}  // namespace chatter::chat
