// A cheap, deterministic fuzz of Verifier: tens of thousands of mutations of one valid token.
// Whatever the bytes, Verify must answer (no crash, no exception) and never accept a token
// that differs from the one auth-svc signed.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/verifier.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::jwt {
namespace {

using testing::FakeClock;
using testing::kAudience;
using testing::kIssuer;
using testing::TestKey;
using testing::UserClaims;

constexpr int kMutations = 20000;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/";

class Mutator {
 public:
  explicit Mutator(uint32_t seed) : rng_(seed) {}

  std::string Mutate(const std::string& token) {
    std::string out = token;
    int rounds = 1 + Below(3);
    for (int i = 0; i < rounds; ++i) MutateOnce(out);
    return out;
  }

 private:
  int Below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  char AnyChar() { return Below(2) ? kAlphabet[Below(sizeof(kAlphabet) - 1)] : char(Below(256)); }

  std::string RandomBytes(int max_length) {
    std::string bytes(Below(max_length + 1), '\0');
    for (char& c : bytes) c = char(Below(256));
    return bytes;
  }

  // Plausible JSON-ish text, so mutations also reach the JSON parser and the claim checks.
  std::string RandomJsonish() {
    static const char* kPieces[] = {"{",           "}",       "[",         "]",       ",",
                                    ":",           "\"alg\"", "\"EdDSA\"", "\"kid\"", "\"k1\"",
                                    "\"exp\"",     "1e999",   "-1",        "null",    "\"\\u0000\"",
                                    "\"\\ud800\"", "\xff",    "true",      "0.5"};
    std::string text;
    for (int i = Below(40); i > 0; --i) text += kPieces[Below(std::size(kPieces))];
    return text;
  }

  void MutateOnce(std::string& token) {
    if (token.empty()) {
      token.push_back(AnyChar());
      return;
    }
    size_t at = Below(token.size());
    switch (Below(8)) {
      case 0:  // flip one bit
        token[at] = char(token[at] ^ (1 << Below(8)));
        break;
      case 1:  // insert a byte
        token.insert(token.begin() + at, AnyChar());
        break;
      case 2:  // delete a run of bytes
        token.erase(at, 1 + Below(8));
        break;
      case 3:  // overwrite a byte
        token[at] = AnyChar();
        break;
      case 4:  // replace one segment with random bytes, encoded or not
      case 5: {
        std::vector<std::string> parts = absl::StrSplit(token, '.');
        size_t which = Below(parts.size());
        parts[which] = Below(2) ? Base64UrlEncode(Below(2) ? RandomJsonish() : RandomBytes(64))
                                : RandomBytes(16);
        token = absl::StrJoin(parts, ".");
        break;
      }
      case 6: {  // mutate the decoded JSON of a segment and re-encode it
        std::vector<std::string> parts = absl::StrSplit(token, '.');
        size_t which = Below(std::min<size_t>(parts.size(), 2));
        std::optional<std::string> decoded = Base64UrlDecode(parts[which]);
        if (!decoded || decoded->empty()) break;
        size_t pos = Below(decoded->size());
        (*decoded)[pos] = Below(2) ? AnyChar() : kAlphabet[Below(sizeof(kAlphabet) - 1)];
        parts[which] = Base64UrlEncode(*decoded);
        token = absl::StrJoin(parts, ".");
        break;
      }
      default:  // swap, drop or duplicate segments
        std::vector<std::string> parts = absl::StrSplit(token, '.');
        if (Below(2) && parts.size() > 1) {
          std::swap(parts[Below(parts.size())], parts[Below(parts.size())]);
        } else if (Below(2)) {
          parts.erase(parts.begin() + Below(parts.size()));
        } else {
          parts.insert(parts.begin() + Below(parts.size() + 1), parts[Below(parts.size())]);
        }
        token = absl::StrJoin(parts, ".");
        break;
    }
  }

  std::mt19937 rng_;
};

TEST(VerifierFuzzTest, NoMutationOfAValidTokenIsAccepted) {
  SigningKey key = TestKey("k1", 1);
  KeySet keys({PublicKeyOf(key), PublicKeyOf(TestKey("k2", 2))});
  FakeClock clock;
  Verifier verifier(keys, {.issuer = kIssuer, .audience = kAudience}, clock);
  std::string token = Signer({key}).Sign(UserClaims());
  ASSERT_TRUE(verifier.Verify(token).ok());

  Mutator mutator(/*seed=*/20261122);
  int tried = 0;
  std::map<std::string, int> reasons;
  for (int i = 0; i < kMutations; ++i) {
    std::string mutated = mutator.Mutate(token);
    if (mutated == token) continue;
    ++tried;
    absl::StatusOr<Claims> claims = verifier.Verify(mutated);
    ASSERT_FALSE(claims.ok()) << "accepted mutation #" << i << ": " << mutated;
    ASSERT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated) << claims.status();
    ++reasons[std::string(claims.status().message())];
  }
  EXPECT_GT(tried, kMutations * 9 / 10);
  // The mutations must reach every stage of verification, not just the first cheap checks.
  for (const char* reason :
       {"token malformed", "token encoding invalid", "token header invalid",
        "token algorithm not allowed", "token key unknown", "token signature invalid"}) {
    EXPECT_GT(reasons[reason], 50) << reason;
  }
}

// Deeply nested or huge-number JSON inside a correctly signed token must not crash either.
TEST(VerifierFuzzTest, HostileJsonInsideASignedTokenIsRefused) {
  SigningKey key = TestKey("k1", 1);
  KeySet keys({PublicKeyOf(key)});
  FakeClock clock;
  Verifier verifier(keys, {.issuer = kIssuer, .audience = kAudience}, clock);
  std::string header = testing::EdDsaHeader("k1").dump();
  for (std::string payload :
       {std::string(2500, '[') + std::string(2500, ']'), std::string(3000, '['),
        std::string(R"({"exp":1e999999})"), std::string(R"({"exp":-1e400,"iat":1})"),
        std::string("{\"sub\":\"\xff\xfe\"}"), std::string(R"({"a":"\ud800"})")}) {
    absl::StatusOr<Claims> claims = verifier.Verify(testing::SignRaw(header, payload, key));
    EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated) << payload.substr(0, 40);
  }
}

}  // namespace
}  // namespace chatter::jwt
