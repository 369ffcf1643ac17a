// Tests for the static mounts: the landing page at /, the app at /app/ with its single-page
// fallback, caching and security headers, 304s, HEAD, refusals, and the dispatcher's order (every
// route wins; nothing is served when no directory is configured).
#include "gateway/static/static_site.h"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "gateway/gateway_settings.h"
#include "libs/config/config_reader.h"
#include "libs/ids/uuid.h"
#include "tests/gateway/static/temp_tree.h"

namespace chatter::gateway {
namespace {

namespace http = boost::beast::http;

HttpRequest Get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest request{http::verb::get, target, 11};
  for (auto& [name, value] : headers) request.set(name, value);
  return request;
}

class StaticSiteTest : public ::testing::Test {
 protected:
  StaticSiteTest() {
    site_files_.Write("index.html", "<h1>landing</h1>");
    site_files_.Write("site.css", "body{}");
    site_files_.Write("favicon.svg", "<svg/>");
    app_files_.Write("index.html", "<div id=app></div>");
    app_files_.Write("assets/index-4f9a1c.js", "app()");
    app_files_.Write("sw.js", "self.x=1");
    app_files_.Write("manifest.webmanifest", "{}");
    site_ = std::make_unique<StaticSite>(*StaticBundle::Load(site_files_.root(), {}),
                                         *StaticBundle::Load(app_files_.root(), {}));
  }

  HttpResponse Serve(std::string target,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    return site_->Serve(Get(std::move(target), std::move(headers)), "req-1");
  }

  static std::string ErrorCode(const HttpResponse& response) {
    return nlohmann::json::parse(response.body())["error"]["code"];
  }

