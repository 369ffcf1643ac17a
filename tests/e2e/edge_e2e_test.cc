// The edge of API.md (Conventions, CORS, Limits; issue 6 points 1, 2, 4, 5) against the real
// gateway and services: CORS preflights and headers, the WebSocket Origin check, body/header
// limits, header/body/idle timeouts, the connection cap, Expect: 100-continue, malformed input
// answered 400 without harm, X-Request-Id on every kind of response and in every service's
// log, and the per-route and per-RPC metrics. One stack with short timeouts and a small
// connection cap serves the whole suite, so the tests run one at a time and leave no
// connection open behind them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/harness/metrics_text.h"
#include "tests/e2e/harness/raw_connection.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"
#include "tests/e2e/harness/ws_client.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Lt;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kAllowedOrigin[] = "http://localhost:5173";
constexpr char kOtherOrigin[] = "http://evil.example";
constexpr absl::Duration kHeaderTimeout = absl::Milliseconds(600);
constexpr absl::Duration kBodyTimeout = absl::Milliseconds(1200);
constexpr absl::Duration kIdleTimeout = absl::Milliseconds(800);
constexpr int kMaxConnections = 4;
constexpr size_t kMaxBody = 64 * 1024;
// How much later than its timer the server may act on a loaded machine.
constexpr absl::Duration kSlack = absl::Seconds(2);
constexpr absl::Duration kWait = absl::Seconds(10);
constexpr char kUuidV7Pattern[] =
    "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

std::string Millis(absl::Duration duration) {
  return std::to_string(absl::ToInt64Milliseconds(duration));
}

json ParseJson(const std::string& text) {
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// API.md's error envelope with `code`, whose request_id is the response's X-Request-Id.
void ExpectEnvelope(const HttpReply& reply, const std::string& code) {
  EXPECT_THAT(reply.Header("Content-Type"), HasSubstr("application/json")) << reply.body;
  json body = ParseJson(reply.body);
  ASSERT_TRUE(body.is_object()) << reply.body;
  ASSERT_TRUE(body["error"].is_object()) << reply.body;
  EXPECT_EQ(body["error"].value("code", ""), code) << reply.body;
  EXPECT_FALSE(body["error"].value("message", "").empty()) << reply.body;
  EXPECT_TRUE(body["error"]["details"].is_array()) << reply.body;
  EXPECT_FALSE(reply.Header("X-Request-Id").empty()) << reply.body;
  EXPECT_EQ(body.value("request_id", ""), reply.Header("X-Request-Id")) << reply.body;
}

class EdgeE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    StartSharedStack(
        {.env = {{Component::kGateway,
                  {{"CHATTER_CORS_ORIGINS", "http://localhost:*"},
                   {"CHATTER_HTTP_HEADER_TIMEOUT_MS", Millis(kHeaderTimeout)},
                   {"CHATTER_HTTP_BODY_TIMEOUT_MS", Millis(kBodyTimeout)},
                   {"CHATTER_HTTP_IDLE_TIMEOUT_MS", Millis(kIdleTimeout)},
                   {"CHATTER_HTTP_MAX_CONNECTIONS", std::to_string(kMaxConnections)}}}}});
  }

  void SetUp() override {
    SharedStackTest::SetUp();
    if (HasFatalFailure()) return;  // No stack (the failure says why): nothing below can run.
    // Each test starts with no connection of an earlier one still open: the cap is small.
    ASSERT_TRUE(WaitForGatewayConnections(0)) << Metrics(Component::kGateway);
  }

  void TearDown() override {
    if (!stack_started()) return;
    EXPECT_TRUE(stack().process(Component::kGateway).Running())
        << stack().process(Component::kGateway).LogTail();
  }

  static std::string Metrics(Component component) {
    absl::StatusOr<HttpReply> reply = HttpGet(stack().admin_port(component), "/metrics");
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? reply->body : "";
  }

  // Polls the gateway's gauges until exactly `open` HTTP connections plus WebSocket sessions
  // are open.
  static bool WaitForGatewayConnections(int open) {
    absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      std::string text = Metrics(Component::kGateway);
      if (Sample(text, "http_open_connections").value_or(-1) +
              Sample(text, "ws_sessions").value_or(-1) ==
          open) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  // Polls `component`'s log for a JSON line matching `accept`.
  static std::optional<json> WaitForLogLine(Component component,
                                            const std::function<bool(const json&)>& accept) {
    absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      for (const json& line : stack().process(component).JsonLogLines()) {
        if (accept(line)) return line;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return std::nullopt;
  }

  // The "rpc" line a service logged for `method` (e.g. "/chatter.auth.v1.AuthService/SignUp")
  // with `request_id`.
  static std::optional<json> WaitForRpcLine(Component component, const std::string& method,
                                            const std::string& request_id) {
    return WaitForLogLine(component, [&](const json& line) {
      return line.value("message", "") == "rpc" && line.value("request_id", "") == request_id &&
             line["fields"].value("method", "") == method;
    });
  }

  // After something odd happened, the gateway still answers an ordinary request.
  static void ExpectStillServing() {
    absl::StatusOr<HttpReply> after = HttpGet(port(), "/healthz");
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_EQ(after->status, 200);
    EXPECT_TRUE(stack().process(Component::kGateway).Running());
  }
};

// =============================================================================================
// CORS (API.md's CORS section)

TEST_F(EdgeE2eTest, PreflightFromAnAllowedOriginAnswersExactlyTheDocumentedHeaders) {
  for (const char* path : {"/v1/rooms", "/v1/rooms/abc/messages", "/v1/no-such-route"}) {
    absl::StatusOr<HttpReply> reply =
        HttpRequest("OPTIONS", port(), path,
                    {{"Origin", kAllowedOrigin},
                     {"Access-Control-Request-Method", "POST"},
                     {"Access-Control-Request-Headers", "content-type, x-auth-token, x-request-id"},
                     {"X-Request-Id", "pre-1"}});
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 204) << path;
    EXPECT_EQ(reply->body, "") << path;
    EXPECT_EQ(reply->Header("Access-Control-Allow-Origin"), kAllowedOrigin) << path;
    EXPECT_EQ(reply->Header("Access-Control-Allow-Headers"),
              "Content-Type, Authorization, X-Auth-Token, X-Request-Id")
        << path;
    EXPECT_EQ(reply->Header("Access-Control-Allow-Methods"), "GET,POST,PUT,PATCH,DELETE,OPTIONS")
        << path;
    EXPECT_EQ(reply->Header("Access-Control-Max-Age"), "600") << path;
    EXPECT_THAT(reply->HeaderNamesStartingWith("Access-Control-"),
                ::testing::UnorderedElementsAre(
                    "access-control-allow-origin", "access-control-allow-headers",
                    "access-control-allow-methods", "access-control-max-age"))
        << path;
    EXPECT_THAT(reply->Header("Vary"), HasSubstr("Origin")) << path;
    EXPECT_EQ(reply->Header("X-Request-Id"), "pre-1") << path;
  }
}

