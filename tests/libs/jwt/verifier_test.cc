// Unit tests for Signer + Verifier: round trips, every rejection reason, key rotation.
#include "libs/jwt/verifier.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_split.h"
#include "libs/jwt/signer.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::jwt {
namespace {

using testing::EdDsaHeader;
using testing::FakeClock;
using testing::kAudience;
using testing::kIssuer;
using testing::kNow;
using testing::ServiceClaims;
using testing::SignRaw;
using testing::TestKey;
using testing::UserClaims;
using testing::UserPayload;

std::vector<std::string> Parts(const std::string& token) { return absl::StrSplit(token, '.'); }

nlohmann::json DecodeJson(absl::string_view segment) {
  return nlohmann::json::parse(*Base64UrlDecode(segment));
}

class VerifierTest : public ::testing::Test {
 protected:
  // The message of a refused token; fails the test if the token was accepted or the code is
  // not UNAUTHENTICATED.
  std::string Refusal(absl::string_view token) const {
    absl::StatusOr<Claims> claims = verifier_.Verify(token);
    EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated) << claims.status();
    return std::string(claims.status().message());
  }
  std::string Refusal(const nlohmann::json& header, const nlohmann::json& payload) const {
    return Refusal(SignRaw(header, payload, key_));
  }
  std::string RefusalOfPayload(const nlohmann::json& payload) const {
    return Refusal(EdDsaHeader("k1"), payload);
  }

  SigningKey key_ = TestKey("k1", 1);
  SigningKey other_key_ = TestKey("k2", 2);
  KeySet keys_{std::vector<PublicKey>{PublicKeyOf(key_)}};
  FakeClock clock_;
  Verifier verifier_{keys_, {.issuer = kIssuer, .audience = kAudience}, clock_};
  Signer signer_{{key_}};
};

TEST_F(VerifierTest, UserTokenRoundTrips) {
  Claims sent = UserClaims();
  sent.not_before = kNow - absl::Seconds(1);
  std::string token = signer_.Sign(sent);
  EXPECT_EQ(DecodeJson(Parts(token)[0]),
            nlohmann::json::parse(R"({"alg":"EdDSA","kid":"k1","typ":"JWT"})"));

  absl::StatusOr<Claims> got = verifier_.Verify(token);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->issuer, sent.issuer);
  EXPECT_EQ(got->audience, sent.audience);
  EXPECT_EQ(got->subject, sent.subject);
  EXPECT_EQ(got->session_id, sent.session_id);
  EXPECT_EQ(got->token_id, sent.token_id);
  EXPECT_EQ(got->type, "user");
  EXPECT_EQ(got->username, "alice");
  EXPECT_EQ(got->issued_at, sent.issued_at);
  EXPECT_EQ(got->expires_at, sent.expires_at);
  EXPECT_EQ(got->not_before, sent.not_before);
}

TEST_F(VerifierTest, ServiceTokenCarriesNoUserClaims) {
  std::string token = signer_.Sign(ServiceClaims());
  nlohmann::json payload = DecodeJson(Parts(token)[1]);
  EXPECT_FALSE(payload.contains("sid"));
  EXPECT_FALSE(payload.contains("username"));
  EXPECT_FALSE(payload.contains("nbf"));
  EXPECT_EQ(payload["typ"], "service");
  absl::StatusOr<Claims> got = verifier_.Verify(token);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->subject, "chat-svc");
  EXPECT_EQ(got->not_before, std::nullopt);
}

TEST_F(VerifierTest, TamperedPayloadFails) {
  std::vector<std::string> parts = Parts(signer_.Sign(UserClaims()));
  nlohmann::json payload = DecodeJson(parts[1]);
  payload["sub"] = "someone-else";
  EXPECT_EQ(Refusal(absl::StrCat(parts[0], ".", Base64UrlEncode(payload.dump()), ".", parts[2])),
            "token signature invalid");
}

