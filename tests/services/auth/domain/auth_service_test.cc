// auth-svc's rules against in-memory repositories: validation, uniqueness, generic login
// failures, token claims, refresh rotation and reuse detection, logout, service principals.
#include "services/auth/domain/auth_service.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>

#include "libs/status/error_details.h"
#include "libs/status/http_error.h"
#include "tests/fakes/auth/in_memory_repositories.h"

namespace chatter::auth {
namespace {

class FixedClock final : public ids::Clock {
 public:
  int64_t UnixMillis() override { return millis; }
  int64_t millis = 1795342320123;  // 2026-11-22T10:12:00.123Z
};

std::string FieldOf(const absl::Status& status) {
  auto details = status::GetErrorDetails(status);
  if (!details || details->field_violations().empty()) return "";
  return details->field_violations(0).field();
}

class AuthServiceTest : public ::testing::Test {
 protected:
  AuthServiceTest()
      : hasher_({.ops_limit = crypto_pwhash_OPSLIMIT_MIN,
                 .mem_limit_bytes = crypto_pwhash_MEMLIMIT_MIN}),
        signer_({jwt::GenerateSigningKey("k1")}),
        uuids_(clock_, random_),
        verifier_(keys_, {.issuer = "iss", .audience = "aud"}, clock_),
        service_(Policy(), users_, sessions_, login_failures_, hasher_, signer_, uuids_, random_,
                 clock_) {
    keys_.Replace(signer_.PublicKeys());
  }

  static AuthPolicy Policy() {
    AuthPolicy policy;
    policy.issuer = "iss";
    policy.audience = "aud";
    std::string digest(crypto_hash_sha256_BYTES, '\0');
    std::string secret = "chat-svc-secret-0123456789";
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    policy.service_secret_hashes["chat-svc"] = digest;
    return policy;
  }

  IssuedTokens SignUpAlice() {
    auto tokens = service_.SignUp("Alice", "Alice@Example.com", "correct horse", {});
    EXPECT_TRUE(tokens.ok()) << tokens.status();
    return *tokens;
  }

  FixedClock clock_;
  ids::SodiumRandomSource random_;
  InMemorySessionRepository sessions_;
  InMemoryUserRepository users_{sessions_};
  InMemoryLoginFailureRepository login_failures_;
  password::PasswordHasher hasher_;
  jwt::Signer signer_;
  ids::UuidGenerator uuids_;
  jwt::KeySet keys_;
  jwt::Verifier verifier_;
  AuthService service_;
};

TEST_F(AuthServiceTest, SignUpLowerCasesAndIssuesVerifiableTokens) {
  IssuedTokens tokens = SignUpAlice();
  EXPECT_EQ(tokens.user.username, "alice");
  EXPECT_EQ(tokens.user.email, "alice@example.com");
  EXPECT_NE(tokens.user.password_hash.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(tokens.expires_in, absl::Minutes(15));
  EXPECT_EQ(tokens.refresh_token.size(), 43u);  // 32 bytes, base64url without padding.
  auto claims = verifier_.Verify(tokens.access_token);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->subject, tokens.user.id);
  EXPECT_EQ(claims->type, "user");
  EXPECT_EQ(claims->username, "alice");
  EXPECT_FALSE(claims->session_id.empty());
  EXPECT_EQ(claims->expires_at - claims->issued_at, absl::Minutes(15));
  // Only the hash of the refresh token is stored.
  auto rows = sessions_.RowsForTest();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].session.token_hash_hex, HashRefreshToken(tokens.refresh_token));
  EXPECT_EQ(rows[0].session.token_hash_hex.find(tokens.refresh_token), std::string::npos);
}

TEST_F(AuthServiceTest, SignUpValidationNamesTheField) {
  EXPECT_EQ(FieldOf(service_.SignUp("ab", "a@example.com", "long enough", {}).status()),
            "username");
  EXPECT_EQ(FieldOf(service_.SignUp("a b c", "a@example.com", "long enough", {}).status()),
            "username");
  EXPECT_EQ(FieldOf(service_.SignUp("abc", "not-an-email", "long enough", {}).status()), "email");
  EXPECT_EQ(FieldOf(service_.SignUp("abc", "a@example.com", "short", {}).status()), "password");
  EXPECT_EQ(FieldOf(service_.SignUp("abc", "a@example.com", std::string(129, 'x'), {}).status()),
            "password");
  EXPECT_TRUE(service_.SignUp("abc", "a@example.com", std::string(128, 'x'), {}).ok());
}

