// chatter.auth.v1.AuthService over gRPC.
#include "services/auth/api/auth_grpc_service.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "libs/authn/jwks_proto.h"
#include "libs/grpc_server/request_scope.h"
#include "libs/ids/uuid.h"
#include "libs/log/log.h"
#include "libs/status/error_details.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"

namespace chatter::auth {
namespace {

constexpr size_t kMaxUserIdsPerBatch = 500;

void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
  int64_t millis = absl::ToUnixMillis(time);
  out->set_seconds(millis / 1000);
  out->set_nanos(static_cast<int32_t>(millis % 1000) * 1000000);
}

void ToProto(const User& user, v1::User* out) {
  out->set_id(user.id);
  out->set_username(user.username);
  out->set_email(user.email);
  SetTime(user.created_at, out->mutable_created_at());
  SetTime(user.updated_at, out->mutable_updated_at());
}

void ToProto(const User& user, common::v1::PublicUser* out) {
  out->set_id(user.id);
  // A deleted account: its id and creation time stay, so history still reads; no name.
  if (user.deleted()) {
    out->set_deleted(true);
  } else {
    out->set_username(user.username);
  }
  SetTime(user.created_at, out->mutable_created_at());
}

void ToProto(const IssuedTokens& tokens, v1::AuthResponse* out) {
  ToProto(tokens.user, out->mutable_user());
  out->set_access_token(tokens.access_token);
  out->set_refresh_token(tokens.refresh_token);
  out->set_token_type("Bearer");
  out->set_expires_in(static_cast<int32_t>(absl::ToInt64Seconds(tokens.expires_in)));
}

std::string Metadata(const grpc::ServerContext& context, const char* key) {
  auto range = context.client_metadata().equal_range(key);
  if (range.first == range.second) return "";
  return std::string(range.first->second.data(), range.first->second.size());
}

// The client's address as the gateway saw it; kept only when it parses as an IP address.
std::string ClientIp(const grpc::ServerContext& context) {
  std::string forwarded = Metadata(context, "x-forwarded-for");
  std::string first = forwarded.substr(0, forwarded.find(','));
  first = std::string(absl::StripAsciiWhitespace(first));
  unsigned char buffer[sizeof(in6_addr)];
  if (inet_pton(AF_INET, first.c_str(), buffer) == 1 ||
      inet_pton(AF_INET6, first.c_str(), buffer) == 1) {
    return first;
  }
  return "";
}

ClientInfo ClientFrom(const grpc::ServerContext& context) {
  std::string agent = Metadata(context, "x-client-user-agent");
  if (agent.empty()) agent = Metadata(context, "user-agent");
  return ClientInfo{.user_agent = agent, .ip = ClientIp(context)};
}

absl::Status RequireUuid(absl::string_view field, absl::string_view value) {
  if (!ids::IsValidUuid(std::string(value))) {
    return status::InvalidFieldError(field, "must be a UUID");
  }
  return absl::OkStatus();
}

// Every handler runs its body through here: while it runs, the call's request id is the
// thread's current one, so log lines below it carry the id and calls to other services forward it.
template <typename F>
grpc::Status Respond(const grpc::ServerContext& context, F&& body) {
  grpc_server::RequestScope scope(context);
  return status::ToGrpcStatus(body());
}

}  // namespace

AuthGrpcService::AuthGrpcService(AuthService& auth, const authn::Authenticator& authenticator,
                                 const jwt::Signer& signer,
                                 const std::vector<std::string>& directory_clients,
                                 const std::vector<std::string>& revocation_clients,
                                 const std::vector<std::string>& session_revokers,
                                 authn::RevocationSource& revocations)
    : auth_(auth),
      authenticator_(authenticator),
      signer_(signer),
      directory_clients_(directory_clients.begin(), directory_clients.end()),
      revocation_clients_(revocation_clients.begin(), revocation_clients.end()),
      session_revokers_(session_revokers.begin(), session_revokers.end()),
      revocations_(revocations) {}

