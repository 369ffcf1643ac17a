// Tests for redis:// parsing (unit) and PING against a real Redis (integration).
#include <gtest/gtest.h>

#include <cstdlib>

#include "libs/redis/redis_context.h"
#include "libs/redis/redis_ping.h"
#include "libs/redis/redis_url.h"

namespace chatter::redis {
namespace {

TEST(ParseReplies, ReadsRespAsHiredisDoes) {
  absl::StatusOr<std::vector<Reply>> replies =
      internal::ParseReplies("+OK\r\n:42\r\n*2\r\n$5\r\nhello\r\n$-1\r\n$10\r\npart");
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 3u);  // The partial bulk string at the end is not a reply yet.
  EXPECT_EQ(*(*replies)[0].String(), "OK");
  EXPECT_EQ(*(*replies)[1].Integer(), 42);
  ASSERT_EQ((*replies)[2].Array().size(), 2u);
  EXPECT_EQ(*(*replies)[2].Array()[0].String(), "hello");
  EXPECT_TRUE((*replies)[2].Array()[1].is_nil());
  EXPECT_EQ(internal::ParseReplies("?x\r\n").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseReplies, AnArrayAnnouncingMoreThanAMillionElementsIsRefusedBeforeAllocating) {
  // hiredis would calloc the element table (3.5 GB here) before a single element arrived.
  absl::StatusOr<std::vector<Reply>> huge = internal::ParseReplies("*444444441\r\n:1\r\n");
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kInvalidArgument) << huge.status();
  std::string big = "*1048576\r\n";
  for (int i = 0; i < 1048576; ++i) big += ":1\r\n";
  absl::StatusOr<std::vector<Reply>> allowed = internal::ParseReplies(big);
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ((*allowed)[0].Array().size(), 1048576u);
}

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
