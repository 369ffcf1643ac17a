// The seam through which chat-svc learns about users it does not own: whether an id exists and
// its username. auth-svc answers in production (clients/), a map in tests.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::chat {

struct UserProfile {
  std::string id = {};
  std::string username = {};
};

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // The known users among `ids` (lower-case UUIDs), by id; unknown ids, and deleted accounts,
  // are absent. An error
  // (UNAVAILABLE, ...) only when the directory cannot answer at all.
  virtual absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> FindByIds(
      const std::vector<std::string>& ids) = 0;
  // The user with this email (compared case-insensitively); NOT_FOUND when none.
  virtual absl::StatusOr<UserProfile> FindByEmail(absl::string_view email) = 0;
  // The users among `usernames` (lower-case), by username; unknown names are absent.
  virtual absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> FindByUsernames(
      const std::vector<std::string>& usernames) = 0;
};

}  // namespace chatter::chat
