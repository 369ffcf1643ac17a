// Drives GET /ws over a real socket: the HTTP server hands the upgrade to the WsEndpoint, which
// verifies real tokens; chat-svc and realtime-svc are fakes behind the ChatBackend and
// RealtimeLink seams, and room events enter through the real EventFanout and RoomIndex.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "gateway/edge/cors.h"
#include "gateway/edge/request_id.h"
#include "gateway/http/dispatcher.h"
#include "gateway/http/http_server.h"
#include "gateway/http/router.h"
#include "gateway/ws/event_fanout.h"
#include "gateway/ws/ws_endpoint.h"
#include "libs/ids/random_source.h"
#include "libs/jwt/signer.h"
#include "libs/jwt/verifier.h"
#include "tests/gateway/ws/fake_chat_backend.h"
#include "tests/gateway/ws/fake_realtime_service.h"
#include "tests/gateway/ws/test_ws_client.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::gateway {
namespace {

using nlohmann::json;
using ::testing::Contains;
using testing::FakeChatBackend;
using ::testing::HasSubstr;
using testing::RecordingRealtimeLink;
using testing::TestWsClient;
using testing::WaitFor;

constexpr char kAlice[] = "0190a5d2-ac96-774b-bcce-b302099a8057";  // UserClaims' subject.
constexpr char kBob[] = "0190a5d2-ac96-774b-bcce-b3020990b0b0";

common::v1::Message MessageAt(const std::string& room, int64_t seq) {
  common::v1::Message message;
  message.set_id(absl::StrCat("m", seq));
  message.set_room_id(room);
  message.set_seq(seq);
  message.set_sender_id(kBob);
  message.set_content(absl::StrCat("message ", seq));
  message.set_status("sent");
  return message;
}

realtime::v1::RoomEvent CreatedEvent(const std::string& room, int64_t seq) {
  realtime::v1::RoomEvent event;
  event.set_room_id(room);
  *event.mutable_message_created() = MessageAt(room, seq);
  return event;
}

class WsSessionTest : public ::testing::Test {
 protected:
  WsSessionTest()
      : keys_({jwt::PublicKeyOf(jwt::testing::TestKey("k1", 1))}),
        verifier_(keys_, {.issuer = jwt::testing::kIssuer, .audience = jwt::testing::kAudience},
                  clock_),
        authenticator_(verifier_),
        signer_({jwt::testing::TestKey("k1", 1)}),
        uuids_(system_clock_, random_),
        request_ids_(uuids_),
        cors_({"https://app.example"}) {}

  ~WsSessionTest() override { StopServer(); }

