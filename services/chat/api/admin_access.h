// Who may use chat-svc's server API, and how fast: the operations each service principal may
// call (CHATTER_CHAT_ADMIN_ACL) and a token bucket per principal.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/ids/clock.h"

namespace chatter::chat {

// The operations of chatter.chat.v1.ChatAdmin, as the ACL names them.
enum class AdminOperation {
  kPostMessage,
  kCreateRoom,
  kAddMember,
  kRemoveMember,
  kSetMemberRole,
  kDisconnectUser,
  kGetPresence,
  kExportHistory,
  kNotifyUser,
};

// "post_message", "create_room", ...
absl::string_view AdminOperationName(AdminOperation operation);
std::optional<AdminOperation> ParseAdminOperation(absl::string_view name);

// Operations per principal. Text form: "principal=op|op|...,principal=*" ("*": every operation);
// empty: nobody may call anything.
class AdminAcl {
 public:
  // INVALID_ARGUMENT naming the entry for an unknown operation, a principal listed twice, or an
  // entry that is not principal=operations.
  static absl::StatusOr<AdminAcl> Parse(absl::string_view text);

  bool Allows(absl::string_view principal, AdminOperation operation) const;
  bool empty() const { return allowed_.empty(); }

 private:
  std::map<std::string, std::set<AdminOperation>, std::less<>> allowed_;
};

// A token bucket per principal: `per_second` calls on average, `burst` at once.
class PrincipalRateLimiter {
 public:
  // `clock` must outlive this.
  PrincipalRateLimiter(double per_second, double burst, ids::Clock& clock);

  // nullopt when the call may go ahead (and a token was taken); otherwise how long until one may.
  std::optional<absl::Duration> Take(absl::string_view principal);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_millis = 0;
  };

  double per_second_;
  double burst_;
  ids::Clock& clock_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_;  // Principals are few: one per backend.
};

}  // namespace chatter::chat
