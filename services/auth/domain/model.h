// auth-svc's domain records: accounts and refresh sessions, as the domain sees them.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"

namespace chatter::auth {

struct User {
  std::string id;
  std::string username;       // Lower-case; "" once deleted.
  std::string email;          // Lower-case; "" once deleted.
  std::string password_hash;  // "" once deleted.
  absl::Time created_at;
  absl::Time updated_at;
  std::optional<absl::Time> deleted_at;  // Set once the account was erased (a tombstone).

  bool deleted() const { return deleted_at.has_value(); }
};

// The logins of a user whose access tokens may still be unexpired when their login ends: those
// with a token issued at or after `issued_since`. Their tokens are refused until `until`, by
// when every one of them has expired anyway.
struct RevocationWindow {
  absl::Time issued_since;
  absl::Time until;
};

// One refresh token ever issued. Only the SHA-256 of the token is kept (hex).
struct NewSession {
  std::string id;
  std::string family_id;  // The login this token descends from; also the `sid` claim.
  std::string user_id;
  std::string token_hash_hex;
  std::optional<std::string> parent_id;
  absl::Time expires_at;
  std::string user_agent;
  std::string ip;  // Empty when unknown or not a valid address.
};

// What presenting a refresh token led to.
struct RotationResult {
  enum class Outcome {
    kRotated,  // The token was live; `next` was stored and the old one spent.
    kUnknown,  // No such token.
    kExpired,
    kRevoked,  // Logged out or revoked earlier.
    kReused,   // Already spent: the whole family has now been revoked.
  };
  Outcome outcome = Outcome::kUnknown;
  std::string user_id;
  std::string family_id;
};

}  // namespace chatter::auth