TEST_F(VerifierTest, TamperedSignatureFails) {
  std::vector<std::string> parts = Parts(signer_.Sign(UserClaims()));
  std::string signature = *Base64UrlDecode(parts[2]);
  signature[10] ^= 0x01;
  EXPECT_EQ(Refusal(absl::StrCat(parts[0], ".", parts[1], ".", Base64UrlEncode(signature))),
            "token signature invalid");
  EXPECT_EQ(Refusal(absl::StrCat(parts[0], ".", parts[1], ".", parts[2].substr(4))),
            "token signature invalid");
  EXPECT_EQ(Refusal(absl::StrCat(parts[0], ".", parts[1], ".")), "token signature invalid");
}

TEST_F(VerifierTest, AlgNoneFails) {
  std::string payload = Base64UrlEncode(UserPayload().dump());
  for (const char* header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"none","kid":"k1"})",
                             R"({"alg":"None","kid":"k1"})"}) {
    EXPECT_EQ(Refusal(absl::StrCat(Base64UrlEncode(std::string(header)), ".", payload, ".")),
              "token algorithm not allowed")
        << header;
  }
}

TEST_F(VerifierTest, OnlyExactlyEdDsaIsAllowedEvenWhenSigned) {
  for (nlohmann::json alg :
       std::vector<nlohmann::json>{"HS256", "RS256", "ES256", "EdDSA ", " EdDSA", "eddsa", "EDDSA",
                                   "Ed25519", "", 5, nullptr, nlohmann::json::array()}) {
    nlohmann::json header = EdDsaHeader("k1");
    header["alg"] = alg;
    EXPECT_EQ(Refusal(header, UserPayload()), "token algorithm not allowed") << alg;
  }
  nlohmann::json header = EdDsaHeader("k1");
  header.erase("alg");
  EXPECT_EQ(Refusal(header, UserPayload()), "token algorithm not allowed");
}

// The classic confusion attack: HS256 with the verifier's public key as the HMAC secret.
TEST_F(VerifierTest, AlgSwappedToHs256WithThePublicKeyAsSecretFails) {
  std::string input =
      absl::StrCat(Base64UrlEncode(std::string(R"({"alg":"HS256","typ":"JWT","kid":"k1"})")), ".",
                   Base64UrlEncode(UserPayload().dump()));
  // Both the raw key bytes and its text form have been used as "the secret" by broken libraries.
  std::string text_key = FormatPublicKey(PublicKeyOf(key_));
  for (std::string secret : {std::string(key_.public_key.begin(), key_.public_key.end()),
                             text_key.substr(text_key.find(':') + 1)}) {
    std::array<uint8_t, crypto_auth_hmacsha256_BYTES> mac;
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const uint8_t*>(secret.data()),
                                secret.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const uint8_t*>(input.data()),
                                  input.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    EXPECT_EQ(Refusal(absl::StrCat(input, ".", Base64UrlEncode(mac))),
              "token algorithm not allowed");
  }
}

TEST_F(VerifierTest, KidMustNameTheKeyThatSigned) {
  keys_.Replace({PublicKeyOf(key_), PublicKeyOf(other_key_)});
  // Signed by k2 but claiming k1.
  EXPECT_EQ(Refusal(SignRaw(EdDsaHeader("k1"), UserPayload(), other_key_)),
            "token signature invalid");
}

TEST_F(VerifierTest, UnknownOrMissingKidFails) {
  EXPECT_EQ(Refusal(Signer({other_key_}).Sign(UserClaims())), "token key unknown");
  nlohmann::json header = EdDsaHeader("k1");
  header.erase("kid");
  EXPECT_EQ(Refusal(header, UserPayload()), "token key id missing");
  header["kid"] = "";
  EXPECT_EQ(Refusal(header, UserPayload()), "token key id missing");
  header["kid"] = 1;
  EXPECT_EQ(Refusal(header, UserPayload()), "token key id missing");
}

