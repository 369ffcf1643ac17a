// auth-svc's rules.
#include "services/auth/domain/auth_service.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <span>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/jwt/base64url.h"
#include "libs/status/error_details.h"
#include "libs/status/status_macros.h"
#include "libs/text/string_views.h"
#include "services/auth/domain/validation.h"

namespace chatter::auth {
namespace {

// One message for every login failure, so responses do not reveal which accounts exist.
constexpr char kBadCredentials[] = "invalid credentials";
constexpr char kBadRefreshToken[] = "invalid refresh token";
constexpr size_t kRefreshTokenBytes = 32;  // 256 bits.

std::string Sha256(absl::string_view data) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

std::string HashRefreshToken(absl::string_view token) {
  return absl::BytesToHexString(Sha256(token));
}

AuthService::AuthService(AuthPolicy policy, UserRepository& users, SessionRepository& sessions,
                         LoginFailureRepository& login_failures,
                         const password::PasswordHasher& hasher, const jwt::Signer& signer,
                         ids::UuidGenerator& uuids, ids::RandomSource& random, ids::Clock& clock)
    : policy_(std::move(policy)),
      users_(users),
      sessions_(sessions),
      login_failures_(login_failures),
      hasher_(hasher),
      signer_(signer),
      uuids_(uuids),
      random_(random),
      clock_(clock) {}

absl::Time AuthService::Now() const { return absl::FromUnixMillis(clock_.UnixMillis()); }

std::string AuthService::NewRefreshToken() {
  std::array<uint8_t, kRefreshTokenBytes> bytes;
  random_.Fill(bytes);
  return jwt::Base64UrlEncode(std::span<const uint8_t>(bytes));
}

std::string AuthService::AccessTokenFor(const User& user, absl::string_view session_id) {
  absl::Time now = Now();
  jwt::Claims claims;
  claims.issuer = policy_.issuer;
  claims.audience = policy_.audience;
  claims.subject = user.id;
  claims.session_id = std::string(session_id);
  claims.token_id = uuids_.NewV7();
  claims.type = "user";
  claims.username = user.username;
  claims.issued_at = now;
  claims.expires_at = now + policy_.access_token_ttl;
  return signer_.Sign(claims);
}

NewSession AuthService::SessionRecord(std::string token_hash_hex, const ClientInfo& client) {
  NewSession session;
  session.id = uuids_.NewV7();
  session.token_hash_hex = std::move(token_hash_hex);
  session.expires_at = Now() + policy_.refresh_token_ttl;
  session.user_agent = client.user_agent.substr(0, 512);
  session.ip = client.ip;
  return session;
}

absl::StatusOr<IssuedTokens> AuthService::StartSession(const User& user, const ClientInfo& client) {
  std::string refresh_token = NewRefreshToken();
  NewSession session = SessionRecord(HashRefreshToken(refresh_token), client);
  session.family_id = session.id;
  session.user_id = user.id;
  CHATTER_RETURN_IF_ERROR(sessions_.Create(session));
  return IssuedTokens{user, AccessTokenFor(user, session.family_id), std::move(refresh_token),
                      policy_.access_token_ttl};
}

absl::StatusOr<IssuedTokens> AuthService::SignUp(absl::string_view username,
                                                 absl::string_view email,
                                                 absl::string_view password,
                                                 const ClientInfo& client) {
  CHATTER_ASSIGN_OR_RETURN(std::string normalized_username, NormalizeUsername(username));
  CHATTER_ASSIGN_OR_RETURN(std::string normalized_email, NormalizeEmail(email));
  CHATTER_RETURN_IF_ERROR(ValidatePassword(password));
  CHATTER_ASSIGN_OR_RETURN(std::string password_hash, hasher_.Hash(text::ToStd(password)));
  absl::Time now = Now();
  User user{.id = uuids_.NewV7(),
            .username = std::move(normalized_username),
            .email = std::move(normalized_email),
            .password_hash = std::move(password_hash),
            .created_at = now,
            .updated_at = now,
            .deleted_at = std::nullopt};
  CHATTER_RETURN_IF_ERROR(users_.Create(user, now - policy_.deleted_username_hold));
  return StartSession(user, client);
}

absl::StatusOr<IssuedTokens> AuthService::Login(LoginIdentifier kind, absl::string_view identifier,
                                                absl::string_view password,
                                                const ClientInfo& client) {
  if (password.empty()) return status::InvalidFieldError("password", "is required");
  absl::StatusOr<User> user = absl::NotFoundError("");
  bool by_email =
      kind == LoginIdentifier::kEmail || (kind == LoginIdentifier::kEmailOrUsername &&
                                          identifier.find('@') != absl::string_view::npos);
  std::string lowered = absl::AsciiStrToLower(identifier);
  // Before the account is looked up: the answer must not depend on whether it exists.
  std::string failure_key = absl::BytesToHexString(Sha256(lowered));
  absl::Time now = Now();
  LoginFailureRepository::Window failures;
  CHATTER_RETURN_IF_ERROR(CheckFailureBudget(failure_key, now, failures));
  user = by_email ? users_.FindByEmail(lowered) : users_.FindByUsername(lowered);
  bool verified = false;
  if (user.ok()) {
    verified = hasher_.Verify(user->password_hash, text::ToStd(password));
  } else if (user.status().code() == absl::StatusCode::kNotFound) {
    // Spend the same time as a real check, so timing does not reveal unknown accounts.
    hasher_.SpendEquivalentTime(text::ToStd(password));
  } else {
    return user.status();
  }
  if (!verified) {
    CHATTER_RETURN_IF_ERROR(login_failures_.Record(failure_key, now, policy_.login_failure_window));
    return absl::UnauthenticatedError(kBadCredentials);
  }
  if (failures.failures > 0) CHATTER_RETURN_IF_ERROR(login_failures_.Clear(failure_key));
  return StartSession(*user, client);
}

absl::Status AuthService::CheckFailureBudget(const std::string& key, absl::Time now,
                                             LoginFailureRepository::Window& failures) {
  CHATTER_ASSIGN_OR_RETURN(failures, login_failures_.Current(key, now));
  if (failures.failures < policy_.max_login_failures) return absl::OkStatus();
  int retry_after =
      static_cast<int>(absl::ToInt64Seconds(absl::Ceil(failures.ends - now, absl::Seconds(1))));
  return status::RateLimitedError("too many failed logins for this account; try again later",
                                  std::max(retry_after, 1));
}

absl::StatusOr<User> AuthService::ConfirmPassword(absl::string_view user_id,
                                                  absl::string_view field,
                                                  absl::string_view password) {
  if (password.empty()) return status::InvalidFieldError(field, "is required");
  // Its own budget, keyed by the account id: a stolen access token must not become an
  // unlimited password oracle.
  std::string failure_key = absl::BytesToHexString(Sha256(absl::StrCat("account:", user_id)));
  absl::Time now = Now();
  LoginFailureRepository::Window failures;
  CHATTER_RETURN_IF_ERROR(CheckFailureBudget(failure_key, now, failures));
  absl::StatusOr<User> user = users_.FindById(user_id);
  if (user.status().code() == absl::StatusCode::kNotFound || (user.ok() && user->deleted())) {
    return absl::UnauthenticatedError("account no longer exists");
  }
  CHATTER_RETURN_IF_ERROR(user.status());
  if (!hasher_.Verify(user->password_hash, text::ToStd(password))) {
    CHATTER_RETURN_IF_ERROR(login_failures_.Record(failure_key, now, policy_.login_failure_window));
    return status::FieldError(absl::StatusCode::kUnauthenticated, field, "is wrong",
                              "the password is wrong");
  }
  if (failures.failures > 0) CHATTER_RETURN_IF_ERROR(login_failures_.Clear(failure_key));
  return user;
}

RevocationWindow AuthService::RevocationWindowAt(absl::Time now) const {
  return {.issued_since = now - policy_.access_token_ttl - policy_.revocation_margin,
          .until = now + policy_.access_token_ttl + policy_.revocation_margin};
}

absl::StatusOr<IssuedTokens> AuthService::Refresh(absl::string_view refresh_token,
                                                  const ClientInfo& client) {
  if (refresh_token.empty()) return status::InvalidFieldError("refresh_token", "is required");
  std::string next_token = NewRefreshToken();
  NewSession next = SessionRecord(HashRefreshToken(next_token), client);
  absl::Time now = Now();
  CHATTER_ASSIGN_OR_RETURN(RotationResult result,
                           sessions_.Rotate(HashRefreshToken(refresh_token), now, std::move(next),
                                            RevocationWindowAt(now).until));
  if (result.outcome != RotationResult::Outcome::kRotated) {
    return absl::UnauthenticatedError(kBadRefreshToken);
  }
  CHATTER_ASSIGN_OR_RETURN(User user, users_.FindById(result.user_id));
  return IssuedTokens{user, AccessTokenFor(user, result.family_id), std::move(next_token),
                      policy_.access_token_ttl};
}

absl::Status AuthService::Logout(absl::string_view user_id, absl::string_view refresh_token) {
  if (refresh_token.empty()) return status::InvalidFieldError("refresh_token", "is required");
  absl::Status revoked = sessions_.RevokeFamily(HashRefreshToken(refresh_token), user_id,
                                                RevocationWindowAt(Now()).until);
  // Logging out of a session that is already gone is success: the caller's goal holds.
  if (revoked.code() == absl::StatusCode::kNotFound) return absl::OkStatus();
  return revoked;
}

absl::Status AuthService::LogoutAll(absl::string_view user_id) {
  return sessions_.RevokeAllOfUser(user_id, RevocationWindowAt(Now())).status();
}

absl::StatusOr<int> AuthService::EndAllLogins(absl::string_view user_id) {
  CHATTER_RETURN_IF_ERROR(users_.FindById(user_id).status());
  return sessions_.RevokeAllOfUser(user_id, RevocationWindowAt(Now()));
}

absl::Status AuthService::ChangePassword(absl::string_view user_id, absl::string_view session_id,
                                         absl::string_view current_password,
                                         absl::string_view new_password) {
  // The new password's rules first: a typo there must not cost a password attempt.
  CHATTER_RETURN_IF_ERROR(ValidatePassword(new_password, "new_password"));
  CHATTER_ASSIGN_OR_RETURN(User user,
                           ConfirmPassword(user_id, "current_password", current_password));
  CHATTER_ASSIGN_OR_RETURN(std::string password_hash, hasher_.Hash(text::ToStd(new_password)));
  absl::Time now = Now();
  return users_.ChangePassword(user.id, password_hash, now, session_id, RevocationWindowAt(now));
}

absl::Status AuthService::DeleteAccount(absl::string_view user_id, absl::string_view password) {
  CHATTER_ASSIGN_OR_RETURN(User user, ConfirmPassword(user_id, "password", password));
  absl::Time now = Now();
  return users_.Erase(user.id, now, RevocationWindowAt(now));
}

absl::StatusOr<User> AuthService::GetUser(absl::string_view user_id) {
  return users_.FindById(user_id);
}

absl::StatusOr<User> AuthService::LookupByEmail(absl::string_view email) {
  // Tombstones have no email and are not found by username (see the repository).
  return users_.FindByEmail(absl::AsciiStrToLower(email));
}

absl::StatusOr<User> AuthService::LookupByUsername(absl::string_view username) {
  return users_.FindByUsername(absl::AsciiStrToLower(username));
}

absl::StatusOr<std::vector<User>> AuthService::GetUsers(const std::vector<std::string>& user_ids) {
  return users_.FindByIds(user_ids);
}

absl::StatusOr<ServiceToken> AuthService::IssueServiceToken(absl::string_view client_id,
                                                            absl::string_view client_secret) {
  auto it = policy_.service_secret_hashes.find(client_id);
  // Hash first in every case so an unknown client costs the same as a wrong secret.
  std::string presented = Sha256(client_secret);
  bool known = it != policy_.service_secret_hashes.end();
  const std::string& expected = known ? it->second : presented;
  bool match = crypto_verify_32(reinterpret_cast<const unsigned char*>(presented.data()),
                                reinterpret_cast<const unsigned char*>(expected.data())) == 0;
  if (!known || !match) return absl::UnauthenticatedError("invalid client credentials");
  absl::Time now = Now();
  jwt::Claims claims;
  claims.issuer = policy_.issuer;
  claims.audience = policy_.audience;
  claims.subject = std::string(client_id);
  claims.token_id = uuids_.NewV7();
  claims.type = "service";
  claims.issued_at = now;
  claims.expires_at = now + policy_.service_token_ttl;
  return ServiceToken{signer_.Sign(claims), policy_.service_token_ttl};
}

}  // namespace chatter::auth