TEST_F(EdgeE2eTest, PreflightFromARefusedOriginGetsNoAccessControlHeaders) {
  for (const char* origin : {kOtherOrigin, "http://localhost.evil.example:5173",
                             "https://localhost:5173", "http://localhost:5173x", "null"}) {
    absl::StatusOr<HttpReply> reply =
        HttpRequest("OPTIONS", port(), "/v1/rooms",
                    {{"Origin", origin}, {"Access-Control-Request-Method", "POST"}});
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 204) << origin;
    EXPECT_THAT(reply->HeaderNamesStartingWith("Access-Control-"), IsEmpty()) << origin;
    EXPECT_THAT(reply->Header("Vary"), HasSubstr("Origin")) << origin;
    EXPECT_THAT(reply->Header("X-Request-Id"), MatchesRegex(kUuidV7Pattern)) << origin;
  }
}

TEST_F(EdgeE2eTest, ActualResponsesCarryTheAllowedOriginAndExposeTheirHeaders) {
  // Successes and errors alike, so a browser page can read the error envelope.
  std::vector<std::pair<std::string, absl::StatusOr<HttpReply>>> replies;
  replies.emplace_back("200", HttpGet(port(), "/healthz", {{"Origin", kAllowedOrigin}}));
  replies.emplace_back("404", HttpGet(port(), "/v1/nope", {{"Origin", kAllowedOrigin}}));
  replies.emplace_back("401", HttpGet(port(), "/v1/me", {{"Origin", kAllowedOrigin}}));
  replies.emplace_back(
      "413", HttpRequest("POST", port(), "/v1/auth/login",
                         {{"Origin", kAllowedOrigin}, {"Content-Type", "application/json"}},
                         std::string(kMaxBody + 1, ' ')));
  for (const auto& [what, reply] : replies) {
    ASSERT_TRUE(reply.ok()) << what << ": " << reply.status();
    EXPECT_EQ(std::to_string(reply->status), what);
    EXPECT_EQ(reply->Header("Access-Control-Allow-Origin"), kAllowedOrigin) << what;
    EXPECT_THAT(reply->Header("Access-Control-Expose-Headers"), HasSubstr("X-Request-Id")) << what;
    EXPECT_THAT(reply->Header("Access-Control-Expose-Headers"), HasSubstr("Retry-After")) << what;
    EXPECT_THAT(reply->Header("Vary"), HasSubstr("Origin")) << what;
  }

  absl::StatusOr<HttpReply> other = HttpGet(port(), "/healthz", {{"Origin", kOtherOrigin}});
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->status, 200);
  EXPECT_THAT(other->HeaderNamesStartingWith("Access-Control-"), IsEmpty());
  EXPECT_THAT(other->Header("Vary"), HasSubstr("Origin"));
}

