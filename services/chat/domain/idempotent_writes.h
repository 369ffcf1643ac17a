// Exactly-once answers for the server API's writes: a write runs once per (principal,
// idempotency key), and a repeat of the same request answers the first call's response. Built on
// AdminRequestLog, which keeps the keys (PostgreSQL in production, shared by every replica).
#pragma once

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/chat/domain/admin_ports.h"

namespace chatter::chat {

inline constexpr size_t kMaxIdempotencyKeyChars = 128;

// INVALID_ARGUMENT naming "idempotency_key" unless it is 1-128 printable ASCII characters.
absl::Status ValidateIdempotencyKey(absl::string_view key);

class IdempotentWrites {
 public:
  // `log` must outlive this.
  explicit IdempotentWrites(AdminRequestLog& log) : log_(log) {}

  // Runs `write` (which answers the serialized response) unless this principal's key was used
  // before: then the stored response of the same request is answered again, INVALID_ARGUMENT
  // ("idempotency_key") answers another request under the same key, and ABORTED a call that
  // still holds it. A failed write releases the key, so a retry runs again.
  // `request_digest` identifies the request (operation and fields, without the key).
  absl::StatusOr<std::string> Run(absl::string_view principal, absl::string_view key,
                                  absl::string_view operation, absl::string_view request_digest,
                                  absl::FunctionRef<absl::StatusOr<std::string>()> write);

 private:
  AdminRequestLog& log_;
};

}  // namespace chatter::chat
