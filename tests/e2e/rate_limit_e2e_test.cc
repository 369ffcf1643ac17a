// Rate limits of API.md's Limits section against the real binaries: per-IP and per-user token
// buckets shared through Redis by two gateways, the stricter login and sign-up buckets, 429 with
// Retry-After in the error envelope, WebSocket upgrades counted too, client addresses from a
// trusted proxy's X-Forwarded-For, and per-process fallback (limits stay on) when Redis is down.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/metrics_text.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

constexpr int kIpBurst = 12;
constexpr int kUserBurst = 4;
constexpr int kLoginBurst = 2;
constexpr int kSignupBurst = 3;

// Slow refills (one token a minute or slower) so nothing refills while a test runs.
ChildProcess::Env StrictLimits() {
  return {
      {"CHATTER_RATE_LIMIT_IP_PER_MINUTE", "1"},
      {"CHATTER_RATE_LIMIT_IP_BURST", absl::StrCat(kIpBurst)},
      {"CHATTER_RATE_LIMIT_USER_PER_MINUTE", "1"},
      {"CHATTER_RATE_LIMIT_USER_BURST", absl::StrCat(kUserBurst)},
      {"CHATTER_RATE_LIMIT_LOGIN_PER_MINUTE", "1"},
      {"CHATTER_RATE_LIMIT_LOGIN_BURST", absl::StrCat(kLoginBurst)},
      {"CHATTER_RATE_LIMIT_SIGNUP_PER_HOUR", "1"},
      {"CHATTER_RATE_LIMIT_SIGNUP_BURST", absl::StrCat(kSignupBurst)},
      // The tests pose as a load balancer on loopback, so each can be its own client address.
      {"CHATTER_TRUSTED_PROXIES", "127.0.0.1"},
  };
}

HttpHeaders From(const std::string& client_ip, HttpHeaders headers = {}) {
  headers.emplace_back("X-Forwarded-For", client_ip);
  return headers;
}

// The sum of `name`'s samples matching `labels` on an admin /metrics page; -1 when none.
double MetricValue(int admin_port, const std::string& name,
                   const std::map<std::string, std::string>& labels = {}) {
  absl::StatusOr<HttpReply> metrics = HttpGet(admin_port, "/metrics");
  if (!metrics.ok()) return -1;
  return Sample(metrics->body, name, labels).value_or(-1);
}

void ExpectRateLimited(const HttpReply& reply, absl::string_view limit) {
  EXPECT_EQ(reply.status, 429) << reply.body;
  int retry_after = 0;
  EXPECT_TRUE(absl::SimpleAtoi(reply.Header("Retry-After"), &retry_after))
      << "Retry-After: \"" << reply.Header("Retry-After") << "\"";
  EXPECT_GE(retry_after, 1);
  json body = json::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << reply.body;
  EXPECT_EQ(body["error"]["code"], "resource_exhausted");
  EXPECT_NE(body["error"]["message"].get<std::string>().find(absl::StrCat(limit, " limit")),
            std::string::npos)
      << body.dump();
  EXPECT_EQ(body["request_id"], reply.Header("X-Request-Id"));
  EXPECT_FALSE(reply.Header("X-Request-Id").empty());
}

class RateLimitE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    StackOptions options;
    options.gateway_instances = 2;
    options.env = {{Component::kGateway, StrictLimits()}};
    StartSharedStack(std::move(options));
  }

  static HttpReply Get(int gateway, absl::string_view target, const HttpHeaders& headers) {
    absl::StatusOr<HttpReply> reply = HttpGet(stack().gateway_port(gateway), target, headers);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.value_or(HttpReply{});
  }
  static HttpReply PostJson(int gateway, absl::string_view target, const json& body,
                            HttpHeaders headers) {
    headers.emplace_back("Content-Type", "application/json");
    absl::StatusOr<HttpReply> reply =
        HttpRequest("POST", stack().gateway_port(gateway), target, headers, body.dump());
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.value_or(HttpReply{});
  }
};

TEST_F(RateLimitE2eTest, OneIpBucketSpansBothGatewaysThen429WithRetryAfter) {
  const std::string ip = "198.51.100.1";
  for (int i = 0; i < kIpBurst; ++i) {
    // Unauthenticated: auth-svc answers 401, and the request still counts.
    HttpReply reply = Get(i % 2, "/v1/me", From(ip));
    EXPECT_EQ(reply.status, 401) << i << ": " << reply.body;
  }
  ExpectRateLimited(Get(0, "/v1/me", From(ip)), "ip");
  ExpectRateLimited(Get(1, "/v1/me", From(ip)), "ip");
  // Another client is not affected, and health checks are never limited.
  EXPECT_EQ(Get(0, "/v1/me", From("198.51.100.2")).status, 401);
  EXPECT_EQ(Get(0, "/healthz", From(ip)).status, 200);
  EXPECT_GE(MetricValue(stack().admin_port(Component::kGateway, 0), "rate_limit_rejections_total",
                        {{"limit", "ip"}}),
            1);
  EXPECT_EQ(MetricValue(stack().admin_port(Component::kGateway, 0), "rate_limit_redis_up"), 1);
}

