// The user of a request, for limits and logs: only valid user tokens name one, from either
// identity header, and results are remembered for the TTL only.
#include "gateway/edge/request_user.h"

#include <gtest/gtest.h>

#include "libs/jwt/signer.h"
#include "libs/jwt/verifier.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::gateway {
namespace {

using jwt::testing::kAudience;
using jwt::testing::kIssuer;
using jwt::testing::kNow;

struct Fixture {
  jwt::SigningKey key = jwt::testing::TestKey("k1", 7);
  jwt::Signer signer{{key}};
  jwt::KeySet keys{{jwt::PublicKeyOf(key)}};
  jwt::testing::FakeClock clock;
  jwt::Verifier verifier{keys, {.issuer = kIssuer, .audience = kAudience}, clock};
  authn::Authenticator authenticator{verifier};
  RequestUserIdentifier users{authenticator, clock, {.ttl = absl::Seconds(60), .max_entries = 2}};
};

HttpRequest WithHeader(const std::string& name, const std::string& value) {
  HttpRequest request{boost::beast::http::verb::get, "/v1/me", 11};
  request.set(name, value);
  return request;
}

TEST(RequestUserIdentifier, AValidUserTokenNamesItsUserFromEitherHeader) {
  Fixture f;
  std::string token = f.signer.Sign(jwt::testing::UserClaims());
  std::string subject = jwt::testing::UserClaims().subject;
  EXPECT_EQ(f.users.UserIdOf(WithHeader("Authorization", "Bearer " + token)), subject);
  EXPECT_EQ(f.users.UserIdOf(WithHeader("X-Auth-Token", token)), subject);
}

TEST(RequestUserIdentifier, NoTokenABadOneOrAServiceTokenNameNobody) {
  Fixture f;
  EXPECT_EQ(f.users.UserIdOf(HttpRequest{boost::beast::http::verb::get, "/v1/me", 11}), "");
  EXPECT_EQ(f.users.UserIdOf(WithHeader("Authorization", "Bearer not.a.jwt")), "");
  EXPECT_EQ(f.users.UserIdOf(WithHeader("Authorization", "Basic dXNlcjpwdw==")), "");
  std::string service = f.signer.Sign(jwt::testing::ServiceClaims());
  EXPECT_EQ(f.users.UserIdOf(WithHeader("X-Auth-Token", service)), "");
}

TEST(RequestUserIdentifier, ResultsAreRememberedForTheTtlOnly) {
  Fixture f;
  jwt::Claims claims = jwt::testing::UserClaims();
  claims.expires_at = kNow + absl::Seconds(10);
  HttpRequest request = WithHeader("X-Auth-Token", f.signer.Sign(claims));
  EXPECT_EQ(f.users.UserIdOf(request), claims.subject);
  // Expired now, but the answer is remembered for 60 s (limits and logs only)...
  f.clock.Advance(absl::Seconds(30));
  EXPECT_EQ(f.users.UserIdOf(request), claims.subject);
  // ...and checked again after that.
  f.clock.Advance(absl::Seconds(31));
  EXPECT_EQ(f.users.UserIdOf(request), "");
}

TEST(RequestUserIdentifier, StaysCorrectPastTheCacheCap) {
  Fixture f;  // At most 2 entries.
  std::string subject = jwt::testing::UserClaims().subject;
  for (int i = 0; i < 5; ++i) {
    jwt::Claims claims = jwt::testing::UserClaims();
    claims.token_id = absl::StrCat("jti-", i);
    EXPECT_EQ(f.users.UserIdOf(WithHeader("X-Auth-Token", f.signer.Sign(claims))), subject) << i;
  }
}

}  // namespace
}  // namespace chatter::gateway