TEST_F(EdgeE2eTest, WebSocketUpgradeFromARefusedOriginIs403) {
  ApiUser user = SignUpUser(port(), "edgews");
  std::string target = "/ws?access_token=" + user.token;
  absl::StatusOr<std::unique_ptr<WsClient>> refused = WsClient::Connect(
      port(), target, {.headers = {{"Origin", kOtherOrigin}, {"X-Request-Id", "ws-origin-1"}}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("403"));
  EXPECT_THAT(refused.status().message(), HasSubstr("permission_denied"));
  EXPECT_THAT(refused.status().message(), HasSubstr("\"request_id\":\"ws-origin-1\""));

  for (const HttpHeaders& headers : {HttpHeaders{{"Origin", kAllowedOrigin}}, HttpHeaders{}}) {
    absl::StatusOr<std::unique_ptr<WsClient>> client =
        WsClient::Connect(port(), target, {.headers = headers});
    ASSERT_TRUE(client.ok()) << client.status();
    absl::StatusOr<json> ready = (*client)->NextEvent("ready", kWait);
    EXPECT_TRUE(ready.ok()) << ready.status();
    (*client)->Close();
  }
}

// =============================================================================================
// Limits

TEST_F(EdgeE2eTest, BodyOfTheLimitIsReadAndOneByteMoreIs413) {
  // A real route, so "accepted" means the JSON was read and judged: a password too long is 400.
  std::string head = R"({"username":"edge_limit","email":"limit@example.com","password":")";
  std::string exact = head + std::string(kMaxBody - head.size() - 2, 'p') + "\"}";
  ASSERT_EQ(exact.size(), kMaxBody);
  absl::StatusOr<HttpReply> at_limit =
      HttpRequest("POST", port(), "/v1/auth/signup", {{"Content-Type", "application/json"}}, exact);
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  EXPECT_EQ(at_limit->status, 400) << at_limit->body;
  EXPECT_THAT(at_limit->body, HasSubstr("password"));

  absl::StatusOr<HttpReply> over = HttpRequest(
      "POST", port(), "/v1/auth/signup",
      {{"Content-Type", "application/json"}, {"X-Request-Id", "too-big-1"}}, exact + " ");
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_EQ(over->status, 413);
  ExpectEnvelope(*over, "invalid_argument");
  // The header was read, so the client's request id is kept.
  EXPECT_EQ(over->Header("X-Request-Id"), "too-big-1");
  EXPECT_EQ(over->Header("Connection"), "close");
  ExpectStillServing();
}

TEST_F(EdgeE2eTest, ChunkedBodyBeyondTheLimitIs413) {
  absl::StatusOr<std::unique_ptr<RawConnection>> connection = RawConnection::Connect(port());
  ASSERT_TRUE(connection.ok()) << connection.status();
  std::string chunk(40 * 1024, 'x');
  std::string request = absl::StrCat(
      "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nX-Request-Id: chunked-1\r\n\r\n",
      absl::Hex(chunk.size()), "\r\n", chunk, "\r\n", absl::Hex(chunk.size()), "\r\n", chunk,
      "\r\n0\r\n\r\n");
  ASSERT_TRUE((*connection)->Send(request).ok());
  absl::StatusOr<HttpReply> reply = (*connection)->ReadResponse();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 413);
  ExpectEnvelope(*reply, "invalid_argument");
  EXPECT_EQ(reply->Header("X-Request-Id"), "chunked-1");
}

TEST_F(EdgeE2eTest, OversizedHeadersAre431) {
  absl::StatusOr<HttpReply> reply =
      HttpGet(port(), "/healthz", {{"X-Big", std::string(17 * 1024, 'h')}});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 431);
  ExpectEnvelope(*reply, "invalid_argument");
  ExpectStillServing();
}

