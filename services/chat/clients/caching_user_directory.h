// A UserDirectory in front of another that remembers the users it found for a while, so member
// and contact lists do not ask auth-svc every time (usernames cannot change today). Unknown ids
// are not remembered: they are rare and may be typos.
#pragma once

#include <cstddef>
#include <mutex>

#include "absl/time/time.h"
#include "libs/ids/clock.h"
#include "services/chat/domain/user_directory.h"

namespace chatter::chat {

class CachingUserDirectory final : public UserDirectory {
 public:
  // `inner` and `clock` must outlive the cache. At most `max_entries` users are kept; when full,
  // expired entries go first, then everything (a rare, cheap refill).
  CachingUserDirectory(UserDirectory& inner, ids::Clock& clock, absl::Duration ttl,
                       size_t max_entries);

  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> FindByIds(
      const std::vector<std::string>& ids) override;
  absl::StatusOr<UserProfile> FindByEmail(absl::string_view email) override;
  // Not cached by name (a deleted account's name is free again after a while); the profiles
  // found are remembered by id.
  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> FindByUsernames(
      const std::vector<std::string>& usernames) override;

  // Drops what is remembered of `user_id`, e.g. when the user's logins end (the account may
  // have been deleted), so the next lookup asks auth-svc again.
  void Forget(const std::string& user_id);

 private:
  struct Entry {
    UserProfile profile;
    absl::Time expires_at;
  };
  absl::Time Now() const;
  void Remember(const UserProfile& profile);

  UserDirectory& inner_;
  ids::Clock& clock_;
  const absl::Duration ttl_;
  const size_t max_entries_;
  std::mutex mu_;  // Guards entries_; never held while calling inner_.
  absl::flat_hash_map<std::string, Entry> entries_;
};

}  // namespace chatter::chat