  TempTree site_files_;
  TempTree app_files_;
  std::unique_ptr<StaticSite> site_;
};

TEST_F(StaticSiteTest, ServesTheLandingPageAtTheRootWithSecurityHeaders) {
  HttpResponse response = Serve("/");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "<h1>landing</h1>");
  EXPECT_EQ(response[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(response[http::field::cache_control], "no-cache");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response["Referrer-Policy"], "no-referrer");
  std::string csp(response["Content-Security-Policy"]);
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self' ws: wss:"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(response[http::field::content_length], "16");
  EXPECT_EQ(Serve("/index.html?utm=1").body(), "<h1>landing</h1>");
}

TEST_F(StaticSiteTest, ContentTypesAndSecurityHeadersFollowTheFile) {
  HttpResponse css = Serve("/site.css");
  EXPECT_EQ(css.result_int(), 200);
  EXPECT_EQ(css[http::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ(css["X-Content-Type-Options"], "nosniff");
  EXPECT_TRUE(css["Content-Security-Policy"].empty());
  HttpResponse svg = Serve("/favicon.svg");
  EXPECT_EQ(svg[http::field::content_type], "image/svg+xml");
  EXPECT_FALSE(svg["Content-Security-Policy"].empty());
  EXPECT_EQ(Serve("/app/manifest.webmanifest")[http::field::content_type],
            "application/manifest+json");
}

TEST_F(StaticSiteTest, HashedAssetsAreImmutableTheServiceWorkerIsNot) {
  HttpResponse script = Serve("/app/assets/index-4f9a1c.js");
  EXPECT_EQ(script.result_int(), 200);
  EXPECT_EQ(script.body(), "app()");
  EXPECT_EQ(script[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(script[http::field::cache_control], "public, max-age=31536000, immutable");
  HttpResponse worker = Serve("/app/sw.js");
  EXPECT_EQ(worker.result_int(), 200);
  EXPECT_EQ(worker[http::field::cache_control], "no-cache");
}

TEST_F(StaticSiteTest, AppRoutesFallBackToTheAppIndexMissingFilesDoNot) {
  for (const char* route : {"/app/", "/app/rooms/42", "/app/login", "/app/users/john.doe"}) {
    HttpResponse response = Serve(route);
    EXPECT_EQ(response.result_int(), 200) << route;
    EXPECT_EQ(response.body(), "<div id=app></div>") << route;
    EXPECT_EQ(response[http::field::cache_control], "no-cache") << route;
  }
  for (const char* missing : {"/app/assets/gone-123.js", "/app/missing.css", "/app/logo.png"}) {
    HttpResponse response = Serve(missing);
    EXPECT_EQ(response.result_int(), 404) << missing;
    EXPECT_EQ(ErrorCode(response), "not_found");
  }
  // The landing page has no fallback: a missing page is a 404.
  EXPECT_EQ(Serve("/rooms/42").result_int(), 404);
}

TEST_F(StaticSiteTest, RedirectsTheAppWithoutItsSlash) {
  HttpResponse response = Serve("/app?room=1");
  EXPECT_EQ(response.result_int(), 301);
  EXPECT_EQ(response[http::field::location], "/app/?room=1");
}

TEST_F(StaticSiteTest, AnswersNotModifiedForItsEtag) {
  HttpResponse first = Serve("/site.css");
  std::string etag(first[http::field::etag]);
  ASSERT_FALSE(etag.empty());
  HttpResponse again = Serve("/site.css", {{"If-None-Match", etag}});
  EXPECT_EQ(again.result_int(), 304);
  EXPECT_TRUE(again.body().empty());
  EXPECT_EQ(again[http::field::etag], etag);
  EXPECT_EQ(again[http::field::cache_control], "no-cache");
  EXPECT_EQ(Serve("/site.css", {{"If-None-Match", "\"x\", W/" + etag}}).result_int(), 304);
  EXPECT_EQ(Serve("/site.css", {{"If-None-Match", "\"other\""}}).result_int(), 200);
}

TEST_F(StaticSiteTest, RefusesTraversalAndAnswers404ForTheRest) {
  for (const char* path : {"/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/app/..%2f..%2fsecret",
                           "/app/%2e%2e/index.html", "/a\\..\\b", "/x%00.html", "//etc/passwd"}) {
    HttpResponse response = Serve(path);
    EXPECT_EQ(response.result_int(), 400) << path;
    EXPECT_EQ(ErrorCode(response), "invalid_argument") << path;
  }
  EXPECT_EQ(Serve("/nope.html").result_int(), 404);
  EXPECT_EQ(Serve("/assets").result_int(), 404);
}

TEST_F(StaticSiteTest, NeverWantsTheApiTheWebSocketOrTheProbes) {
  for (const char* path :
       {"/v1", "/v1/rooms", "/v1/nope", "/ws", "/ws/x", "/healthz", "/readyz", "/metrics"}) {
    EXPECT_FALSE(site_->Wants(path)) << path;
  }
  EXPECT_TRUE(site_->Wants("/"));
  EXPECT_TRUE(site_->Wants("/app"));
  EXPECT_TRUE(site_->Wants("/v1x.html"));
}

TEST(StaticSiteMounts, AnAbsentMountIsNotWanted) {
  TempTree app_files;
  app_files.Write("index.html", "app");
  StaticSite app_only(std::nullopt, *StaticBundle::Load(app_files.root(), {}));
  EXPECT_FALSE(app_only.Wants("/"));
  EXPECT_FALSE(app_only.Wants("/index.html"));
  EXPECT_TRUE(app_only.Wants("/app/x"));
  StaticSite site_only(*StaticBundle::Load(app_files.root(), {}), std::nullopt);
  EXPECT_TRUE(site_only.Wants("/"));
  // Without an app, /app/ is just a path of the landing page (none there: 404).
  EXPECT_EQ(site_only.Serve(Get("/app/"), "r").result_int(), 404);
  EXPECT_EQ(site_only.Serve(Get("/app"), "r").result_int(), 404);
}

TEST(StaticSiteLoad, NamesTheSettingOfABadDirectory) {
  StaticFilesSettings settings;
  settings.app_dir = "/nonexistent/chatter/app";
  absl::StatusOr<std::unique_ptr<StaticSite>> loaded = StaticSite::Load(settings);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(loaded.status().message().find("CHATTER_GATEWAY_APP_DIR"), std::string::npos);
}

TEST(StaticFilesSettings, AreOffByDefault) {
  config::MapEnv env(absl::flat_hash_map<std::string, std::string>{
      {"CHATTER_SERVICE_CLIENT_SECRET", "a-secret-of-enough-length"}});
  config::ConfigReader reader(env);
  GatewaySettings settings = ReadGatewaySettings(reader);
  ASSERT_TRUE(reader.status().ok()) << reader.status();
  EXPECT_FALSE(settings.static_files.enabled());

  config::MapEnv configured(absl::flat_hash_map<std::string, std::string>{
      {"CHATTER_SERVICE_CLIENT_SECRET", "a-secret-of-enough-length"},
      {"CHATTER_GATEWAY_STATIC_ROOT", "/srv/site"},
      {"CHATTER_GATEWAY_APP_DIR", "/srv/app"},
      {"CHATTER_GATEWAY_STATIC_MAX_FILE_BYTES", "2048"}});
  config::ConfigReader configured_reader(configured);
  settings = ReadGatewaySettings(configured_reader);
  ASSERT_TRUE(configured_reader.status().ok()) << configured_reader.status();
  EXPECT_TRUE(settings.static_files.enabled());
  EXPECT_EQ(settings.static_files.site_dir, "/srv/site");
  EXPECT_EQ(settings.static_files.app_dir, "/srv/app");
  EXPECT_EQ(settings.static_files.limits.max_file_bytes, 2048u);
}

// The site behind the dispatcher, as main.cc wires it.
class StaticDispatchTest : public StaticSiteTest {
 protected:
  StaticDispatchTest()
      : generator_(clock_, random_),
        request_ids_(generator_),
        cors_({}),
        route_(site_->AsFallbackRoute()) {
    router_.Add("GET", "/healthz", [](const HttpRequest&, const RequestContext&, Responder r) {
      r(TextResponse(200, "ok"));
    });
    router_.Add("GET", "/v1/rooms", [](const HttpRequest&, const RequestContext&, Responder r) {
      r(JsonResponse(200, "{\"rooms\":[]}"));
    });
    router_.Add("POST", "/v1/rooms", [](const HttpRequest&, const RequestContext&, Responder r) {
      r(JsonResponse(201, "{}"));
    });
  }

  HttpResponse Send(Dispatcher& dispatcher, http::verb method, std::string target) {
    HttpRequest request{method, target, 11};
    std::promise<HttpResponse> answered;
    dispatcher.Dispatch(std::move(request), "127.0.0.1",
                        [&answered](HttpResponse response) { answered.set_value(response); });
    return answered.get_future().get();
  }

  ids::SystemClock clock_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator generator_;
  RequestIdSource request_ids_;
  Router router_;
  CorsPolicy cors_;
  metrics::Registry registry_;
  FallbackRoute route_;
};

TEST_F(StaticDispatchTest, RoutesWinAndTheRestIsServedForGetAndHead) {
  DispatcherGuards guards;
  guards.fallback = &route_;
  Dispatcher dispatcher(router_, cors_, request_ids_, registry_, guards);
  EXPECT_EQ(Send(dispatcher, http::verb::get, "/healthz").body(), "ok");
  EXPECT_EQ(Send(dispatcher, http::verb::get, "/v1/rooms").body(), "{\"rooms\":[]}");
  HttpResponse unknown_api = Send(dispatcher, http::verb::get, "/v1/nope");
  EXPECT_EQ(unknown_api.result_int(), 404);
  EXPECT_NE(unknown_api.body().find("no route for GET /v1/nope"), std::string::npos);
  EXPECT_EQ(Send(dispatcher, http::verb::delete_, "/v1/rooms").result_int(), 405);

  HttpResponse page = Send(dispatcher, http::verb::get, "/");
  EXPECT_EQ(page.result_int(), 200);
  EXPECT_EQ(page.body(), "<h1>landing</h1>");
  EXPECT_FALSE(page["X-Request-Id"].empty());

  HttpResponse head = Send(dispatcher, http::verb::head, "/app/rooms/1");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], "18");
  EXPECT_EQ(head[http::field::content_type], "text/html; charset=utf-8");

  HttpResponse post = Send(dispatcher, http::verb::post, "/index.html");
  EXPECT_EQ(post.result_int(), 405);
  EXPECT_EQ(post[http::field::allow], "GET, HEAD");

  std::string metrics = registry_.RenderText();
  EXPECT_NE(metrics.find("http_requests_total{method=\"HEAD\",route=\"static\",status=\"200\"} 1"),
            std::string::npos)
      << metrics;
}

TEST_F(StaticDispatchTest, WithoutStaticFilesTheRootAndTheAppAre404) {
  Dispatcher dispatcher(router_, cors_, request_ids_, registry_);
  for (const char* path : {"/", "/index.html", "/app/", "/app/rooms/1"}) {
    HttpResponse response = Send(dispatcher, http::verb::get, path);
    EXPECT_EQ(response.result_int(), 404) << path;
    EXPECT_EQ(ErrorCode(response), "not_found");
  }
}

}  // namespace
}  // namespace chatter::gateway
