// In-memory auth-svc repositories for domain tests: the same contracts as the PostgreSQL ones
// (uniqueness, rotation, reuse detection), without a database.
#pragma once

#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/status/error_details.h"
#include "services/auth/domain/repositories.h"

namespace chatter::auth {

class InMemoryUserRepository final : public UserRepository {
 public:
  absl::Status Create(const User& user) override {
    std::lock_guard lock(mutex_);
    for (const auto& [id, existing] : users_) {
      if (existing.username == user.username) {
        return status::FieldError(absl::StatusCode::kAlreadyExists, "username", "is already taken",
                                  "username is already taken");
      }
      if (existing.email == user.email) {
        return status::FieldError(absl::StatusCode::kAlreadyExists, "email",
                                  "is already registered", "email is already registered");
      }
    }
    users_[user.id] = user;
    return absl::OkStatus();
  }
  absl::StatusOr<User> FindById(absl::string_view id) override {
    std::lock_guard lock(mutex_);
    auto it = users_.find(id);
    if (it == users_.end()) return absl::NotFoundError("user not found");
    return it->second;
  }
  absl::StatusOr<User> FindByUsername(absl::string_view username) override {
    return FindIf([&](const User& user) { return user.username == username; });
  }
  absl::StatusOr<User> FindByEmail(absl::string_view email) override {
    return FindIf([&](const User& user) { return user.email == email; });
  }
  absl::StatusOr<std::vector<User>> FindByIds(const std::vector<std::string>& ids) override {
    std::vector<User> found;
    for (const auto& id : ids) {
      if (auto user = FindById(id); user.ok()) found.push_back(*user);
    }
    return found;
  }

 private:
  template <typename Predicate>
  absl::StatusOr<User> FindIf(Predicate predicate) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, user] : users_) {
      if (predicate(user)) return user;
    }
    return absl::NotFoundError("user not found");
  }

  std::mutex mutex_;
  absl::flat_hash_map<std::string, User> users_;
};

class InMemorySessionRepository final : public SessionRepository {
 public:
  struct Row {
    NewSession session;
    bool spent = false;
    bool revoked = false;
  };

  absl::Status Create(const NewSession& session) override {
    std::lock_guard lock(mutex_);
    rows_[session.token_hash_hex] = Row{session};
    return absl::OkStatus();
  }
  absl::StatusOr<RotationResult> Rotate(absl::string_view token_hash_hex, absl::Time now,
                                        NewSession next) override {
    std::lock_guard lock(mutex_);
    RotationResult result;
    auto it = rows_.find(token_hash_hex);
    if (it == rows_.end()) return result;
    Row& row = it->second;
    result.user_id = row.session.user_id;
    result.family_id = row.session.family_id;
    if (row.revoked) {
      result.outcome = RotationResult::Outcome::kRevoked;
    } else if (row.spent) {
      RevokeFamilyLocked(row.session.family_id);
      result.outcome = RotationResult::Outcome::kReused;
    } else if (row.session.expires_at <= now) {
      result.outcome = RotationResult::Outcome::kExpired;
    } else {
      row.spent = true;
      next.family_id = row.session.family_id;
      next.user_id = row.session.user_id;
      next.parent_id = row.session.id;
      rows_[next.token_hash_hex] = Row{next};
      result.outcome = RotationResult::Outcome::kRotated;
    }
    return result;
  }
  absl::Status RevokeFamily(absl::string_view token_hash_hex, absl::string_view user_id) override {
    std::lock_guard lock(mutex_);
    auto it = rows_.find(token_hash_hex);
    if (it == rows_.end()) return absl::NotFoundError("no such session");
    if (it->second.session.user_id != user_id) return absl::PermissionDeniedError("not yours");
    RevokeFamilyLocked(it->second.session.family_id);
    return absl::OkStatus();
  }
  absl::StatusOr<int> RevokeAllOfUser(absl::string_view user_id) override {
    std::lock_guard lock(mutex_);
    int count = 0;
    for (auto& [hash, row] : rows_) {
      if (row.session.user_id == user_id && !row.revoked) {
        row.revoked = true;
        ++count;
      }
    }
    return count;
  }
  std::vector<Row> RowsForTest() {
    std::lock_guard lock(mutex_);
    std::vector<Row> rows;
    for (const auto& [hash, row] : rows_) rows.push_back(row);
    return rows;
  }

 private:
  void RevokeFamilyLocked(const std::string& family_id) {
    for (auto& [hash, row] : rows_) {
      if (row.session.family_id == family_id) row.revoked = true;
    }
  }

  std::mutex mutex_;
  absl::flat_hash_map<std::string, Row> rows_;
};

class InMemoryLoginFailureRepository final : public LoginFailureRepository {
 public:
  absl::StatusOr<Window> Current(absl::string_view key, absl::Time now) override {
    std::lock_guard lock(mutex_);
    auto found = windows_.find(key);
    if (found == windows_.end() || found->second.ends <= now) return Window{};
    return found->second;
  }
  absl::Status Record(absl::string_view key, absl::Time now, absl::Duration length) override {
    std::lock_guard lock(mutex_);
    Window& window = windows_[key];
    if (window.ends <= now) window = Window{.failures = 0, .ends = now + length};
    ++window.failures;
    return absl::OkStatus();
  }
  absl::Status Clear(absl::string_view key) override {
    std::lock_guard lock(mutex_);
    windows_.erase(key);
    return absl::OkStatus();
  }
  // Keys with a window, open or closed (the test sees that no identifier is kept in clear).
  std::vector<std::string> KeysForTest() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> keys;
    for (const auto& [key, window] : windows_) keys.push_back(key);
    return keys;
  }

 private:
  std::mutex mutex_;
  absl::flat_hash_map<std::string, Window> windows_;
};

}  // namespace chatter::auth
