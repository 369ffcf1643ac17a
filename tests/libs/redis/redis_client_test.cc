// Integration tests of the Redis client against a real Redis: commands and error mapping,
// reconnects after the server dropped the connection, UNAVAILABLE (fast) when Redis is down,
// pipelines, and Lua scripts surviving a flushed script cache.
#include "libs/redis/redis_client.h"

#include <gtest/gtest.h>

#include "tests/libs/redis/redis_test_support.h"

namespace chatter::redis {
namespace {

using testing::KillClientsNamed;
using testing::TestEndpoint;
using testing::UniquePrefix;
using testing::UnreachableEndpoint;

ConnectionOptions Named(const std::string& name) {
  ConnectionOptions options;
  options.client_name = name;
  return options;
}

class RedisClientTest : public ::testing::Test {
 protected:
  std::string prefix_ = UniquePrefix();
  std::string name_ = absl::StrCat("client-test-", absl::ToUnixNanos(absl::Now()));
  Client client_{TestEndpoint(), Named(name_), 2};
  Client admin_{TestEndpoint(), ConnectionOptions{}, 1};
};

TEST_F(RedisClientTest, CommandsAnswerTypedReplies) {
  std::string key = prefix_ + "k";
  absl::StatusOr<Reply> set = client_.Command({"SET", key, std::string("a\0b", 3)});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->type, Reply::Type::kStatus);
  absl::StatusOr<Reply> got = client_.Command({"GET", key});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got->String(), std::string("a\0b", 3));  // Binary safe.
  EXPECT_TRUE(client_.Command({"GET", prefix_ + "missing"})->is_nil());
  EXPECT_EQ(*client_.Command({"INCRBY", prefix_ + "n", "41"})->Integer(), 41);
  EXPECT_EQ(client_.Command({"GET", key})->Integer().status().code(), absl::StatusCode::kInternal);
}

TEST_F(RedisClientTest, ErrorRepliesAreInternalAndKeepTheConnection) {
  std::string key = prefix_ + "list";
  ASSERT_TRUE(client_.Command({"RPUSH", key, "x"}).ok());
  absl::StatusOr<Reply> wrong = client_.Command({"INCR", key});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(wrong.status().message(), "WRONGTYPE"));
  EXPECT_TRUE(client_.Command({"PING"}).ok());
}

TEST(RedisErrorReplies, MapToCodes) {
  EXPECT_EQ(ErrorReplyStatus("EVALSHA", "NOSCRIPT No matching script").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReplyStatus("GET", "LOADING Redis is loading").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReplyStatus("SET", "READONLY You can't write").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReplyStatus("X", "ERR unknown command").code(), absl::StatusCode::kInternal);
}

TEST_F(RedisClientTest, ReconnectsAfterTheServerDroppedTheConnection) {
  ASSERT_TRUE(client_.Command({"PING"}).ok());
  ASSERT_GE(KillClientsNamed(admin_, name_), 1);
  // The dropped connection is noticed before use; the command runs on a fresh one.
  absl::StatusOr<Reply> after = client_.Command({"PING"});
  EXPECT_TRUE(after.ok()) << after.status();
}

TEST(RedisClientDown, UnavailableAtOnceWhileRedisIsDown) {
  Client down(UnreachableEndpoint(), ConnectionOptions{}, 1);
  absl::Time start = absl::Now();
  absl::StatusOr<Reply> reply = down.Command({"PING"});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(down.Eval(Script("return 1"), {}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(down.Pipeline({{"PING"}}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(RedisClientDown, WrongPasswordIsUnavailable) {
  RedisEndpoint endpoint = TestEndpoint();
  endpoint.password = "certainly-not-the-password";
  Client client(endpoint, ConnectionOptions{}, 1);
  EXPECT_EQ(client.Command({"PING"}).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(RedisClientTest, PipelineKeepsErrorRepliesInPlace) {
  std::string key = prefix_ + "p";
  absl::StatusOr<std::vector<Reply>> replies =
      client_.Pipeline({{"SET", key, "1"}, {"LPUSH", key, "x"}, {"INCR", key}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_FALSE((*replies)[0].is_error());
  EXPECT_TRUE((*replies)[1].is_error());
  EXPECT_EQ((*replies)[2].integer, 2);
}

TEST_F(RedisClientTest, ScriptsRunAndSurviveAFlushedScriptCache) {
  Script script("redis.call('INCRBY', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])");
  std::string key = prefix_ + "s";
  absl::StatusOr<Reply> first = client_.Eval(script, {.keys = {key}, .args = {"2"}});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->str, "2");
  ASSERT_TRUE(script.sha().has_value());
  ASSERT_TRUE(admin_.Command({"SCRIPT", "FLUSH"}).ok());  // As after a Redis restart.
  absl::StatusOr<Reply> second = client_.Eval(script, {.keys = {key}, .args = {"3"}});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->str, "5");

  ASSERT_TRUE(admin_.Command({"SCRIPT", "FLUSH"}).ok());
  auto many =
      client_.EvalMany(script, {{.keys = {key}, .args = {"1"}}, {.keys = {key}, .args = {"1"}}});
  ASSERT_TRUE(many.ok()) << many.status();
  ASSERT_EQ(many->size(), 2u);
  EXPECT_EQ((*many)[0]->str, "6");
  EXPECT_EQ((*many)[1]->str, "7");  // Each run exactly once, in order.
}

TEST_F(RedisClientTest, ScriptErrorsAreInternal) {
  Script failing("return redis.error_reply('ERR broken on purpose')");
  EXPECT_EQ(client_.Eval(failing, {}).status().code(), absl::StatusCode::kInternal);
  auto many = client_.EvalMany(failing, {{}, {}});
  ASSERT_TRUE(many.ok());
  EXPECT_EQ((*many)[1].status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace chatter::redis
