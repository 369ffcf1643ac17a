// Token verification for services other than auth-svc: public keys only, from configuration or
// fetched from auth-svc's GetSigningKeys and refreshed, so no such service can mint a token.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/authn/authenticator.h"
#include "libs/authn/remote_key_fetcher.h"
#include "libs/authn/revocation_feed.h"
#include "libs/authn/revoked_sessions.h"
#include "libs/authn/service_token_source.h"
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
  // How often auth-svc's revocation log is read: the bound on how long a token of an ended
  // login still works (CHATTER_REVOCATION_POLL_MS, 100 ms to 4 s; API.md promises 5 s).
  absl::Duration revocation_poll_interval;
};

// CHATTER_JWT_ISSUER, CHATTER_JWT_AUDIENCE, CHATTER_JWT_PUBLIC_KEYS, CHATTER_AUTH_ADDR,
// CHATTER_JWT_KEYS_REFRESH_MS, CHATTER_REVOCATION_POLL_MS; problems land in reader.status().
TokenVerificationSettings ReadTokenVerificationSettings(config::ConfigReader& reader);

class TokenVerification {
 public:
  // Static keys are parsed at once (INVALID_ARGUMENT naming the variable when malformed);
  // remote keys are fetched in the background, so a service may start before auth-svc.
  static absl::StatusOr<std::unique_ptr<TokenVerification>> Create(
      const TokenVerificationSettings& settings, ids::Clock& clock);

  const Authenticator& authenticator() const { return authenticator_; }
  // The ended logins the authenticator refuses.
  RevokedSessions& revoked_sessions() { return revoked_; }
  const TokenVerificationSettings& settings() const { return settings_; }
  // Readiness: OK once at least one verification key is known.
  absl::Status CheckKeys() const;

 private:
  TokenVerification(const TokenVerificationSettings& settings, ids::Clock& clock);

  TokenVerificationSettings settings_;
  jwt::KeySet keys_;
  jwt::Verifier verifier_;
  RevokedSessions revoked_;
  Authenticator authenticator_;
  std::unique_ptr<RemoteKeyFetcher> fetcher_;
};

// Follows auth-svc's revocation log into `verification`'s list with this process's own service
// token, every settings().revocation_poll_interval, from construction to destruction. Declare
// it after the token source (and whatever `listener` touches), so it stops before they go.
class RemoteRevocationFeed {
 public:
  RemoteRevocationFeed(TokenVerification& verification, ServiceTokenSource& tokens,
                       RevocationFeed::Listener listener = {});

 private:
  GrpcRevocationSource source_;
  RevocationFeed feed_;
};

}  // namespace chatter::authn
