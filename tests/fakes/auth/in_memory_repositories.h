// In-memory auth-svc repositories for domain tests: the same contracts as the PostgreSQL ones
// (uniqueness, rotation, reuse detection), without a database.
#pragma once

#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "libs/status/error_details.h"
#include "services/auth/domain/repositories.h"

namespace chatter::auth {

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
  // A logged revocation: which login, whose, until when, why.
  struct LoggedRevocation {
    std::string session_id;
    std::string user_id;
    absl::Time until;
    std::string reason;
  };

  absl::StatusOr<RotationResult> Rotate(absl::string_view token_hash_hex, absl::Time now,
                                        NewSession next, absl::Time revoked_until) override {
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
      log_.push_back({row.session.family_id, row.session.user_id, revoked_until, "reuse_detected"});
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
  absl::Status RevokeFamily(absl::string_view token_hash_hex, absl::string_view user_id,
                            absl::Time revoked_until) override {
    std::lock_guard lock(mutex_);
    auto it = rows_.find(token_hash_hex);
    if (it == rows_.end()) return absl::NotFoundError("no such session");
    if (it->second.session.user_id != user_id) return absl::PermissionDeniedError("not yours");
    std::string family_id = it->second.session.family_id;
    RevokeFamilyLocked(family_id);
    log_.push_back({family_id, std::string(user_id), revoked_until, "logout"});
    return absl::OkStatus();
  }
  absl::StatusOr<int> RevokeAllOfUser(absl::string_view user_id,
                                      const RevocationWindow& window) override {
    std::lock_guard lock(mutex_);
    return EndLoginsLocked(user_id, "", window, "logout_all");
  }
  // The fake keeps no creation times: every login of the user counts as inside `window`.
  int EndLogins(absl::string_view user_id, absl::string_view keep_family,
                const RevocationWindow& window, const char* reason) {
    std::lock_guard lock(mutex_);
    return EndLoginsLocked(user_id, keep_family, window, reason);
  }
  void DeleteAllOfUser(absl::string_view user_id) {
    std::lock_guard lock(mutex_);
    absl::erase_if(rows_,
                   [&](const auto& entry) { return entry.second.session.user_id == user_id; });
  }
  std::vector<LoggedRevocation> RevocationsForTest() {
    std::lock_guard lock(mutex_);
    return log_;
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
  int EndLoginsLocked(absl::string_view user_id, absl::string_view keep_family,
                      const RevocationWindow& window, const char* reason) {
    int count = 0;
    absl::flat_hash_set<std::string> logged;
    for (auto& [hash, row] : rows_) {
      if (row.session.user_id != user_id || row.session.family_id == keep_family) continue;
      if (logged.insert(row.session.family_id).second) {
        log_.push_back({row.session.family_id, std::string(user_id), window.until, reason});
      }
      if (!row.revoked) {
        row.revoked = true;
        ++count;
      }
    }
    return count;
  }

  std::mutex mutex_;
  absl::flat_hash_map<std::string, Row> rows_;
  std::vector<LoggedRevocation> log_;
};

class InMemoryUserRepository final : public UserRepository {
 public:
  // Password changes and erasure end logins in `sessions`, as one transaction does in SQL.
  explicit InMemoryUserRepository(InMemorySessionRepository& sessions) : sessions_(sessions) {}

  absl::Status Create(const User& user, absl::Time release_deleted_before) override {
    std::lock_guard lock(mutex_);
    for (auto& [id, existing] : users_) {
      if (existing.deleted() && *existing.deleted_at < release_deleted_before) {
        held_usernames_.erase(id);
      }
    }
    for (const auto& [id, existing] : users_) {
      bool held = held_usernames_.contains(id) && held_usernames_.at(id) == user.username;
      if ((!existing.deleted() && existing.username == user.username) || held) {
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
  absl::Status ChangePassword(absl::string_view user_id, absl::string_view password_hash,
                              absl::Time now, absl::string_view keep_session_id,
                              const RevocationWindow& window) override {
    {
      std::lock_guard lock(mutex_);
      auto it = users_.find(user_id);
      if (it == users_.end() || it->second.deleted()) return absl::NotFoundError("user not found");
      it->second.password_hash = std::string(password_hash);
      it->second.updated_at = now;
    }
    sessions_.EndLogins(user_id, keep_session_id, window, "password_changed");
    return absl::OkStatus();
  }
  absl::Status Erase(absl::string_view user_id, absl::Time now,
                     const RevocationWindow& window) override {
    {
      std::lock_guard lock(mutex_);
      auto it = users_.find(user_id);
      if (it == users_.end() || it->second.deleted()) return absl::NotFoundError("user not found");
      User& user = it->second;
      held_usernames_[user.id] = user.username;
      user.username.clear();
      user.email.clear();
      user.password_hash.clear();
      user.deleted_at = now;
      user.updated_at = now;
    }
    sessions_.EndLogins(user_id, "", window, "account_deleted");
    sessions_.DeleteAllOfUser(user_id);
    return absl::OkStatus();
  }
  absl::StatusOr<User> FindById(absl::string_view id) override {
    std::lock_guard lock(mutex_);
    auto it = users_.find(id);
    if (it == users_.end()) return absl::NotFoundError("user not found");
    return it->second;
  }
  absl::StatusOr<User> FindByUsername(absl::string_view username) override {
    return FindIf([&](const User& user) { return !user.deleted() && user.username == username; });
  }
  absl::StatusOr<User> FindByEmail(absl::string_view email) override {
    return FindIf([&](const User& user) { return !user.deleted() && user.email == email; });
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

  InMemorySessionRepository& sessions_;
  std::mutex mutex_;
  absl::flat_hash_map<std::string, User> users_;
  absl::flat_hash_map<std::string, std::string> held_usernames_;  // Of deleted users, by id.
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