TEST_F(VerifierTest, CriticalHeaderExtensionsAreRefused) {
  nlohmann::json header = EdDsaHeader("k1");
  header["crit"] = {"exp"};
  EXPECT_EQ(Refusal(header, UserPayload()), "token header invalid");
}

TEST_F(VerifierTest, ExpiryHonoursLeewayToTheMillisecond) {
  std::string token = signer_.Sign(UserClaims());
  absl::Time exp = kNow + absl::Minutes(15);
  clock_.Set(exp + absl::Seconds(30) - absl::Milliseconds(1));
  EXPECT_TRUE(verifier_.Verify(token).ok());
  clock_.Set(exp + absl::Seconds(30));
  EXPECT_EQ(Refusal(token), "token expired");
  clock_.Set(exp + absl::Hours(24));
  EXPECT_EQ(Refusal(token), "token expired");
}

TEST_F(VerifierTest, NotBeforeHonoursLeeway) {
  Claims claims = UserClaims(kNow - absl::Minutes(1));
  claims.not_before = kNow + absl::Minutes(5);
  std::string token = signer_.Sign(claims);
  EXPECT_EQ(Refusal(token), "token not yet valid");
  clock_.Set(*claims.not_before - absl::Seconds(30) - absl::Milliseconds(1));
  EXPECT_EQ(Refusal(token), "token not yet valid");
  clock_.Set(*claims.not_before - absl::Seconds(30));
  EXPECT_TRUE(verifier_.Verify(token).ok());
}

TEST_F(VerifierTest, IssuedInTheFutureBeyondLeewayFails) {
  EXPECT_TRUE(verifier_.Verify(signer_.Sign(UserClaims(kNow + absl::Seconds(30)))).ok());
  EXPECT_EQ(Refusal(signer_.Sign(UserClaims(kNow + absl::Seconds(31)))),
            "token issued in the future");
}

TEST_F(VerifierTest, AcceptedForRunsOutExactlyWhenVerifyStartsRefusing) {
  Claims claims = UserClaims();
  std::string token = signer_.Sign(claims);
  absl::Time refused_from = claims.expires_at + absl::Seconds(30);
  EXPECT_EQ(verifier_.AcceptedFor(claims), refused_from - kNow);
  clock_.Set(refused_from - absl::Milliseconds(1));
  EXPECT_EQ(verifier_.AcceptedFor(claims), absl::Milliseconds(1));
  EXPECT_TRUE(verifier_.Verify(token).ok());
  clock_.Set(refused_from);
  EXPECT_EQ(verifier_.AcceptedFor(claims), absl::ZeroDuration());
  EXPECT_EQ(Refusal(token), "token expired");
  clock_.Set(refused_from + absl::Hours(1));
  EXPECT_EQ(verifier_.AcceptedFor(claims), absl::ZeroDuration()) << "never negative";
}

TEST_F(VerifierTest, ZeroLeewayIsExact) {
  Verifier strict(keys_, {.issuer = kIssuer, .audience = kAudience, .leeway = absl::ZeroDuration()},
                  clock_);
  std::string token = signer_.Sign(UserClaims());
  clock_.Set(kNow + absl::Minutes(15) - absl::Milliseconds(1));
  EXPECT_TRUE(strict.Verify(token).ok());
  clock_.Set(kNow + absl::Minutes(15));
  EXPECT_EQ(strict.Verify(token).status().message(), "token expired");
}

TEST_F(VerifierTest, IssuerMustMatch) {
  Claims claims = UserClaims();
  claims.issuer = "someone-else";
  EXPECT_EQ(Refusal(signer_.Sign(claims)), "token issuer mismatch");
  nlohmann::json payload = UserPayload();
  payload.erase("iss");
  EXPECT_EQ(RefusalOfPayload(payload), "token issuer mismatch");
}

