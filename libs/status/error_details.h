// Field-level error details attached to an absl::Status, so "which field was wrong" survives
// the trip service -> gRPC -> gateway -> JSON envelope.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "chatter/common/v1/error.pb.h"

namespace chatter::status {

// Type URL under which ErrorDetails rides as an absl::Status payload.
inline constexpr absl::string_view kErrorDetailsTypeUrl =
    "type.googleapis.com/chatter.common.v1.ErrorDetails";

// INVALID_ARGUMENT naming the offending field, e.g. InvalidFieldError("email", "must be ...").
absl::Status InvalidFieldError(absl::string_view field, absl::string_view reason);

// A status of `code` that names one field (e.g. ALREADY_EXISTS for a taken username).
absl::Status FieldError(absl::StatusCode code, absl::string_view field, absl::string_view reason,
                        absl::string_view message);

// RESOURCE_EXHAUSTED telling the client how long to wait (HTTP Retry-After).
absl::Status RateLimitedError(absl::string_view message, int retry_after_seconds);

// The details carried by `status`, if any.
std::optional<common::v1::ErrorDetails> GetErrorDetails(const absl::Status& status);

// Attaches (replacing) details to `status`.
void SetErrorDetails(absl::Status& status, const common::v1::ErrorDetails& details);

}  // namespace chatter::status
