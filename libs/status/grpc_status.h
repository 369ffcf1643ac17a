// The one place that converts absl::Status <-> grpc::Status (code, message and details).
#pragma once

#include <grpcpp/support/status.h>

#include <initializer_list>

#include "absl/status/status.h"

namespace chatter::status {

// Keeps code and message; ErrorDetails travel in grpc::Status::error_details.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Inverse of ToGrpcStatus; error_details that are not ErrorDetails are ignored.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The failure of a call this process made to another service (`what`, e.g. "chat-svc
// GetBlockRelations"), for its own callers: transport trouble (UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED, CANCELLED) keeps its code, so they may retry; anything else means the
// dependency refused this process itself (bad credentials, a bug) and becomes INTERNAL, never a
// client's 4xx. `kept` lists further codes to pass through (e.g. NOT_FOUND for lookups).
absl::Status FromDependencyFailure(const grpc::Status& rpc, absl::string_view what,
                                   std::initializer_list<absl::StatusCode> kept = {});

}  // namespace chatter::status
