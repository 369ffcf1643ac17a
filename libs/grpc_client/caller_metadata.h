// The metadata the gateway puts on a call it makes for a client: the client's token, so the
// service verifies who is calling itself, and what the service logs and records about the client.
#pragma once

#include <grpcpp/client_context.h>

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace chatter::grpc_client {

struct CallerMetadata {
  // Defaulted, so designated initializers may name only some (no -Wmissing-field-initializers).
  std::string access_token = {};  // `authorization: Bearer <token>` (nothing when empty).
  std::string request_id = {};    // `x-request-id`, so one id spans gateway and services.
  std::string client_ip = {};     // `x-forwarded-for`, for rate limits and session records.
  std::string user_agent = {};    // `x-client-user-agent` (gRPC owns `user-agent`), for sessions.
};

// Adds the non-empty members of `caller`; client-chosen text is cut to printable ASCII.
void AddCallerMetadata(grpc::ClientContext& context, const CallerMetadata& caller);

// gRPC metadata values must be printable ASCII: `text` without other bytes, at most `max_bytes`
// of it considered.
std::string PrintableAscii(absl::string_view text, size_t max_bytes);

}  // namespace chatter::grpc_client