TEST_F(AuthServiceTest, DuplicatesAreConflictsNamingTheField) {
  SignUpAlice();
  absl::Status name = service_.SignUp("ALICE", "other@example.com", "long enough", {}).status();
  EXPECT_EQ(name.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(FieldOf(name), "username");
  absl::Status email = service_.SignUp("alice2", "ALICE@example.COM", "long enough", {}).status();
  EXPECT_EQ(email.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(FieldOf(email), "email");
}

TEST_F(AuthServiceTest, LoginByEveryIdentifier) {
  SignUpAlice();
  EXPECT_TRUE(
      service_.Login(LoginIdentifier::kEmail, "ALICE@example.com", "correct horse", {}).ok());
  EXPECT_TRUE(service_.Login(LoginIdentifier::kUsername, "Alice", "correct horse", {}).ok());
  EXPECT_TRUE(service_.Login(LoginIdentifier::kEmailOrUsername, "alice", "correct horse", {}).ok());
  EXPECT_TRUE(
      service_.Login(LoginIdentifier::kEmailOrUsername, "alice@example.com", "correct horse", {})
          .ok());
}

TEST_F(AuthServiceTest, LoginFailuresAreIndistinguishable) {
  SignUpAlice();
  absl::Status wrong_password =
      service_.Login(LoginIdentifier::kUsername, "alice", "wrong horse", {}).status();
  absl::Status unknown_user =
      service_.Login(LoginIdentifier::kUsername, "mallory", "wrong horse", {}).status();
  EXPECT_EQ(wrong_password.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown_user.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong_password.message(), unknown_user.message());
}

absl::StatusCode LoginCode(AuthService& service, absl::string_view who,
                           absl::string_view password) {
  return service.Login(LoginIdentifier::kEmailOrUsername, who, password, {}).status().code();
}

TEST_F(AuthServiceTest, TenFailuresForOneAccountRefuseItsLoginsUntilTheWindowCloses) {
  SignUpAlice();
  for (int i = 0; i < 10; ++i) {
    // Any spelling of the identifier counts against the same account.
    EXPECT_EQ(LoginCode(service_, i % 2 ? "ALICE" : "alice", "wrong horse"),
              absl::StatusCode::kUnauthenticated)
        << i;
  }
  // Refused before the password is checked: the right one too.
  absl::Status refused =
      service_.Login(LoginIdentifier::kUsername, "alice", "correct horse", {}).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status::RetryAfterSeconds(refused), 900);
  // The account's email is another identifier with a bucket of its own; other accounts are
  // not affected.
  EXPECT_EQ(LoginCode(service_, "alice@example.com", "correct horse"), absl::StatusCode::kOk);

  clock_.millis += absl::ToInt64Milliseconds(absl::Minutes(10));
  EXPECT_EQ(status::RetryAfterSeconds(
                service_.Login(LoginIdentifier::kUsername, "alice", "correct horse", {}).status()),
            300);
  clock_.millis += absl::ToInt64Milliseconds(absl::Minutes(5));
  EXPECT_EQ(LoginCode(service_, "alice", "correct horse"), absl::StatusCode::kOk);
}

TEST_F(AuthServiceTest, AnUnknownAccountIsRefusedAlikeAndNoIdentifierIsStoredInClear) {
  SignUpAlice();
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(LoginCode(service_, "mallory", "wrong horse"), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(LoginCode(service_, "alice", "wrong horse"), absl::StatusCode::kUnauthenticated);
  }
  absl::Status unknown =
      service_.Login(LoginIdentifier::kUsername, "mallory", "wrong horse", {}).status();
  absl::Status known =
      service_.Login(LoginIdentifier::kUsername, "alice", "wrong horse", {}).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(known.code(), unknown.code());
  EXPECT_EQ(known.message(), unknown.message());
  EXPECT_EQ(status::RetryAfterSeconds(known), status::RetryAfterSeconds(unknown));
  for (const std::string& key : login_failures_.KeysForTest()) {
    EXPECT_EQ(key.size(), 64u) << key;  // Hex SHA-256.
    EXPECT_EQ(key.find("mallory"), std::string::npos);
  }
}

TEST_F(AuthServiceTest, ASuccessfulLoginClearsTheAccountsFailures) {
  SignUpAlice();
  for (int i = 0; i < 9; ++i) LoginCode(service_, "alice", "wrong horse");
  EXPECT_EQ(LoginCode(service_, "alice", "correct horse"), absl::StatusCode::kOk);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(LoginCode(service_, "alice", "wrong horse"), absl::StatusCode::kUnauthenticated) << i;
  }
  EXPECT_EQ(LoginCode(service_, "alice", "wrong horse"), absl::StatusCode::kResourceExhausted);
}

