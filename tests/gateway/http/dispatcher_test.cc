// Tests for the edge pipeline: request ids, 404/405 envelopes, CORS decoration, async answers.
#include "gateway/http/dispatcher.h"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "libs/ids/uuid.h"

namespace chatter::gateway {
namespace {
namespace http = boost::beast::http;

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest()
      : generator_(clock_, random_),
        request_ids_(generator_),
        cors_({"http://localhost:*"}),
        dispatcher_(router_, cors_, request_ids_, registry_) {
    router_.Add("GET", "/v1/things/{id}",
                [](const HttpRequest&, const RequestContext& context, Responder respond) {
                  // Answer from another thread, as a gRPC completion would.
                  std::thread([respond, route = context.route] {
                    respond(JsonResponse(200, nlohmann::json{{"route", route}}.dump()));
                  }).detach();
                });
  }

  HttpResponse Send(http::verb method, std::string target,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest request{method, target, 11};
    for (auto& [name, value] : headers) request.set(name, value);
    std::promise<HttpResponse> answered;
    dispatcher_.Dispatch(std::move(request), "127.0.0.1",
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
  Dispatcher dispatcher_;
};

TEST_F(DispatcherTest, AMethodHttpDoesNotDefineIsCountedAndLoggedAsOther) {
  for (const std::string& method : {std::string("ZZQWE"), std::string(4096, 'Q')}) {
    HttpRequest request;
    request.method_string(method);
    request.target("/v1/things/7");
    request.version(11);
    std::promise<HttpResponse> answered;
    dispatcher_.Dispatch(std::move(request), "127.0.0.1",
                         [&answered](HttpResponse response) { answered.set_value(response); });
    EXPECT_EQ(answered.get_future().get().result_int(), 405);
  }
  std::string text = registry_.RenderText();
  EXPECT_NE(text.find("http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"} 2"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("ZZQWE"), std::string::npos) << text;
  EXPECT_EQ(text.find("QQQQ"), std::string::npos);
}

TEST_F(DispatcherTest, RoutesAndEchoesASaneRequestId) {
  HttpResponse response = Send(http::verb::get, "/v1/things/7?x=1", {{"X-Request-Id", "trace-42"}});
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response["X-Request-Id"], "trace-42");
  EXPECT_EQ(nlohmann::json::parse(response.body())["route"], "/v1/things/{id}");
  EXPECT_NE(registry_.RenderText().find(
                "http_requests_total{method=\"GET\",route=\"/v1/things/{id}\",status=\"200\"} 1"),
            std::string::npos);
}

TEST_F(DispatcherTest, UnknownPathIs404WithEnvelope) {
  HttpResponse response = Send(http::verb::get, "/v1/nothing");
  EXPECT_EQ(response.result_int(), 404);
  auto body = nlohmann::json::parse(response.body());
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["message"], "no route for GET /v1/nothing");
  EXPECT_EQ(body["request_id"], std::string(response["X-Request-Id"]));
  EXPECT_TRUE(ids::IsValidUuid(std::string(response["X-Request-Id"])));
}

TEST_F(DispatcherTest, WrongMethodIs405WithAllow) {
  HttpResponse response = Send(http::verb::delete_, "/v1/things/7");
  EXPECT_EQ(response.result_int(), 405);
  EXPECT_EQ(response[http::field::allow], "GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(response.body())["error"]["code"], "unimplemented");
}

TEST_F(DispatcherTest, HeadIsGetWithoutBody) {
  HttpResponse get = Send(http::verb::get, "/v1/things/7");
  HttpResponse head = Send(http::verb::head, "/v1/things/7");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], std::to_string(get.body().size()));
}

TEST_F(DispatcherTest, TransportErrorsKeepTheClientsRequestIdAndOrigin) {
  HttpRequest partial{http::verb::post, "/v1/things", 11};
  partial.set("X-Request-Id", "client-7");
  partial.set(http::field::origin, "http://localhost:3000");
  HttpResponse response =
      dispatcher_.TransportError(413, absl::InvalidArgumentError("too big"), &partial, "127.0.0.1");
  EXPECT_EQ(response["X-Request-Id"], "client-7");
  EXPECT_EQ(response[http::field::access_control_allow_origin], "http://localhost:3000");
  EXPECT_EQ(nlohmann::json::parse(response.body())["request_id"], "client-7");
  EXPECT_NE(registry_.RenderText().find("route=\"transport_error\",status=\"413\"} 1"),
            std::string::npos)
      << registry_.RenderText();
}

TEST_F(DispatcherTest, PreflightCarriesOnlyTheContractHeaders) {
  HttpResponse response =
      Send(http::verb::options, "/v1/things/7",
           {{"Origin", "http://localhost:5173"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(response.count(http::field::access_control_expose_headers), 0u);
}

TEST_F(DispatcherTest, PreflightIsAnsweredBeforeRouting) {
  HttpResponse response =
      Send(http::verb::options, "/v1/anything",
           {{"Origin", "http://localhost:5173"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(response.result_int(), 204);
  EXPECT_EQ(response[http::field::access_control_allow_origin], "http://localhost:5173");
}

TEST_F(DispatcherTest, ActualResponsesCarryCorsForAllowedOrigins) {
  HttpResponse response =
      Send(http::verb::get, "/v1/things/1", {{"Origin", "http://localhost:3000"}});
  EXPECT_EQ(response[http::field::access_control_allow_origin], "http://localhost:3000");
  HttpResponse refused = Send(http::verb::get, "/v1/things/1", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(refused.count(http::field::access_control_allow_origin), 0u);
}

TEST_F(DispatcherTest, TransportErrorsUseTheEnvelope) {
  HttpResponse response = dispatcher_.TransportError(413, absl::InvalidArgumentError("too big"));
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_FALSE(response.keep_alive());
  auto body = nlohmann::json::parse(response.body());
  EXPECT_EQ(body["error"]["code"], "invalid_argument");
  EXPECT_EQ(body["error"]["message"], "too big");
}

TEST(ErrorResponse, RateLimitsCarryRetryAfter) {
  HttpResponse response = ErrorResponse(absl::ResourceExhaustedError("slow down"), "r");
  EXPECT_EQ(response.result_int(), 429);
  EXPECT_EQ(response[http::field::retry_after], "1");
}

}  // namespace
}  // namespace chatter::gateway
