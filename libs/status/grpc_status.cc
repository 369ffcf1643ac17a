// absl::Status <-> grpc::Status.
#include "libs/status/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/status/error_details.h"

namespace chatter::status {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // Both enums mirror google.rpc.Code, so the numeric values are the same by definition.
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string details;
  if (auto error_details = GetErrorDetails(status)) details = error_details->SerializeAsString();
  return grpc::Status(code, std::string(status.message()), details);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (!status.error_details().empty()) {
    common::v1::ErrorDetails details;
    if (details.ParseFromString(status.error_details())) SetErrorDetails(result, details);
  }
  return result;
}

absl::Status FromDependencyFailure(const grpc::Status& rpc, absl::string_view what,
                                   std::initializer_list<absl::StatusCode> kept) {
  absl::Status status = FromGrpcStatus(rpc);
  std::string message = absl::StrCat(what, ": ", status.message());
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kCancelled:
      return absl::Status(status.code(), message);
    default:
      for (absl::StatusCode code : kept) {
        if (status.code() == code) return absl::Status(code, message);
      }
      return absl::InternalError(message);
  }
}

}  // namespace chatter::status