  void StartServer(WsOptions options = {}) {
    options_ = options;
    metrics_ = std::make_unique<WsMetrics>(registry_);
    endpoint_ = std::make_unique<WsEndpoint>(options_, authenticator_, cors_, request_ids_, uuids_,
                                             chat_, realtime_, index_, sequencer_, *metrics_);
    AddWebSocketFallbackRoute(router_);
    dispatcher_ = std::make_unique<Dispatcher>(router_, cors_, request_ids_, registry_);
    server_ = std::make_unique<HttpServer>(io_, HttpServerOptions{.listen_address = "127.0.0.1:0"},
                                           *dispatcher_, endpoint_.get());
    ASSERT_TRUE(server_->Start().ok());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void StopServer() {
    if (!server_) return;
    server_->StopAccepting();
    endpoint_->CloseAll(1012, "server restarting");
    WaitFor([&] { return endpoint_->open_connections() == 0; }, absl::Seconds(5));
    work_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    index_.Clear();
    server_.reset();
  }

  std::string UserToken(const std::string& user_id = kAlice, const std::string& name = "alice") {
    jwt::Claims claims = jwt::testing::UserClaims();
    claims.subject = user_id;
    claims.username = name;
    return signer_.Sign(claims);
  }

  // A token the gateway accepts for `accepted_for` more (its exp lies in the verifier's 30 s
  // leeway), so expiry tests wait a second, not fifteen minutes. exp has whole seconds.
  std::string TokenAcceptedFor(absl::Duration accepted_for, const std::string& user_id = kAlice) {
    jwt::Claims claims = jwt::testing::UserClaims(jwt::testing::kNow - absl::Minutes(15));
    claims.subject = user_id;
    claims.expires_at = jwt::testing::kNow - absl::Seconds(30) + accepted_for;
    return signer_.Sign(claims);
  }

  // Connects (token in the query unless `headers` carry one) and reads `ready`.
  std::unique_ptr<TestWsClient> Connect(const std::string& query = "",
                                        std::map<std::string, std::string> headers = {},
                                        const std::string& token = "", int receive_buffer = 0) {
    std::string target = "/ws?";
    if (headers.empty()) target += "access_token=" + (token.empty() ? UserToken() : token);
    if (!query.empty()) target += "&" + query;
    auto client = TestWsClient::Connect(server_->port(), target, headers, receive_buffer);
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return nullptr;
    absl::StatusOr<json> ready = (*client)->Next();
    EXPECT_TRUE(ready.ok()) << ready.status();
    if (ready.ok()) last_ready_ = *ready;
    return *std::move(client);
  }

  // Sends {"event","data","ref"} and returns the frame answering `ref`, keeping others.
  json Request(TestWsClient& client, const std::string& event, const json& data,
               const std::string& ref, std::vector<json>* others = nullptr) {
    client.SendJson({{"event", event}, {"data", data}, {"ref", ref}});
    return ReplyTo(client, ref, others);
  }

  json ReplyTo(TestWsClient& client, const std::string& ref, std::vector<json>* others = nullptr) {
    absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (absl::Now() < deadline) {
      absl::StatusOr<json> frame = client.Next(deadline - absl::Now());
      if (!frame.ok()) break;
      if (frame->value("ref", "") == ref) return *frame;
      if (others) others->push_back(*frame);
    }
    ADD_FAILURE() << "no reply to " << ref;
    return json();
  }

  std::string SessionIdOf(const json& ready) { return ready["data"].value("session_id", ""); }

  jwt::testing::FakeClock clock_;
  jwt::KeySet keys_;
  jwt::Verifier verifier_;
  authn::Authenticator authenticator_;
  jwt::Signer signer_;
  ids::SystemClock system_clock_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator uuids_;
  RequestIdSource request_ids_;
  CorsPolicy cors_;
  metrics::Registry registry_;
  FakeChatBackend chat_;
  RecordingRealtimeLink realtime_;
  RoomIndex index_;
  EventFanout fanout_{index_, registry_};
  RoomSequencer sequencer_{fanout_, index_, chat_, registry_, {}};
  WsOptions options_;
  std::unique_ptr<WsMetrics> metrics_;
  std::unique_ptr<WsEndpoint> endpoint_;
  Router router_;
  std::unique_ptr<Dispatcher> dispatcher_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
  json last_ready_;
};

// ---------------------------------------------------------------------------------------------
// Admission.

TEST_F(WsSessionTest, MissingTokenIs401InTheErrorEnvelopeWithoutUpgrade) {
  StartServer();
  absl::StatusOr<testing::HttpAnswer> answer =
      testing::HttpGet(server_->port(), "/ws", {{"X-Request-Id", "req-ws-1"}}, /*upgrade=*/true);
  ASSERT_TRUE(answer.ok()) << answer.status();
  testing::HttpAnswer& refused = *answer;
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.headers.count("Sec-WebSocket-Accept"), 0u);
  EXPECT_EQ(refused.headers["X-Request-Id"], "req-ws-1");
  json body = json::parse(refused.body);
  EXPECT_EQ(body["error"]["code"], "unauthenticated");
  EXPECT_EQ(body["request_id"], "req-ws-1");
}

TEST_F(WsSessionTest, InvalidTokensAndKindsAreRefused) {
  StartServer();
  struct Case {
    std::string target;
    std::map<std::string, std::string> headers;
    int status;
    std::string code;
  };
  std::string token = UserToken();
  jwt::Claims service = jwt::testing::ServiceClaims();
  std::vector<Case> cases = {
      {"/ws?access_token=garbage", {}, 401, "unauthenticated"},
      {"/ws?token=" + signer_.Sign(service), {}, 403, "permission_denied"},
      {"/ws?access_token=" + token + "&token=" + UserToken(kBob, "bob"),
       {},
       400,
       "invalid_argument"},
      {"/ws?access_token=" + token,
       {{"X-Auth-Token", UserToken(kBob, "bob")}},
       400,
       "invalid_argument"},
      {"/ws",
       {{"Authorization", "Bearer " + token}, {"X-Auth-Token", "other"}},
       400,
       "invalid_argument"},
      {"/ws?access_token=" + token + "&room_id=%zz", {}, 400, "invalid_argument"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<testing::HttpAnswer> answer =
        testing::HttpGet(server_->port(), c.target, c.headers, /*upgrade=*/true);
    ASSERT_TRUE(answer.ok()) << answer.status();
    testing::HttpAnswer& refused = *answer;
    EXPECT_EQ(refused.status, c.status) << c.target << " " << refused.body;
    EXPECT_EQ(json::parse(refused.body)["error"]["code"], c.code) << c.target;
    EXPECT_FALSE(refused.headers["X-Request-Id"].empty());
  }
}

TEST_F(WsSessionTest, AnOriginTheCorsPolicyRefusesIs403BeforeTheTokenIsLookedAt) {
  StartServer();
  for (std::string target : {"/ws?access_token=" + UserToken(), std::string("/ws")}) {
    absl::StatusOr<testing::HttpAnswer> answer = testing::HttpGet(
        server_->port(), target, {{"Origin", "https://evil.example"}, {"X-Request-Id", "req-o"}},
        /*upgrade=*/true);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->status, 403) << target << " " << answer->body;
    EXPECT_EQ(answer->headers.count("Sec-WebSocket-Accept"), 0u);
    EXPECT_EQ(answer->headers["X-Request-Id"], "req-o");
    json body = json::parse(answer->body);
    EXPECT_EQ(body["error"]["code"], "permission_denied");
    EXPECT_THAT(body["error"].value("message", ""), HasSubstr("https://evil.example"));
    EXPECT_EQ(body["request_id"], "req-o");
  }
  // The allowed origin, the gateway's own origin, and no Origin at all (not a browser) are let in.
  EXPECT_NE(Connect("", {{"Origin", "https://app.example"}, {"X-Auth-Token", UserToken()}}),
            nullptr);
  // (TestWsClient sends Host: 127.0.0.1.)
  EXPECT_NE(Connect("", {{"Origin", "http://127.0.0.1"}, {"X-Auth-Token", UserToken()}}), nullptr);
  EXPECT_NE(Connect(), nullptr);
}

TEST_F(WsSessionTest, MoreThanTheRoomLimitIsRefused) {
  WsOptions options;
  options.max_connect_rooms = 2;
  StartServer(options);
  absl::StatusOr<testing::HttpAnswer> refused = testing::HttpGet(
      server_->port(), "/ws?access_token=" + UserToken() + "&room_id=a&room_id=b&room_id=c", {},
      /*upgrade=*/true);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 400);
  EXPECT_THAT(refused->body, HasSubstr("room_id"));
  EXPECT_TRUE(TestWsClient::Connect(server_->port(),
                                    "/ws?access_token=" + UserToken() + "&room_id=a&room_id=b")
                  .ok());
}

