// Checks a compact JWS token against the accepted public keys and the expected issuer,
// audience and time window. The algorithm is pinned to EdDSA; nothing in the token chooses it.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/ids/clock.h"
#include "libs/jwt/claims.h"
#include "libs/jwt/key_set.h"

namespace chatter::jwt {

struct VerifyOptions {
  std::string issuer;
  std::string audience;
  // Tolerated clock difference between auth-svc and this process, for exp, nbf and iat.
  absl::Duration leeway = absl::Seconds(30);
};

// Tokens are bearer credentials in headers; anything larger is refused before parsing.
inline constexpr size_t kMaxTokenBytes = 8 * 1024;

class Verifier {
 public:
  // `keys` and `clock` must outlive the verifier; `keys` may be replaced concurrently.
  Verifier(const KeySet& keys, VerifyOptions options, ids::Clock& clock);

  // The claims of a valid token. Otherwise UNAUTHENTICATED with a short reason safe to show a
  // client ("token expired", "token signature invalid", ...). Never throws; thread-safe.
  // On success `audience` is the expected audience, even when the token lists several.
  absl::StatusOr<Claims> Verify(absl::string_view token) const;

  // How much longer this verifier accepts a token with these claims: until exp plus the leeway,
  // by this verifier's clock. Long-lived connections (WebSocket sessions) end or re-authenticate
  // when it runs out, exactly when a call with the token would start failing.
  absl::Duration AcceptedFor(const Claims& claims) const;

 private:
  absl::Status CheckClaims(const Claims& claims) const;

  const KeySet& keys_;
  VerifyOptions options_;
  ids::Clock& clock_;
};

}  // namespace chatter::jwt