TEST_F(RateLimitE2eTest, LoginHasItsOwnStricterBucket) {
  const std::string ip = "198.51.100.10";
  json wrong = {{"email", "nobody@example.com"}, {"password", "wrong password"}};
  for (int i = 0; i < kLoginBurst; ++i) {
    EXPECT_EQ(PostJson(i % 2, "/v1/auth/login", wrong, From(ip)).status, 401) << i;
  }
  ExpectRateLimited(PostJson(1, "/v1/auth/login", wrong, From(ip)), "login");
  // The refused login took nothing from the IP bucket: exactly the rest of it is left.
  for (int i = kLoginBurst; i < kIpBurst; ++i) {
    EXPECT_EQ(Get(i % 2, "/v1/me", From(ip)).status, 401) << i;
  }
  ExpectRateLimited(Get(0, "/v1/me", From(ip)), "ip");
}

TEST_F(RateLimitE2eTest, SignupHasItsOwnBucket) {
  const std::string ip = "198.51.100.20";
  auto signup = [&](int n, int gateway) {
    std::string name = absl::StrCat("rl_signup_", n, "_", absl::ToUnixMicros(absl::Now()));
    return PostJson(gateway, "/v1/auth/signup",
                    {{"username", name},
                     {"email", name + "@example.com"},
                     {"password", "correct horse battery"}},
                    From(ip));
  };
  for (int i = 0; i < kSignupBurst; ++i) EXPECT_EQ(signup(i, i % 2).status, 201) << i;
  ExpectRateLimited(signup(kSignupBurst, 0), "signup");
}

TEST_F(RateLimitE2eTest, TheUserBucketFollowsTheTokenAcrossAddresses) {
  ApiUser user = SignUpUser(stack().gateway_port(), "rl_user");
  ASSERT_FALSE(user.token.empty());
  // Every request from a new address: only the user's bucket can run out.
  for (int i = 0; i < kUserBurst; ++i) {
    HttpReply reply = Get(i % 2, "/v1/me", From(absl::StrCat("198.51.100.", 100 + i), user.auth()));
    EXPECT_EQ(reply.status, 200) << i << ": " << reply.body;
  }
  ExpectRateLimited(Get(0, "/v1/me", From("198.51.100.200", user.auth())), "user");
  // The access log names the user.
  std::ifstream log(stack().process(Component::kGateway, 0).log_path());
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find(absl::StrCat("\"user_id\":\"", user.id, "\"")), std::string::npos);
}

TEST_F(RateLimitE2eTest, WebSocketUpgradesCountAgainstTheIpBeforeTheToken) {
  const std::string ip = "198.51.100.30";
  ApiUser user = SignUpUser(stack().gateway_port(), "rl_ws");  // From 127.0.0.1, not `ip`.
  ASSERT_FALSE(user.token.empty());
  std::string upgrade =
      absl::StrCat("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n",
                   "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n",
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Forwarded-For: ", ip, "\r\n");
  // Upgrades without a token are refused (401) but still spend the address's tokens.
  for (int i = 0; i < kIpBurst; ++i) {
    absl::StatusOr<HttpReply> refused =
        HttpExchangeRaw(stack().gateway_port(i % 2), upgrade + "\r\n");
    ASSERT_TRUE(refused.ok()) << refused.status();
    EXPECT_EQ(refused->status, 401) << i;
  }
  // Now even a valid token is turned away, before it is looked at.
  absl::StatusOr<HttpReply> limited = HttpExchangeRaw(
      stack().gateway_port(1), absl::StrCat(upgrade, "X-Auth-Token: ", user.token, "\r\n\r\n"));
  ASSERT_TRUE(limited.ok()) << limited.status();
  ExpectRateLimited(*limited, "ip");
}

// A gateway whose Redis cannot be reached still limits, per process, and says so.
TEST(RateLimitWithoutRedisE2eTest, FallsBackToPerProcessBucketsAndSaysSo) {
  StackOptions options;
  ChildProcess::Env env = StrictLimits();
  env["CHATTER_REDIS_URL"] = "redis://127.0.0.1:1";  // Nothing listens there.
  // Its events come through realtime-svc: a gateway that reads them from an unreachable bus is
  // rightly never ready.
  env["CHATTER_GATEWAY_EVENTS_FROM_BUS"] = "false";
  options.env = {{Component::kGateway, env}};
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(std::move(options));
  ASSERT_TRUE(stack.ok()) << stack.status();
  int port = (*stack)->gateway_port();
  const std::string ip = "198.51.100.40";
  for (int i = 0; i < kIpBurst; ++i) {
    absl::StatusOr<HttpReply> reply = HttpGet(port, "/v1/me", From(ip));
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 401) << i;  // Served, not refused: Redis is not needed to serve.
  }
  absl::StatusOr<HttpReply> limited = HttpGet(port, "/v1/me", From(ip));
  ASSERT_TRUE(limited.ok()) << limited.status();
  ExpectRateLimited(*limited, "ip");  // Not open either.
  int admin = (*stack)->admin_port(Component::kGateway);
  EXPECT_EQ(MetricValue(admin, "rate_limit_redis_up"), 0);
  EXPECT_GE(
      MetricValue(admin, "rate_limit_local_fallback_total", {{"reason", "redis_unavailable"}}),
      kIpBurst + 1);
  std::ifstream log((*stack)->process(Component::kGateway).log_path());
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("rate limits fall back to per-process buckets"), std::string::npos);
  (*stack)->Stop();
}

}  // namespace
}  // namespace chatter::e2e