TEST_F(WsSessionTest, PlainGetOfWsIs426) {
  StartServer();
  absl::StatusOr<testing::HttpAnswer> answer = testing::HttpGet(server_->port(), "/ws");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 426);
  EXPECT_EQ(answer->headers["Upgrade"], "websocket");
}

// ---------------------------------------------------------------------------------------------
// Opening.

TEST_F(WsSessionTest, ReadyListsSubscribedAndRefusedRoomsAndRegistersTheSession) {
  StartServer();
  chat_.SetAccess("r-open", true, "", 12);
  chat_.SetAccess("r-private", false, "permission_denied");
  auto client =
      Connect("room_id=r-open&room_id=r-private&room_id=nope&room_id=r-open",
              {{"Authorization", "Bearer " + UserToken()}, {"X-Request-Id", "req-ready"}});
  ASSERT_TRUE(client);
  EXPECT_EQ(client->handshake().status, 101);
  EXPECT_EQ(client->handshake().headers.at("X-Request-Id"), "req-ready");
  EXPECT_EQ(last_ready_["event"], "ready");
  json data = last_ready_["data"];
  EXPECT_EQ(data["user_id"], kAlice);
  EXPECT_EQ(data["subscribed"], json({"r-open"}));
  EXPECT_EQ(data["refused"], json::parse(R"([{"room_id":"r-private","code":"permission_denied"},
                                               {"room_id":"nope","code":"not_found"}])"));
  std::string session = SessionIdOf(last_ready_);
  EXPECT_EQ(session.size(), 36u);
  EXPECT_EQ(realtime_.calls(),
            (std::vector<std::string>{absl::StrCat("opened ", session, " ", kAlice, " alice"),
                                      absl::StrCat("subscribe r-open ", session)}));
  EXPECT_TRUE(index_.IsSubscribed("r-open", session));

  client.reset();  // The client goes away: the session leaves the index and realtime is told.
  ASSERT_TRUE(WaitFor([&] { return index_.session_count() == 0; }));
  EXPECT_THAT(realtime_.calls(), Contains(absl::StrCat("closed ", session)));
}

// ---------------------------------------------------------------------------------------------
// Frames.

TEST_F(WsSessionTest, PingAnswersPongAndTheAck) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client);
  client->SendJson({{"event", "ping"}});
  EXPECT_EQ(*client->Next(), json::parse(R"({"event":"pong","data":{}})"));
  client->SendJson({{"event", "ping"}, {"data", json::object()}, {"ref", "p1"}});
  EXPECT_EQ(*client->Next(), json::parse(R"({"event":"pong","data":{}})"));
  EXPECT_EQ(*client->Next(), json::parse(R"({"event":"ack","ref":"p1","data":{}})"));
  // Unknown members are refused as for every other event: an error, no pong.
  std::vector<json> before_reply;
  json refused = Request(*client, "ping", {{"room_id", "r1"}}, "p2", &before_reply);
  EXPECT_TRUE(before_reply.empty()) << before_reply.front();
  EXPECT_EQ(refused["event"], "error");
  EXPECT_EQ(refused["data"]["code"], "invalid_argument");
  EXPECT_EQ(refused["data"]["message"], "data.room_id: unknown field");
  EXPECT_EQ(Request(*client, "ping", json::object(), "p3")["event"], "ack");
}

TEST_F(WsSessionTest, BadFramesGetErrorsAndTheSessionStaysOpen) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client);
  client->Send("not json");
  json error = *client->Next();
  EXPECT_EQ(error["event"], "error");
  EXPECT_FALSE(error.contains("ref"));
  EXPECT_EQ(error["data"]["code"], "invalid_argument");
  EXPECT_THAT(error["data"].value("message", ""), HasSubstr("frame"));

  json unknown = Request(*client, "fly", json::object(), "u1");
  EXPECT_EQ(unknown["event"], "error");
  EXPECT_EQ(unknown["data"]["code"], "invalid_argument");
  EXPECT_THAT(unknown["data"].value("message", ""), HasSubstr("event"));

  json missing = Request(*client, "subscribe", json::object(), "u2");
  EXPECT_EQ(missing["data"]["message"], "data.room_id: is required");

  json bad_type = Request(*client, "send_message", {{"room_id", "r"}, {"content", 5}}, "u3");
  EXPECT_EQ(bad_type["data"]["message"], "data.content: must be a string");

  EXPECT_EQ(Request(*client, "ping", json::object(), "u4")["event"], "ack");
}

TEST_F(WsSessionTest, OversizedFrameClosesWith1009) {
  WsOptions options;
  options.max_frame_bytes = 1024;
  StartServer(options);
  auto client = Connect();
  ASSERT_TRUE(client);
  client->Send(std::string(2000, 'x'));
  absl::StatusOr<int> code = client->WaitClosed();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1009);
}

TEST_F(WsSessionTest, APingIsAnsweredWithAPongOfItsPayload) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client);
  client->Ping("are you there");
  // The ack of a later event arrives after the pong (one connection, in order).
  EXPECT_EQ(Request(*client, "ping", json::object(), "p1")["event"], "ack");
  EXPECT_THAT(client->controls(), Contains("pong:are you there"));
}

