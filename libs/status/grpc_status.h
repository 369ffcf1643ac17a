// The one place that converts absl::Status <-> grpc::Status (code, message and details).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace chatter::status {

// Keeps code and message; ErrorDetails travel in grpc::Status::error_details.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Inverse of ToGrpcStatus; error_details that are not ErrorDetails are ignored.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace chatter::status
