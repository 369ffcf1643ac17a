// Storage seams of auth-svc; PostgreSQL implementations live in storage/, fakes in tests/fakes/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/auth/domain/model.h"

namespace chatter::auth {

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  // ALREADY_EXISTS naming "username" or "email" when taken (enforced by unique indexes). A
  // username held by an account deleted before `release_deleted_before` is released first.
  virtual absl::Status Create(const User& user, absl::Time release_deleted_before) = 0;
  // NOT_FOUND when absent. Deleted accounts are found (as tombstones) by id only.
  virtual absl::StatusOr<User> FindById(absl::string_view id) = 0;
  virtual absl::StatusOr<User> FindByUsername(absl::string_view username) = 0;
  virtual absl::StatusOr<User> FindByEmail(absl::string_view email) = 0;
  // Users that exist among `ids`, tombstones included (unknown ids are left out).
  virtual absl::StatusOr<std::vector<User>> FindByIds(const std::vector<std::string>& ids) = 0;
  // In one transaction: stores the new hash and ends every login of the user but
  // `keep_session_id` (refresh tokens revoked, the logins in `window` logged as revoked).
  // NOT_FOUND when there is no live account.
  virtual absl::Status ChangePassword(absl::string_view user_id, absl::string_view password_hash,
                                      absl::Time now, absl::string_view keep_session_id,
                                      const RevocationWindow& window) = 0;
  // In one transaction: erases email and password, deletes every refresh session, logs the
  // logins in `window` as revoked and marks the account deleted at `now`; the username stays
  // held (see Create). NOT_FOUND when there is no live account.
  virtual absl::Status Erase(absl::string_view user_id, absl::Time now,
                             const RevocationWindow& window) = 0;
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  virtual absl::Status Create(const NewSession& session) = 0;
  // Atomically spends the token whose hash is `token_hash_hex` and stores `next` in its family
  // (next.family_id/user_id/parent_id are filled in from the spent row). A spent token revokes
  // its whole family instead, logs the login as revoked until `revoked_until`, and that
  // revocation is committed.
  virtual absl::StatusOr<RotationResult> Rotate(absl::string_view token_hash_hex, absl::Time now,
                                                NewSession next, absl::Time revoked_until) = 0;
  // Revokes the family of the token and logs the login as revoked until `revoked_until`;
  // NOT_FOUND when no such token; PERMISSION_DENIED when it belongs to another user.
  virtual absl::Status RevokeFamily(absl::string_view token_hash_hex, absl::string_view user_id,
                                    absl::Time revoked_until) = 0;
  // Revokes every live refresh token of the user and logs the logins in `window` as revoked;
  // returns how many refresh tokens were revoked.
  virtual absl::StatusOr<int> RevokeAllOfUser(absl::string_view user_id,
                                              const RevocationWindow& window) = 0;
};

// Failed password logins per account identifier, shared by every auth-svc replica: the
// per-account half of the defence against credential stuffing (the gateway limits per address).
// Keys are digests of what was typed, so identifiers of accounts that do not exist are counted
// the same way without being stored.
class LoginFailureRepository {
 public:
  struct Window {
    int failures = 0;  // In the window that is open at `now`; 0 when none is.
    absl::Time ends;   // When that window closes.
  };
  virtual ~LoginFailureRepository() = default;
  virtual absl::StatusOr<Window> Current(absl::string_view key, absl::Time now) = 0;
  // One more failure for `key`: in its open window, or in a new one of `length` from `now`.
  virtual absl::Status Record(absl::string_view key, absl::Time now, absl::Duration length) = 0;
  // Forgets `key` (a successful login).
  virtual absl::Status Clear(absl::string_view key) = 0;
};

}  // namespace chatter::auth
