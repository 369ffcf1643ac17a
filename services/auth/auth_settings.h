// auth-svc's own settings (on top of the common service settings), read from CHATTER_* variables.
#pragma once

#include <string>
#include <vector>

#include "libs/config/config_reader.h"
#include "libs/jwt/jwt.h"
#include "libs/password/password_hasher.h"
#include "services/auth/domain/auth_service.h"

namespace chatter::auth {

struct AuthSettings {
  AuthPolicy policy;
  std::vector<jwt::SigningKey> signing_keys;  // Oldest first; the last one signs.
  password::Argon2Params argon2;
  // Service clients allowed to call BatchGetUsers (CHATTER_AUTH_DIRECTORY_CLIENTS): it hands out
  // any user's name, so only chat-svc, which prints senders, gets it.
  std::vector<std::string> directory_clients;
  // Service client ids allowed to read the revocation log (CHATTER_REVOCATION_CLIENTS): the
  // processes that accept user tokens.
  std::vector<std::string> revocation_clients;
  // Service client ids allowed to end a user's logins (CHATTER_SESSION_REVOKERS): chat-svc, for
  // its server API's DisconnectUser.
  std::vector<std::string> session_revokers;
  // How often this replica reads the revocation log (CHATTER_REVOCATION_POLL_MS).
  absl::Duration revocation_poll_interval = absl::Seconds(1);
};

// Problems land in reader.status(), naming the variable; secrets are never echoed.
AuthSettings ReadAuthSettings(config::ConfigReader& reader);

}  // namespace chatter::auth