TEST_F(AuthServiceTest, RefreshRotatesAndReuseRevokesTheFamily) {
  IssuedTokens first = SignUpAlice();
  auto second = service_.Refresh(first.refresh_token, {});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->refresh_token, first.refresh_token);
  EXPECT_EQ(verifier_.Verify(second->access_token)->session_id,
            verifier_.Verify(first.access_token)->session_id);

  absl::Status reused = service_.Refresh(first.refresh_token, {}).status();
  EXPECT_EQ(reused.code(), absl::StatusCode::kUnauthenticated);
  // The family is gone: even the newest token no longer works.
  EXPECT_EQ(service_.Refresh(second->refresh_token, {}).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, RefreshOfGarbageIsUnauthenticatedAndEmptyIsInvalid) {
  EXPECT_EQ(service_.Refresh("garbage", {}).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(FieldOf(service_.Refresh("", {}).status()), "refresh_token");
}

TEST_F(AuthServiceTest, LogoutAndLogoutAll) {
  IssuedTokens a = SignUpAlice();
  auto b = service_.Login(LoginIdentifier::kUsername, "alice", "correct horse", {});
  auto c = service_.Login(LoginIdentifier::kUsername, "alice", "correct horse", {});
  ASSERT_TRUE(b.ok() && c.ok());
  EXPECT_TRUE(service_.Logout(a.user.id, a.refresh_token).ok());
  EXPECT_EQ(service_.Refresh(a.refresh_token, {}).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(service_.Refresh(b->refresh_token, {}).ok());
  EXPECT_TRUE(service_.Logout(a.user.id, "never-issued").ok());  // Idempotent.
  EXPECT_TRUE(service_.LogoutAll(a.user.id).ok());
  EXPECT_EQ(service_.Refresh(c->refresh_token, {}).status().code(),
            absl::StatusCode::kUnauthenticated);
}

// The `sid` of an access token.
std::string LoginOf(jwt::Verifier& verifier, const IssuedTokens& tokens) {
  return verifier.Verify(tokens.access_token)->session_id;
}

TEST_F(AuthServiceTest, EndedLoginsAreLoggedUntilTheirLastAccessTokenHasExpired) {
  IssuedTokens a = SignUpAlice();
  auto b = service_.Login(LoginIdentifier::kUsername, "alice", "correct horse", {});
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(service_.Logout(a.user.id, a.refresh_token).ok());
  auto logged = sessions_.RevocationsForTest();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].session_id, LoginOf(verifier_, a));
  EXPECT_EQ(logged[0].user_id, a.user.id);
  EXPECT_EQ(logged[0].reason, "logout");
  // Until the access token lifetime plus the margin: past that, nothing of the login verifies.
  absl::Time now = absl::FromUnixMillis(clock_.millis);
  EXPECT_EQ(logged[0].until, now + absl::Minutes(15) + absl::Minutes(2));

  ASSERT_TRUE(service_.LogoutAll(a.user.id).ok());
  logged = sessions_.RevocationsForTest();
  std::set<std::string> all;
  for (const auto& entry : logged) all.insert(entry.session_id);
  EXPECT_TRUE(all.contains(LoginOf(verifier_, *b)));
}

TEST_F(AuthServiceTest, ReusingARefreshTokenLogsItsLoginAsEnded) {
  IssuedTokens a = SignUpAlice();
  ASSERT_TRUE(service_.Refresh(a.refresh_token, {}).ok());
  ASSERT_FALSE(service_.Refresh(a.refresh_token, {}).ok());
  auto logged = sessions_.RevocationsForTest();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].session_id, LoginOf(verifier_, a));
  EXPECT_EQ(logged[0].reason, "reuse_detected");
}

