// Reading the caller's credentials and request id from gRPC metadata on the server side.
#pragma once

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/statusor.h"

namespace chatter::authn {

// The token of `authorization: Bearer <token>` (scheme matched case-insensitively).
// UNAUTHENTICATED: "missing bearer token" (absent or empty), "authorization is not a bearer
// token", "more than one authorization header".
absl::StatusOr<std::string> BearerTokenFrom(const grpc::ServerContextBase& context);

// The caller's x-request-id metadata, empty when absent.
std::string RequestIdFrom(const grpc::ServerContextBase& context);

}  // namespace chatter::authn
