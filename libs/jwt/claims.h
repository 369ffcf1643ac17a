// The claims of a ChatterStack token (see proto/chatter/auth/v1/auth.proto) and their JWT names.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"

namespace chatter::jwt {

inline constexpr char kUserTokenType[] = "user";
inline constexpr char kServiceTokenType[] = "service";

// Times travel as NumericDate (whole seconds since the epoch): sub-second parts are dropped.
struct Claims {
  std::string issuer;      // iss
  std::string audience;    // aud (on verification: the expected audience the token names)
  std::string subject;     // sub: user id, or client id of a service
  std::string session_id;  // sid: user tokens only
  std::string token_id;    // jti
  std::string type;        // typ: kUserTokenType or kServiceTokenType
  std::string username;    // username: user tokens only
  absl::Time issued_at;    // iat
  absl::Time expires_at;   // exp
  std::optional<absl::Time> not_before;  // nbf
};

}  // namespace chatter::jwt
