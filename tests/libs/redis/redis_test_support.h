// Shared by the Redis integration tests (libs/redis and realtime-svc): the throwaway Redis of
// CHATTER_TEST_REDIS_URL, unique key prefixes so tests sharing it never see each other, and
// polling with a deadline instead of fixed sleeps.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/redis/redis_client.h"
#include "libs/redis/redis_url.h"

namespace chatter::redis::testing {

// The endpoint of CHATTER_TEST_REDIS_URL; fails the test when it is not set.
inline RedisEndpoint TestEndpoint() {
  const char* url = std::getenv("CHATTER_TEST_REDIS_URL");
  if (url == nullptr) {
    ADD_FAILURE() << "CHATTER_TEST_REDIS_URL must point at a throwaway Redis (tools/dev test "
                     "provides one)";
    return RedisEndpoint{};
  }
  std::optional<RedisEndpoint> endpoint = ParseRedisUrl(url);
  if (!endpoint) ADD_FAILURE() << "CHATTER_TEST_REDIS_URL is not a redis:// URL: " << url;
  return endpoint.value_or(RedisEndpoint{});
}

// "test:<random>:" — a key prefix (and channel prefix) no other test uses.
inline std::string UniquePrefix() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return absl::StrCat("test:", random(), "-", counter.fetch_add(1), ":");
}

// Nothing listens on port 1 of loopback: connecting is refused at once.
inline RedisEndpoint UnreachableEndpoint() {
  return RedisEndpoint{
      .host = "127.0.0.1", .port = 1, .username = "", .password = "", .database = 0};
}

// Polls `condition` until it holds or `timeout` passes.
inline bool Eventually(const std::function<bool()>& condition,
                       absl::Duration timeout = absl::Seconds(5)) {
  absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

// Kills the server side of every connection named `name` (CLIENT SETNAME), as a Redis restart
// or a network cut would; how many were killed.
inline int KillClientsNamed(Client& admin, const std::string& name) {
  absl::StatusOr<Reply> list = admin.Command({"CLIENT", "LIST"});
  if (!list.ok()) return 0;
  int killed = 0;
  for (absl::string_view line : absl::StrSplit(list->str, '\n')) {
    std::string id;
    bool match = false;
    for (absl::string_view field : absl::StrSplit(line, ' ')) {
      if (absl::ConsumePrefix(&field, "id=")) id = std::string(field);
      if (field == absl::StrCat("name=", name)) match = true;
    }
    if (match && admin.Command({"CLIENT", "KILL", "ID", id}).ok()) ++killed;
  }
  return killed;
}

}  // namespace chatter::redis::testing