TEST_F(EdgeE2eTest, ExpectContinueIsAnsweredBeforeTheBodyAnd413WithoutIt) {
  absl::StatusOr<std::unique_ptr<RawConnection>> connection = RawConnection::Connect(port());
  ASSERT_TRUE(connection.ok()) << connection.status();
  std::string body = R"({"email_or_username":"nobody_here","password":"wrong password"})";
  ASSERT_TRUE((*connection)
                  ->Send(absl::StrCat("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                                      "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                                      "Content-Length: ",
                                      body.size(), "\r\n\r\n"))
                  .ok());
  absl::StatusOr<HttpReply> interim = (*connection)->ReadResponse();
  ASSERT_TRUE(interim.ok()) << interim.status();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE((*connection)->Send(body).ok());
  absl::StatusOr<HttpReply> final_reply = (*connection)->ReadResponse();
  ASSERT_TRUE(final_reply.ok()) << final_reply.status();
  EXPECT_EQ(final_reply->status, 401) << final_reply->body;

  // A body announced beyond the limit is refused at once: no 100, no waiting for the body.
  absl::StatusOr<std::unique_ptr<RawConnection>> big = RawConnection::Connect(port());
  ASSERT_TRUE(big.ok()) << big.status();
  ASSERT_TRUE((*big)
                  ->Send(absl::StrCat("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                                      "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                                      "Content-Length: ",
                                      kMaxBody + 1, "\r\n\r\n"))
                  .ok());
  absl::StatusOr<HttpReply> refused = (*big)->ReadResponse();
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 413);
  ExpectEnvelope(*refused, "invalid_argument");

  // Any other expectation cannot be met.
  absl::StatusOr<HttpReply> unknown =
      HttpRequest("POST", port(), "/v1/auth/login",
                  {{"Content-Type", "application/json"}, {"Expect", "a-pony"}}, body);
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ(unknown->status, 417);
  ExpectEnvelope(*unknown, "failed_precondition");
}

// =============================================================================================
// Timeouts: every bound is checked from both sides (not before the timer, soon after it).

TEST_F(EdgeE2eTest, ASlowLorisHeaderIsCutOffAfterTheHeaderTimeout) {
  absl::StatusOr<std::unique_ptr<RawConnection>> connection = RawConnection::Connect(port());
  ASSERT_TRUE(connection.ok()) << connection.status();
  ASSERT_TRUE((*connection)->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n").ok());
  // Still sending, one byte every 50 ms: the header clock does not restart on each byte.
  RawConnection::Ending ending =
      (*connection)->ReadUntilClosed(kHeaderTimeout + kSlack, "X-Slow: " + std::string(500, 'a'));
  EXPECT_TRUE(ending.closed) << "still open after " << ending.elapsed;
  EXPECT_THAT(ending.elapsed,
              AllOf(Ge(kHeaderTimeout - absl::Milliseconds(100)), Lt(kHeaderTimeout + kSlack)));
  EXPECT_EQ(ending.received, "") << "no answer for a request that never arrived";
  EXPECT_TRUE(WaitForLogLine(Component::kGateway, [](const json& line) {
    return line.value("message", "") == "http request timed out; connection closed" &&
           line["fields"].value("phase", "") == "header";
  }));
  ExpectStillServing();
}

TEST_F(EdgeE2eTest, AStalledBodyIsCutOffAfterTheBodyTimeout) {
  absl::StatusOr<std::unique_ptr<RawConnection>> connection = RawConnection::Connect(port());
  ASSERT_TRUE(connection.ok()) << connection.status();
  ASSERT_TRUE((*connection)
                  ->Send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                         "Content-Type: application/json\r\nContent-Length: 1000\r\n"
                         "X-Request-Id: slow-body-1\r\n\r\n{\"email\":")
                  .ok());
  // Dripping the body: the body's own, longer timeout applies, not the header's.
  RawConnection::Ending ending =
      (*connection)->ReadUntilClosed(kBodyTimeout + kSlack, std::string(100, ' '));
  EXPECT_TRUE(ending.closed) << "still open after " << ending.elapsed;
  EXPECT_THAT(ending.elapsed,
              AllOf(Ge(kBodyTimeout - absl::Milliseconds(100)), Lt(kBodyTimeout + kSlack)));
  EXPECT_EQ(ending.received, "");
  std::optional<json> logged = WaitForLogLine(Component::kGateway, [](const json& line) {
    return line.value("message", "") == "http request timed out; connection closed" &&
           line.value("request_id", "") == "slow-body-1";
  });
  ASSERT_TRUE(logged.has_value());
  EXPECT_EQ((*logged)["fields"].value("phase", ""), "body");
  ExpectStillServing();
}

