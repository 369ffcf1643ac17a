// Throughput of chatter_jwt: tokens signed and verified per second on one core, plus the cost
// of refusing forged and malformed tokens (what an attacker can make us spend).
#include <benchmark/benchmark.h>

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

struct Fixture {
  SigningKey key = TestKey("k1", 1);
  Signer signer{{key}};
  KeySet keys{{PublicKeyOf(key)}};
  FakeClock clock;
  Verifier verifier{keys, {.issuer = kIssuer, .audience = kAudience}, clock};
};

void BM_Sign(benchmark::State& state) {
  Fixture f;
  Claims claims = UserClaims();
  for (auto _ : state) benchmark::DoNotOptimize(f.signer.Sign(claims));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sign);

void BM_VerifyValid(benchmark::State& state) {
  Fixture f;
  std::string token = f.signer.Sign(UserClaims());
  for (auto _ : state) {
    absl::StatusOr<Claims> claims = f.verifier.Verify(token);
    if (!claims.ok()) state.SkipWithError("valid token refused");
    benchmark::DoNotOptimize(claims);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyValid);

// A well-formed token with a wrong signature: the most expensive refusal.
void BM_VerifyForged(benchmark::State& state) {
  Fixture f;
  std::string token = f.signer.Sign(UserClaims());
  token[token.size() - 10] = token[token.size() - 10] == 'A' ? 'B' : 'A';
  for (auto _ : state) benchmark::DoNotOptimize(f.verifier.Verify(token));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyForged);

void BM_VerifyMalformed(benchmark::State& state) {
  Fixture f;
  std::string token = "not-a-token";
  for (auto _ : state) benchmark::DoNotOptimize(f.verifier.Verify(token));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyMalformed);

}  // namespace
}  // namespace chatter::jwt

BENCHMARK_MAIN();