TEST_F(AuthServiceTest, ChangePasswordEndsEveryOtherLoginAndNeedsTheCurrentPassword) {
  IssuedTokens a = SignUpAlice();
  auto b = service_.Login(LoginIdentifier::kUsername, "alice", "correct horse", {});
  ASSERT_TRUE(b.ok());
  std::string login_a = LoginOf(verifier_, a);

  absl::Status wrong = service_.ChangePassword(a.user.id, login_a, "wrong horse", "new battery");
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(FieldOf(wrong), "current_password");
  EXPECT_EQ(FieldOf(service_.ChangePassword(a.user.id, login_a, "", "new battery")),
            "current_password");
  EXPECT_EQ(FieldOf(service_.ChangePassword(a.user.id, login_a, "correct horse", "short")),
            "new_password");
  EXPECT_TRUE(sessions_.RevocationsForTest().empty());

  ASSERT_TRUE(service_.ChangePassword(a.user.id, login_a, "correct horse", "new battery").ok());
  auto logged = sessions_.RevocationsForTest();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].session_id, LoginOf(verifier_, *b));
  EXPECT_EQ(logged[0].reason, "password_changed");
  // The other login's refresh token is dead at once; the caller's goes on.
  EXPECT_EQ(service_.Refresh(b->refresh_token, {}).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(service_.Refresh(a.refresh_token, {}).ok());
  EXPECT_EQ(
      service_.Login(LoginIdentifier::kUsername, "alice", "correct horse", {}).status().code(),
      absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(service_.Login(LoginIdentifier::kUsername, "alice", "new battery", {}).ok());
}

TEST_F(AuthServiceTest, WrongPasswordsForAnAccountActionRunOutLikeLogins) {
  IssuedTokens a = SignUpAlice();
  std::string login_a = LoginOf(verifier_, a);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(service_.DeleteAccount(a.user.id, "wrong horse").code(),
              absl::StatusCode::kUnauthenticated);
  }
  // Even the right password is refused now: the budget is spent.
  absl::Status refused =
      service_.ChangePassword(a.user.id, login_a, "correct horse", "new battery");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(service_.DeleteAccount(a.user.id, "correct horse").code(),
            absl::StatusCode::kResourceExhausted);
  clock_.millis += absl::ToInt64Milliseconds(absl::Minutes(16));
  EXPECT_TRUE(service_.DeleteAccount(a.user.id, "correct horse").ok());
}

TEST_F(AuthServiceTest, DeleteAccountErasesItAndHoldsTheUsername) {
  IssuedTokens a = SignUpAlice();
  EXPECT_EQ(FieldOf(service_.DeleteAccount(a.user.id, "")), "password");
  EXPECT_EQ(service_.DeleteAccount(a.user.id, "wrong horse").code(),
            absl::StatusCode::kUnauthenticated);
  ASSERT_TRUE(service_.DeleteAccount(a.user.id, "correct horse").ok());

  auto tombstone = service_.GetUser(a.user.id);
  ASSERT_TRUE(tombstone.ok());
  EXPECT_TRUE(tombstone->deleted());
  EXPECT_EQ(tombstone->email, "");
  EXPECT_EQ(tombstone->username, "");
  auto logged = sessions_.RevocationsForTest();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].reason, "account_deleted");
  EXPECT_TRUE(sessions_.RowsForTest().empty());
  EXPECT_EQ(
      service_.Login(LoginIdentifier::kUsername, "alice", "correct horse", {}).status().code(),
      absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(service_.LookupByUsername("alice").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(service_.DeleteAccount(a.user.id, "correct horse").code(),
            absl::StatusCode::kUnauthenticated);

  // The email is free at once, the username after the 30-day hold.
  EXPECT_EQ(FieldOf(service_.SignUp("alice", "new@example.com", "correct horse", {}).status()),
            "username");
  EXPECT_TRUE(service_.SignUp("alicia", "alice@example.com", "correct horse", {}).ok());
  clock_.millis += absl::ToInt64Milliseconds(absl::Hours(24 * 30) + absl::Seconds(1));
  EXPECT_TRUE(service_.SignUp("alice", "new@example.com", "correct horse", {}).ok());
}

TEST_F(AuthServiceTest, ServiceTokensOnlyForKnownClientsWithTheRightSecret) {
  auto token = service_.IssueServiceToken("chat-svc", "chat-svc-secret-0123456789");
  ASSERT_TRUE(token.ok()) << token.status();
  auto claims = verifier_.Verify(token->access_token);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->type, "service");
  EXPECT_EQ(claims->subject, "chat-svc");
  EXPECT_EQ(service_.IssueServiceToken("chat-svc", "wrong").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(service_.IssueServiceToken("nobody", "chat-svc-secret-0123456789").status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace chatter::auth