TEST_F(VerifierTest, AudienceMustMatch) {
  Claims claims = UserClaims();
  claims.audience = "chatter-admin";
  EXPECT_EQ(Refusal(signer_.Sign(claims)), "token audience mismatch");
  nlohmann::json payload = UserPayload();
  payload.erase("aud");
  EXPECT_EQ(RefusalOfPayload(payload), "token audience mismatch");
  payload["aud"] = nlohmann::json::array();
  EXPECT_EQ(RefusalOfPayload(payload), "token audience mismatch");
  payload["aud"] = {"a", "b"};
  EXPECT_EQ(RefusalOfPayload(payload), "token audience mismatch");
}

TEST_F(VerifierTest, AudienceArrayContainingOursIsAccepted) {
  nlohmann::json payload = UserPayload();
  payload["aud"] = {"other", kAudience};
  absl::StatusOr<Claims> claims = verifier_.Verify(SignRaw(EdDsaHeader("k1"), payload, key_));
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->audience, kAudience);
}

TEST_F(VerifierTest, EmptyExpectationsAcceptNothing) {
  Verifier misconfigured(keys_, {}, clock_);
  nlohmann::json payload = UserPayload();
  payload["iss"] = "";
  payload["aud"] = "";
  EXPECT_EQ(misconfigured.Verify(SignRaw(EdDsaHeader("k1"), payload, key_)).status().message(),
            "token issuer mismatch");
}

TEST_F(VerifierTest, ClaimsOfTheWrongTypeFail) {
  struct Case {
    const char* claim;
    nlohmann::json value;  // null: remove the claim
    const char* message;
  };
  std::vector<Case> cases = {
      {"exp", "1795342320", "token claim exp invalid"},
      {"exp", nullptr, "token claim exp missing"},
      {"exp", 1e300, "token claim exp invalid"},
      {"exp", true, "token claim exp invalid"},
      {"iat", nullptr, "token claim iat missing"},
      {"iat", {1}, "token claim iat invalid"},
      {"nbf", "soon", "token claim nbf invalid"},
      {"iss", 1, "token claim iss invalid"},
      {"sub", nlohmann::json::object(), "token claim sub invalid"},
      {"sub", nullptr, "token claim sub missing"},
      {"sub", "", "token claim sub missing"},
      {"sid", 5, "token claim sid invalid"},
      {"jti", false, "token claim jti invalid"},
      {"typ", 1, "token claim typ invalid"},
      {"username", {"a"}, "token claim username invalid"},
      {"aud", 5, "token claim aud invalid"},
      {"aud", {kAudience, 5}, "token claim aud invalid"},
  };
  for (const Case& c : cases) {
    nlohmann::json payload = UserPayload();
    if (c.value.is_null()) {
      payload.erase(c.claim);
    } else {
      payload[c.claim] = c.value;
    }
    EXPECT_EQ(RefusalOfPayload(payload), c.message) << c.claim << "=" << c.value;
  }
}

TEST_F(VerifierTest, FractionalNumericDatesAreAccepted) {
  nlohmann::json payload = UserPayload();
  payload["exp"] = absl::ToUnixSeconds(kNow) + 60.5;
  absl::StatusOr<Claims> claims = verifier_.Verify(SignRaw(EdDsaHeader("k1"), payload, key_));
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->expires_at, kNow + absl::Seconds(60));
}

TEST_F(VerifierTest, PayloadMustBeAJsonObject) {
  EXPECT_EQ(Refusal(SignRaw(EdDsaHeader("k1").dump(), "not json", key_)), "token claims invalid");
  EXPECT_EQ(Refusal(SignRaw(EdDsaHeader("k1").dump(), "[1,2]", key_)), "token claims invalid");
  EXPECT_EQ(Refusal(SignRaw(EdDsaHeader("k1").dump(), "", key_)), "token claims invalid");
}