TEST_F(WsSessionTest, AFragmentedMessageIsOneEventAndABinaryOneIsRefused) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client);
  client->SendFragments({R"({"event":"fl)", R"(y","data":{},)", R"("ref":"f1"})"});
  json unknown = *client->Next();
  EXPECT_EQ(unknown["event"], "error");
  EXPECT_EQ(unknown["ref"], "f1");
  EXPECT_THAT(unknown["data"].value("message", ""), HasSubstr("event"));
  client->SendBinary(R"({"event":"ping","ref":"b1"})");
  json error = *client->Next();
  EXPECT_EQ(error["event"], "error");
  EXPECT_THAT(error["data"].value("message", ""), HasSubstr("text frame"));
}

TEST_F(WsSessionTest, ProtocolViolationsCloseWith1002AndInvalidUtf8With1007) {
  StartServer();
  auto unmasked = Connect();
  ASSERT_TRUE(unmasked);
  unmasked->SendRaw(std::string("\x81\x02hi", 4));  // Clients must mask.
  absl::StatusOr<int> code = unmasked->WaitClosed();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1002);

  auto not_utf8 = Connect();
  ASSERT_TRUE(not_utf8);
  not_utf8->Send("\xff\xfe");
  code = not_utf8->WaitClosed();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1007);
}

TEST_F(WsSessionTest, AnIdleClientIsPingedAndCutOnlyWhenItStaysSilent) {
  WsOptions options;
  options.idle_timeout = absl::Milliseconds(400);
  StartServer(options);
  // A client that reads answers the pings (Beast does), so it outlives the idle timeout.
  auto answering = Connect();
  ASSERT_TRUE(answering);
  EXPECT_EQ(answering->Next(absl::Milliseconds(1200)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(answering->controls(), Contains("ping:"));
  EXPECT_EQ(Request(*answering, "ping", json::object(), "still")["event"], "ack");
  // One that never reads answers nothing and is cut after the whole timeout, while the first,
  // reading meanwhile (so answering pings), stays.
  auto silent = Connect();
  ASSERT_TRUE(silent);
  absl::Time deadline = absl::Now() + absl::Seconds(3);
  while (endpoint_->open_connections() != 1 && absl::Now() < deadline) {
    EXPECT_EQ(answering->Next(absl::Milliseconds(50)).status().code(),
              absl::StatusCode::kDeadlineExceeded);
  }
  EXPECT_EQ(endpoint_->open_connections(), 1);
  EXPECT_EQ(Request(*answering, "ping", json::object(), "after")["event"], "ack");
}

// ---------------------------------------------------------------------------------------------
// Subscriptions and delivery.

TEST_F(WsSessionTest, SubscribeDeliversLiveEventsUntilUnsubscribe) {
  StartServer();
  chat_.SetAccess("r1", true, "", 3);
  auto client = Connect();
  ASSERT_TRUE(client);
  std::string session = SessionIdOf(last_ready_);
  EXPECT_EQ(Request(*client, "subscribe", {{"room_id", "r1"}}, "s1"),
            json::parse(R"({"event":"ack","ref":"s1","data":{"room_id":"r1","last_seq":3}})"));
  EXPECT_THAT(realtime_.calls(), Contains(absl::StrCat("subscribe r1 ", session)));

  fanout_.OnRoomEvent(CreatedEvent("r1", 4));
  json live = *client->Next();
  EXPECT_EQ(live["event"], "receive_message");
  EXPECT_EQ(live["data"]["seq"], 4);
  EXPECT_EQ(live["data"]["content"], "message 4");

  EXPECT_EQ(Request(*client, "unsubscribe", {{"room_id", "r1"}}, "s2"),
            json::parse(R"({"event":"ack","ref":"s2","data":{"room_id":"r1"}})"));
  EXPECT_THAT(realtime_.calls(), Contains(absl::StrCat("unsubscribe r1 ", session)));
  fanout_.OnRoomEvent(CreatedEvent("r1", 5));
  EXPECT_EQ(Request(*client, "ping", json::object(), "p")["event"], "ack");  // Nothing between.
}

TEST_F(WsSessionTest, SubscribingToARefusedRoomIsAnError) {
  StartServer();
  chat_.SetAccess("secret", false, "permission_denied");
  auto client = Connect();
  ASSERT_TRUE(client);
  json denied = Request(*client, "subscribe", {{"room_id", "secret"}}, "s1");
  EXPECT_EQ(denied["event"], "error");
  EXPECT_EQ(denied["data"]["code"], "permission_denied");
  json missing = Request(*client, "subscribe", {{"room_id", "nothing"}}, "s2");
  EXPECT_EQ(missing["data"]["code"], "not_found");
  EXPECT_EQ(index_.room_count(), 0u);
}

TEST_F(WsSessionTest, ReplayHasNoGapAndNoDuplicate) {
  StartServer();
  chat_.SetAccess("r1", true, "", 5);
  chat_.SetReplay([](const chat::v1::ListMessagesSinceRequest& request)
                      -> absl::StatusOr<chat::v1::ListMessagesSinceResponse> {
    EXPECT_EQ(request.since_seq(), 3);
    EXPECT_EQ(request.limit(), 500);
    EXPECT_EQ(request.user_id(), kAlice);
    chat::v1::ListMessagesSinceResponse response;
    *response.add_messages() = MessageAt("r1", 4);
    *response.add_messages() = MessageAt("r1", 5);
    response.set_last_seq(5);
    return response;
  });
  chat_.HoldReplays(true);
  auto client = Connect();
  ASSERT_TRUE(client);
  client->SendJson(
      {{"event", "subscribe"}, {"data", {{"room_id", "r1"}, {"since_seq", 3}}}, {"ref", "s1"}});
  ASSERT_TRUE(WaitFor([&] { return chat_.held_replays() == 1; }));
  // Live events while the replay is fetched: 5 is also in the replay, 6 is not.
  fanout_.OnRoomEvent(CreatedEvent("r1", 5));
  fanout_.OnRoomEvent(CreatedEvent("r1", 6));
  realtime::v1::RoomEvent read;
  read.set_room_id("r1");
  read.mutable_read_receipt()->set_room_id("r1");
  read.mutable_read_receipt()->set_user_id(kBob);
  read.mutable_read_receipt()->set_seq(5);
  fanout_.OnRoomEvent(read);
  // Nothing reaches the client before the replay.
  EXPECT_EQ(client->Next(absl::Milliseconds(100)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  chat_.ReleaseReplays();

  std::vector<json> frames;
  json ack = ReplyTo(*client, "s1", &frames);
  std::vector<std::string> seen;
  for (const json& frame : frames) {
    seen.push_back(absl::StrCat(frame["event"].get<std::string>(), " ",
                                frame["data"].value("seq", int64_t{-1})));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"receive_message 4", "receive_message 5",
                                            "receive_message 6", "read_receipt 5"}));
  EXPECT_EQ(ack, json::parse(R"({"event":"ack","ref":"s1","data":{"room_id":"r1","last_seq":6}})"));
  fanout_.OnRoomEvent(CreatedEvent("r1", 7));
  EXPECT_EQ((*client->Next())["data"]["seq"], 7);
}

TEST_F(WsSessionTest, AReplayLargerThanTheSendQueueIsPacedByTheReader) {
  WsOptions options;
  options.send_queue_bytes = 16 * 1024;
  StartServer(options);
  chat_.SetAccess("r1", true, "", 60);
  chat_.SetReplay([](const chat::v1::ListMessagesSinceRequest&)
                      -> absl::StatusOr<chat::v1::ListMessagesSinceResponse> {
    chat::v1::ListMessagesSinceResponse response;
    for (int64_t seq = 1; seq <= 60; ++seq) {
      *response.add_messages() = MessageAt("r1", seq);
      response.mutable_messages()->rbegin()->set_content(std::string(3000, 'y'));
    }
    response.set_last_seq(60);
    return response;
  });
  chat_.HoldReplays(true);
  auto client = Connect("", {}, "", /*receive_buffer=*/4096);
  ASSERT_TRUE(client);
  client->SendJson(
      {{"event", "subscribe"}, {"data", {{"room_id", "r1"}, {"since_seq", 0}}}, {"ref", "s1"}});
  // Live events held until the replay is out: seq 30 is in the replay, 61 is not.
  ASSERT_TRUE(WaitFor([&] { return chat_.held_replays() == 1; }));
  fanout_.OnRoomEvent(CreatedEvent("r1", 30));
  fanout_.OnRoomEvent(CreatedEvent("r1", 61));
  // 180 KB of replay against a 16 KiB queue: it enters the queue as the reader drains it.
  chat_.ReleaseReplays();
  std::vector<json> frames;
  json ack = ReplyTo(*client, "s1", &frames);
  std::vector<int64_t> seqs;
  for (const json& frame : frames) {
    EXPECT_EQ(frame["event"], "receive_message");
    seqs.push_back(frame["data"].value("seq", int64_t{-1}));
  }
  std::vector<int64_t> expected;
  for (int64_t seq = 1; seq <= 61; ++seq) expected.push_back(seq);
  EXPECT_EQ(seqs, expected);
  EXPECT_EQ(ack["data"]["last_seq"], 61);
  EXPECT_FALSE(client->closed());
}

TEST_F(WsSessionTest, TruncatedReplayAsksForAResync) {
  StartServer();
  chat_.SetAccess("r1", true, "", 900);
  chat_.SetReplay([](const chat::v1::ListMessagesSinceRequest&)
                      -> absl::StatusOr<chat::v1::ListMessagesSinceResponse> {
    chat::v1::ListMessagesSinceResponse response;
    *response.add_messages() = MessageAt("r1", 1);
    response.set_truncated(true);
    response.set_last_seq(900);
    return response;
  });
  auto client = Connect();
  ASSERT_TRUE(client);
  std::vector<json> frames;
  json ack = Request(*client, "subscribe", {{"room_id", "r1"}, {"since_seq", 0}}, "s1", &frames);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0],
            json::parse(R"({"event":"resync_required","data":{"room_id":"r1","last_seq":900}})"));
  EXPECT_EQ(ack["data"]["last_seq"], 900);
}