TEST_F(EdgeE2eTest, AnIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  absl::StatusOr<std::unique_ptr<RawConnection>> connection = RawConnection::Connect(port());
  ASSERT_TRUE(connection.ok()) << connection.status();
  // Two requests on one connection (the second pipelined behind the first).
  ASSERT_TRUE((*connection)
                  ->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n")
                  .ok());
  absl::StatusOr<HttpReply> first = (*connection)->ReadResponse();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200);
  absl::StatusOr<HttpReply> second = (*connection)->ReadResponse();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->Header("X-Request-Id"), "second");
  // Then nothing: closed after the idle timeout, which is longer than the header timeout (so
  // no header clock runs while a kept-alive connection waits).
  RawConnection::Ending ending = (*connection)->ReadUntilClosed(kIdleTimeout + kSlack);
  EXPECT_TRUE(ending.closed) << "still open after " << ending.elapsed;
  EXPECT_THAT(ending.elapsed,
              AllOf(Ge(kIdleTimeout - absl::Milliseconds(100)), Lt(kIdleTimeout + kSlack)));
  EXPECT_EQ(ending.received, "");
}

// =============================================================================================
// The connection cap

TEST_F(EdgeE2eTest, ConnectionsBeyondTheCapAre503UntilOneCloses) {
  ApiUser user = SignUpUser(port(), "edgecap");
  ASSERT_TRUE(WaitForGatewayConnections(0));
  // WebSocket sessions hold their connections without any HTTP timeout running.
  std::vector<std::unique_ptr<WsClient>> held;
  for (int i = 0; i < kMaxConnections; ++i) {
    absl::StatusOr<std::unique_ptr<WsClient>> client =
        WsClient::Connect(port(), "/ws?access_token=" + user.token);
    ASSERT_TRUE(client.ok()) << i << ": " << client.status();
    ASSERT_TRUE((*client)->NextEvent("ready", kWait).ok());
    held.push_back(*std::move(client));
  }
  ASSERT_TRUE(WaitForGatewayConnections(kMaxConnections));

  absl::StatusOr<HttpReply> refused =
      HttpGet(port(), "/healthz", {{"Origin", kAllowedOrigin}, {"X-Request-Id", "over-cap"}});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 503);
  ExpectEnvelope(*refused, "unavailable");
  EXPECT_EQ(refused->Header("Retry-After"), "1");
  EXPECT_EQ(refused->Header("Connection"), "close");
  // Refused before its request was read: a fresh id, not the client's.
  EXPECT_THAT(refused->Header("X-Request-Id"), MatchesRegex(kUuidV7Pattern));

  held.back()->Close();
  held.pop_back();
  absl::Time deadline = absl::Now() + kWait;
  int status = 0;
  while (status != 200 && absl::Now() < deadline) {
    absl::StatusOr<HttpReply> reply = HttpGet(port(), "/healthz");
    ASSERT_TRUE(reply.ok()) << reply.status();
    status = reply->status;
    EXPECT_THAT(status, ::testing::AnyOf(200, 503));
    if (status != 200) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(status, 200) << "a freed slot was not reused";
  for (auto& client : held) client->Close();
}

// =============================================================================================
// Malformed input: 400 in the envelope, and the gateway carries on.

