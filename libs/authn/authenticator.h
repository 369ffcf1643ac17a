// Turns the bearer token of an incoming gRPC call into the caller's identity. Every service
// verifies tokens itself; a plain user-id header is never trusted.
#pragma once

#include <grpcpp/server_context.h>

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/authn/revoked_sessions.h"
#include "libs/authn/verified_token_cache.h"
#include "libs/jwt/verifier.h"

namespace chatter::authn {

struct Principal {
  enum class Kind { kUser, kService };
  Kind kind = Kind::kUser;
  std::string subject;     // user id, or the client id of a service
  std::string session_id;  // users only
  std::string username;    // users only
  absl::Time expires_at;   // The token's exp.
  // How much longer the token is accepted (exp plus the verifier's leeway), as of the check.
  absl::Duration accepted_for;
};

class Authenticator {
 public:
  // Tokens remembered as verified (see VerifiedTokenCache); 0 verifies every call.
  static constexpr size_t kDefaultCachedTokens = 50000;

  // `verifier` and `revoked_sessions` must outlive the authenticator. Without a revocation
  // list, a token is accepted until it expires.
  explicit Authenticator(const jwt::Verifier& verifier,
                         const RevokedSessions* revoked_sessions = nullptr,
                         size_t cached_tokens = kDefaultCachedTokens)
      : verifier_(verifier), revoked_(revoked_sessions), verified_(verifier, cached_tokens) {}

  // Any valid token. UNAUTHENTICATED for a missing, malformed or invalid one (the reason is
  // the verifier's short text, safe to return to the client), and for a user token whose login
  // has ended (logout, password change, account deletion).
  absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& context) const;
  // A valid user token; PERMISSION_DENIED "user token required" for a service token.
  absl::StatusOr<Principal> AuthenticateUser(const grpc::ServerContextBase& context) const;
  // A valid service token; PERMISSION_DENIED "service token required" for a user token.
  absl::StatusOr<Principal> AuthenticateService(const grpc::ServerContextBase& context) const;

  // A valid service token whose client id (`sub`) is in `allowed`: least privilege between
  // services. PERMISSION_DENIED naming the client and `action` for any other service, and for a
  // user token.
  absl::StatusOr<Principal> AuthenticateServiceAmong(
      const grpc::ServerContextBase& context, const absl::flat_hash_set<std::string>& allowed,
      absl::string_view action) const;

  // The same checks for a token that did not arrive as metadata (e.g. a WebSocket query).
  absl::StatusOr<Principal> AuthenticateToken(absl::string_view token) const;

 private:
  absl::StatusOr<Principal> AuthenticateKind(const grpc::ServerContextBase& context,
                                             Principal::Kind kind) const;

  const jwt::Verifier& verifier_;
  const RevokedSessions* revoked_;
  // A token's signature is checked once; later calls with it cost a digest and a lookup.
  mutable VerifiedTokenCache verified_;
};

}  // namespace chatter::authn
