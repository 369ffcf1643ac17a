// Authenticator: bearer token -> verified claims -> Principal, plus the kind checks.
#include "libs/authn/authenticator.h"

#include "absl/strings/str_cat.h"
#include "libs/authn/metadata.h"
#include "libs/status/status_macros.h"

namespace chatter::authn {

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  CHATTER_ASSIGN_OR_RETURN(std::string token, BearerTokenFrom(context));
  return AuthenticateToken(token);
}

absl::StatusOr<Principal> Authenticator::AuthenticateUser(
    const grpc::ServerContextBase& context) const {
  return AuthenticateKind(context, Principal::Kind::kUser);
}

absl::StatusOr<Principal> Authenticator::AuthenticateService(
    const grpc::ServerContextBase& context) const {
  return AuthenticateKind(context, Principal::Kind::kService);
}

absl::StatusOr<Principal> Authenticator::AuthenticateServiceAmong(
    const grpc::ServerContextBase& context, const absl::flat_hash_set<std::string>& allowed,
    absl::string_view action) const {
  CHATTER_ASSIGN_OR_RETURN(Principal caller, AuthenticateService(context));
  if (!allowed.contains(caller.subject)) {
    return absl::PermissionDeniedError(
        absl::StrCat("service client \"", caller.subject, "\" may not ", action));
  }
  return caller;
}

absl::StatusOr<Principal> Authenticator::AuthenticateToken(absl::string_view token) const {
  std::optional<jwt::Claims> cached = verified_.Find(token);
  if (!cached) {
    CHATTER_ASSIGN_OR_RETURN(jwt::Claims verified, verifier_.Verify(token));
    verified_.Remember(token, verified);
    cached = std::move(verified);
  }
  jwt::Claims claims = *std::move(cached);
  Principal principal;
  principal.subject = std::move(claims.subject);
  principal.expires_at = claims.expires_at;
  principal.accepted_for = verifier_.AcceptedFor(claims);
  if (claims.type == jwt::kUserTokenType) {
    // Checked on every call, cached or not: a login may end at any time.
    if (revoked_ != nullptr && revoked_->Contains(claims.session_id)) {
      return absl::UnauthenticatedError("session ended (logged out)");
    }
    principal.kind = Principal::Kind::kUser;
    principal.session_id = std::move(claims.session_id);
    principal.username = std::move(claims.username);
  } else if (claims.type == jwt::kServiceTokenType) {
    principal.kind = Principal::Kind::kService;
  } else {
    return absl::UnauthenticatedError("token type unknown");
  }
  return principal;
}

absl::StatusOr<Principal> Authenticator::AuthenticateKind(const grpc::ServerContextBase& context,
                                                          Principal::Kind kind) const {
  CHATTER_ASSIGN_OR_RETURN(Principal principal, Authenticate(context));
  if (principal.kind != kind) {
    return absl::PermissionDeniedError(kind == Principal::Kind::kUser ? "user token required"
                                                                      : "service token required");
  }
  return principal;
}

}  // namespace chatter::authn
