// Unit tests for BearerTokenFrom, RequestIdFrom and Authenticator, on the server-side context of
// real gRPC calls to an in-process fake.
#include "libs/authn/authenticator.h"

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

#include "libs/authn/metadata.h"
#include "libs/jwt/signer.h"
#include "tests/libs/authn/fake_auth_service.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::authn {
namespace {

using jwt::testing::FakeClock;
using jwt::testing::kAudience;
using jwt::testing::kIssuer;
using jwt::testing::kNow;
using jwt::testing::ServiceClaims;
using jwt::testing::TestKey;
using jwt::testing::UserClaims;
using Metadata = std::vector<std::pair<std::string, std::string>>;

class AuthenticatorTest : public ::testing::Test {
 protected:
  // Makes a GetMe call carrying `metadata` and returns what `inspect` computed from the server's
  // view of that call.
  template <typename Result>
  Result OnServer(const Metadata& metadata,
                  std::function<Result(const grpc::ServerContextBase&)> inspect) {
    std::optional<Result> result;
    server_.service().SetProbe(
        [&](const grpc::ServerContextBase& context) { result.emplace(inspect(context)); });
    auto stub = auth::v1::AuthService::NewStub(server_.Channel());
    grpc::ClientContext context;
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    auth::v1::GetMeResponse response;
    grpc::Status status = stub->GetMe(&context, auth::v1::GetMeRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    server_.service().SetProbe(nullptr);
    return *std::move(result);
  }

  absl::StatusOr<std::string> Bearer(const Metadata& metadata) {
    return OnServer<absl::StatusOr<std::string>>(metadata, BearerTokenFrom);
  }

  using Method = absl::StatusOr<Principal> (Authenticator::*)(const grpc::ServerContextBase&) const;
  absl::StatusOr<Principal> Call(Method method, const std::string& token) {
    return OnServer<absl::StatusOr<Principal>>(
        {{"authorization", "Bearer " + token}},
        [&](const grpc::ServerContextBase& context) { return (authenticator_.*method)(context); });
  }

  testing::FakeAuthServer server_;
  jwt::SigningKey key_ = TestKey("k1", 1);
  jwt::Signer signer_{{key_}};
  jwt::KeySet keys_{{jwt::PublicKeyOf(key_)}};
  FakeClock clock_;
  jwt::Verifier verifier_{keys_, {.issuer = kIssuer, .audience = kAudience}, clock_};
  Authenticator authenticator_{verifier_};
};

TEST_F(AuthenticatorTest, BearerTokenFromAcceptsTheSchemeInAnyCase) {
  EXPECT_EQ(Bearer({{"authorization", "Bearer abc.def.ghi"}}).value_or("?"), "abc.def.ghi");
  EXPECT_EQ(Bearer({{"authorization", "bearer abc"}}).value_or("?"), "abc");
  EXPECT_EQ(Bearer({{"authorization", "BEARER   abc"}}).value_or("?"), "abc");
}

TEST_F(AuthenticatorTest, BearerTokenFromRefusesMissingOrOtherCredentials) {
  struct Case {
    Metadata metadata;
    const char* message;
  };
  std::vector<Case> cases = {
      {{}, "missing bearer token"},
      {{{"x-auth-token", "abc"}}, "missing bearer token"},
      {{{"authorization", "Bearer "}}, "missing bearer token"},
      {{{"authorization", "Basic dXNlcjpwYXNz"}}, "authorization is not a bearer token"},
      {{{"authorization", "Bearerabc"}}, "authorization is not a bearer token"},
      {{{"authorization", "Bearer a"}, {"authorization", "Bearer b"}},
       "more than one authorization header"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> token = Bearer(c.metadata);
    EXPECT_EQ(token.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(token.status().message(), c.message);
  }
}

TEST_F(AuthenticatorTest, RequestIdFromReadsTheHeaderOrNothing) {
  EXPECT_EQ(OnServer<std::string>({{"x-request-id", "req-42"}}, RequestIdFrom), "req-42");
  EXPECT_EQ(OnServer<std::string>({}, RequestIdFrom), "");
}

TEST_F(AuthenticatorTest, UserTokenGivesAUserPrincipal) {
  absl::StatusOr<Principal> principal =
      Call(&Authenticator::AuthenticateUser, signer_.Sign(UserClaims()));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->kind, Principal::Kind::kUser);
  EXPECT_EQ(principal->subject, UserClaims().subject);
  EXPECT_EQ(principal->session_id, UserClaims().session_id);
  EXPECT_EQ(principal->username, "alice");
  EXPECT_EQ(principal->expires_at, UserClaims().expires_at);
  // Until exp plus the verifier's 30 s leeway, by the verifier's clock.
  EXPECT_EQ(principal->accepted_for, absl::Minutes(15) + absl::Seconds(30));
  EXPECT_TRUE(Call(&Authenticator::Authenticate, signer_.Sign(UserClaims())).ok());
}

TEST_F(AuthenticatorTest, ServiceTokenGivesAServicePrincipal) {
  absl::StatusOr<Principal> principal =
      Call(&Authenticator::AuthenticateService, signer_.Sign(ServiceClaims()));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->kind, Principal::Kind::kService);
  EXPECT_EQ(principal->subject, "chat-svc");
  EXPECT_EQ(principal->session_id, "");
  EXPECT_TRUE(Call(&Authenticator::Authenticate, signer_.Sign(ServiceClaims())).ok());
}

TEST_F(AuthenticatorTest, ATokenOfTheWrongKindIsPermissionDenied) {
  absl::StatusOr<Principal> as_user =
      Call(&Authenticator::AuthenticateUser, signer_.Sign(ServiceClaims()));
  EXPECT_EQ(as_user.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(as_user.status().message(), "user token required");
  absl::StatusOr<Principal> as_service =
      Call(&Authenticator::AuthenticateService, signer_.Sign(UserClaims()));
  EXPECT_EQ(as_service.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(as_service.status().message(), "service token required");
}

TEST_F(AuthenticatorTest, InvalidTokensAreUnauthenticatedWithTheVerifiersReason) {
  clock_.Set(kNow + absl::Hours(1));
  absl::StatusOr<Principal> expired =
      Call(&Authenticator::AuthenticateUser, signer_.Sign(UserClaims()));
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.status().message(), "token expired");
  // Kind checks come after verification: an invalid token is never PERMISSION_DENIED.
  absl::StatusOr<Principal> garbage = Call(&Authenticator::AuthenticateService, "garbage");
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(garbage.status().message(), "token malformed");
  absl::StatusOr<Principal> missing = OnServer<absl::StatusOr<Principal>>(
      {}, [&](const grpc::ServerContextBase& c) { return authenticator_.Authenticate(c); });
  EXPECT_EQ(missing.status().message(), "missing bearer token");
}

TEST_F(AuthenticatorTest, AVerifiedTokenIsRememberedUntilItExpires) {
  std::string token = signer_.Sign(UserClaims());
  ASSERT_TRUE(authenticator_.AuthenticateToken(token).ok());
  // The signature is not checked again: with its key gone the token still passes ...
  keys_.Replace({});
  absl::StatusOr<Principal> again = authenticator_.AuthenticateToken(token);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->username, "alice");
  EXPECT_GT(again->accepted_for, absl::ZeroDuration());
  // ... while a token never seen is verified (and fails) ...
  EXPECT_EQ(authenticator_.AuthenticateToken(signer_.Sign(ServiceClaims())).status().message(),
            "token key unknown");
  // ... and the remembered one stops at its expiry plus the leeway, like the verifier.
  clock_.Set(kNow + absl::Minutes(15) + absl::Seconds(29));
  EXPECT_TRUE(authenticator_.AuthenticateToken(token).ok());
  clock_.Set(kNow + absl::Minutes(15) + absl::Seconds(31));
  EXPECT_EQ(authenticator_.AuthenticateToken(token).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, WithoutACacheEveryCallIsVerified) {
  Authenticator uncached(verifier_, /*revoked_sessions=*/nullptr, /*cached_tokens=*/0);
  std::string token = signer_.Sign(UserClaims());
  ASSERT_TRUE(uncached.AuthenticateToken(token).ok());
  keys_.Replace({});
  EXPECT_FALSE(uncached.AuthenticateToken(token).ok());
}

TEST(VerifiedTokenCacheTest, StaysWithinItsBound) {
  jwt::SigningKey key = TestKey("k1", 1);
  jwt::Signer signer{{key}};
  jwt::KeySet keys{{jwt::PublicKeyOf(key)}};
  FakeClock clock;
  jwt::Verifier verifier{keys, {.issuer = kIssuer, .audience = kAudience}, clock};
  VerifiedTokenCache cache(verifier, 3);
  for (int i = 0; i < 10; ++i) {
    jwt::Claims claims = UserClaims();
    claims.token_id = "token-" + std::to_string(i);
    cache.Remember(signer.Sign(claims), claims);
    EXPECT_LE(cache.size(), 3u);
  }
  EXPECT_FALSE(cache.Find("never-seen").has_value());
}

TEST_F(AuthenticatorTest, UnknownTokenTypeIsUnauthenticated) {
  jwt::Claims claims = UserClaims();
  claims.type = "admin";
  absl::StatusOr<Principal> principal = authenticator_.AuthenticateToken(signer_.Sign(claims));
  EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(principal.status().message(), "token type unknown");
}

TEST_F(AuthenticatorTest, AuthenticateTokenWorksWithoutACall) {
  absl::StatusOr<Principal> principal =
      authenticator_.AuthenticateToken(signer_.Sign(UserClaims()));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->username, "alice");
}

}  // namespace
}  // namespace chatter::authn