grpc::Status AuthGrpcService::SignUp(grpc::ServerContext* context, const v1::SignUpRequest* request,
                                     v1::AuthResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(IssuedTokens tokens,
                             auth_.SignUp(request->username(), request->email(),
                                          request->password(), ClientFrom(*context)));
    ToProto(tokens, response);
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                                    v1::AuthResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    LoginIdentifier kind;
    std::string identifier;
    switch (request->identifier_case()) {
      case v1::LoginRequest::kEmail:
        kind = LoginIdentifier::kEmail;
        identifier = request->email();
        break;
      case v1::LoginRequest::kUsername:
        kind = LoginIdentifier::kUsername;
        identifier = request->username();
        break;
      case v1::LoginRequest::kEmailOrUsername:
        kind = LoginIdentifier::kEmailOrUsername;
        identifier = request->email_or_username();
        break;
      default:
        return status::InvalidFieldError("email_or_username",
                                         "one of email, username or email_or_username is required");
    }
    if (identifier.empty()) {
      return status::InvalidFieldError("email_or_username", "must not be empty");
    }
    CHATTER_ASSIGN_OR_RETURN(IssuedTokens tokens, auth_.Login(kind, identifier, request->password(),
                                                              ClientFrom(*context)));
    ToProto(tokens, response);
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::Refresh(grpc::ServerContext* context,
                                      const v1::RefreshRequest* request,
                                      v1::AuthResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(IssuedTokens tokens,
                             auth_.Refresh(request->refresh_token(), ClientFrom(*context)));
    ToProto(tokens, response);
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                                     v1::LogoutResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(authn::Principal caller, authenticator_.AuthenticateUser(*context));
    return auth_.Logout(caller.subject, request->refresh_token());
  });
}

grpc::Status AuthGrpcService::LogoutAll(grpc::ServerContext* context, const v1::LogoutAllRequest*,
                                        v1::LogoutAllResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(authn::Principal caller, authenticator_.AuthenticateUser(*context));
    return auth_.LogoutAll(caller.subject);
  });
}

grpc::Status AuthGrpcService::GetMe(grpc::ServerContext* context, const v1::GetMeRequest*,
                                    v1::GetMeResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(authn::Principal caller, authenticator_.AuthenticateUser(*context));
    absl::StatusOr<User> user = auth_.GetUser(caller.subject);
    // A valid token for a deleted account no longer identifies anyone.
    if (user.status().code() == absl::StatusCode::kNotFound || (user.ok() && user->deleted())) {
      return absl::UnauthenticatedError("account no longer exists");
    }
    if (!user.ok()) return user.status();
    ToProto(*user, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::ChangePassword(grpc::ServerContext* context,
                                             const v1::ChangePasswordRequest* request,
                                             v1::ChangePasswordResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(authn::Principal caller, authenticator_.AuthenticateUser(*context));
    return auth_.ChangePassword(caller.subject, caller.session_id, request->current_password(),
                                request->new_password());
  });
}

