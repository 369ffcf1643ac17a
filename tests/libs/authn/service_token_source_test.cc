// Unit tests for ServiceTokenSource against an in-process fake auth-svc: caching until 80% of
// the lifetime, renewal, failures, concurrency, and Attach producing a token servers accept.
#include "libs/authn/service_token_source.h"

#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/match.h"
#include "libs/authn/authenticator.h"
#include "tests/libs/authn/fake_auth_service.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::authn {
namespace {

using jwt::testing::FakeClock;
using testing::FakeAuthService;

class ServiceTokenSourceTest : public ::testing::Test {
 protected:
  ServiceTokenSourceTest() {
    server_.service().SetClock(&clock_);
    server_.service().SetServiceTokenLifetime(absl::Seconds(300));
  }

  std::string TokenOrDie() {
    absl::StatusOr<std::string> token = source_.Token();
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  FakeClock clock_;
  testing::FakeAuthServer server_;
  ServiceTokenSource source_{
      server_.Channel(),
      {.client_id = FakeAuthService::kClientId, .client_secret = FakeAuthService::kClientSecret},
      clock_};
};

TEST_F(ServiceTokenSourceTest, CachesTheTokenUntilEightyPercentOfItsLifetime) {
  std::string first = TokenOrDie();
  EXPECT_EQ(TokenOrDie(), first);
  EXPECT_EQ(server_.service().issue_calls(), 1);

  clock_.Advance(absl::Seconds(240) - absl::Milliseconds(1));
  EXPECT_EQ(TokenOrDie(), first);
  EXPECT_EQ(server_.service().issue_calls(), 1);

  clock_.Advance(absl::Milliseconds(1));
  std::string second = TokenOrDie();
  EXPECT_NE(second, first);
  EXPECT_EQ(server_.service().issue_calls(), 2);
  EXPECT_EQ(TokenOrDie(), second);
  EXPECT_EQ(server_.service().issue_calls(), 2);
}

TEST_F(ServiceTokenSourceTest, CachedTokenNeverCallsAuthAndEndsAtExpiry) {
  EXPECT_EQ(source_.CachedToken(), std::nullopt);
  EXPECT_EQ(server_.service().issue_calls(), 0);

  std::string first = TokenOrDie();
  EXPECT_EQ(source_.CachedToken(), first);
  clock_.Advance(absl::Seconds(250));  // Past the renewal point: still served, not renewed.
  EXPECT_EQ(source_.CachedToken(), first);
  EXPECT_EQ(server_.service().issue_calls(), 1);

  clock_.Advance(absl::Seconds(50));  // At expiry.
  EXPECT_EQ(source_.CachedToken(), std::nullopt);
  EXPECT_EQ(server_.service().issue_calls(), 1);
}

TEST_F(ServiceTokenSourceTest, AnExpiredTokenIsReplaced) {
  std::string first = TokenOrDie();
  clock_.Advance(absl::Hours(1));
  EXPECT_NE(TokenOrDie(), first);
  EXPECT_EQ(server_.service().issue_calls(), 2);
}

TEST_F(ServiceTokenSourceTest, RenewalFailureFallsBackToTheStillValidToken) {
  std::string first = TokenOrDie();
  server_.service().SetIssueFailure(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  clock_.Advance(absl::Seconds(250));
  EXPECT_EQ(TokenOrDie(), first);
  EXPECT_EQ(server_.service().issue_calls(), 2);  // It did try to renew.

  clock_.Advance(absl::Seconds(50));  // Now at the token's expiry.
  absl::StatusOr<std::string> token = source_.Token();
  EXPECT_EQ(token.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(token.status().message(), "auth-svc IssueServiceToken: down");
}

TEST_F(ServiceTokenSourceTest, RefusedCredentialsAreAnInternalError) {
  ServiceTokenSource wrong(server_.Channel(),
                           {.client_id = FakeAuthService::kClientId, .client_secret = "guess"},
                           clock_);
  absl::StatusOr<std::string> token = wrong.Token();
  EXPECT_EQ(token.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(token.status().message(), "auth-svc IssueServiceToken: invalid client credentials");
}

TEST_F(ServiceTokenSourceTest, AnAnswerWithoutLifetimeIsRefused) {
  server_.service().SetServiceTokenLifetime(absl::ZeroDuration());
  EXPECT_EQ(source_.Token().status().code(), absl::StatusCode::kInternal);
}

TEST(ServiceTokenSourceUnreachableTest, IsUnavailable) {
  std::string address;
  {
    testing::FakeAuthServer gone;
    address = gone.address();
  }
  FakeClock clock;
  ServiceTokenSource source(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
                            {.client_id = "a", .client_secret = "b"}, clock, absl::Seconds(2));
  absl::StatusOr<std::string> token = source.Token();
  EXPECT_TRUE(token.status().code() == absl::StatusCode::kUnavailable ||
              token.status().code() == absl::StatusCode::kDeadlineExceeded)
      << token.status();
}

TEST_F(ServiceTokenSourceTest, ConcurrentCallersShareOneCall) {
  std::vector<std::thread> threads;
  std::vector<std::string> tokens(8);
  for (size_t i = 0; i < tokens.size(); ++i) {
    threads.emplace_back([&, i] { tokens[i] = source_.Token().value_or("failed"); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& token : tokens) EXPECT_EQ(token, tokens[0]);
  EXPECT_NE(tokens[0], "failed");
  EXPECT_EQ(server_.service().issue_calls(), 1);
}

TEST_F(ServiceTokenSourceTest, AttachedTokenIsAcceptedAsAServicePrincipal) {
  jwt::KeySet keys({jwt::PublicKeyOf(jwt::testing::TestKey("k1", 1))});
  jwt::Verifier verifier(
      keys, {.issuer = jwt::testing::kIssuer, .audience = jwt::testing::kAudience}, clock_);
  Authenticator authenticator(verifier);
  std::optional<absl::StatusOr<Principal>> seen;
  server_.service().SetProbe([&](const grpc::ServerContextBase& context) {
    seen.emplace(authenticator.AuthenticateService(context));
  });

  grpc::ClientContext context;
  ASSERT_TRUE(source_.Attach(context).ok());
  auto stub = auth::v1::AuthService::NewStub(server_.Channel());
  auth::v1::GetMeResponse response;
  ASSERT_TRUE(stub->GetMe(&context, auth::v1::GetMeRequest(), &response).ok());
  ASSERT_TRUE(seen.has_value());
  ASSERT_TRUE(seen->ok()) << seen->status();
  EXPECT_EQ((*seen)->kind, Principal::Kind::kService);
  EXPECT_EQ((*seen)->subject, FakeAuthService::kClientId);
}

TEST_F(ServiceTokenSourceTest, AttachReportsTheFailureAndAddsNothing) {
  server_.service().SetIssueFailure(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  grpc::ClientContext context;
  EXPECT_EQ(source_.Attach(context).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace chatter::authn
