// End-to-end checks of the stack's health surface, run against the real binaries: liveness and
// readiness through the gateway (also while PostgreSQL, Redis or a backend is gone), start-up
// with bad settings, clean shutdown, `migrate`, gRPC health/reflection and the edge basics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/grpc_probe.h"
#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/shared_stack_test.h"
#include "tests/e2e/harness/stack.h"
#include "tests/e2e/harness/temp_dir.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::e2e {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::UnorderedElementsAre;

// Detection and recovery must both fit in this (the services probe their dependencies every
// second; the gateway asks the services on each /readyz).
constexpr absl::Duration kReadinessBound = absl::Seconds(10);
constexpr char kUuidV7Pattern[] =
    "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

nlohmann::json ParseJson(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// The body is API.md's error envelope with `code`, no details, and the response's request id.
void ExpectErrorEnvelope(const HttpReply& reply, const std::string& code) {
  EXPECT_THAT(reply.Header("Content-Type"), HasSubstr("application/json"));
  nlohmann::json body = ParseJson(reply.body);
  ASSERT_TRUE(body.is_object()) << reply.body;
  std::set<std::string> keys;
  for (const auto& item : body.items()) keys.insert(item.key());
  EXPECT_THAT(keys, UnorderedElementsAre("error", "request_id")) << reply.body;
  ASSERT_TRUE(body["error"].is_object()) << reply.body;
  std::set<std::string> error_keys;
  for (const auto& item : body["error"].items()) error_keys.insert(item.key());
  EXPECT_THAT(error_keys, UnorderedElementsAre("code", "message", "details")) << reply.body;
  EXPECT_EQ(body["error"].value("code", ""), code) << reply.body;
  EXPECT_FALSE(body["error"].value("message", "").empty()) << reply.body;
  EXPECT_EQ(body["error"]["details"], nlohmann::json::array()) << reply.body;
  EXPECT_FALSE(reply.Header("X-Request-Id").empty());
  EXPECT_EQ(body.value("request_id", ""), reply.Header("X-Request-Id")) << reply.body;
}

// =============================================================================================
// Read-only checks share one stack, started once for the suite.

class StackHealthE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    StartSharedStack(
        {.env = {{Component::kGateway, {{"CHATTER_CORS_ORIGINS", "http://localhost:*"}}}}});
  }
};

TEST_F(StackHealthE2eTest, HealthzAnswersOk) {
  absl::StatusOr<HttpReply> reply = HttpGet(port(), "/healthz");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "ok");
}

TEST_F(StackHealthE2eTest, ReadyzReportsEveryBackendServing) {
  absl::StatusOr<HttpReply> reply = HttpGet(port(), "/readyz");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200) << reply->body;
  EXPECT_THAT(reply->Header("Content-Type"), HasSubstr("application/json"));
  nlohmann::json body = ParseJson(reply->body);
  ASSERT_TRUE(body.is_object()) << reply->body;
  EXPECT_EQ(body.value("status", ""), "ready") << reply->body;
  EXPECT_FALSE(body.contains("failing")) << reply->body;
  nlohmann::json serving = {{"status", "serving"}};
  EXPECT_EQ(
      body["backends"],
      nlohmann::json({{"auth-svc", serving}, {"chat-svc", serving}, {"realtime-svc", serving}}))
      << reply->body;
}

TEST_F(StackHealthE2eTest, EveryResponseCarriesARequestId) {
  for (const char* target : {"/healthz", "/readyz", "/v1/no-such-route"}) {
    absl::StatusOr<HttpReply> reply = HttpGet(port(), target);
    ASSERT_TRUE(reply.ok()) << target << ": " << reply.status();
    EXPECT_THAT(reply->Header("X-Request-Id"), MatchesRegex(kUuidV7Pattern)) << target;
  }
}

TEST_F(StackHealthE2eTest, SaneRequestIdIsEchoed) {
  for (std::string sane : {std::string("trace-42_a.b:c"), std::string(128, 'x')}) {
    absl::StatusOr<HttpReply> reply = HttpGet(port(), "/healthz", {{"X-Request-Id", sane}});
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->Header("X-Request-Id"), sane);
  }
}

