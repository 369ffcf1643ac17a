// A time-bounded cache of users in front of another UserDirectory.
#include "services/chat/clients/caching_user_directory.h"

#include "libs/status/status_macros.h"

namespace chatter::chat {

CachingUserDirectory::CachingUserDirectory(UserDirectory& inner, ids::Clock& clock,
                                           absl::Duration ttl, size_t max_entries)
    : inner_(inner), clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

absl::Time CachingUserDirectory::Now() const { return absl::FromUnixMillis(clock_.UnixMillis()); }

absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> CachingUserDirectory::FindByIds(
    const std::vector<std::string>& ids) {
  absl::flat_hash_map<std::string, UserProfile> found;
  std::vector<std::string> missing;
  {
    absl::Time now = Now();
    std::lock_guard lock(mu_);
    for (const std::string& id : ids) {
      auto it = entries_.find(id);
      if (it != entries_.end() && now < it->second.expires_at) {
        found[id] = it->second.profile;
      } else if (!found.contains(id)) {
        missing.push_back(id);
      }
    }
  }
  if (missing.empty()) return found;
  CHATTER_ASSIGN_OR_RETURN(auto fetched, inner_.FindByIds(missing));
  for (auto& [id, profile] : fetched) {
    Remember(profile);
    found[id] = std::move(profile);
  }
  return found;
}

absl::StatusOr<UserProfile> CachingUserDirectory::FindByEmail(absl::string_view email) {
  CHATTER_ASSIGN_OR_RETURN(UserProfile profile, inner_.FindByEmail(email));
  Remember(profile);
  return profile;
}

void CachingUserDirectory::Remember(const UserProfile& profile) {
  absl::Time now = Now();
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_) {
    absl::erase_if(entries_, [&](const auto& entry) { return entry.second.expires_at <= now; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[profile.id] = Entry{profile, now + ttl_};
}

void CachingUserDirectory::Forget(const std::string& user_id) {
  std::lock_guard lock(mu_);
  entries_.erase(user_id);
}

absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> CachingUserDirectory::FindByUsernames(
    const std::vector<std::string>& usernames) {
  CHATTER_ASSIGN_OR_RETURN(auto found, inner_.FindByUsernames(usernames));
  for (const auto& [username, profile] : found) Remember(profile);
  return found;
}

}  // namespace chatter::chat
