// auth-svc's rules: sign-up, password login, token issuance, refresh rotation with reuse
// detection, logout, and service principals. Storage, hashing, signing, ids and time come in
// through the constructor, so tests run it against fakes.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/ids/clock.h"
#include "libs/ids/random_source.h"
#include "libs/ids/uuid_generator.h"
#include "libs/jwt/jwt.h"
#include "libs/password/password_hasher.h"
#include "services/auth/domain/repositories.h"

namespace chatter::auth {

struct AuthPolicy {
  std::string issuer = "chatterstack-auth";
  std::string audience = "chatterstack";
  absl::Duration access_token_ttl = absl::Minutes(15);
  absl::Duration refresh_token_ttl = absl::Hours(24 * 30);
  absl::Duration service_token_ttl = absl::Minutes(5);
  // client_id -> SHA-256 of the client secret (raw bytes); secrets themselves are not kept.
  absl::flat_hash_map<std::string, std::string> service_secret_hashes;
  // Failed logins per account identifier within one window; past them login answers
  // RESOURCE_EXHAUSTED (429) until the window closes, whether or not the account exists.
  int max_login_failures = 10;
  absl::Duration login_failure_window = absl::Minutes(15);
  // How long a deleted account's username stays unavailable to new sign-ups, so nobody can
  // take it over in the conversations the deleted user was part of.
  absl::Duration deleted_username_hold = absl::Hours(24 * 30);
  // Slack for clocks (the database's, other services') when deciding which access tokens may
  // still be live and until when a revocation must hold; also covers the verifiers' leeway.
  absl::Duration revocation_margin = absl::Minutes(2);
};

// Where a request came from, stored with the session for the user's own review.
struct ClientInfo {
  std::string user_agent;
  std::string ip;
};

struct IssuedTokens {
  User user;
  std::string access_token;
  std::string refresh_token;
  absl::Duration expires_in;
};

struct ServiceToken {
  std::string access_token;
  absl::Duration expires_in;
};

enum class LoginIdentifier { kEmail, kUsername, kEmailOrUsername };

class AuthService {
 public:
  AuthService(AuthPolicy policy, UserRepository& users, SessionRepository& sessions,
              LoginFailureRepository& login_failures, const password::PasswordHasher& hasher,
              const jwt::Signer& signer, ids::UuidGenerator& uuids, ids::RandomSource& random,
              ids::Clock& clock);

  absl::StatusOr<IssuedTokens> SignUp(absl::string_view username, absl::string_view email,
                                      absl::string_view password, const ClientInfo& client);
  // UNAUTHENTICATED with one generic message for every failure (no account enumeration); an
  // unknown user still costs one password hash. After policy.max_login_failures failures for
  // one identifier within policy.login_failure_window: RESOURCE_EXHAUSTED with a retry-after
  // until the window closes, the same for existing and unknown accounts, without checking the
  // password. A successful login clears the identifier's failures.
  absl::StatusOr<IssuedTokens> Login(LoginIdentifier kind, absl::string_view identifier,
                                     absl::string_view password, const ClientInfo& client);
  absl::StatusOr<IssuedTokens> Refresh(absl::string_view refresh_token, const ClientInfo& client);
  // The login's refresh family is revoked at once and its access tokens are logged as revoked.
  absl::Status Logout(absl::string_view user_id, absl::string_view refresh_token);
  absl::Status LogoutAll(absl::string_view user_id);
  // LogoutAll on the platform's behalf (moderation): NOT_FOUND for no such user; answers how
  // many logins ended.
  absl::StatusOr<int> EndAllLogins(absl::string_view user_id);
  // Every login of the user but `session_id` (the caller's) ends. UNAUTHENTICATED for a wrong
  // current password, which counts against the account like a failed login (and is refused
  // with RESOURCE_EXHAUSTED past the same limit); INVALID_ARGUMENT naming the field otherwise.
  absl::Status ChangePassword(absl::string_view user_id, absl::string_view session_id,
                              absl::string_view current_password, absl::string_view new_password);
  // Erases the account (see UserRepository::Erase) after checking the password as above.
  absl::Status DeleteAccount(absl::string_view user_id, absl::string_view password);

  absl::StatusOr<User> GetUser(absl::string_view user_id);
  absl::StatusOr<User> LookupByEmail(absl::string_view email);
  absl::StatusOr<User> LookupByUsername(absl::string_view username);
  absl::StatusOr<std::vector<User>> GetUsers(const std::vector<std::string>& user_ids);

  // UNAUTHENTICATED for an unknown client or a wrong secret (compared in constant time).
  absl::StatusOr<ServiceToken> IssueServiceToken(absl::string_view client_id,
                                                 absl::string_view client_secret);

 private:
  absl::Time Now() const;
  absl::StatusOr<IssuedTokens> StartSession(const User& user, const ClientInfo& client);
  // RESOURCE_EXHAUSTED with a retry-after while `key` has used up its failures.
  absl::Status CheckFailureBudget(const std::string& key, absl::Time now,
                                  LoginFailureRepository::Window& failures);
  // The live account `user_id` when `password` is its password; see ChangePassword.
  absl::StatusOr<User> ConfirmPassword(absl::string_view user_id, absl::string_view field,
                                       absl::string_view password);
  // Logins ending now: those with a token issued within an access-token lifetime.
  RevocationWindow RevocationWindowAt(absl::Time now) const;
  std::string NewRefreshToken();
  std::string AccessTokenFor(const User& user, absl::string_view session_id);
  NewSession SessionRecord(std::string token_hash_hex, const ClientInfo& client);

  AuthPolicy policy_;
  UserRepository& users_;
  SessionRepository& sessions_;
  LoginFailureRepository& login_failures_;
  const password::PasswordHasher& hasher_;
  const jwt::Signer& signer_;
  ids::UuidGenerator& uuids_;
  ids::RandomSource& random_;
  ids::Clock& clock_;
};

// Lower-case hex SHA-256 of a refresh token: the only form in which tokens are stored.
std::string HashRefreshToken(absl::string_view token);

}  // namespace chatter::auth
