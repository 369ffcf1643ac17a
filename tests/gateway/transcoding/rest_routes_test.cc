// End-to-end tests of the REST -> gRPC bridge: real route table, Router, Dispatcher and
// GrpcForwarder against in-process fake AuthService and ChatService servers, asserting HTTP
// statuses, bodies, the error envelope with field details, identity headers and metadata.
#include "gateway/transcoding/rest_routes.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "chatter/auth/v1/auth.grpc.pb.h"
#include "chatter/chat/v1/chat.grpc.pb.h"
#include "gateway/http/dispatcher.h"
#include "libs/status/error_details.h"
#include "libs/status/grpc_status.h"

namespace chatter::gateway {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;

constexpr char kAuthService[] = "chatter.auth.v1.AuthService";
constexpr char kChatService[] = "chatter.chat.v1.ChatService";

// What one backend call saw: its metadata and its request.
struct SeenCall {
  std::string rpc;
  std::multimap<std::string, std::string> metadata;
  std::string request;  // ShortDebugString of the request message.

  std::string Header(const std::string& name) const {
    auto found = metadata.find(name);
    return found == metadata.end() ? "" : found->second;
  }
};

class Recorder {
 public:
  void Record(grpc::ServerContext* context, std::string rpc,
              const google::protobuf::Message& request) {
    SeenCall call{std::move(rpc), {}, request.ShortDebugString()};
    for (const auto& [name, value] : context->client_metadata()) {
      call.metadata.emplace(std::string(name.data(), name.size()),
                            std::string(value.data(), value.size()));
    }
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(call));
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return calls_.size();
  }
  SeenCall last() const {
    std::lock_guard lock(mutex_);
    return calls_.empty() ? SeenCall{} : calls_.back();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<SeenCall> calls_;
};

void SetTime(google::protobuf::Timestamp* at, int64_t seconds, int32_t nanos) {
  at->set_seconds(seconds);
  at->set_nanos(nanos);
}

class FakeAuthService final : public auth::v1::AuthService::Service {
 public:
  explicit FakeAuthService(Recorder& recorder) : recorder_(recorder) {}

  grpc::Status SignUp(grpc::ServerContext* context, const auth::v1::SignUpRequest* request,
                      auth::v1::AuthResponse* response) override {
    recorder_.Record(context, "SignUp", *request);
    if (request->email().find('@') == std::string::npos) {
      return status::ToGrpcStatus(
          status::InvalidFieldError("email", "must be a valid email address"));
    }
    if (request->username() == "taken") {
      return status::ToGrpcStatus(status::FieldError(absl::StatusCode::kAlreadyExists, "username",
                                                     "is taken", "username is taken"));
    }
    auth::v1::User* user = response->mutable_user();
    user->set_id("0190a1b2-0000-7000-8000-000000000001");
    user->set_username(request->username());
    user->set_email(request->email());
    SetTime(user->mutable_created_at(), 1795342320, 123456789);
    SetTime(user->mutable_updated_at(), 1795342320, 123000000);
    response->set_access_token("access-" + request->username());
    response->set_refresh_token("refresh-" + request->username());
    response->set_token_type("Bearer");
    response->set_expires_in(900);
    return grpc::Status::OK;
  }

  // Waits until the gateway gives up, to exercise the deadline.
  grpc::Status Refresh(grpc::ServerContext* context, const auth::v1::RefreshRequest* request,
                       auth::v1::AuthResponse*) override {
    recorder_.Record(context, "Refresh", *request);
    for (int i = 0; i < 500 && !context->IsCancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "too slow");
  }

  grpc::Status Logout(grpc::ServerContext* context, const auth::v1::LogoutRequest* request,
                      auth::v1::LogoutResponse*) override {
    recorder_.Record(context, "Logout", *request);
    return grpc::Status::OK;
  }

  grpc::Status GetMe(grpc::ServerContext* context, const auth::v1::GetMeRequest* request,
                     auth::v1::GetMeResponse* response) override {
    recorder_.Record(context, "GetMe", *request);
    auto authorization = context->client_metadata().find("authorization");
    if (authorization == context->client_metadata().end() ||
        authorization->second != "Bearer good-token") {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "invalid access token");
    }
    response->mutable_user()->set_id("u1");
    response->mutable_user()->set_username("ada");
    response->mutable_user()->set_email("ada@example.com");
    SetTime(response->mutable_user()->mutable_created_at(), 0, 0);
    return grpc::Status::OK;
  }

