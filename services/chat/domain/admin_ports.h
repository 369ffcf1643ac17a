// What chat-svc's server API (AdminService) needs beyond ChatService's repositories: storage
// that skips the user's checks, the live sessions on realtime-svc and the logins at auth-svc.
// PostgreSQL and gRPC implementations live in storage/ and clients/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/chat/domain/model.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

// Messages the platform posts (sender_kind system or bot): no membership or block check.
class ServiceMessageWriter {
 public:
  virtual ~ServiceMessageWriter() = default;
  // Like MessageRepository::Insert (next seq, client_msg_id deduplication per room and sender,
  // mentions of members) for a message whose sender need not be a member; the sender's read
  // marker is not moved. nullopt when the room does not exist.
  virtual absl::StatusOr<std::optional<StoredMessage>> InsertFromService(
      const NewMessage& message) = 0;
};

enum class RoleChange { kChanged, kUnchanged, kNotMember, kOwner };

class MemberRoles {
 public:
  virtual ~MemberRoles() = default;
  // Sets a member's role to `role` (admin or member); an owner's role never changes here.
  virtual absl::StatusOr<RoleChange> SetRole(absl::string_view room_id, absl::string_view user_id,
                                             Role role) = 0;
};

// One user's presence as realtime-svc knows it.
struct LivePresence {
  std::string user_id = {};
  bool online = false;
  std::optional<absl::Time> last_seen = {};
};

// The WebSocket sessions of users, on every gateway (through realtime-svc).
class LiveSessions {
 public:
  virtual ~LiveSessions() = default;
  // A `notification` event {id, type, payload} to every session of `user_ids`.
  virtual absl::Status Notify(const std::vector<std::string>& user_ids, const std::string& id,
                              const std::string& type, const std::string& payload_json) = 0;
  // Closes every session of `user_ids` with `close_code` and `reason`.
  virtual absl::Status Disconnect(const std::vector<std::string>& user_ids, int close_code,
                                  const std::string& reason) = 0;
  // One entry per id, in order; unfiltered by blocks.
  virtual absl::StatusOr<std::vector<LivePresence>> Presence(
      const std::vector<std::string>& user_ids) = 0;
};

// The logins of users (auth-svc).
class LoginRevoker {
 public:
  virtual ~LoginRevoker() = default;
  // Ends every login of the user; answers how many were open. NOT_FOUND for no such user.
  virtual absl::StatusOr<int> RevokeAll(const std::string& user_id) = 0;
};

// Idempotency records of the server API's writes, per principal and key.
struct IdempotencyClaim {
  enum class Outcome {
    kRun,         // The key is the caller's now: run the write, then Complete or Release.
    kReplay,      // Done before with the same request: answer `response` again.
    kInProgress,  // Another call holds the key and has not finished.
    kMismatch,    // The key was used for another operation or request.
  };
  Outcome outcome = Outcome::kRun;
  std::string response = {};  // kReplay only.
};

class AdminRequestLog {
 public:
  virtual ~AdminRequestLog() = default;
  // Claims (principal, key) for `operation` with `request_digest`, or says why not. A claim
  // left unfinished for longer than the log's stale time (its process died) is taken over.
  virtual absl::StatusOr<IdempotencyClaim> Claim(absl::string_view principal, absl::string_view key,
                                                 absl::string_view operation,
                                                 absl::string_view request_digest) = 0;
  // Stores the response of a claimed write.
  virtual absl::Status Complete(absl::string_view principal, absl::string_view key,
                                absl::string_view response) = 0;
  // Forgets a claim whose write failed, so that a retry runs it again.
  virtual absl::Status Release(absl::string_view principal, absl::string_view key) = 0;
};

}  // namespace chatter::chat
