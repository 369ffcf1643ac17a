// Idempotency of the server API's writes.
#include "services/chat/domain/idempotent_writes.h"

#include "libs/log/log.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"

namespace chatter::chat {

absl::Status ValidateIdempotencyKey(absl::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyChars) {
    return status::InvalidFieldError("idempotency_key", "must be 1-128 characters");
  }
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return status::InvalidFieldError("idempotency_key", "must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> IdempotentWrites::Run(
    absl::string_view principal, absl::string_view key, absl::string_view operation,
    absl::string_view request_digest, absl::FunctionRef<absl::StatusOr<std::string>()> write) {
  CHATTER_RETURN_IF_ERROR(ValidateIdempotencyKey(key));
  CHATTER_ASSIGN_OR_RETURN(IdempotencyClaim claim,
                           log_.Claim(principal, key, operation, request_digest));
  switch (claim.outcome) {
    case IdempotencyClaim::Outcome::kReplay:
      return std::move(claim.response);
    case IdempotencyClaim::Outcome::kMismatch:
      return status::InvalidFieldError("idempotency_key",
                                       "was used before for a different request");
    case IdempotencyClaim::Outcome::kInProgress:
      return absl::AbortedError(
          "a call with this idempotency_key is still in progress; retry shortly");
    case IdempotencyClaim::Outcome::kRun:
      break;
  }
  absl::StatusOr<std::string> response = write();
  if (!response.ok()) {
    if (absl::Status released = log_.Release(principal, key); !released.ok()) {
      // The claim goes stale and is taken over by a retry after a while.
      log::Warn("idempotency key not released", {{"error", std::string(released.message())}});
    }
    return response.status();
  }
  if (absl::Status completed = log_.Complete(principal, key, *response); !completed.ok()) {
    // The write happened: answer it. A retry finds the claim unfinished (ABORTED) until it is
    // stale, then runs again; the writes are idempotent in effect where it matters (a message
    // keeps the key as its client_msg_id).
    log::Warn("idempotent response not stored", {{"error", std::string(completed.message())}});
  }
  return response;
}

}  // namespace chatter::chat