TEST_F(EdgeE2eTest, MalformedHttpIs400AndTheGatewayKeepsServing) {
  for (std::string raw : {
           std::string("GARBAGE\r\n\r\n"),
           std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"),
           std::string("GET /healthz HTTPS/1.1\r\nHost: x\r\n\r\n"),
           std::string("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                       "Content-Length: 7\r\n\r\n12345"),
           std::string("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "\r\nZZ\r\nxx\r\n0\r\n\r\n"),
           // A token, so the request gets as far as reading its query.
           std::string("GET /v1/users?username=\xff\xfe HTTP/1.1\r\nHost: x\r\n"
                       "X-Auth-Token: t\r\n\r\n"),
       }) {
    absl::StatusOr<HttpReply> reply = HttpExchangeRaw(port(), raw);
    ASSERT_TRUE(reply.ok()) << absl::CHexEscape(raw) << ": " << reply.status();
    EXPECT_EQ(reply->status, 400) << absl::CHexEscape(raw) << " " << reply->body;
    ExpectEnvelope(*reply, "invalid_argument");
    ExpectStillServing();
  }
}

TEST_F(EdgeE2eTest, BadBodiesQueriesAndPathsAre400WithTheRequestId) {
  ApiUser user = SignUpUser(port(), "edgebad");
  HttpHeaders auth = user.auth();
  struct Case {
    std::string what;
    std::string method;
    std::string target;
    HttpHeaders headers;
    std::string body;
  };
  HttpHeaders json_type = {{"Content-Type", "application/json"}};
  std::vector<Case> cases = {
      {"bad JSON", "POST", "/v1/auth/login", json_type, R"({"email_or_username":)"},
      {"JSON not an object", "POST", "/v1/auth/login", json_type, R"(["a"])"},
      {"wrong field type", "POST", "/v1/auth/login", json_type,
       R"({"email_or_username":7,"password":"x"})"},
      {"wrong content type",
       "POST",
       "/v1/auth/login",
       {{"Content-Type", "text/plain"}},
       R"({"email_or_username":"a","password":"b"})"},
      {"form content type",
       "POST",
       "/v1/auth/login",
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       "email_or_username=a&password=b"},
      {"wrong charset",
       "POST",
       "/v1/auth/login",
       {{"Content-Type", "application/json; charset=latin1"}},
       R"({"email_or_username":"a","password":"b"})"},
      {"invalid UTF-8 in a JSON string", "POST", "/v1/auth/login", json_type,
       "{\"email_or_username\":\"a\xff\xfe\",\"password\":\"secret pass\"}"},
      {"invalid UTF-8 in a JSON key", "POST", "/v1/auth/login", json_type,
       "{\"\xc3\x28\":1,\"password\":\"secret pass\"}"},
      {"invalid UTF-8 in the query", "GET", "/v1/users?username=%FF%FE", auth, ""},
      {"invalid UTF-8 in a query name", "GET", "/v1/users?%C3%28=x", auth, ""},
      {"bad escape in the query", "GET", "/v1/users?username=%zz", auth, ""},
      {"invalid UTF-8 in a path parameter", "GET", "/v1/users/%FF%FE%FD", auth, ""},
      {"overlong UTF-8 in a path parameter", "GET", "/v1/rooms/%C0%AF/messages", auth, ""},
  };
  for (Case& c : cases) {
    std::string id = "bad-" + std::to_string(&c - cases.data());
    c.headers.emplace_back("X-Request-Id", id);
    absl::StatusOr<HttpReply> reply = HttpRequest(c.method, port(), c.target, c.headers, c.body);
    ASSERT_TRUE(reply.ok()) << c.what << ": " << reply.status();
    EXPECT_EQ(reply->status, 400) << c.what << ": " << reply->body;
    ExpectEnvelope(*reply, "invalid_argument");
    EXPECT_EQ(reply->Header("X-Request-Id"), id) << c.what;
    // The envelope itself is valid UTF-8 JSON even when the input was not.
    EXPECT_TRUE(ParseJson(reply->body).is_object()) << c.what;
  }
  ExpectStillServing();
}

// =============================================================================================
// Request ids (API.md Conventions)

TEST_F(EdgeE2eTest, EveryKindOfResponseCarriesTheRequestIdEchoedWhenSane) {
  ApiUser user = SignUpUser(port(), "edgeid");
  struct Case {
    std::string what;
    std::function<absl::StatusOr<HttpReply>(const std::string& id)> send;
    int status;
  };
  std::vector<Case> cases = {
      {"200",
       [](const std::string& id) {
         return HttpGet(port(), "/healthz", {{"X-Request-Id", id}});
       },
       200},
      {"201",
       [&](const std::string& id) {
         return HttpRequest("POST", port(), "/v1/rooms",
                            {{"Authorization", "Bearer " + user.token},
                             {"Content-Type", "application/json"},
                             {"X-Request-Id", id}},
                            R"({"name":"ids"})");
       },
       201},
      {"404",
       [](const std::string& id) {
         return HttpGet(port(), "/v1/nope", {{"X-Request-Id", id}});
       },
       404},
      {"405",
       [](const std::string& id) {
         return HttpRequest("DELETE", port(), "/v1/auth/login", {{"X-Request-Id", id}});
       },
       405},
      {"401",
       [](const std::string& id) {
         return HttpGet(port(), "/v1/me", {{"X-Request-Id", id}});
       },
       401},
      {"preflight",
       [](const std::string& id) {
         return HttpRequest("OPTIONS", port(), "/v1/rooms",
                            {{"Origin", kAllowedOrigin},
                             {"Access-Control-Request-Method", "GET"},
                             {"X-Request-Id", id}});
       },
       204},
      {"413",
       [](const std::string& id) {
         return HttpRequest("POST", port(), "/v1/auth/login",
                            {{"Content-Type", "application/json"}, {"X-Request-Id", id}},
                            std::string(kMaxBody + 1, ' '));
       },
       413},
      {"400 bad JSON",
       [](const std::string& id) {
         return HttpRequest("POST", port(), "/v1/auth/login",
                            {{"Content-Type", "application/json"}, {"X-Request-Id", id}}, "{");
       },
       400},
      {"426 plain GET /ws",
       [](const std::string& id) {
         return HttpGet(port(), "/ws", {{"X-Request-Id", id}});
       },
       426},
      {"401 WebSocket upgrade without a token",
       [](const std::string& id) {
         return HttpExchangeRaw(port(),
                                absl::StrCat("GET /ws HTTP/1.1\r\nHost: x\r\n"
                                             "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                             "Sec-WebSocket-Version: 13\r\n"
                                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                             "X-Request-Id: ",
                                             id, "\r\n\r\n"));
       },
       401},
  };
  for (const Case& c : cases) {
    absl::StatusOr<HttpReply> sane = c.send("client-trace.42:" + c.what.substr(0, 3));
    ASSERT_TRUE(sane.ok()) << c.what << ": " << sane.status();
    EXPECT_EQ(sane->status, c.status) << c.what << ": " << sane->body;
    EXPECT_EQ(sane->Header("X-Request-Id"), "client-trace.42:" + c.what.substr(0, 3)) << c.what;
    json body = ParseJson(sane->body);
    if (body.is_object() && body.contains("error")) {
      EXPECT_EQ(body.value("request_id", ""), sane->Header("X-Request-Id")) << c.what;
    }
    for (std::string insane : {std::string(129, 'x'), std::string("has space"),
                               std::string("semi;colon"), std::string("<script>")}) {
      absl::StatusOr<HttpReply> replaced = c.send(insane);
      ASSERT_TRUE(replaced.ok()) << c.what << ": " << replaced.status();
      EXPECT_THAT(replaced->Header("X-Request-Id"), MatchesRegex(kUuidV7Pattern))
          << c.what << " with " << insane;
    }
  }
  // Transport errors whose request could not be read get a fresh id.
  for (std::string raw : {std::string("GARBAGE\r\n\r\n"),
                          absl::StrCat("GET /healthz HTTP/1.1\r\nX-Request-Id: lost\r\nX-Big: ",
                                       std::string(17 * 1024, 'b'), "\r\n\r\n")}) {
    absl::StatusOr<HttpReply> reply = HttpExchangeRaw(port(), raw);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_THAT(reply->Header("X-Request-Id"), MatchesRegex(kUuidV7Pattern)) << reply->status;
  }
}

TEST_F(EdgeE2eTest, TheRequestIdReachesEveryServiceLogLineOfTheRequest) {
  ApiUser alice = SignUpUser(port(), "edgetrace");
  ApiUser bob = SignUpUser(port(), "edgetrace");
  // AddContact by email: gateway -> chat-svc -> auth-svc (LookupUser).
  std::string contact_id = "trace-contact-" + alice.id.substr(0, 8);
  absl::StatusOr<HttpReply> added = HttpRequest("POST", port(), "/v1/contacts",
                                                {{"Authorization", "Bearer " + alice.token},
                                                 {"Content-Type", "application/json"},
                                                 {"X-Request-Id", contact_id}},
                                                json({{"email", bob.email}}).dump());
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_EQ(added->status, 201) << added->body;
  EXPECT_TRUE(WaitForLogLine(Component::kGateway, [&](const json& line) {
    return line.value("message", "") == "http request" &&
           line.value("request_id", "") == contact_id;
  })) << stack().process(Component::kGateway).LogTail();
  EXPECT_TRUE(
      WaitForRpcLine(Component::kChat, "/chatter.chat.v1.ChatService/AddContact", contact_id))
      << stack().process(Component::kChat).LogTail();
  EXPECT_TRUE(
      WaitForRpcLine(Component::kAuth, "/chatter.auth.v1.AuthService/LookupUser", contact_id))
      << stack().process(Component::kAuth).LogTail();

  // A message: chat-svc logs it under the id. Its event goes to realtime-svc in a batch on one
  // long-lived stream, so realtime-svc has no line per request; the event itself carries the id
  // for realtime-svc's lines about it (realtime_grpc_service_integration_test).
  json room = CreateRoomAs(port(), alice, "trace");
  std::string message_id = "trace-message-" + alice.id.substr(0, 8);
  absl::StatusOr<HttpReply> sent =
      HttpRequest("POST", port(), absl::StrCat("/v1/rooms/", room.value("id", ""), "/messages"),
                  {{"Authorization", "Bearer " + alice.token},
                   {"Content-Type", "application/json"},
                   {"X-Request-Id", message_id}},
                  R"({"content":"hello"})");
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_EQ(sent->status, 201) << sent->body;
  EXPECT_TRUE(
      WaitForRpcLine(Component::kChat, "/chatter.chat.v1.ChatService/SendMessage", message_id))
      << stack().process(Component::kChat).LogTail();
}

// =============================================================================================
// Metrics (issue 6 point 5): per route, per RPC, WebSocket sessions and fan-out latency.

TEST_F(EdgeE2eTest, PerRouteAndPerRpcMetricsCountWhatWasServed) {
  std::map<std::string, std::string> healthz = {
      {"method", "GET"}, {"route", "/healthz"}, {"status", "200"}};
  double before = Sample(Metrics(Component::kGateway), "http_requests_total", healthz).value_or(0);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(HttpGet(port(), "/healthz").ok());
  ApiUser alice = SignUpUser(port(), "edgemetrics");
  ASSERT_FALSE(alice.token.empty());
  json room = CreateRoomAs(port(), alice, "metrics");
  std::string room_id = room.value("id", "");
  absl::StatusOr<std::unique_ptr<WsClient>> ws = WsClient::Connect(
      port(), absl::StrCat("/ws?access_token=", alice.token, "&room_id=", room_id));
  ASSERT_TRUE(ws.ok()) << ws.status();
  ASSERT_TRUE((*ws)->NextEvent("ready", kWait).ok());
  SendMessageAs(port(), alice, room_id, "counted");
  ASSERT_TRUE((*ws)->NextEvent("receive_message", kWait).ok());

  std::string gateway = Metrics(Component::kGateway);
  EXPECT_EQ(Sample(gateway, "http_requests_total", healthz).value_or(0) - before, 3) << gateway;
  EXPECT_THAT(Sample(gateway, "http_requests_total",
                     {{"method", "POST"}, {"route", "/v1/auth/signup"}, {"status", "201"}})
                  .value_or(0),
              Ge(1))
      << gateway;
  EXPECT_THAT(
      Sample(gateway, "http_requests_total",
             {{"method", "POST"}, {"route", "/v1/rooms/{room_id}/messages"}, {"status", "201"}})
          .value_or(0),
      Ge(1))
      << gateway;
  EXPECT_THAT(
      Sample(gateway, "http_request_duration_seconds_count", {{"route", "/healthz"}}).value_or(0),
      Ge(3))
      << gateway;
  EXPECT_TRUE(Sample(gateway, "http_request_duration_seconds_bucket",
                     {{"route", "/v1/rooms/{room_id}/messages"}, {"le", "+Inf"}})
                  .has_value())
      << gateway;
  EXPECT_EQ(Sample(gateway, "ws_sessions").value_or(-1), 1) << gateway;
  EXPECT_THAT(Sample(gateway, "ws_fanout_latency_seconds_count").value_or(0), Ge(1)) << gateway;

  struct Rpc {
    Component service;
    std::string method;
  };
  for (const Rpc& rpc : std::vector<Rpc>{
           {Component::kAuth, "/chatter.auth.v1.AuthService/SignUp"},
           {Component::kChat, "/chatter.chat.v1.ChatService/CreateRoom"},
           {Component::kChat, "/chatter.chat.v1.ChatService/SendMessage"},
       }) {
    std::string text = Metrics(rpc.service);
    EXPECT_THAT(Sample(text, "grpc_server_handled_total",
                       {{"grpc_method", rpc.method}, {"grpc_code", "ok"}})
                    .value_or(0),
                Ge(1))
        << rpc.method << "\n"
        << text;
    EXPECT_THAT(Sample(text, "grpc_server_handling_seconds_count", {{"grpc_method", rpc.method}})
                    .value_or(0),
                Ge(1))
        << rpc.method;
  }
  // The message's event went onto the bus in a batch from chat-svc; realtime-svc read it there
  // too, but the gateway took it from the bus itself, so realtime-svc forwarded nothing.
  EXPECT_THAT(Sample(Metrics(Component::kChat), "chat_events_batches_total").value_or(0), Ge(1));
  EXPECT_THAT(Sample(Metrics(Component::kRealtime), "realtime_bus_received_total").value_or(0),
              Ge(1));
  EXPECT_THAT(Sample(Metrics(Component::kGateway), "ws_bus_frames_passed_total").value_or(0),
              Ge(1));
  EXPECT_EQ(Sample(Metrics(Component::kRealtime), "realtime_events_delivered_total",
                   {{"kind", "room_event"}})
                .value_or(0),
            0);
  // Failures are counted by their code.
  ASSERT_EQ(CallApi(port(), "POST", "/v1/auth/login", HttpHeaders{},
                    {{"email_or_username", "nobody_at_all"}, {"password", "wrong password"}})
                .status,
            401);
  EXPECT_THAT(Sample(Metrics(Component::kAuth), "grpc_server_handled_total",
                     {{"grpc_method", "/chatter.auth.v1.AuthService/Login"},
                      {"grpc_code", "unauthenticated"}})
                  .value_or(0),
              Ge(1));
  (*ws)->Close();
}

}  // namespace
}  // namespace chatter::e2e
