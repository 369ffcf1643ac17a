// chatter.auth.v1.AuthService over gRPC: proto <-> domain, who may call what, and the one place
// where this service's absl::Status becomes grpc::Status.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "libs/authn/authenticator.h"
#include "libs/authn/revocation_feed.h"
#include "services/auth/domain/auth_service.h"

namespace chatter::auth {

class AuthGrpcService final : public v1::AuthService::Service {
 public:
  // `directory_clients`: the service client ids allowed to call BatchGetUsers;
  // `revocation_clients` those allowed ListRevokedSessions, which pages through `revocations`,
  // the log of ended logins; `session_revokers` those allowed RevokeUserSessions.
  AuthGrpcService(AuthService& auth, const authn::Authenticator& authenticator,
                  const jwt::Signer& signer, const std::vector<std::string>& directory_clients,
                  const std::vector<std::string>& revocation_clients,
                  const std::vector<std::string>& session_revokers,
                  authn::RevocationSource& revocations);

  grpc::Status SignUp(grpc::ServerContext* context, const v1::SignUpRequest* request,
                      v1::AuthResponse* response) override;
  grpc::Status Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                     v1::AuthResponse* response) override;
  grpc::Status Refresh(grpc::ServerContext* context, const v1::RefreshRequest* request,
                       v1::AuthResponse* response) override;
  grpc::Status Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                      v1::LogoutResponse* response) override;
  grpc::Status LogoutAll(grpc::ServerContext* context, const v1::LogoutAllRequest* request,
                         v1::LogoutAllResponse* response) override;
  grpc::Status GetMe(grpc::ServerContext* context, const v1::GetMeRequest* request,
                     v1::GetMeResponse* response) override;
  grpc::Status ChangePassword(grpc::ServerContext* context,
                              const v1::ChangePasswordRequest* request,
                              v1::ChangePasswordResponse* response) override;
  grpc::Status DeleteAccount(grpc::ServerContext* context, const v1::DeleteAccountRequest* request,
                             v1::DeleteAccountResponse* response) override;
  grpc::Status ListRevokedSessions(grpc::ServerContext* context,
                                   const v1::ListRevokedSessionsRequest* request,
                                   v1::ListRevokedSessionsResponse* response) override;
  grpc::Status RevokeUserSessions(grpc::ServerContext* context,
                                  const v1::RevokeUserSessionsRequest* request,
                                  v1::RevokeUserSessionsResponse* response) override;
  grpc::Status GetUser(grpc::ServerContext* context, const v1::GetUserRequest* request,
                       v1::GetUserResponse* response) override;
  grpc::Status LookupUser(grpc::ServerContext* context, const v1::LookupUserRequest* request,
                          v1::LookupUserResponse* response) override;
  grpc::Status GetSigningKeys(grpc::ServerContext* context,
                              const v1::GetSigningKeysRequest* request,
                              v1::GetSigningKeysResponse* response) override;
  grpc::Status IssueServiceToken(grpc::ServerContext* context,
                                 const v1::IssueServiceTokenRequest* request,
                                 v1::IssueServiceTokenResponse* response) override;
  grpc::Status BatchGetUsers(grpc::ServerContext* context, const v1::BatchGetUsersRequest* request,
                             v1::BatchGetUsersResponse* response) override;

 private:
  AuthService& auth_;
  const authn::Authenticator& authenticator_;
  const jwt::Signer& signer_;
  absl::flat_hash_set<std::string> directory_clients_;
  absl::flat_hash_set<std::string> revocation_clients_;
  absl::flat_hash_set<std::string> session_revokers_;
  authn::RevocationSource& revocations_;
};

}  // namespace chatter::auth