  grpc::Status GetUser(grpc::ServerContext* context, const auth::v1::GetUserRequest* request,
                       auth::v1::GetUserResponse*) override {
    recorder_.Record(context, "GetUser", *request);
    return grpc::Status(grpc::StatusCode::INTERNAL, "pq: connection to db-7.internal refused");
  }

  grpc::Status LookupUser(grpc::ServerContext* context, const auth::v1::LookupUserRequest* request,
                          auth::v1::LookupUserResponse*) override {
    recorder_.Record(context, "LookupUser", *request);
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such user");
  }

 private:
  Recorder& recorder_;
};

class FakeChatService final : public chat::v1::ChatService::Service {
 public:
  explicit FakeChatService(Recorder& recorder) : recorder_(recorder) {}

  grpc::Status SendMessage(grpc::ServerContext* context,
                           const chat::v1::SendMessageRequest* request,
                           chat::v1::SendMessageResponse* response) override {
    recorder_.Record(context, "SendMessage", *request);
    common::v1::Message* message = response->mutable_message();
    message->set_id("m1");
    message->set_room_id(request->room_id());
    message->set_seq(9007199254740993);
    message->set_sender_id("u1");
    message->set_content(request->content());
    message->set_client_msg_id(request->client_msg_id());
    message->set_status("sent");
    message->set_sender_kind("user");
    SetTime(message->mutable_created_at(), 1795342320, 0);
    SetTime(message->mutable_updated_at(), 1795342320, 0);
    response->set_created(request->client_msg_id() != "dup");
    return grpc::Status::OK;
  }

  grpc::Status ListMessages(grpc::ServerContext* context,
                            const chat::v1::ListMessagesRequest* request,
                            chat::v1::ListMessagesResponse* response) override {
    recorder_.Record(context, "ListMessages", *request);
    response->add_messages()->set_seq(1);
    if (request->has_before()) response->set_next_before(request->before() - 1);
    return grpc::Status::OK;
  }

  grpc::Status MarkRead(grpc::ServerContext* context, const chat::v1::MarkReadRequest* request,
                        chat::v1::MarkReadResponse* response) override {
    recorder_.Record(context, "MarkRead", *request);
    response->set_read_seq(request->seq());
    return grpc::Status::OK;
  }

 private:
  Recorder& recorder_;
};

// The gateway's REST side as main.cc wires it, minus the socket.
class Gateway {
 public:
  Gateway(const GrpcForwarder::Channels& channels, GrpcForwarderOptions options)
      : forwarder_(channels, options),
        generator_(clock_, random_),
        request_ids_(generator_),
        cors_({}) {}

  absl::Status Start() {
    absl::StatusOr<RouteTable> table = RouteTable::FromFiles(PublicApiFiles());
    if (!table.ok()) return table.status();
    absl::Status added = AddRestRoutes(router_, *table, forwarder_);
    dispatcher_ = std::make_unique<Dispatcher>(router_, cors_, request_ids_, registry_);
    return added;
  }

  HttpResponse Send(http::verb method, std::string target, std::string body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest request{method, target, 11};
    for (auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    std::promise<HttpResponse> answered;
    dispatcher_->Dispatch(std::move(request), "203.0.113.9",
                          [&answered](HttpResponse response) { answered.set_value(response); });
    return answered.get_future().get();
  }

  const Router& router() const { return router_; }

 private:
  GrpcForwarder forwarder_;
  ids::SystemClock clock_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator generator_;
  RequestIdSource request_ids_;
  CorsPolicy cors_;
  metrics::Registry registry_;
  Router router_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class RestRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&auth_);
    builder.RegisterService(&chat_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials());
    gateway_ = std::make_unique<Gateway>(
        GrpcForwarder::Channels{{kAuthService, channel}, {kChatService, channel}},
        GrpcForwarderOptions{.deadline = absl::Seconds(1)});
    ASSERT_TRUE(gateway_->Start().ok());
  }

  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  HttpResponse PostJson(std::string target, std::string body, Headers headers = {}) {
    headers.emplace_back("Content-Type", "application/json");
    return gateway_->Send(http::verb::post, std::move(target), std::move(body), headers);
  }
  HttpResponse Get(std::string target, Headers headers = {}) {
    return gateway_->Send(http::verb::get, std::move(target), "", headers);
  }

  Recorder recorder_;
  FakeAuthService auth_{recorder_};
  FakeChatService chat_{recorder_};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Gateway> gateway_;
};

json Body(const HttpResponse& response) { return json::parse(response.body()); }

const Headers kBearer = {{"Authorization", "Bearer good-token"}};