TEST_F(VerifierTest, StructureAndEncodingAreCheckedFirst) {
  std::vector<std::string> parts = Parts(signer_.Sign(UserClaims()));
  EXPECT_EQ(Refusal(""), "token malformed");
  EXPECT_EQ(Refusal("abc"), "token malformed");
  EXPECT_EQ(Refusal(absl::StrCat(parts[0], ".", parts[1])), "token malformed");
  EXPECT_EQ(Refusal(absl::StrCat(parts[0], ".", parts[1], ".", parts[2], ".")), "token malformed");
  EXPECT_EQ(Refusal(absl::StrCat(parts[0], "=.", parts[1], ".", parts[2])),
            "token encoding invalid");
  EXPECT_EQ(Refusal(absl::StrCat(parts[0], ".", parts[1], "!.", parts[2])),
            "token signature invalid");
  EXPECT_EQ(Refusal(absl::StrCat(Base64UrlEncode(std::string("{not json")), ".", parts[1], ".",
                                 parts[2])),
            "token header invalid");
  EXPECT_EQ(Refusal(absl::StrCat(Base64UrlEncode(std::string("[]")), ".", parts[1], ".", parts[2])),
            "token header invalid");
  EXPECT_EQ(Refusal(".."), "token header invalid");
}

TEST_F(VerifierTest, OversizedTokensAreRefusedBeforeParsing) {
  nlohmann::json payload = UserPayload();
  payload["pad"] = std::string(5600, 'x');
  std::string token = SignRaw(EdDsaHeader("k1"), payload, key_);
  ASSERT_LE(token.size(), kMaxTokenBytes);
  EXPECT_TRUE(verifier_.Verify(token).ok());
  payload["pad"] = std::string(6200, 'x');
  token = SignRaw(EdDsaHeader("k1"), payload, key_);
  ASSERT_GT(token.size(), kMaxTokenBytes);
  EXPECT_EQ(Refusal(token), "token too large");
}

TEST_F(VerifierTest, KeyRotation) {
  SigningKey old_key = key_;
  SigningKey new_key = TestKey("k2", 2);
  std::string old_token = Signer({old_key}).Sign(UserClaims());

  // auth-svc adds the new key, which signs from now on; verifiers learn both.
  Signer rotated({old_key, new_key});
  EXPECT_EQ(rotated.current_kid(), "k2");
  std::vector<PublicKey> published = rotated.PublicKeys();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0].kid, "k2");  // Newest first, as GetSigningKeys answers.
  EXPECT_EQ(published[1].kid, "k1");
  keys_.Replace(published);
  std::string new_token = rotated.Sign(UserClaims());
  EXPECT_EQ(DecodeJson(Parts(new_token)[0])["kid"], "k2");
  EXPECT_TRUE(verifier_.Verify(old_token).ok());
  EXPECT_TRUE(verifier_.Verify(new_token).ok());

  // Once the old key is retired, its tokens stop verifying.
  keys_.Replace(Signer({new_key}).PublicKeys());
  EXPECT_EQ(Refusal(old_token), "token key unknown");
  EXPECT_TRUE(verifier_.Verify(new_token).ok());
}

TEST_F(VerifierTest, KeysCanBeReplacedWhileOtherThreadsVerify) {
  std::string token = signer_.Sign(UserClaims());
  std::atomic<int> running{4};
  std::atomic<int> failures{0};
  std::vector<std::thread> verifiers;
  for (int i = 0; i < 4; ++i) {
    verifiers.emplace_back([&] {
      for (int n = 0; n < 500; ++n) {
        if (!verifier_.Verify(token).ok()) failures.fetch_add(1);
      }
      running.fetch_sub(1);
    });
  }
  // Every set holds k1, so every verification must succeed whichever set it sees.
  for (int i = 0; running.load() > 0; ++i) {
    keys_.Replace(i % 2 ? std::vector<PublicKey>{PublicKeyOf(key_)}
                        : std::vector<PublicKey>{PublicKeyOf(other_key_), PublicKeyOf(key_)});
  }
  for (std::thread& thread : verifiers) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SignerDeathTest, ASignerWithoutKeysAborts) {
  EXPECT_DEATH(Signer(std::vector<SigningKey>{}), "no signing keys");
}

}  // namespace
}  // namespace chatter::jwt
