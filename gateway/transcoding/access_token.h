// The caller's access token, from `Authorization: Bearer <token>` or `X-Auth-Token: <token>`
// (shared/API.md Conventions: CDNs that strip Authorization still pass X-Auth-Token).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "gateway/http/http_types.h"

namespace chatter::gateway {

// The token, or "" when the request carries neither header. Errors: INVALID_ARGUMENT naming
// "X-Auth-Token" when both headers are sent and differ, or naming the header that is sent more
// than once with different values (one identity per request); UNAUTHENTICATED for an Authorization
// header of another scheme, a Bearer without token, or a token that is not visible ASCII.
absl::StatusOr<std::string> AccessTokenFromHeaders(const HttpRequest& request);

}  // namespace chatter::gateway