TEST_F(WsSessionTest, ResubscribingWithSinceSeqReplaysAgain) {
  StartServer();
  chat_.SetAccess("r1", true, "", 2);
  chat_.SetReplay([](const chat::v1::ListMessagesSinceRequest& request)
                      -> absl::StatusOr<chat::v1::ListMessagesSinceResponse> {
    chat::v1::ListMessagesSinceResponse response;
    for (int64_t seq = request.since_seq() + 1; seq <= 2; ++seq) {
      *response.add_messages() = MessageAt("r1", seq);
    }
    response.set_last_seq(2);
    return response;
  });
  auto client = Connect("room_id=r1");
  ASSERT_TRUE(client);
  std::vector<json> frames;
  Request(*client, "subscribe", {{"room_id", "r1"}, {"since_seq", 0}}, "s1", &frames);
  EXPECT_EQ(frames.size(), 2u);
  EXPECT_EQ(Request(*client, "subscribe", {{"room_id", "r1"}}, "s2")["data"]["last_seq"], 2);
}

TEST_F(WsSessionTest, RevokedSessionsStopReceivingTheRoom) {
  StartServer();
  chat_.SetAccess("r1", true);
  auto client = Connect("room_id=r1");
  ASSERT_TRUE(client);
  std::string session = SessionIdOf(last_ready_);
  realtime::v1::RoomEvent left;
  left.set_room_id("r1");
  left.add_revoked_user_ids(kAlice);
  left.mutable_member_left()->set_room_id("r1");
  left.mutable_member_left()->set_user_id(kAlice);
  fanout_.OnRoomEvent(left);
  EXPECT_EQ((*client->Next())["event"], "member_left");
  ASSERT_TRUE(WaitFor([&] {
    auto calls = realtime_.calls();
    return std::find(calls.begin(), calls.end(), absl::StrCat("unsubscribe r1 ", session)) !=
           calls.end();
  }));
  fanout_.OnRoomEvent(CreatedEvent("r1", 1));
  EXPECT_EQ(Request(*client, "ping", json::object(), "p")["event"], "ack");
}