TEST_F(StackHealthE2eTest, InsaneRequestIdIsReplaced) {
  for (std::string insane :
       {std::string("has spaces in it"), std::string(129, 'x'), std::string(200, 'a'),
        std::string("semi;colon"), std::string("<script>")}) {
    absl::StatusOr<HttpReply> reply = HttpGet(port(), "/healthz", {{"X-Request-Id", insane}});
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_THAT(reply->Header("X-Request-Id"), MatchesRegex(kUuidV7Pattern)) << insane;
  }
}

TEST_F(StackHealthE2eTest, UnknownRouteIsNotFoundInTheErrorEnvelope) {
  absl::StatusOr<HttpReply> reply =
      HttpGet(port(), "/v1/no-such-route", {{"X-Request-Id", "req-404"}});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 404);
  ExpectErrorEnvelope(*reply, "not_found");
  EXPECT_EQ(reply->Header("X-Request-Id"), "req-404");
  EXPECT_THAT(ParseJson(reply->body)["error"].value("message", ""),
              HasSubstr("GET /v1/no-such-route"));
}

TEST_F(StackHealthE2eTest, BodyOverTheLimitIs413InTheErrorEnvelope) {
  constexpr size_t kLimit = 64 * 1024;
  absl::StatusOr<HttpReply> too_big =
      HttpRequest("POST", port(), "/v1/no-such-route", {{"Content-Type", "application/json"}},
                  std::string(kLimit + 1, 'x'));
  ASSERT_TRUE(too_big.ok()) << too_big.status();
  EXPECT_EQ(too_big->status, 413);
  ExpectErrorEnvelope(*too_big, "invalid_argument");

  // Exactly at the limit the body is accepted and routing answers.
  absl::StatusOr<HttpReply> at_limit =
      HttpRequest("POST", port(), "/v1/no-such-route", {{"Content-Type", "application/json"}},
                  std::string(kLimit, 'x'));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  EXPECT_EQ(at_limit->status, 404);
}

TEST_F(StackHealthE2eTest, MalformedHttpIs400AndTheGatewayKeepsServing) {
  absl::StatusOr<HttpReply> reply = HttpExchangeRaw(port(), "GARBAGE\r\n\r\n");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 400);
  ExpectErrorEnvelope(*reply, "invalid_argument");
  EXPECT_EQ(reply->Header("Connection"), "close");

  absl::StatusOr<HttpReply> after = HttpGet(port(), "/healthz");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->status, 200);
  EXPECT_TRUE(stack().process(Component::kGateway).Running());
}

TEST_F(StackHealthE2eTest, CorsPreflightFromAnAllowedOriginAnswersTheDocumentedHeaders) {
  absl::StatusOr<HttpReply> reply =
      HttpRequest("OPTIONS", port(), "/v1/rooms",
                  {{"Origin", "http://localhost:5173"},
                   {"Access-Control-Request-Method", "POST"},
                   {"Access-Control-Request-Headers", "content-type, authorization"}});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 204);
  EXPECT_EQ(reply->body, "");
  EXPECT_EQ(reply->Header("Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_EQ(reply->Header("Access-Control-Allow-Headers"),
            "Content-Type, Authorization, X-Auth-Token, X-Request-Id");
  EXPECT_EQ(reply->Header("Access-Control-Allow-Methods"), "GET,POST,PUT,PATCH,DELETE,OPTIONS");
  EXPECT_EQ(reply->Header("Access-Control-Max-Age"), "600");
  EXPECT_THAT(reply->HeaderNamesStartingWith("Access-Control-Allow-"),
              UnorderedElementsAre("access-control-allow-origin", "access-control-allow-headers",
                                   "access-control-allow-methods"));
  EXPECT_THAT(reply->Header("Vary"), HasSubstr("Origin"));
  EXPECT_FALSE(reply->Header("X-Request-Id").empty());
}

