// UserDirectory backed by auth-svc: BatchGetUsers and LookupUser with chat-svc's service token.
// auth-svc refusing our token is a deployment error (INTERNAL), never a 401/403 for the user.
#pragma once

#include <grpcpp/channel.h>

#include <memory>

#include "absl/time/time.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "libs/authn/service_token_source.h"
#include "services/chat/domain/user_directory.h"

namespace chatter::chat {

class AuthUserDirectory final : public UserDirectory {
 public:
  // `tokens` must outlive the directory.
  AuthUserDirectory(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                    authn::ServiceTokenSource& tokens, absl::Duration call_timeout);

  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> FindByIds(
      const std::vector<std::string>& ids) override;
  absl::StatusOr<UserProfile> FindByEmail(absl::string_view email) override;
  // One LookupUser per name (auth-svc has no batch lookup by name; callers ask for a few).
  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> FindByUsernames(
      const std::vector<std::string>& usernames) override;

 private:
  // A context with the deadline and the service token.
  absl::Status Prepare(grpc::ClientContext& context);

  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
  authn::ServiceTokenSource& tokens_;
  absl::Duration call_timeout_;
};

// The status to hand on for a failed call to auth-svc `method`.
absl::Status FromAuthFailure(const grpc::Status& rpc, absl::string_view method);

}  // namespace chatter::chat