TEST_F(WsSessionTest, TypingNeedsASubscriptionAndGoesToRealtime) {
  StartServer();
  chat_.SetAccess("r1", true);
  auto client = Connect();
  ASSERT_TRUE(client);
  std::string session = SessionIdOf(last_ready_);
  json refused = Request(*client, "typing_start", {{"room_id", "r1"}}, "t1");
  EXPECT_EQ(refused["data"]["code"], "failed_precondition");
  Request(*client, "subscribe", {{"room_id", "r1"}}, "s1");
  EXPECT_EQ(Request(*client, "typing_start", {{"room_id", "r1"}}, "t2"),
            json::parse(R"({"event":"ack","ref":"t2","data":{}})"));
  Request(*client, "typing_stop", {{"room_id", "r1"}}, "t3");
  EXPECT_THAT(realtime_.calls(),
              Contains(absl::StrCat("typing ", session, " r1 ", kAlice, " alice start")));
  EXPECT_THAT(realtime_.calls(),
              Contains(absl::StrCat("typing ", session, " r1 ", kAlice, " alice stop")));
}

// ---------------------------------------------------------------------------------------------
// The session's access token.

TEST_F(WsSessionTest, ASessionEndsWith4401WhenItsTokenStopsBeingAccepted) {
  StartServer();
  auto lasting = Connect();
  absl::Time started = absl::Now();  // Before the token is verified: its second starts later.
  auto expiring = Connect("", {}, TokenAcceptedFor(absl::Seconds(1)));
  ASSERT_TRUE(expiring && lasting);
  absl::StatusOr<int> code = expiring->WaitClosed(absl::Seconds(5));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 4401);
  EXPECT_EQ(expiring->close_reason(), "access token expired");
  EXPECT_GE(absl::Now() - started, absl::Seconds(1)) << "closed before the token ran out";
  EXPECT_EQ(Request(*lasting, "ping", json::object(), "p")["event"], "ack");
  EXPECT_TRUE(WaitFor([&] { return index_.session_count() == 1; }));
}

TEST_F(WsSessionTest, AuthenticateWithANewerTokenKeepsTheSessionAndLaterCallsCarryIt) {
  StartServer();
  chat_.SetSend([](const UserCallContext&, const chat::v1::SendMessageRequest& request)
                    -> absl::StatusOr<chat::v1::SendMessageResponse> {
    chat::v1::SendMessageResponse response;
    *response.mutable_message() = MessageAt(request.room_id(), 1);
    return response;
  });
  // Three seconds to get `authenticate` through, even on a loaded machine.
  auto client = Connect("", {}, TokenAcceptedFor(absl::Seconds(3)));
  ASSERT_TRUE(client);
  std::string fresh = UserToken();
  json ack = Request(*client, "authenticate", {{"access_token", fresh}}, "a1");
  ASSERT_EQ(ack["event"], "ack") << ack;
  EXPECT_EQ(ack["data"]["user_id"], kAlice);
  EXPECT_EQ(ack["data"]["expires_at"], "2026-11-22T10:27:00.000Z");  // kNow + 15 minutes.
  absl::SleepFor(absl::Milliseconds(3500));                          // Past the first token's end.
  EXPECT_EQ(Request(*client, "ping", json::object(), "p")["event"], "ack");
  EXPECT_FALSE(client->closed());
  EXPECT_EQ(Request(*client, "send_message", {{"room_id", "r1"}, {"content", "hi"}}, "m")["event"],
            "ack");
  EXPECT_EQ(chat_.user_tokens(), std::vector<std::string>{fresh});
}

TEST_F(WsSessionTest, AuthenticateRefusesOtherUsersBadTokensAndKeepsTheOldOne) {
  StartServer();
  std::string token = UserToken();
  auto client = Connect("", {}, token);
  ASSERT_TRUE(client);
  auto error_of = [&](const json& data) {
    json reply = Request(*client, "authenticate", data, "a");
    EXPECT_EQ(reply["event"], "error") << reply;
    return reply["data"];
  };
  EXPECT_EQ(error_of({{"access_token", UserToken(kBob, "bob")}})["code"], "permission_denied");
  EXPECT_EQ(error_of({{"access_token", "not.a.jwt"}})["code"], "unauthenticated");
  EXPECT_EQ(error_of({{"access_token", TokenAcceptedFor(absl::ZeroDuration())}})["message"],
            "token expired");
  EXPECT_EQ(error_of({{"access_token", signer_.Sign(jwt::testing::ServiceClaims())}})["code"],
            "permission_denied");
  EXPECT_EQ(error_of(json::object())["message"], "data.access_token: is required");
  EXPECT_EQ(error_of({{"access_token", 7}})["message"],
            "data.access_token: must be a non-empty string");
  EXPECT_EQ(error_of({{"access_token", std::string(9000, 'a')}})["message"],
            "data.access_token: must be at most 8192 bytes");
  EXPECT_EQ(error_of({{"token", token}})["message"], "data.token: unknown field");
  // Still open, still acting with the token it connected with.
  EXPECT_EQ(Request(*client, "mark_read", {{"room_id", "r1"}, {"seq", 1}}, "r")["event"], "ack");
  EXPECT_EQ(chat_.user_tokens(), std::vector<std::string>{token});
}

