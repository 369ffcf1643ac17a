// auth-svc as chat-svc's user directory.
#include "services/chat/clients/auth_user_directory.h"

#include <grpcpp/client_context.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/grpc_client/request_id.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"

namespace chatter::chat {
namespace {

// BatchGetUsers answers at most this many ids per call.
constexpr size_t kBatchSize = 500;

}  // namespace

absl::Status FromAuthFailure(const grpc::Status& rpc, absl::string_view method) {
  return status::FromDependencyFailure(rpc, absl::StrCat("auth-svc ", method),
                                       {absl::StatusCode::kNotFound});
}

AuthUserDirectory::AuthUserDirectory(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                                     authn::ServiceTokenSource& tokens, absl::Duration call_timeout)
    : stub_(auth::v1::AuthService::NewStub(std::move(auth_channel))),
      tokens_(tokens),
      call_timeout_(call_timeout) {}

absl::Status AuthUserDirectory::Prepare(grpc::ClientContext& context) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + call_timeout_));
  grpc_client::ForwardRequestId(context);
  return tokens_.Attach(context);
}

absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> AuthUserDirectory::FindByIds(
    const std::vector<std::string>& ids) {
  absl::flat_hash_map<std::string, UserProfile> found;
  for (size_t begin = 0; begin < ids.size(); begin += kBatchSize) {
    grpc::ClientContext context;
    CHATTER_RETURN_IF_ERROR(Prepare(context));
    auth::v1::BatchGetUsersRequest request;
    size_t end = std::min(ids.size(), begin + kBatchSize);
    for (size_t i = begin; i < end; ++i) request.add_user_ids(ids[i]);
    auth::v1::BatchGetUsersResponse response;
    grpc::Status rpc = stub_->BatchGetUsers(&context, request, &response);
    if (!rpc.ok()) return FromAuthFailure(rpc, "BatchGetUsers");
    for (const common::v1::PublicUser& user : response.users()) {
      // A deleted account is no one chat-svc can add, message or list by name: unknown here.
      if (user.deleted()) continue;
      found[user.id()] = UserProfile{user.id(), user.username()};
    }
  }
  return found;
}

absl::StatusOr<UserProfile> AuthUserDirectory::FindByEmail(absl::string_view email) {
  grpc::ClientContext context;
  CHATTER_RETURN_IF_ERROR(Prepare(context));
  auth::v1::LookupUserRequest request;
  request.set_email(std::string(email));
  auth::v1::LookupUserResponse response;
  grpc::Status rpc = stub_->LookupUser(&context, request, &response);
  if (!rpc.ok()) return FromAuthFailure(rpc, "LookupUser");
  return UserProfile{response.user().id(), response.user().username()};
}

absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> AuthUserDirectory::FindByUsernames(
    const std::vector<std::string>& usernames) {
  absl::flat_hash_map<std::string, UserProfile> found;
  for (const std::string& username : usernames) {
    grpc::ClientContext context;
    CHATTER_RETURN_IF_ERROR(Prepare(context));
    auth::v1::LookupUserRequest request;
    request.set_username(username);
    auth::v1::LookupUserResponse response;
    grpc::Status rpc = stub_->LookupUser(&context, request, &response);
    if (rpc.error_code() == grpc::StatusCode::NOT_FOUND) continue;
    if (!rpc.ok()) return FromAuthFailure(rpc, "LookupUser");
    found[username] = UserProfile{response.user().id(), response.user().username()};
  }
  return found;
}

}  // namespace chatter::chat
