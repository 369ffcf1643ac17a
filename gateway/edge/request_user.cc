// Local, best-effort identification of a request's user.
#include "gateway/edge/request_user.h"

#include "gateway/transcoding/access_token.h"

namespace chatter::gateway {

std::string RequestUserIdentifier::UserIdOf(const HttpRequest& request) const {
  absl::StatusOr<std::string> token = AccessTokenFromHeaders(request);
  if (!token.ok() || token->empty()) return "";
  absl::StatusOr<authn::Principal> principal = authenticator_.AuthenticateToken(*token);
  if (!principal.ok() || principal->kind != authn::Principal::Kind::kUser) return "";
  return principal->subject;
}

}  // namespace chatter::gateway