TEST_F(StackHealthE2eTest, CorsHeadersOnAnOrdinaryRequestFollowTheOrigin) {
  absl::StatusOr<HttpReply> allowed =
      HttpGet(port(), "/healthz", {{"Origin", "http://localhost:5173"}});
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(allowed->Header("Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_THAT(allowed->Header("Access-Control-Expose-Headers"), HasSubstr("X-Request-Id"));

  absl::StatusOr<HttpReply> other =
      HttpGet(port(), "/healthz", {{"Origin", "http://evil.example"}});
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->status, 200);
  EXPECT_THAT(other->HeaderNamesStartingWith("Access-Control-"), IsEmpty());
}

TEST_F(StackHealthE2eTest, GrpcHealthIsServingOnEveryService) {
  for (Component service : kServices) {
    absl::StatusOr<HealthCheckResponse::ServingStatus> whole =
        CheckHealth(stack().grpc_address(service), "");
    ASSERT_TRUE(whole.ok()) << ComponentName(service) << ": " << whole.status();
    EXPECT_EQ(*whole, HealthCheckResponse::SERVING) << ComponentName(service);
  }
  // Each service also reports the dependency it uses, and only that one.
  struct Dependency {
    Component service;
    std::string name;
    absl::StatusCode code;
  };
  for (const Dependency& dependency : std::vector<Dependency>{
           {Component::kAuth, "postgres", absl::StatusCode::kOk},
           {Component::kChat, "postgres", absl::StatusCode::kOk},
           {Component::kRealtime, "redis", absl::StatusCode::kOk},
           {Component::kAuth, "redis", absl::StatusCode::kNotFound},
           {Component::kRealtime, "postgres", absl::StatusCode::kNotFound},
       }) {
    absl::StatusOr<HealthCheckResponse::ServingStatus> status =
        CheckHealth(stack().grpc_address(dependency.service), dependency.name);
    std::string what = absl::StrCat(ComponentName(dependency.service), " ", dependency.name);
    ASSERT_EQ(status.status().code(), dependency.code) << what << ": " << status.status();
    if (status.ok()) {
      EXPECT_EQ(*status, HealthCheckResponse::SERVING) << what;
    }
  }
}

TEST_F(StackHealthE2eTest, GrpcReflectionListsTheStandardServices) {
  for (Component service : kServices) {
    absl::StatusOr<std::vector<std::string>> services =
        ListServicesByReflection(stack().grpc_address(service));
    ASSERT_TRUE(services.ok()) << ComponentName(service) << ": " << services.status();
    EXPECT_THAT(*services, ::testing::IsSupersetOf({"grpc.health.v1.Health",
                                                    "grpc.reflection.v1alpha.ServerReflection"}))
        << ComponentName(service);
  }
}

TEST_F(StackHealthE2eTest, AdminEndpointsAnswerOnEveryProcess) {
  for (Component component : kComponents) {
    absl::StatusOr<HttpReply> health = HttpGet(stack().admin_port(component), "/healthz");
    ASSERT_TRUE(health.ok()) << ComponentName(component) << ": " << health.status();
    EXPECT_EQ(health->status, 200) << ComponentName(component);
    EXPECT_EQ(health->body, "ok") << ComponentName(component);
    absl::StatusOr<HttpReply> ready = HttpGet(stack().admin_port(component), "/readyz");
    ASSERT_TRUE(ready.ok()) << ComponentName(component) << ": " << ready.status();
    EXPECT_EQ(ready->status, 200) << ComponentName(component) << ": " << ready->body;
  }
}

// =============================================================================================
// Failures: each test owns its stack.

// True when `reply` is a 503 whose entry for `backend` has status `problem` and lists exactly
// `failing_dependencies` (no "failing" key when that is empty).
bool ReadyzBlames(const HttpReply& reply, const std::string& backend, const std::string& problem,
                  const std::vector<std::string>& failing_dependencies) {
  if (reply.status != 503) return false;
  nlohmann::json body = ParseJson(reply.body);
  if (!body.is_object() || !body["backends"].is_object()) return false;
  nlohmann::json entry = body["backends"].value(backend, nlohmann::json());
  if (entry.value("status", "") != problem) return false;
  if (failing_dependencies.empty()) return !entry.contains("failing");
  return entry.value("failing", nlohmann::json()) == nlohmann::json(failing_dependencies);
}

// Asserts the whole 503 body: `blamed` backends with their problems, the others serving.
void ExpectUnavailableBody(const HttpReply& reply,
                           const std::map<std::string, nlohmann::json>& blamed,
                           const std::vector<std::string>& failing) {
  EXPECT_EQ(reply.status, 503);
  nlohmann::json body = ParseJson(reply.body);
  ASSERT_TRUE(body.is_object()) << reply.body;
  EXPECT_EQ(body.value("status", ""), "unavailable") << reply.body;
  EXPECT_EQ(body["failing"], nlohmann::json(failing)) << reply.body;
  for (Component service : kServices) {
    std::string name = ComponentName(service);
    auto it = blamed.find(name);
    nlohmann::json expected =
        it != blamed.end() ? it->second : nlohmann::json{{"status", "serving"}};
    EXPECT_EQ(body["backends"][name], expected) << name << " in " << reply.body;
  }
}

std::map<Component, pid_t> Pids(Stack& stack) {
  std::map<Component, pid_t> pids;
  for (Component component : kComponents) pids[component] = stack.process(component).pid();
  return pids;
}

void ExpectSameProcessesRunning(Stack& stack, const std::map<Component, pid_t>& before) {
  for (Component component : kComponents) {
    EXPECT_EQ(stack.process(component).pid(), before.at(component)) << ComponentName(component);
    EXPECT_TRUE(stack.process(component).Running()) << ComponentName(component) << " exited\n"
                                                    << stack.process(component).LogTail();
  }
}

TEST(StackFailureE2eTest, PostgresLossMakesReadyz503NamingPostgresAndRecovers) {
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start({.proxy_postgres = true});
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;
  std::map<Component, pid_t> pids = Pids(stack);

  stack.postgres_proxy()->Cut();
  absl::StatusOr<HttpReply> down = stack.WaitForReadyz(
      [](const HttpReply& reply) {
        return ReadyzBlames(reply, "auth-svc", "not serving", {"postgres"}) &&
               ReadyzBlames(reply, "chat-svc", "not serving", {"postgres"});
      },
      kReadinessBound);
  ASSERT_TRUE(down.ok()) << down.status();
  nlohmann::json postgres_down = {{"status", "not serving"}, {"failing", {"postgres"}}};
  ExpectUnavailableBody(*down, {{"auth-svc", postgres_down}, {"chat-svc", postgres_down}},
                        {"auth-svc: postgres unavailable", "chat-svc: postgres unavailable"});

  stack.postgres_proxy()->Restore();
  absl::StatusOr<HttpReply> up = stack.WaitForReadyz(
      [](const HttpReply& reply) { return reply.status == 200; }, kReadinessBound);
  ASSERT_TRUE(up.ok()) << up.status();
  ExpectSameProcessesRunning(stack, pids);
  stack.Stop();
}

TEST(StackFailureE2eTest, RedisLossMakesReadyz503NamingRedisAndRecovers) {
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start({.proxy_redis = true});
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;
  std::map<Component, pid_t> pids = Pids(stack);

  stack.redis_proxy()->Cut();
  absl::StatusOr<HttpReply> down = stack.WaitForReadyz(
      [](const HttpReply& reply) {
        return ReadyzBlames(reply, "realtime-svc", "not serving", {"redis"});
      },
      kReadinessBound);
  ASSERT_TRUE(down.ok()) << down.status();
  ExpectUnavailableBody(*down,
                        {{"realtime-svc", {{"status", "not serving"}, {"failing", {"redis"}}}}},
                        {"realtime-svc: redis unavailable"});

  stack.redis_proxy()->Restore();
  absl::StatusOr<HttpReply> up = stack.WaitForReadyz(
      [](const HttpReply& reply) { return reply.status == 200; }, kReadinessBound);
  ASSERT_TRUE(up.ok()) << up.status();
  ExpectSameProcessesRunning(stack, pids);
  stack.Stop();
}

class KilledBackendE2eTest : public ::testing::TestWithParam<Component> {};

TEST_P(KilledBackendE2eTest, IsReportedUnreachableUntilRestarted) {
  const Component victim = GetParam();
  const std::string name = ComponentName(victim);
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start();
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;

  ExitStatus killed = stack.Kill(victim);
  EXPECT_EQ(killed.signal, SIGKILL) << killed.ToString();
  absl::StatusOr<HttpReply> down = stack.WaitForReadyz(
      [&](const HttpReply& reply) { return ReadyzBlames(reply, name, "unreachable", {}); },
      kReadinessBound);
  ASSERT_TRUE(down.ok()) << down.status();
  ExpectUnavailableBody(*down, {{name, {{"status", "unreachable"}}}}, {name + ": unreachable"});

  // A replacement on the same address is picked up without restarting the gateway.
  absl::Status restarted = stack.Restart(victim);
  ASSERT_TRUE(restarted.ok()) << restarted;
  absl::StatusOr<HttpReply> up = stack.WaitForReadyz(
      [](const HttpReply& reply) { return reply.status == 200; }, kReadinessBound);
  ASSERT_TRUE(up.ok()) << up.status();
  stack.Stop();
}

INSTANTIATE_TEST_SUITE_P(EveryService, KilledBackendE2eTest, ::testing::ValuesIn(kServices),
                         [](const ::testing::TestParamInfo<Component>& info) {
                           std::string name = ComponentName(info.param);
                           return name.substr(0, name.find('-'));
                         });

TEST(StackShutdownE2eTest, SigtermStopsEveryProcessWithExitCodeZeroAndLogsStopped) {
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start();
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;
  stack.Stop();  // Expects exit code 0 from each.
  for (Component component : kComponents) {
    const ChildProcess& process = stack.process(component);
    std::vector<std::string> lines = SplitLines(process.Log());
    std::vector<nlohmann::json> json = process.JsonLogLines();
    // Every line of output is one JSON object.
    EXPECT_EQ(json.size(), lines.size()) << process.LogTail();
    ASSERT_FALSE(json.empty()) << process.name();
    EXPECT_EQ(json.back().value("message", ""), "stopped") << process.LogTail();
    EXPECT_EQ(json.back().value("service", ""), ComponentName(component));
    bool shutting_down = false;
    for (const nlohmann::json& line : json) {
      if (line.value("message", "") != "shutting down") continue;
      shutting_down = true;
      EXPECT_EQ(line["fields"].value("signal", 0), SIGTERM) << line.dump();
    }
    EXPECT_TRUE(shutting_down) << process.LogTail();
  }
}

// =============================================================================================
// Start-up: settings and `migrate`, one process at a time.

// Settings under which each binary would start (nothing listens at these addresses: the cases
// below must fail before connecting anywhere).
ChildProcess::Env ValidEnv(Component component) {
  ChildProcess::Env env = {{"CHATTER_GRPC_LISTEN", "127.0.0.1:0"},
                           {"CHATTER_ADMIN_LISTEN", "127.0.0.1:0"}};
  switch (component) {
    case Component::kAuth:
      env.merge(AuthTestEnv());
      env["CHATTER_DATABASE_URL"] = "postgresql://chatter:secret@127.0.0.1:1/chatter";
      break;
    case Component::kChat:
      env["CHATTER_DATABASE_URL"] = "postgresql://chatter:secret@127.0.0.1:1/chatter";
      break;
    case Component::kRealtime:
      env["CHATTER_REDIS_URL"] = "redis://127.0.0.1:1";
      break;
    case Component::kGateway:
      env = {{"CHATTER_HTTP_LISTEN", "127.0.0.1:0"}, {"CHATTER_ADMIN_LISTEN", "127.0.0.1:0"}};
      break;
  }
  return env;
}

struct BadSetting {
  Component component;
  std::string variable;
  std::optional<std::string> value;  // nullopt: unset
  std::string secret = "";           // must not appear in the output
};

void PrintTo(const BadSetting& bad, std::ostream* out) {
  *out << ComponentName(bad.component) << " with " << bad.variable << "="
       << bad.value.value_or("<unset>");
}

class BadSettingE2eTest : public ::testing::TestWithParam<BadSetting> {};

TEST_P(BadSettingE2eTest, ExitsWithCode2AndOneLineNamingTheVariable) {
  const BadSetting& bad = GetParam();
  TempDir logs("bad-setting");
  ChildProcess::Env env = ValidEnv(bad.component);
  if (bad.value) {
    env[bad.variable] = *bad.value;
  } else {
    env.erase(bad.variable);
  }
  absl::StatusOr<std::unique_ptr<ChildProcess>> process = ChildProcess::Start(
      ComponentName(bad.component), BinaryPath(bad.component), {}, env, logs.path());
  ASSERT_TRUE(process.ok()) << process.status();
  std::optional<ExitStatus> status = (*process)->WaitExit(absl::Seconds(5));
  ASSERT_TRUE(status.has_value()) << "still running\n" << (*process)->LogTail();
  EXPECT_TRUE(status->ExitedWith(2)) << status->ToString() << "\n" << (*process)->LogTail();

  std::vector<std::string> lines = SplitLines((*process)->Log());
  ASSERT_EQ(lines.size(), 1u) << (*process)->LogTail();
  EXPECT_THAT(lines[0], HasSubstr(bad.variable));
  nlohmann::json line = ParseJson(lines[0]);
  EXPECT_EQ(line.value("level", ""), "critical") << lines[0];
  if (!bad.secret.empty()) {
    EXPECT_THAT(lines[0], ::testing::Not(HasSubstr(bad.secret)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryBinary, BadSettingE2eTest,
    ::testing::Values(BadSetting{Component::kAuth, "CHATTER_DB_POOL_SIZE", "abc"},
                      BadSetting{Component::kAuth, "CHATTER_DATABASE_URL", std::nullopt},
                      BadSetting{Component::kChat, "CHATTER_GRPC_LISTEN", "nonsense"},
                      BadSetting{Component::kChat, "CHATTER_DATABASE_URL",
                                 "mysql://chatter:hunter2@db/chat", "hunter2"},
                      BadSetting{Component::kChat, "CHATTER_DB_ACQUIRE_TIMEOUT_MS", "0"},
                      BadSetting{Component::kRealtime, "CHATTER_REDIS_URL", std::nullopt},
                      BadSetting{Component::kRealtime, "CHATTER_REDIS_URL", "redis://"},
                      BadSetting{Component::kRealtime, "CHATTER_ADMIN_LISTEN", "localhost"},
                      BadSetting{Component::kRealtime, "CHATTER_LOG_LEVEL", "loud"},
                      BadSetting{Component::kGateway, "CHATTER_HTTP_THREADS", "0"},
                      BadSetting{Component::kGateway, "CHATTER_BACKEND_TIMEOUT_MS", "soon"},
                      BadSetting{Component::kGateway, "CHATTER_AUTH_ADDR", "nonsense"}),
    [](const ::testing::TestParamInfo<BadSetting>& info) {
      std::string name = ComponentName(info.param.component);
      name = name.substr(0, name.find('-'));
      return absl::StrCat(name, "_", info.param.variable.substr(sizeof("CHATTER_") - 1),
                          info.param.value ? "_bad" : "_missing", "_", info.index);
    });

// Runs `<binary> migrate` and returns its "migrations applied" log line.
nlohmann::json RunMigrate(Component service, const std::string& database_url, TempDir& logs,
                          const std::string& run) {
  ChildProcess::Env env = ValidEnv(service);
  env["CHATTER_DATABASE_URL"] = database_url;
  absl::StatusOr<std::unique_ptr<ChildProcess>> process = ChildProcess::Start(
      ComponentName(service) + "." + run, BinaryPath(service), {"migrate"}, env, logs.path());
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return nlohmann::json();
  std::optional<ExitStatus> status = (*process)->WaitExit(absl::Seconds(10));
  EXPECT_TRUE(status.has_value() && status->ExitedWith(0))
      << (status ? status->ToString() : "still running") << "\n"
      << (*process)->LogTail();
  for (const nlohmann::json& line : (*process)->JsonLogLines()) {
    if (line.value("message", "") == "migrations applied") return line["fields"];
  }
  ADD_FAILURE() << "no \"migrations applied\" line\n" << (*process)->LogTail();
  return nlohmann::json();
}

class MigrateE2eTest : public ::testing::TestWithParam<Component> {};

TEST_P(MigrateE2eTest, AppliesEverythingOnceThenNothing) {
  absl::StatusOr<pg::TestDatabase> db = pg::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  TempDir logs("migrate");
  nlohmann::json first = RunMigrate(GetParam(), db->url(), logs, "first");
  ASSERT_TRUE(first.is_object());
  EXPECT_GE(first.value("known", 0), 1) << first.dump();
  EXPECT_EQ(first.value("applied", -1), first.value("known", 0)) << first.dump();
  nlohmann::json second = RunMigrate(GetParam(), db->url(), logs, "second");
  ASSERT_TRUE(second.is_object());
  EXPECT_EQ(second.value("applied", -1), 0) << second.dump();
  EXPECT_EQ(second.value("known", 0), first.value("known", 0)) << second.dump();
}

INSTANTIATE_TEST_SUITE_P(PostgresServices, MigrateE2eTest,
                         ::testing::Values(Component::kAuth, Component::kChat),
                         [](const ::testing::TestParamInfo<Component>& info) {
                           std::string name = ComponentName(info.param);
                           return name.substr(0, name.find('-'));
                         });

}  // namespace
}  // namespace chatter::e2e