grpc::Status AuthGrpcService::DeleteAccount(grpc::ServerContext* context,
                                            const v1::DeleteAccountRequest* request,
                                            v1::DeleteAccountResponse*) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(authn::Principal caller, authenticator_.AuthenticateUser(*context));
    CHATTER_RETURN_IF_ERROR(auth_.DeleteAccount(caller.subject, request->password()));
    log::Info("account deleted", {{"user_id", caller.subject}});
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::RevokeUserSessions(grpc::ServerContext* context,
                                                 const v1::RevokeUserSessionsRequest* request,
                                                 v1::RevokeUserSessionsResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(
        authenticator_.AuthenticateServiceAmong(*context, session_revokers_, "end users' logins")
            .status());
    std::optional<std::string> user_id = ids::NormalizeUuid(request->user_id());
    if (!user_id) return status::InvalidFieldError("user_id", "must be a UUID");
    CHATTER_ASSIGN_OR_RETURN(int revoked, auth_.EndAllLogins(*user_id));
    response->set_revoked_logins(revoked);
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::ListRevokedSessions(grpc::ServerContext* context,
                                                  const v1::ListRevokedSessionsRequest* request,
                                                  v1::ListRevokedSessionsResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(
        authenticator_
            .AuthenticateServiceAmong(*context, revocation_clients_, "read the revocation log")
            .status());
    if (request->after_seq() < 0) return status::InvalidFieldError("after_seq", "must be >= 0");
    if (request->limit() < 0 || request->limit() > authn::RevocationSource::kMaxPage) {
      return status::InvalidFieldError("limit", "must be 0-1000");
    }
    int limit = request->limit() == 0 ? authn::RevocationSource::kMaxPage : request->limit();
    CHATTER_ASSIGN_OR_RETURN(authn::RevocationPage page,
                             revocations_.After(request->after_seq(), limit));
    for (const authn::Revocation& revocation : page.revocations) {
      v1::RevokedSession* out = response->add_sessions();
      out->set_seq(revocation.seq);
      out->set_session_id(revocation.session_id);
      out->set_user_id(revocation.user_id);
      SetTime(revocation.until, out->mutable_until());
    }
    response->set_last_seq(page.last_seq);
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::GetUser(grpc::ServerContext* context,
                                      const v1::GetUserRequest* request,
                                      v1::GetUserResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(authenticator_.Authenticate(*context).status());
    CHATTER_RETURN_IF_ERROR(RequireUuid("user_id", request->user_id()));
    CHATTER_ASSIGN_OR_RETURN(User user, auth_.GetUser(absl::AsciiStrToLower(request->user_id())));
    ToProto(user, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::LookupUser(grpc::ServerContext* context,
                                         const v1::LookupUserRequest* request,
                                         v1::LookupUserResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(authenticator_.Authenticate(*context).status());
    absl::StatusOr<User> user;
    switch (request->key_case()) {
      case v1::LookupUserRequest::kEmail:
        user = auth_.LookupByEmail(request->email());
        break;
      case v1::LookupUserRequest::kUsername:
        user = auth_.LookupByUsername(request->username());
        break;
      default:
        return status::InvalidFieldError("email", "email or username is required");
    }
    if (!user.ok()) return user.status();
    ToProto(*user, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::GetSigningKeys(grpc::ServerContext*, const v1::GetSigningKeysRequest*,
                                             v1::GetSigningKeysResponse* response) {
  for (const jwt::PublicKey& key : signer_.PublicKeys()) {
    *response->add_keys() = authn::ToProto(key);
  }
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::IssueServiceToken(grpc::ServerContext* context,
                                                const v1::IssueServiceTokenRequest* request,
                                                v1::IssueServiceTokenResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_ASSIGN_OR_RETURN(ServiceToken token, auth_.IssueServiceToken(request->client_id(),
                                                                         request->client_secret()));
    response->set_access_token(token.access_token);
    response->set_token_type("Bearer");
    response->set_expires_in(static_cast<int32_t>(absl::ToInt64Seconds(token.expires_in)));
    return absl::OkStatus();
  });
}

grpc::Status AuthGrpcService::BatchGetUsers(grpc::ServerContext* context,
                                            const v1::BatchGetUsersRequest* request,
                                            v1::BatchGetUsersResponse* response) {
  return Respond(*context, [&]() -> absl::Status {
    CHATTER_RETURN_IF_ERROR(
        authenticator_.AuthenticateServiceAmong(*context, directory_clients_, "read users in bulk")
            .status());
    if (request->user_ids_size() > static_cast<int>(kMaxUserIdsPerBatch)) {
      return status::InvalidFieldError("user_ids", "at most 500 per call");
    }
    std::vector<std::string> ids;
    for (const std::string& id : request->user_ids()) {
      CHATTER_RETURN_IF_ERROR(RequireUuid("user_ids", id));
      ids.push_back(absl::AsciiStrToLower(id));
    }
    CHATTER_ASSIGN_OR_RETURN(std::vector<User> users, auth_.GetUsers(ids));
    for (const User& user : users) ToProto(user, response->add_users());
    return absl::OkStatus();
  });
}

}  // namespace chatter::auth
