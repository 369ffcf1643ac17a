// A UserDirectory over a map, for domain tests: add users, or make every lookup fail.
#pragma once

#include <mutex>

#include "absl/strings/ascii.h"
#include "services/chat/domain/user_directory.h"

namespace chatter::chat {

class FakeUserDirectory final : public UserDirectory {
 public:
  void AddUser(const std::string& id, const std::string& username, const std::string& email) {
    std::lock_guard lock(mu_);
    users_[id] = UserProfile{id, username};
    emails_[absl::AsciiStrToLower(email)] = id;
  }
  // Every later lookup answers `status` (OK restores normal answers).
  void SetFailure(absl::Status status) {
    std::lock_guard lock(mu_);
    failure_ = std::move(status);
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> FindByIds(
      const std::vector<std::string>& ids) override {
    std::lock_guard lock(mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    absl::flat_hash_map<std::string, UserProfile> found;
    for (const std::string& id : ids) {
      if (auto it = users_.find(id); it != users_.end()) found[id] = it->second;
    }
    return found;
  }
  absl::StatusOr<UserProfile> FindByEmail(absl::string_view email) override {
    std::lock_guard lock(mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    auto it = emails_.find(absl::AsciiStrToLower(email));
    if (it == emails_.end()) return absl::NotFoundError("no such user");
    return users_.at(it->second);
  }
  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> FindByUsernames(
      const std::vector<std::string>& usernames) override {
    std::lock_guard lock(mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    absl::flat_hash_map<std::string, UserProfile> found;
    for (const auto& [id, profile] : users_) {
      for (const std::string& username : usernames) {
        if (profile.username == username) found[username] = profile;
      }
    }
    return found;
  }

 private:
  std::mutex mu_;
  absl::flat_hash_map<std::string, UserProfile> users_;
  absl::flat_hash_map<std::string, std::string> emails_;
  absl::Status failure_;
  int calls_ = 0;
};

}  // namespace chatter::chat
