// Token verification for services other than auth-svc: public keys only, from configuration or
// fetched from auth-svc's GetSigningKeys and refreshed, so no such service can mint a token.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/authn/authenticator.h"
#include "libs/authn/remote_key_fetcher.h"
#include "libs/config/config_reader.h"
#include "libs/ids/clock.h"
#include "libs/jwt/key_set.h"
#include "libs/jwt/verifier.h"

namespace chatter::authn {

struct TokenVerificationSettings {
  std::string issuer;
  std::string audience;
  std::string public_keys;   // "kid:key,..." (CHATTER_JWT_PUBLIC_KEYS); empty = fetch them.
  std::string auth_address;  // auth-svc, for fetching (CHATTER_AUTH_ADDR).
  absl::Duration refresh_interval;
};

// CHATTER_JWT_ISSUER, CHATTER_JWT_AUDIENCE, CHATTER_JWT_PUBLIC_KEYS, CHATTER_AUTH_ADDR,
// CHATTER_JWT_KEYS_REFRESH_MS; problems land in reader.status().
TokenVerificationSettings ReadTokenVerificationSettings(config::ConfigReader& reader);

class TokenVerification {
 public:
  // Static keys are parsed at once (INVALID_ARGUMENT naming the variable when malformed);
  // remote keys are fetched in the background, so a service may start before auth-svc.
  static absl::StatusOr<std::unique_ptr<TokenVerification>> Create(
      const TokenVerificationSettings& settings, ids::Clock& clock);

  const Authenticator& authenticator() const { return authenticator_; }
  // Readiness: OK once at least one verification key is known.
  absl::Status CheckKeys() const;

 private:
  TokenVerification(const TokenVerificationSettings& settings, ids::Clock& clock);

  jwt::KeySet keys_;
  jwt::Verifier verifier_;
  Authenticator authenticator_;
  std::unique_ptr<RemoteKeyFetcher> fetcher_;
};

}  // namespace chatter::authn
