// Cost of a rate-limit check at the gateway: the per-process buckets (every request pays this
// when Redis is not configured or fails) and the Redis path (one pipelined Lua run per check),
// which needs a Redis: pass its URL as the first argument, e.g.
//   build/tests/benchmarks/gateway/rate_limit_benchmark redis://:pw@127.0.0.1:6379
#include <benchmark/benchmark.h>

#include <atomic>
#include <future>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "gateway/edge/redis_token_buckets.h"
#include "gateway/edge/token_buckets.h"
#include "libs/redis/redis_url.h"

namespace chatter::gateway {
namespace {

std::string* redis_url = nullptr;

BucketSpec Roomy() { return {.per_second = 1e9, .burst = 1e9}; }

// One client address per iteration out of `range(0)` distinct ones, with its user.
void BM_LocalTake(benchmark::State& state) {
  ids::SystemClock clock;
  LocalTokenBuckets buckets(clock, 1'000'000);
  std::vector<std::vector<BucketRef>> checks;
  for (int i = 0; i < state.range(0); ++i) {
    checks.push_back({{.key = absl::StrCat("ip:10.0.", i / 256, ".", i % 256), .spec = Roomy()},
                      {.key = absl::StrCat("user:", i), .spec = Roomy()}});
  }
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(buckets.TakeNow(checks[next]));
    next = (next + 1) % checks.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LocalTake)->Arg(1)->Arg(10000)->Threads(1)->Threads(2);

// Checks in flight at once (`range(0)`), as many I/O threads would have; items = checks.
void BM_RedisTake(benchmark::State& state) {
  if (redis_url == nullptr) return state.SkipWithError("no Redis URL given");
  std::optional<redis::RedisEndpoint> endpoint = redis::ParseRedisUrl(*redis_url);
  if (!endpoint) return state.SkipWithError("bad Redis URL");
  ids::SystemClock clock;
  metrics::Registry registry;
  redis::Client client(*endpoint, {}, 1);
  LocalTokenBuckets local(clock, 100000);
  RedisTokenBuckets shared(client, local, registry, nullptr, {.key_prefix = "bench:"});
  shared.Start();
  const int in_flight = static_cast<int>(state.range(0));
  int64_t local_decisions = 0;
  for (auto _ : state) {
    std::atomic<int> left{in_flight};
    std::promise<void> all;
    for (int i = 0; i < in_flight; ++i) {
      shared.Take({{.key = absl::StrCat("ip:", i), .spec = Roomy()}}, [&](RateDecision decision) {
        if (decision.decided_locally) ++local_decisions;
        if (--left == 0) all.set_value();
      });
    }
    all.get_future().wait();
  }
  shared.Stop();
  if (local_decisions > 0) state.SkipWithError("Redis did not decide every check");
  state.SetItemsProcessed(state.iterations() * in_flight);
}
BENCHMARK(BM_RedisTake)->Arg(1)->Arg(16)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace chatter::gateway

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc > 1) chatter::gateway::redis_url = new std::string(argv[1]);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