// ---------------------------------------------------------------------------------------------
// Message actions.

TEST_F(WsSessionTest, SendMessageUsesTheUserTokenAndAcksTheMessageJson) {
  StartServer();
  std::string token = UserToken();
  chat_.SetSend([](const UserCallContext&, const chat::v1::SendMessageRequest& request)
                    -> absl::StatusOr<chat::v1::SendMessageResponse> {
    chat::v1::SendMessageResponse response;
    *response.mutable_message() = MessageAt(request.room_id(), 8);
    response.mutable_message()->set_content(request.content());
    response.mutable_message()->set_client_msg_id(request.client_msg_id());
    return response;
  });
  auto client = Connect("", {}, token);
  ASSERT_TRUE(client);
  json ack = Request(*client, "send_message",
                     {{"room_id", "r1"}, {"content", "hi"}, {"client_msg_id", "c-1"}}, "m1");
  EXPECT_EQ(ack["event"], "ack");
  EXPECT_EQ(ack["data"]["seq"], 8);
  EXPECT_EQ(ack["data"]["content"], "hi");
  EXPECT_EQ(ack["data"]["client_msg_id"], "c-1");
  EXPECT_EQ(ack["data"]["attachments"], json::array());
  EXPECT_EQ(ack["data"]["created_at"], nullptr);
  EXPECT_EQ(chat_.user_tokens(), std::vector<std::string>{token});
}

TEST_F(WsSessionTest, TheSendersAckComesBeforeItsOwnReceiveMessage) {
  StartServer();
  chat_.SetAccess("r1", true);
  // As chat-svc does: the event is published before the RPC answers.
  chat_.SetSend([this](const UserCallContext&, const chat::v1::SendMessageRequest& request)
                    -> absl::StatusOr<chat::v1::SendMessageResponse> {
    fanout_.OnRoomEvent(CreatedEvent(request.room_id(), 8));
    absl::SleepFor(absl::Milliseconds(20));  // Widen the window the hold must cover.
    chat::v1::SendMessageResponse response;
    *response.mutable_message() = MessageAt(request.room_id(), 8);
    return response;
  });
  auto client = Connect("room_id=r1");
  ASSERT_TRUE(client);
  client->SendJson(
      {{"event", "send_message"}, {"data", {{"room_id", "r1"}, {"content", "hi"}}}, {"ref", "m1"}});
  json first = *client->Next();
  json second = *client->Next();
  EXPECT_EQ(first["event"], "ack") << first;
  EXPECT_EQ(second["event"], "receive_message") << second;
  EXPECT_EQ(second["data"]["seq"], 8);
  // Without a send in flight, events flow at once.
  fanout_.OnRoomEvent(CreatedEvent("r1", 9));
  EXPECT_EQ((*client->Next())["data"]["seq"], 9);
}

TEST_F(WsSessionTest, BackendErrorsAnswerTheRef) {
  StartServer();
  chat_.SetSend(
      [](const UserCallContext&,
         const chat::v1::SendMessageRequest&) -> absl::StatusOr<chat::v1::SendMessageResponse> {
        return absl::UnavailableError("connect 10.1.2.3 failed");
      });
  auto client = Connect();
  ASSERT_TRUE(client);
  EXPECT_EQ(Request(*client, "send_message", {{"room_id", "r1"}, {"content", "hi"}}, "m1"),
            json::parse(R"({"event":"error","ref":"m1","data":{"code":"unavailable",
                           "message":"service temporarily unavailable"}})"));
  EXPECT_EQ(
      Request(*client, "edit_message", {{"room_id", "r1"}, {"message_id", "m"}, {"content", "x"}},
              "m2")["data"]["code"],
      "failed_precondition");
  EXPECT_EQ(Request(*client, "delete_message", {{"room_id", "r1"}, {"message_id", "m"}}, "m3"),
            json::parse(R"({"event":"ack","ref":"m3","data":{"room_id":"r1","message_id":"m"}})"));
  EXPECT_EQ(Request(*client, "mark_read", {{"room_id", "r1"}, {"seq", 4}}, "m4"),
            json::parse(R"({"event":"ack","ref":"m4","data":{"room_id":"r1","seq":5}})"));
}

// ---------------------------------------------------------------------------------------------
// Limits and closing.

TEST_F(WsSessionTest, RateLimitErrorsThenClosesWith1008) {
  WsOptions options;
  options.events_per_second = 1;
  options.event_burst = 2;
  options.abuse_rejections = 3;
  StartServer(options);
  auto client = Connect();
  ASSERT_TRUE(client);
  for (int i = 0; i < 6; ++i) {
    client->SendJson({{"event", "typing_stop"}, {"data", {{"room_id", "r"}}}, {"ref", "x"}});
  }
  std::vector<std::string> codes;
  while (true) {
    absl::StatusOr<json> frame = client->Next();
    if (!frame.ok()) break;
    codes.push_back((*frame)["data"].value("code", ""));
  }
  // Two within the burst, then refusals, the last for the frame that closes the session: one
  // reply per frame read.
  ASSERT_EQ(codes.size(), 6u);
  EXPECT_EQ(codes[0], "failed_precondition");
  EXPECT_EQ(codes[1], "failed_precondition");
  for (size_t i = 2; i < codes.size(); ++i) EXPECT_EQ(codes[i], "resource_exhausted");
  EXPECT_EQ(client->close_code(), 1008);
  EXPECT_EQ(client->close_reason(), "event rate limit exceeded");
}

