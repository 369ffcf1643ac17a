// Unit tests for RemoteKeyFetcher and the JWK proto conversion against an in-process fake
// auth-svc: first fetch, rotation, unusable answers, an unreachable server, background refresh.
#include "libs/authn/remote_key_fetcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "libs/authn/jwks_proto.h"
#include "libs/jwt/verifier.h"
#include "tests/libs/authn/fake_auth_service.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::authn {
namespace {

using jwt::testing::TestKey;

std::vector<std::string> Kids(const jwt::KeySet& keys) {
  std::vector<std::string> kids;
  for (const jwt::PublicKey& key : keys.Keys()) kids.push_back(key.kid);
  return kids;
}

TEST(JwksProtoTest, RoundTripsAndRefusesForeignKeys) {
  jwt::PublicKey key = jwt::PublicKeyOf(TestKey("k1", 1));
  auth::v1::SigningKey proto = ToProto(key);
  EXPECT_EQ(proto.kty(), "OKP");
  EXPECT_EQ(proto.crv(), "Ed25519");
  EXPECT_EQ(proto.use(), "sig");
  EXPECT_EQ(proto.alg(), "EdDSA");
  EXPECT_EQ(proto.kid(), "k1");
  absl::StatusOr<jwt::PublicKey> back = FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, key);

  proto.clear_use();
  proto.clear_alg();
  EXPECT_TRUE(FromProto(proto).ok());
  proto.set_kty("EC");
  EXPECT_EQ(FromProto(proto).status().message(), "jwk: \"kty\" must be \"OKP\"");
}

class RemoteKeyFetcherTest : public ::testing::Test {
 protected:
  testing::FakeAuthServer server_;
  jwt::KeySet keys_;
  RemoteKeyFetcher fetcher_{server_.Channel(), keys_};
};

TEST_F(RemoteKeyFetcherTest, FetchOnceFillsTheKeySet) {
  ASSERT_TRUE(fetcher_.FetchOnce(absl::Seconds(5)).ok());
  std::optional<jwt::PublicKey> key = keys_.Find("k1");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, jwt::PublicKeyOf(TestKey("k1", 1)));
}

TEST_F(RemoteKeyFetcherTest, FetchedKeysVerifyTheServersTokens) {
  ASSERT_TRUE(fetcher_.FetchOnce(absl::Seconds(5)).ok());
  jwt::testing::FakeClock clock;
  jwt::Verifier verifier(
      keys_, {.issuer = jwt::testing::kIssuer, .audience = jwt::testing::kAudience}, clock);
  std::string token = jwt::Signer({TestKey("k1", 1)}).Sign(jwt::testing::UserClaims());
  EXPECT_TRUE(verifier.Verify(token).ok());
}

TEST_F(RemoteKeyFetcherTest, RotationIsPickedUpOnTheNextFetch) {
  ASSERT_TRUE(fetcher_.FetchOnce(absl::Seconds(5)).ok());
  server_.service().SetSigner({TestKey("k1", 1), TestKey("k2", 2)});
  ASSERT_TRUE(fetcher_.FetchOnce(absl::Seconds(5)).ok());
  EXPECT_EQ(Kids(keys_), (std::vector<std::string>{"k2", "k1"}));
  server_.service().SetSigner({TestKey("k2", 2)});
  ASSERT_TRUE(fetcher_.FetchOnce(absl::Seconds(5)).ok());
  EXPECT_EQ(Kids(keys_), (std::vector<std::string>{"k2"}));
}

TEST_F(RemoteKeyFetcherTest, UnusableKeysAreSkipped) {
  auth::v1::SigningKey foreign = ToProto(jwt::PublicKeyOf(TestKey("ec", 3)));
  foreign.set_kty("EC");
  foreign.set_crv("P-256");
  server_.service().SetRawKeys({foreign, ToProto(jwt::PublicKeyOf(TestKey("k2", 2)))});
  ASSERT_TRUE(fetcher_.FetchOnce(absl::Seconds(5)).ok());
  EXPECT_EQ(Kids(keys_), (std::vector<std::string>{"k2"}));
}

TEST_F(RemoteKeyFetcherTest, AnAnswerWithoutUsableKeysKeepsTheOldSet) {
  ASSERT_TRUE(fetcher_.FetchOnce(absl::Seconds(5)).ok());
  server_.service().SetRawKeys({});
  absl::Status status = fetcher_.FetchOnce(absl::Seconds(5));
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status.message(), "auth-svc GetSigningKeys: no usable key");
  EXPECT_EQ(Kids(keys_), (std::vector<std::string>{"k1"}));
}

TEST(RemoteKeyFetcherUnreachableTest, FailureKeepsTheOldSet) {
  std::string address;
  {
    testing::FakeAuthServer gone;
    address = gone.address();
  }
  jwt::KeySet keys({jwt::PublicKeyOf(TestKey("k0", 9))});
  RemoteKeyFetcher fetcher(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()), keys);
  absl::Status status = fetcher.FetchOnce(absl::Seconds(2));
  EXPECT_TRUE(status.code() == absl::StatusCode::kUnavailable ||
              status.code() == absl::StatusCode::kDeadlineExceeded)
      << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), "auth-svc GetSigningKeys: ")) << status;
  EXPECT_EQ(Kids(keys), (std::vector<std::string>{"k0"}));
}

TEST_F(RemoteKeyFetcherTest, BackgroundRefreshPicksUpRotation) {
  ASSERT_TRUE(fetcher_.FetchOnce(absl::Seconds(5)).ok());
  fetcher_.Start(absl::Milliseconds(20));
  server_.service().SetSigner({TestKey("k2", 2)});
  // Polls rather than sleeping a fixed time: done as soon as the refresh lands.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!keys_.Find("k2") && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  fetcher_.Stop();
  EXPECT_EQ(Kids(keys_), (std::vector<std::string>{"k2"}));
  EXPECT_GE(server_.service().signing_key_calls(), 2);
  fetcher_.Stop();  // Idempotent.
}

TEST_F(RemoteKeyFetcherTest, StopEndsTheBackgroundThreadPromptly) {
  fetcher_.Start(absl::Hours(1));
  absl::Time started = absl::Now();
  fetcher_.Stop();
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
  EXPECT_EQ(server_.service().signing_key_calls(), 0);
}

}  // namespace
}  // namespace chatter::authn
