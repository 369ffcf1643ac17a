// Tests for redis:// parsing (unit) and PING against a real Redis (integration).
#include <gtest/gtest.h>

#include <cstdlib>

#include "libs/redis/redis_ping.h"
#include "libs/redis/redis_url.h"

namespace chatter::redis {
namespace {

TEST(ParseRedisUrl, HostPortAndDefaults) {
  auto endpoint = ParseRedisUrl("redis://127.0.0.1:6390");
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 6390);
  EXPECT_EQ(endpoint->database, 0);
  EXPECT_EQ(endpoint->password, "");
  EXPECT_EQ(ParseRedisUrl("redis://cache")->port, 6379);
}

TEST(ParseRedisUrl, CredentialsDatabaseAndIpv6) {
  auto endpoint = ParseRedisUrl("redis://app:s3cret@[::1]:7000/2");
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->username, "app");
  EXPECT_EQ(endpoint->password, "s3cret");
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->port, 7000);
  EXPECT_EQ(endpoint->database, 2);
  EXPECT_EQ(ParseRedisUrl("redis://:pw@h:1")->password, "pw");
}

TEST(ParseRedisUrl, RejectsMalformed) {
  EXPECT_FALSE(ParseRedisUrl("http://h:1").has_value());
  EXPECT_FALSE(ParseRedisUrl("redis://h:notaport").has_value());
  EXPECT_FALSE(ParseRedisUrl("redis://h:70000").has_value());
  EXPECT_FALSE(ParseRedisUrl("redis://").has_value());
  EXPECT_FALSE(ParseRedisUrl("redis://h:1/x").has_value());
}

TEST(RedisPingIntegration, AnswersAgainstRealRedis) {
  const char* url = std::getenv("CHATTER_TEST_REDIS_URL");
  ASSERT_NE(url, nullptr) << "CHATTER_TEST_REDIS_URL must point at a throwaway Redis "
                             "(tools/dev test provides one)";
  auto endpoint = ParseRedisUrl(url);
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_TRUE(Ping(*endpoint, absl::Seconds(2)).ok());
}

TEST(RedisPingIntegration, UnreachableIsUnavailableNotAHang) {
  // Port 1 on loopback refuses connections.
  absl::Status status = Ping(
      RedisEndpoint{.host = "127.0.0.1", .port = 1, .username = "", .password = "", .database = 0},
      absl::Seconds(1));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace chatter::redis
