// Unit tests for key derivation (RFC 8037 vectors), the key text formats, JWKs and base64url.
#include "libs/jwt/keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include "libs/jwt/base64url.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::jwt {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestKey;

// RFC 8037 Appendix A.1/A.4: an Ed25519 key and the JWS it produces.
constexpr char kRfcSeed[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr char kRfcPublic[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr char kRfcSigningInput[] = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr char kRfcSignature[] =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

TEST(Base64UrlTest, RoundTripsAndRefusesNonCanonicalText) {
  EXPECT_EQ(Base64UrlEncode(absl::string_view("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_EQ(Base64UrlDecode(""), "");
  EXPECT_EQ(Base64UrlDecode("QUE="), std::nullopt);  // padding
  EXPECT_EQ(Base64UrlDecode("QUF"), std::nullopt);   // non-zero trailing bits
  EXPECT_EQ(Base64UrlDecode("QU E"), std::nullopt);  // whitespace
  EXPECT_EQ(Base64UrlDecode("+/8"), std::nullopt);   // the other alphabet
  EXPECT_EQ(Base64UrlDecode("Q"), std::nullopt);     // impossible length
  std::array<uint8_t, 2> two;
  EXPECT_TRUE(Base64UrlDecodeExact("-_8", two));
  std::array<uint8_t, 3> three;
  EXPECT_FALSE(Base64UrlDecodeExact("-_8", three));
  std::array<uint8_t, 1> one;
  EXPECT_FALSE(Base64UrlDecodeExact("-_8", one));
}

TEST(KeysTest, SeedDerivationMatchesRfc8037) {
  absl::StatusOr<SigningKey> key = SigningKeyFromSeed("rfc", *Base64UrlDecode(kRfcSeed));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(Base64UrlEncode(key->public_key), kRfcPublic);
  std::array<uint8_t, kSignatureBytes> signature;
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const uint8_t*>(kRfcSigningInput),
                       sizeof(kRfcSigningInput) - 1, key->secret_key.data());
  EXPECT_EQ(Base64UrlEncode(signature), kRfcSignature);
  EXPECT_EQ(FormatSigningKey(*key), absl::StrCat("rfc:", kRfcSeed));
}

TEST(KeysTest, SeedAndKidAreValidated) {
  EXPECT_EQ(SigningKeyFromSeed("k1", "short").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKeyFromSeed("", std::string(32, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKeyFromSeed("a:b", std::string(32, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKeyFromSeed(std::string(65, 'a'), std::string(32, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(IsValidKeyId("2026-11.key_1"));
}

TEST(KeysTest, GeneratedKeysAreFreshAndSurviveTheTextFormat) {
  SigningKey a = GenerateSigningKey("a");
  SigningKey b = GenerateSigningKey("b");
  EXPECT_NE(a.public_key, b.public_key);
  absl::StatusOr<std::vector<SigningKey>> parsed =
      ParseSigningKeys(absl::StrCat(FormatSigningKey(a), ",", FormatSigningKey(b)));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].kid, "a");
  EXPECT_EQ((*parsed)[0].secret_key, a.secret_key);
  EXPECT_EQ((*parsed)[1].kid, "b");
  EXPECT_EQ((*parsed)[1].public_key, b.public_key);
}

TEST(KeysDeathTest, GeneratingAKeyWithAnInvalidKidAborts) {
  EXPECT_DEATH(GenerateSigningKey("bad kid"), "invalid kid");
}

TEST(KeysTest, ParseSigningKeysKeepsOrderAndIgnoresSpaces) {
  SigningKey old_key = TestKey("old", 1);
  SigningKey new_key = TestKey("new", 2);
  absl::StatusOr<std::vector<SigningKey>> keys = ParseSigningKeys(
      absl::StrCat("  ", FormatSigningKey(old_key), " ,\n", FormatSigningKey(new_key), " ,"));
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, "old");
  EXPECT_EQ((*keys)[1].kid, "new");
  EXPECT_EQ((*keys)[1].public_key, new_key.public_key);
}

TEST(KeysTest, ParseSigningKeysErrorsNameTheEntryButNeverTheSeed) {
  std::string seed = FormatSigningKey(TestKey("k", 7)).substr(2);
  struct Case {
    std::string text;
    std::string message;
  };
  std::vector<Case> cases = {
      {"", "no signing keys given"},
      {" , ", "no signing keys given"},
      {seed, "signing key 1: expected kid:<base64url>"},
      {absl::StrCat("k1:", seed, ",bad kid:", seed), "signing key 2: expected kid:<base64url>"},
      {absl::StrCat("k1:", seed, ",k2:", seed.substr(1)),
       "signing key 2: seed must be 32 bytes of base64url"},
      {absl::StrCat("k1:", seed, "="), "signing key 1: seed must be 32 bytes"},
      {absl::StrCat("k1:", seed, ",k1:", seed), "signing key 2: duplicate kid"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<SigningKey>> keys = ParseSigningKeys(c.text);
    ASSERT_FALSE(keys.ok()) << c.text;
    EXPECT_EQ(keys.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(keys.status().message(), HasSubstr(c.message)) << c.text;
    EXPECT_THAT(keys.status().message(), Not(HasSubstr(seed.substr(1, 20)))) << c.text;
  }
}

TEST(KeysTest, ParsePublicKeysAcceptsFormattedKeysAndRefusesBadPoints) {
  PublicKey a = PublicKeyOf(TestKey("a", 1));
  PublicKey b = PublicKeyOf(TestKey("b", 2));
  absl::StatusOr<std::vector<PublicKey>> keys =
      ParsePublicKeys(absl::StrCat(FormatPublicKey(a), ",", FormatPublicKey(b)));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(*keys, (std::vector<PublicKey>{a, b}));

  // All zeros is a small-order point: no signature should ever be checked against it.
  std::string zeros = Base64UrlEncode(std::string(32, '\0'));
  EXPECT_EQ(ParsePublicKeys(absl::StrCat("z:", zeros)).status().message(),
            "public key \"z\": not a valid Ed25519 public key");
  EXPECT_EQ(ParsePublicKeys("a:abc").status().message(),
            "public key 1: key must be 32 bytes of base64url");
  EXPECT_EQ(ParsePublicKeys("").status().message(), "no public keys given");
}

TEST(KeysTest, JwkRoundTrip) {
  PublicKey key{.kid = "rfc"};
  ASSERT_TRUE(Base64UrlDecodeExact(kRfcPublic, key.key));
  nlohmann::json jwk = ToJwk(key);
  EXPECT_EQ(
      jwk, nlohmann::json::parse(R"({"kty":"OKP","crv":"Ed25519","x":")" + std::string(kRfcPublic) +
                                 R"(","kid":"rfc","use":"sig","alg":"EdDSA"})"));
  absl::StatusOr<PublicKey> back = FromJwk(jwk);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, key);

  // The RFC's minimal form, without use/alg, is accepted too.
  absl::StatusOr<PublicKey> minimal =
      FromJwk({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kRfcPublic}, {"kid", "rfc"}});
  ASSERT_TRUE(minimal.ok()) << minimal.status();
  EXPECT_EQ(*minimal, key);
}

TEST(KeysTest, FromJwkNamesTheBadMember) {
  nlohmann::json good = ToJwk(PublicKeyOf(TestKey("k", 3)));
  auto with = [&](const char* name, nlohmann::json value) {
    nlohmann::json jwk = good;
    if (value.is_null()) {
      jwk.erase(name);
    } else {
      jwk[name] = value;
    }
    return std::string(FromJwk(jwk).status().message());
  };
  EXPECT_EQ(with("kty", "EC"), "jwk: \"kty\" must be \"OKP\"");
  EXPECT_EQ(with("crv", "X25519"), "jwk: \"crv\" must be \"Ed25519\"");
  EXPECT_EQ(with("alg", "HS256"), "jwk: \"alg\" must be \"EdDSA\"");
  EXPECT_EQ(with("use", "enc"), "jwk: \"use\" must be \"sig\"");
  EXPECT_EQ(with("x", nullptr), "jwk: \"x\" must be a string");
  EXPECT_EQ(with("x", 5), "jwk: \"x\" must be a string");
  EXPECT_EQ(with("x", "AAAA"), "jwk: \"x\" must be 32 bytes of base64url");
  EXPECT_EQ(with("kid", nullptr), "jwk: \"kid\" must be a string");
  EXPECT_EQ(with("kid", "a b"), "jwk: \"kid\" must be 1-64 of [A-Za-z0-9._-]");
  EXPECT_EQ(FromJwk(nlohmann::json::array()).status().message(), "jwk: must be a JSON object");
}

}  // namespace
}  // namespace chatter::jwt
