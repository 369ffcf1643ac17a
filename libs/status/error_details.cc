// Field-level error details attached to an absl::Status.
#include "libs/status/error_details.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace chatter::status {

absl::Status FieldError(absl::StatusCode code, absl::string_view field, absl::string_view reason,
                        absl::string_view message) {
  absl::Status status(code, message);
  common::v1::ErrorDetails details;
  auto* violation = details.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_reason(std::string(reason));
  SetErrorDetails(status, details);
  return status;
}

absl::Status InvalidFieldError(absl::string_view field, absl::string_view reason) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, reason,
                    absl::StrCat(field, ": ", reason));
}

absl::Status RateLimitedError(absl::string_view message, int retry_after_seconds) {
  absl::Status status = absl::ResourceExhaustedError(message);
  common::v1::ErrorDetails details;
  details.set_retry_after_seconds(retry_after_seconds);
  SetErrorDetails(status, details);
  return status;
}

std::optional<common::v1::ErrorDetails> GetErrorDetails(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorDetailsTypeUrl);
  if (!payload) return std::nullopt;
  common::v1::ErrorDetails details;
  if (!details.ParseFromString(std::string(*payload))) return std::nullopt;
  return details;
}

void SetErrorDetails(absl::Status& status, const common::v1::ErrorDetails& details) {
  if (status.ok()) return;  // OK carries no payload by definition.
  status.SetPayload(kErrorDetailsTypeUrl, absl::Cord(details.SerializeAsString()));
}

}  // namespace chatter::status
