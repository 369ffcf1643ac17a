// The one place that maps a status to an HTTP status and the JSON error envelope of API.md.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace chatter::status {

// HTTP status for a gRPC/absl code per the table in API.md (OK -> 200).
int HttpStatusFor(absl::StatusCode code);

// "invalid_argument", "not_found", ... (the gRPC code name in snake_case).
absl::string_view CodeName(absl::StatusCode code);

// Seconds for Retry-After: from the status' details, else 1 for RESOURCE_EXHAUSTED.
std::optional<int> RetryAfterSeconds(const absl::Status& status);

// The fixed public text that replaces the message of codes whose service-side message may name
// hosts, SQL or other internals (INTERNAL, UNKNOWN, DATA_LOSS, UNAVAILABLE, DEADLINE_EXCEEDED);
// nullopt for codes whose message is meant for the client.
std::optional<absl::string_view> PublicMessageFor(absl::StatusCode code);

// {"error":{"code","message","details":[{"field","reason"}]},"request_id"}. Codes whose
// messages may carry internals (INTERNAL, UNKNOWN, DATA_LOSS, UNAVAILABLE, DEADLINE_EXCEEDED)
// get a fixed public message instead, so no SQL or hostname reaches a client.
std::string ErrorEnvelopeJson(const absl::Status& status, absl::string_view request_id);

}  // namespace chatter::status
