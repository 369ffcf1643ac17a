// Logins per second at the configured argon2id cost (CHATTER_ARGON2_OPS_LIMIT /
// CHATTER_ARGON2_MEM_KIB, defaults 2 passes / 64 MiB), through auth-svc's domain service with
// in-memory storage, so the figure is the password work plus token signing, not the database.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <limits>

#include "services/auth/domain/auth_service.h"
#include "tests/fakes/auth/in_memory_repositories.h"

namespace chatter::auth {
namespace {

password::Argon2Params ConfiguredParams() {
  // The service's defaults unless the environment says otherwise, as in production.
  password::Argon2Params params{.ops_limit = 2, .mem_limit_bytes = 64 * 1024 * 1024};
  if (const char* ops = std::getenv("CHATTER_ARGON2_OPS_LIMIT")) params.ops_limit = std::atoi(ops);
  if (const char* kib = std::getenv("CHATTER_ARGON2_MEM_KIB")) {
    params.mem_limit_bytes = static_cast<size_t>(std::atoll(kib)) * 1024;
  }
  return params;
}

// The defaults, but the unknown-user loop measures hashing, not the per-account refusal.
AuthPolicy UnthrottledPolicy() {
  AuthPolicy policy;
  policy.max_login_failures = std::numeric_limits<int>::max();
  return policy;
}

struct Fixture {
  Fixture()
      : hasher(ConfiguredParams()),
        signer({jwt::GenerateSigningKey("bench")}),
        uuids(clock, random),
        service(UnthrottledPolicy(), users, sessions, login_failures, hasher, signer, uuids, random,
                clock) {
    if (!service.SignUp("bench_user", "bench@example.com", "correct horse battery", {}).ok()) {
      std::abort();
    }
  }
  ids::SystemClock clock;
  ids::SodiumRandomSource random;
  InMemorySessionRepository sessions;
  InMemoryUserRepository users{sessions};
  InMemoryLoginFailureRepository login_failures;
  password::PasswordHasher hasher;
  jwt::Signer signer;
  ids::UuidGenerator uuids;
  AuthService service;
};

void BM_LoginSuccess(benchmark::State& state) {
  static Fixture* fixture = new Fixture();
  for (auto _ : state) {
    auto tokens = fixture->service.Login(LoginIdentifier::kUsername, "bench_user",
                                         "correct horse battery", {});
    benchmark::DoNotOptimize(tokens);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoginSuccess)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LoginSuccess)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(2);

void BM_LoginUnknownUser(benchmark::State& state) {
  static Fixture* fixture = new Fixture();
  for (auto _ : state) {
    auto tokens =
        fixture->service.Login(LoginIdentifier::kUsername, "nobody", "correct horse battery", {});
    benchmark::DoNotOptimize(tokens);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoginUnknownUser)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace chatter::auth

BENCHMARK_MAIN();
