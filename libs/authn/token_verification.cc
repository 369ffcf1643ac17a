// Public-key-only token verification for services other than auth-svc.
#include "libs/authn/token_verification.h"

#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "libs/jwt/keys.h"

namespace chatter::authn {

TokenVerificationSettings ReadTokenVerificationSettings(config::ConfigReader& reader) {
  TokenVerificationSettings settings;
  settings.issuer = reader.String("CHATTER_JWT_ISSUER", "chatterstack-auth");
  settings.audience = reader.String("CHATTER_JWT_AUDIENCE", "chatterstack");
  settings.public_keys = reader.String("CHATTER_JWT_PUBLIC_KEYS", "");
  settings.auth_address = reader.HostPort("CHATTER_AUTH_ADDR", "127.0.0.1:50051");
  settings.refresh_interval = reader.Millis("CHATTER_JWT_KEYS_REFRESH_MS", 60000, 1000, 86400000);
  settings.revocation_poll_interval = reader.Millis("CHATTER_REVOCATION_POLL_MS", 1000, 100, 4000);
  if (!settings.public_keys.empty()) {
    if (auto keys = jwt::ParsePublicKeys(settings.public_keys); !keys.ok()) {
      reader.Reject("CHATTER_JWT_PUBLIC_KEYS", keys.status().message());
    }
  }
  return settings;
}

TokenVerification::TokenVerification(const TokenVerificationSettings& settings, ids::Clock& clock)
    : settings_(settings),
      verifier_(keys_, {.issuer = settings.issuer, .audience = settings.audience}, clock),
      revoked_(clock),
      authenticator_(verifier_, &revoked_) {}

absl::StatusOr<std::unique_ptr<TokenVerification>> TokenVerification::Create(
    const TokenVerificationSettings& settings, ids::Clock& clock) {
  std::unique_ptr<TokenVerification> verification(new TokenVerification(settings, clock));
  if (!settings.public_keys.empty()) {
    absl::StatusOr<std::vector<jwt::PublicKey>> keys = jwt::ParsePublicKeys(settings.public_keys);
    if (!keys.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("CHATTER_JWT_PUBLIC_KEYS: ", keys.status().message()));
    }
    verification->keys_.Replace(*std::move(keys));
    return verification;
  }
  verification->fetcher_ = std::make_unique<RemoteKeyFetcher>(
      grpc::CreateChannel(settings.auth_address, grpc::InsecureChannelCredentials()),
      verification->keys_);
  // A first quick try, so a service started after auth-svc is ready at once; the background
  // refresh retries otherwise.
  (void)verification->fetcher_->FetchOnce(absl::Seconds(2));
  verification->fetcher_->Start(settings.refresh_interval);
  return verification;
}

absl::Status TokenVerification::CheckKeys() const {
  if (keys_.Keys().empty()) {
    return absl::UnavailableError("no token verification keys yet (auth-svc unreachable?)");
  }
  return absl::OkStatus();
}

RemoteRevocationFeed::RemoteRevocationFeed(TokenVerification& verification,
                                           ServiceTokenSource& tokens,
                                           RevocationFeed::Listener listener)
    : source_(grpc::CreateChannel(verification.settings().auth_address,
                                  grpc::InsecureChannelCredentials()),
              tokens, absl::Seconds(2)),
      feed_(source_, verification.revoked_sessions(), std::move(listener)) {
  feed_.Start(verification.settings().revocation_poll_interval);
}

}  // namespace chatter::authn
