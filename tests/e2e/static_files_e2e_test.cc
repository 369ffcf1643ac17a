// The gateway's static files against the real stack: the landing page (tools/web/site/src, served
// as it is) at / beside the API, an app at /app/ with its single-page fallback, and the landing
// page's "try it" flow (tools/web/site/src/try-it.js) step by step, as a page of the gateway's
// own origin makes it: two sign-ups, a direct room with X-Auth-Token, two WebSockets with the
// token and the room in the query and the page's Origin, a message and a typing event across.
// No CORS origin is configured, so the WebSockets pass as same-origin. The browser side of the
// page is web_browser_e2e_test's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"
#include "tests/e2e/harness/temp_dir.h"
#include "tests/e2e/harness/ws_client.h"

#ifndef CHATTER_SOURCE_DIR
#error "CHATTER_SOURCE_DIR (the repository, for tools/web/site) must be defined by CMake"
#endif

namespace chatter::e2e {
namespace {

using nlohmann::json;

const std::string kSiteDir = absl::StrCat(CHATTER_SOURCE_DIR, "/tools/web/site/src");

class StaticFilesE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    app_dir_ = new TempDir("static-app");
    std::filesystem::create_directories(app_dir_->path() + "/assets");
    std::ofstream(app_dir_->path() + "/index.html") << "<div id=app></div>";
    std::ofstream(app_dir_->path() + "/assets/index-4f9a1c.js") << "app()";
    StartSharedStack({.env = {{Component::kGateway,
                               {{"CHATTER_GATEWAY_STATIC_ROOT", kSiteDir},
                                {"CHATTER_GATEWAY_APP_DIR", app_dir_->path()}}}}});
  }
  static void TearDownTestSuite() {
    SharedStackTest::TearDownTestSuite();
    delete app_dir_;
    app_dir_ = nullptr;
  }

  static HttpReply Get(const std::string& target) {
    absl::StatusOr<HttpReply> reply = HttpGet(port(), target);
    EXPECT_TRUE(reply.ok()) << target << ": " << reply.status();
    return reply.value_or(HttpReply{});
  }

  static TempDir* app_dir_;
};

TempDir* StaticFilesE2eTest::app_dir_ = nullptr;

TEST_F(StaticFilesE2eTest, ServesTheLandingPageBesideTheApi) {
  HttpReply page = Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.Header("Cache-Control"), "no-cache");
  EXPECT_TRUE(absl::StartsWith(page.Header("Content-Security-Policy"), "default-src 'self'"))
      << page.Header("Content-Security-Policy");
  EXPECT_EQ(page.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_FALSE(page.Header("X-Request-Id").empty());
  EXPECT_TRUE(absl::StrContains(page.body, "ChatterStack"));
  EXPECT_TRUE(absl::StrContains(page.body, "/v1/openapi.json"));

  HttpReply script = Get("/try-it.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/styles.css").Header("Content-Type"), "text/css; charset=utf-8");

  // The gateway's own routes are untouched.
  EXPECT_EQ(Get("/healthz").body, "ok");
  HttpReply openapi = Get("/v1/openapi.json");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_EQ(openapi.Header("Content-Type"), "application/json");
  HttpReply unknown = Get("/v1/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(absl::StrContains(unknown.body, "no route for GET /v1/nope")) << unknown.body;
  EXPECT_EQ(Get("/nope.html").status, 404);
  EXPECT_EQ(Get("/%2e%2e/%2e%2e/etc/passwd").status, 400);
}

TEST_F(StaticFilesE2eTest, ServesTheAppWithItsSinglePageFallback) {
  HttpReply route = Get("/app/rooms/42");
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, "<div id=app></div>");
  HttpReply asset = Get("/app/assets/index-4f9a1c.js");
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/app/assets/gone-1.js").status, 404);
  HttpReply bare = Get("/app");
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(bare.Header("Location"), "/app/");
}

TEST_F(StaticFilesE2eTest, TheTryItFlowWorksFromThePagesOrigin) {
  const std::string origin = absl::StrCat("http://127.0.0.1:", port());
  auto sign_up = [](const std::string& username) {
    ApiReply reply = CallApi(port(), "POST", "/v1/auth/signup", HttpHeaders{},
                             json{{"username", username},
                                  {"email", username + "@example.com"},
                                  {"password", "a-random-20-chars-pw"}});
    EXPECT_EQ(reply.status, 201) << reply.raw.body;
    return reply.body;
  };
  json a = sign_up("try_e2etest1_a");
  json b = sign_up("try_e2etest1_b");
  ASSERT_TRUE(a.contains("access_token") && b.contains("user"));
  ApiReply room = CallApi(port(), "POST", "/v1/direct",
                          HttpHeaders{{"X-Auth-Token", a["access_token"].get<std::string>()}},
                          json{{"user_id", b["user"]["id"]}});
  ASSERT_EQ(room.status, 201) << room.raw.body;
  const std::string room_id = room.body["id"];

  auto connect = [&](const json& user) -> std::unique_ptr<WsClient> {
    absl::StatusOr<std::unique_ptr<WsClient>> client =
        WsClient::Connect(port(),
                          absl::StrCat("/ws?access_token=", user["access_token"].get<std::string>(),
                                       "&room_id=", room_id),
                          {.headers = {{"Origin", origin}}});
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return nullptr;
    absl::StatusOr<json> ready = (*client)->NextEvent("ready", kDefaultWsTimeout);
    EXPECT_TRUE(ready.ok()) << ready.status();
    if (!ready.ok()) return nullptr;
    EXPECT_EQ((*ready)["data"]["subscribed"], json::array({room_id})) << *ready;
    return *std::move(client);
  };
  std::unique_ptr<WsClient> ws_a = connect(a);
  std::unique_ptr<WsClient> ws_b = connect(b);
  ASSERT_TRUE(ws_a && ws_b);

  ASSERT_TRUE(ws_a->SendJson({{"event", "send_message"},
                              {"ref", "A1"},
                              {"data",
                               {{"room_id", room_id},
                                {"content", "hello from the landing page"},
                                {"client_msg_id", "0b8f3c52-8d4e-4f2a-9a55-3f1f6c1d2e7b"}}}})
                  .ok());
  absl::StatusOr<json> ack = ws_a->Reply("A1");
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ((*ack)["event"], "ack") << *ack;
  absl::StatusOr<json> received = ws_b->NextEvent("receive_message", kDefaultWsTimeout);
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ((*received)["data"]["content"], "hello from the landing page");
  EXPECT_EQ((*received)["data"]["sender_id"], a["user"]["id"]);

  ASSERT_TRUE(ws_b->SendJson({{"event", "typing_start"}, {"data", {{"room_id", room_id}}}}).ok());
  absl::StatusOr<json> typing = ws_a->NextEvent("typing_start", kDefaultWsTimeout);
  ASSERT_TRUE(typing.ok()) << typing.status();
  EXPECT_EQ((*typing)["data"]["username"], "try_e2etest1_b");
  EXPECT_EQ((*typing)["data"]["room_id"], room_id);
}

}  // namespace
}  // namespace chatter::e2e