TEST_F(RestRoutesTest, SignUpAnswers201WithTheWholeResponse) {
  HttpResponse response =
      PostJson("/v1/auth/signup", R"({"username":"ada","email":"ada@example.com","password":"pw"})",
               {{"X-Request-Id", "req-1"}});
  ASSERT_EQ(response.result_int(), 201) << response.body();
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_EQ(response[kRequestIdHeader], "req-1");
  EXPECT_EQ(response.body(),
            R"({"user":{"id":"0190a1b2-0000-7000-8000-000000000001","username":"ada",)"
            R"("email":"ada@example.com","created_at":"2026-11-22T10:12:00.123Z",)"
            R"("updated_at":"2026-11-22T10:12:00.123Z"},"access_token":"access-ada",)"
            R"("refresh_token":"refresh-ada","token_type":"Bearer","expires_in":900})");
  EXPECT_EQ(recorder_.last().request, R"(username: "ada" email: "ada@example.com" password: "pw")");
}

TEST_F(RestRoutesTest, BackendValidationErrorKeepsItsFieldDetails) {
  HttpResponse response = PostJson("/v1/auth/signup", R"({"username":"ada","email":"nope"})",
                                   {{"X-Request-Id", "req-2"}});
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(response.body(),
            R"({"error":{"code":"invalid_argument","message":"email: must be a valid email )"
            R"(address","details":[{"field":"email","reason":"must be a valid email address"}]},)"
            R"("request_id":"req-2"})");
}

TEST_F(RestRoutesTest, AlreadyExistsIs409NamingTheField) {
  HttpResponse response =
      PostJson("/v1/auth/signup", R"({"username":"taken","email":"a@example.com"})");
  EXPECT_EQ(response.result_int(), 409);
  json body = Body(response);
  EXPECT_EQ(body["error"]["code"], "already_exists");
  EXPECT_EQ(body["error"]["details"][0]["field"], "username");
}