TEST_F(WsSessionTest, ARateLimitCloseComesAfterOneReplyPerRefAndTheAcksOfSavedMessages) {
  WsOptions options;
  options.events_per_second = 1;
  options.event_burst = 3;
  options.abuse_rejections = 2;
  StartServer(options);
  std::atomic<int> saved{0};
  chat_.SetSend([&saved](const UserCallContext&, const chat::v1::SendMessageRequest& request)
                    -> absl::StatusOr<chat::v1::SendMessageResponse> {
    absl::SleepFor(absl::Milliseconds(100));  // Still in flight when the session decides to close.
    chat::v1::SendMessageResponse response;
    *response.mutable_message() = MessageAt(request.room_id(), ++saved);
    return response;
  });
  auto client = Connect();
  ASSERT_TRUE(client);
  for (int i = 0; i < 12; ++i) {
    client->SendJson({{"event", "send_message"},
                      {"data", {{"room_id", "r1"}, {"content", "burst"}}},
                      {"ref", absl::StrCat("s", i)}});
  }
  std::map<std::string, std::vector<std::string>> replies;  // ref -> events answering it
  while (true) {
    absl::StatusOr<json> frame = client->Next();
    if (!frame.ok()) break;
    replies[frame->value("ref", "")].push_back(
        (*frame)["event"] == "ack" ? "ack" : (*frame)["data"].value("code", ""));
  }
  EXPECT_EQ(client->close_code(), 1008);
  // The burst was saved and acked before the close; then the refusals, the last one being the
  // frame that tipped the session over; nothing after it was read.
  EXPECT_EQ(saved.load(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(replies[absl::StrCat("s", i)], std::vector<std::string>{"ack"}) << i;
  }
  for (int i = 3; i < 6; ++i) {
    EXPECT_EQ(replies[absl::StrCat("s", i)], std::vector<std::string>{"resource_exhausted"}) << i;
  }
  for (int i = 6; i < 12; ++i) EXPECT_FALSE(replies.contains(absl::StrCat("s", i))) << i;
}

TEST_F(WsSessionTest, ASlowClientIsClosedWith1013AndOthersGoOn) {
  WsOptions options;
  options.send_queue_bytes = 16 * 1024;
  StartServer(options);
  chat_.SetAccess("busy", true);
  chat_.SetAccess("calm", true);
  auto slow = Connect("room_id=busy", {}, "", /*receive_buffer=*/4096);
  ASSERT_TRUE(slow);
  auto other = Connect("room_id=calm", {}, UserToken(kBob, "bob"));
  ASSERT_TRUE(other);
  realtime::v1::RoomEvent big = CreatedEvent("busy", 1);
  big.mutable_message_created()->set_content(std::string(4000, 'x'));
  // 12 MB for a client that does not read: far beyond its socket buffers and a 16 KiB queue.
  for (int i = 0; i < 3000; ++i) fanout_.OnRoomEvent(big);
  absl::StatusOr<int> code = slow->WaitClosed(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1013);
  EXPECT_EQ(slow->close_reason(), "send queue overflow");
  EXPECT_EQ(Request(*other, "ping", json::object(), "p")["event"], "ack");
}

TEST_F(WsSessionTest, AShutdownCloseComesAfterTheAckOfASendBeingSaved) {
  StartServer();
  std::atomic<bool> in_flight{false};
  chat_.SetSend([&in_flight](const UserCallContext&, const chat::v1::SendMessageRequest& request)
                    -> absl::StatusOr<chat::v1::SendMessageResponse> {
    in_flight = true;
    absl::SleepFor(absl::Milliseconds(200));  // The shutdown comes meanwhile.
    chat::v1::SendMessageResponse response;
    *response.mutable_message() = MessageAt(request.room_id(), 1);
    return response;
  });
  auto client = Connect();
  ASSERT_TRUE(client);
  client->SendJson({{"event", "send_message"},
                    {"data", {{"room_id", "r1"}, {"content", "saved during shutdown"}}},
                    {"ref", "s1"}});
  ASSERT_TRUE(WaitFor([&] { return in_flight.load(); }));
  endpoint_->CloseAll(1012, "server restarting");
  std::vector<std::string> refs;
  while (true) {
    absl::StatusOr<json> frame = client->Next();
    if (!frame.ok()) break;
    EXPECT_EQ((*frame)["event"], "ack") << frame->dump();
    refs.push_back(frame->value("ref", ""));
  }
  EXPECT_EQ(refs, std::vector<std::string>{"s1"})
      << "the client must learn the message was saved, so it does not send it again";
  EXPECT_EQ(client->close_code(), 1012);
}

TEST_F(WsSessionTest, ShutdownClosesEverySessionWith1012) {
  StartServer();
  auto first = Connect();
  auto second = Connect();
  ASSERT_TRUE(first && second);
  endpoint_->CloseAll(1012, "server restarting");
  for (TestWsClient* client : {first.get(), second.get()}) {
    absl::StatusOr<int> code = client->WaitClosed();
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 1012);
    EXPECT_EQ(client->close_reason(), "server restarting");
  }
  EXPECT_TRUE(WaitFor([&] { return endpoint_->open_connections() == 0; }));
  EXPECT_EQ(index_.session_count(), 0u);
  // Upgrades arriving while draining (on kept-alive connections) are refused.
  absl::StatusOr<testing::HttpAnswer> late =
      testing::HttpGet(server_->port(), "/ws?access_token=" + UserToken(), {}, /*upgrade=*/true);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->status, 503);
  EXPECT_EQ(json::parse(late->body)["error"]["code"], "unavailable");
}

}  // namespace
}  // namespace chatter::gateway
