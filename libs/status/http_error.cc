// Status -> HTTP status and JSON error envelope.
#include "libs/status/http_error.h"

#include <nlohmann/json.hpp>

#include "libs/status/error_details.h"

namespace chatter::status {

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    default:
      return 500;
  }
}

absl::string_view CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "ok";
    case absl::StatusCode::kCancelled:
      return "cancelled";
    case absl::StatusCode::kUnknown:
      return "unknown";
    case absl::StatusCode::kInvalidArgument:
      return "invalid_argument";
    case absl::StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kAlreadyExists:
      return "already_exists";
    case absl::StatusCode::kPermissionDenied:
      return "permission_denied";
    case absl::StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case absl::StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case absl::StatusCode::kAborted:
      return "aborted";
    case absl::StatusCode::kOutOfRange:
      return "out_of_range";
    case absl::StatusCode::kUnimplemented:
      return "unimplemented";
    case absl::StatusCode::kInternal:
      return "internal";
    case absl::StatusCode::kUnavailable:
      return "unavailable";
    case absl::StatusCode::kDataLoss:
      return "data_loss";
    case absl::StatusCode::kUnauthenticated:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

std::optional<int> RetryAfterSeconds(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kResourceExhausted) return std::nullopt;
  auto details = GetErrorDetails(status);
  if (details && details->retry_after_seconds() > 0) return details->retry_after_seconds();
  return 1;
}

std::optional<absl::string_view> PublicMessageFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      return "internal error";
    case absl::StatusCode::kUnavailable:
      return "service temporarily unavailable";
    case absl::StatusCode::kDeadlineExceeded:
      return "the request took too long";
    default:
      return std::nullopt;
  }
}

std::string ErrorEnvelopeJson(const absl::Status& status, absl::string_view request_id) {
  nlohmann::json details = nlohmann::json::array();
  if (auto error_details = GetErrorDetails(status)) {
    for (const auto& violation : error_details->field_violations()) {
      details.push_back({{"field", violation.field()}, {"reason", violation.reason()}});
    }
  }
  std::string message(PublicMessageFor(status.code()).value_or(status.message()));
  nlohmann::ordered_json body;
  body["error"]["code"] = std::string(CodeName(status.code()));
  body["error"]["message"] = message;
  body["error"]["details"] = details;
  body["request_id"] = std::string(request_id);
  // Replace invalid UTF-8 rather than throw: messages may echo client input.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace chatter::status