TEST_F(RestRoutesTest, BadBodiesAreRefusedWithoutCallingTheBackend) {
  struct Case {
    std::string body;
    std::string content_type;
    std::string field;
  };
  for (const Case& bad : std::vector<Case>{
           {R"({"username":"ada","nickname":"x"})", "application/json", "nickname"},
           {R"({"username":)", "application/json", "body"},
           {"[1]", "application/json", "body"},
           {"{\"username\":\"\xff\"}", "application/json", "body"},
           {R"({"email":5})", "application/json; charset=utf-8", "email"},
           {R"({"username":"ada"})", "text/plain", "Content-Type"},
           {R"({"username":"ada"})", "", "Content-Type"},
           {R"({"username":"ada"})", "application/json; charset=latin1", "Content-Type"}}) {
    Headers headers;
    if (!bad.content_type.empty()) headers.emplace_back("Content-Type", bad.content_type);
    HttpResponse response = gateway_->Send(http::verb::post, "/v1/auth/signup", bad.body, headers);
    EXPECT_EQ(response.result_int(), 400) << bad.body;
    json body = Body(response);
    EXPECT_EQ(body["error"]["code"], "invalid_argument") << bad.body;
    EXPECT_EQ(body["error"]["details"][0]["field"], bad.field) << bad.body;
  }
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(RestRoutesTest, EmptyBodyCountsAsAnEmptyObject) {
  HttpResponse response = gateway_->Send(http::verb::post, "/v1/auth/signup");
  EXPECT_EQ(response.result_int(), 400);  // The backend's verdict on an empty email.
  EXPECT_EQ(recorder_.count(), 1u);
  EXPECT_EQ(recorder_.last().request, "");
}

TEST_F(RestRoutesTest, GetMeForwardsTheBearerTokenAndAnswersTheBareUser) {
  HttpResponse response = Get("/v1/me", kBearer);
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(response.body(), R"({"id":"u1","username":"ada","email":"ada@example.com",)"
                             R"("created_at":"1970-01-01T00:00:00.000Z","updated_at":null})");
  EXPECT_EQ(recorder_.last().Header("authorization"), "Bearer good-token");
}

TEST_F(RestRoutesTest, XAuthTokenIsForwardedAsBearer) {
  HttpResponse response = Get("/v1/me", {{"X-Auth-Token", "good-token"}});
  EXPECT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(recorder_.last().Header("authorization"), "Bearer good-token");
  response =
      Get("/v1/me", {{"X-Auth-Token", "good-token"}, {"Authorization", "Bearer good-token"}});
  EXPECT_EQ(response.result_int(), 200) << response.body();
}

TEST_F(RestRoutesTest, DifferentTokensInBothHeadersAre400NamingXAuthToken) {
  HttpResponse response =
      Get("/v1/me", {{"Authorization", "Bearer good-token"}, {"X-Auth-Token", "other"}});
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(Body(response)["error"]["details"][0]["field"], "X-Auth-Token");
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(RestRoutesTest, NonBearerAuthorizationIs401) {
  HttpResponse response = Get("/v1/me", {{"Authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_EQ(response.result_int(), 401);
  EXPECT_EQ(Body(response)["error"]["code"], "unauthenticated");
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(RestRoutesTest, AuthenticatedRouteWithoutTokenIs401AtTheGateway) {
  for (const char* target : {"/v1/me", "/v1/users?email=a%40b.c", "/v1/rooms/r1/messages"}) {
    HttpResponse response = Get(target, {{"X-Request-Id", "req-3"}});
    EXPECT_EQ(response.result_int(), 401) << target;
    json body = Body(response);
    EXPECT_EQ(body["error"]["code"], "unauthenticated");
    EXPECT_EQ(body["request_id"], "req-3");
  }
  HttpResponse logout = PostJson("/v1/auth/logout", R"({"refresh_token":"r"})");
  EXPECT_EQ(logout.result_int(), 401);
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(RestRoutesTest, BackendUnauthenticatedIs401) {
  HttpResponse response = Get("/v1/me", {{"Authorization", "Bearer expired"}});
  EXPECT_EQ(response.result_int(), 401);
  EXPECT_EQ(Body(response)["error"]["message"], "invalid access token");
  EXPECT_EQ(recorder_.count(), 1u);
}

TEST_F(RestRoutesTest, LookupUserBindsTheQueryAndMaps404) {
  HttpResponse response = Get("/v1/users?email=nobody%40example.com", kBearer);
  EXPECT_EQ(response.result_int(), 404);
  EXPECT_EQ(Body(response)["error"]["code"], "not_found");
  EXPECT_EQ(recorder_.last().rpc, "LookupUser");
  EXPECT_EQ(recorder_.last().request, R"(email: "nobody@example.com")");
}

TEST_F(RestRoutesTest, QueryErrorsNameTheParameter) {
  HttpResponse unknown = Get("/v1/users?mail=x", kBearer);
  EXPECT_EQ(unknown.result_int(), 400);
  EXPECT_EQ(Body(unknown)["error"]["details"][0]["field"], "mail");
  HttpResponse both = Get("/v1/users?email=a%40b.c&username=ada", kBearer);
  EXPECT_EQ(both.result_int(), 400);
  EXPECT_EQ(Body(both)["error"]["details"].size(), 2u);
  HttpResponse limit = Get("/v1/rooms/r1/messages?limit=lots", kBearer);
  EXPECT_EQ(limit.result_int(), 400);
  EXPECT_EQ(Body(limit)["error"]["message"], "limit: must be an integer");
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(RestRoutesTest, LogoutAnswers204WithNoBody) {
  HttpResponse response = PostJson("/v1/auth/logout", R"({"refresh_token":"r"})", kBearer);
  EXPECT_EQ(response.result_int(), 204);
  EXPECT_EQ(response.body(), "");
  EXPECT_EQ(recorder_.last().request, R"(refresh_token: "r")");
}

TEST_F(RestRoutesTest, RequestMetadataReachesTheBackend) {
  HttpResponse response = Get("/v1/me", {{"Authorization", "Bearer good-token"},
                                         {"X-Request-Id", "trace-42"},
                                         {"User-Agent", "chatter-test/1.0"}});
  ASSERT_EQ(response.result_int(), 200);
  SeenCall seen = recorder_.last();
  EXPECT_EQ(seen.Header("x-request-id"), "trace-42");
  EXPECT_EQ(seen.Header("x-forwarded-for"), "203.0.113.9");
  // gRPC owns `user-agent` (it drops a per-call one), so the client's travels separately.
  EXPECT_EQ(seen.Header("x-client-user-agent"), "chatter-test/1.0");
}

TEST_F(RestRoutesTest, GeneratedRequestIdReachesTheBackendToo) {
  HttpResponse response = Get("/v1/me", kBearer);
  ASSERT_EQ(response.result_int(), 200);
  std::string request_id(response[kRequestIdHeader]);
  EXPECT_FALSE(request_id.empty());
  EXPECT_EQ(recorder_.last().Header("x-request-id"), request_id);
}

TEST_F(RestRoutesTest, InternalErrorsAreHiddenFromClients) {
  // A fixed request id: a generated one may itself contain "db-7".
  Headers headers = kBearer;
  headers.emplace_back("X-Request-Id", "req-internal");
  HttpResponse response = Get("/v1/users/u1", headers);
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_EQ(Body(response)["error"]["message"], "internal error");
  EXPECT_EQ(response.body().find("db-7"), std::string::npos);
  EXPECT_EQ(recorder_.last().request, R"(user_id: "u1")");
}

TEST_F(RestRoutesTest, SlowBackendIs504) {
  HttpResponse response = PostJson("/v1/auth/refresh", R"({"refresh_token":"r"})");
  EXPECT_EQ(response.result_int(), 504);
  EXPECT_EQ(Body(response)["error"]["code"], "deadline_exceeded");
}

TEST_F(RestRoutesTest, SendMessageIs201ThenTheRepeatIs200) {
  HttpResponse first =
      PostJson("/v1/rooms/r1/messages",
               R"({"room_id":"ignored","content":"hi","client_msg_id":"c1"})", kBearer);
  ASSERT_EQ(first.result_int(), 201) << first.body();
  EXPECT_EQ(first.body(),
            R"({"id":"m1","room_id":"r1","seq":9007199254740993,"sender_id":"u1","content":"hi",)"
            R"("attachments":[],"client_msg_id":"c1","status":"sent",)"
            R"("created_at":"2026-11-22T10:12:00.000Z","updated_at":"2026-11-22T10:12:00.000Z",)"
            R"("edited":false,"deleted":false,"reply_to":null,"reply_count":0,"reactions":[],)"
            R"("mentions":[],"sender_kind":"user"})");
  HttpResponse repeat =
      PostJson("/v1/rooms/r1/messages", R"({"content":"hi","client_msg_id":"dup"})", kBearer);
  EXPECT_EQ(repeat.result_int(), 200);
  EXPECT_EQ(Body(repeat)["client_msg_id"], "dup");
}

TEST_F(RestRoutesTest, ListMessagesPrintsTheCursorOrNull) {
  HttpResponse first_page = Get("/v1/rooms/r%2D1/messages?limit=2", kBearer);
  ASSERT_EQ(first_page.result_int(), 200) << first_page.body();
  EXPECT_TRUE(Body(first_page)["next_before"].is_null());
  EXPECT_EQ(recorder_.last().request, R"(room_id: "r-1" limit: 2)");
  HttpResponse older = Get("/v1/rooms/r1/messages?before=10", kBearer);
  EXPECT_EQ(Body(older)["next_before"], 9);
  EXPECT_EQ(Body(older)["messages"][0]["seq"], 1);
}

TEST_F(RestRoutesTest, MarkReadIs204) {
  HttpResponse response = PostJson("/v1/rooms/r1/read", R"({"seq":5})", kBearer);
  EXPECT_EQ(response.result_int(), 204);
  EXPECT_EQ(response.body(), "");
  EXPECT_EQ(recorder_.last().request, R"(room_id: "r1" seq: 5)");
}

TEST_F(RestRoutesTest, UnknownRoutesStillGetTheDispatchersAnswers) {
  EXPECT_EQ(Get("/v1/nothing").result_int(), 404);
  EXPECT_EQ(gateway_->Send(http::verb::put, "/v1/me").result_int(), 405);
}

TEST(RestRoutes, UnreachableBackendIs503) {
  int dead_port = 0;
  {
    Recorder recorder;
    FakeAuthService auth(recorder);  // A server needs a service to start at all.
    grpc::ServerBuilder builder;
    builder.RegisterService(&auth);
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &dead_port);
    auto server = builder.BuildAndStart();
    ASSERT_NE(server, nullptr);
    server->Shutdown();
  }
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", dead_port),
                                     grpc::InsecureChannelCredentials());
  Gateway gateway({{kAuthService, channel}, {kChatService, channel}},
                  {.deadline = absl::Seconds(5)});
  ASSERT_TRUE(gateway.Start().ok());
  HttpResponse response = gateway.Send(http::verb::post, "/v1/auth/login", "");
  EXPECT_EQ(response.result_int(), 503);
  EXPECT_EQ(json::parse(response.body())["error"]["code"], "unavailable");
}

TEST(RestRoutes, EveryBackendNeedsAChannel) {
  auto channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  Gateway gateway({{kAuthService, channel}}, {});
  absl::Status started = gateway.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(started.message().find(kChatService), absl::string_view::npos) << started;
  EXPECT_TRUE(gateway.router().Describe().empty());
}

}  // namespace
}  // namespace chatter::gateway
