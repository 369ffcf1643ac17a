// auth-svc's own settings (on top of the common service settings), read from CHATTER_* variables.
#pragma once

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
};

// Problems land in reader.status(), naming the variable; secrets are never echoed.
AuthSettings ReadAuthSettings(config::ConfigReader& reader);

}  // namespace chatter::auth
