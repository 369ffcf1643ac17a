// ServiceTokenSource: a double-checked cache in front of IssueServiceToken.
#include "libs/authn/service_token_source.h"

#include "absl/strings/str_cat.h"
#include "libs/grpc_client/request_id.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"

namespace chatter::authn {
namespace {

// Renew once this share of a token's lifetime has passed, leaving room for slow renewals and
// clock differences before the token actually expires.
constexpr double kRefreshAtLifetimeFraction = 0.8;

// Transport trouble keeps its code (callers may retry); any other failure means auth-svc
// refused our own credentials, which is a deployment error, not the end user's.
absl::Status FromIssueFailure(const grpc::Status& rpc) {
  return status::FromDependencyFailure(rpc, "auth-svc IssueServiceToken");
}

}  // namespace

ServiceTokenSource::ServiceTokenSource(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                                       ServiceCredentials credentials, ids::Clock& clock,
                                       absl::Duration rpc_timeout)
    : stub_(auth::v1::AuthService::NewStub(std::move(auth_channel))),
      credentials_(std::move(credentials)),
      clock_(clock),
      rpc_timeout_(rpc_timeout) {}

absl::StatusOr<std::string> ServiceTokenSource::Token() {
  if (auto token = CachedBefore(&Cached::refresh_at)) return *token;
  std::unique_lock fetching(fetch_mu_, std::try_to_lock);
  if (!fetching.owns_lock()) {
    // Someone else is renewing: the current token serves meanwhile if it is still valid.
    if (auto token = CachedBefore(&Cached::expires_at)) return *token;
    fetching.lock();
    // The renewal we waited for may have produced what we need.
    if (auto token = CachedBefore(&Cached::refresh_at)) return *token;
  }
  absl::StatusOr<Cached> fetched = Fetch();
  if (!fetched.ok()) {
    if (auto token = CachedBefore(&Cached::expires_at)) return *token;
    return fetched.status();
  }
  std::lock_guard lock(mu_);
  cached_ = *std::move(fetched);
  return cached_->token;
}

std::optional<std::string> ServiceTokenSource::CachedToken() const {
  return CachedBefore(&Cached::expires_at);
}

absl::Status ServiceTokenSource::Attach(grpc::ClientContext& context) {
  CHATTER_ASSIGN_OR_RETURN(std::string token, Token());
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  return absl::OkStatus();
}

absl::Time ServiceTokenSource::Now() const { return absl::FromUnixMillis(clock_.UnixMillis()); }

std::optional<std::string> ServiceTokenSource::CachedBefore(absl::Time Cached::*deadline) const {
  absl::Time now = Now();
  std::lock_guard lock(mu_);
  if (cached_ && now < (*cached_).*deadline) return cached_->token;
  return std::nullopt;
}

absl::StatusOr<ServiceTokenSource::Cached> ServiceTokenSource::Fetch() {
  // Lifetimes count from before the call, so our idea of expiry is never later than auth-svc's.
  absl::Time requested_at = Now();
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + rpc_timeout_));
  // A refresh made on behalf of a request (a cache miss) is part of that request's trace.
  grpc_client::ForwardRequestId(context);
  auth::v1::IssueServiceTokenRequest request;
  request.set_client_id(credentials_.client_id);
  request.set_client_secret(credentials_.client_secret);
  auth::v1::IssueServiceTokenResponse response;
  grpc::Status rpc = stub_->IssueServiceToken(&context, request, &response);
  if (!rpc.ok()) return FromIssueFailure(rpc);
  if (response.access_token().empty() || response.expires_in() <= 0) {
    return absl::InternalError("auth-svc IssueServiceToken: answer without token or lifetime");
  }
  absl::Duration lifetime = absl::Seconds(response.expires_in());
  return Cached{.token = response.access_token(),
                .refresh_at = requested_at + lifetime * kRefreshAtLifetimeFraction,
                .expires_at = requested_at + lifetime};
}

}  // namespace chatter::authn
