// RealtimeGrpcService served in-process over real gRPC with a real Redis (and fake block
// relations): gateways drive Connect as the real gateway would. Covers hello/welcome, least
// privilege per caller, Publish -> each subscribed gateway exactly once across two instances,
// PublishStream (batches in order, an ack per batch naming invalid events, publishers only, the
// stream ends with its token and at shutdown),
// typing to the other sessions, presence hidden from blocked users, GetPresence, user events to
// the gateways with sessions of their users (PublishUserEvent), a slow gateway cut off with
// RESOURCE_EXHAUSTED, and shutdown ending streams with UNAVAILABLE.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cctype>
#include <condition_variable>
#include <deque>
#include <sstream>
#include <thread>

#include "absl/strings/str_format.h"
#include "libs/jwt/jwt.h"
#include "libs/log/log.h"
#include "services/realtime/api/realtime_grpc_service.h"
#include "services/realtime/bus/redis_event_bus.h"
#include "services/realtime/storage/redis_presence_store.h"
#include "services/realtime/work/background_publisher.h"
#include "services/realtime/work/queued_presence_tasks.h"
#include "tests/libs/jwt/jwt_test_support.h"
#include "tests/libs/redis/redis_test_support.h"
#include "tests/services/realtime/fakes/fake_block_directory.h"

namespace chatter::realtime {
namespace {

namespace jwtt = jwt::testing;
using redis::testing::Eventually;

constexpr char kRoom[] = "018f0000-0000-7000-8000-0000000000a1";
constexpr char kOtherRoom[] = "018f0000-0000-7000-8000-0000000000a2";
constexpr char kAlice[] = "018f0000-0000-7000-8000-0000000000c1";
constexpr char kBob[] = "018f0000-0000-7000-8000-0000000000c2";
constexpr char kCarol[] = "018f0000-0000-7000-8000-0000000000c3";
constexpr absl::Duration kWait = absl::Seconds(5);

std::string SessionId(int n) { return absl::StrFormat("018f0000-0000-7000-8000-%012d", n); }

// One realtime-svc instance: the wiring of main.cc, on port 0.
class Instance {
 public:
  Instance(const std::string& prefix, const authn::Authenticator& authenticator,
           BlockDirectory& blocks, size_t queue_frames = 10000)
      : redis_(redis::testing::TestEndpoint(), redis::ConnectionOptions{}, 4),
        bus_(redis_, redis::EventsChannel(prefix), metrics_),
        store_(redis_, prefix),
        presence_(store_, blocks, bus_, clock_, metrics_, PresenceOptions{}),
        tasks_(presence_, presence_queue_, metrics_),
        typing_(bus_, typing_queue_),
        subscription_(
            redis::testing::TestEndpoint(), redis::EventsChannel(prefix), {},
            [this](const std::shared_ptr<const v1::RealtimeFrame>& frame) {
              return registry_.Deliver(frame);
            },
            metrics_),
        service_(
            authenticator,
            {.publishers = {"chat-svc"}, .gateways = {"gateway"}, .presence_readers = {"chat-svc"}},
            {.link = {.instance_id = "instance-under-test",
                      .heartbeat_interval = absl::Seconds(10),
                      .presence_ttl = absl::Seconds(45)},
             .queue_frames = queue_frames},
            {registry_, tasks_, typing_, uuids_, clock_, metrics_}, bus_, presence_) {
    presence_queue_.Start();
    typing_queue_.Start();
    subscription_.Start();
    EXPECT_TRUE(subscription_.WaitUntilSubscribed(kWait));
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~Instance() {
    service_.StopStreams();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    subscription_.Stop();
    typing_queue_.Stop();
    presence_queue_.Stop();
  }

  std::unique_ptr<v1::RealtimeService::Stub> Stub() const {
    return v1::RealtimeService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()));
  }
  GatewayRegistry& registry() { return registry_; }
  RealtimeMetrics& metrics() { return metrics_; }
  RealtimeGrpcService& service() { return service_; }

 private:
  metrics::Registry metric_registry_;
  RealtimeMetrics metrics_{metric_registry_};
  ids::SystemClock clock_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator uuids_{clock_, random_};
  redis::Client redis_;
  RedisEventBus bus_;
  RedisPresenceStore store_;
  PresenceService presence_;
  GatewayRegistry registry_;
  ShardedWorkQueue presence_queue_{"presence", 2, 1000};
  ShardedWorkQueue typing_queue_{"typing", 1, 1000};
  QueuedPresenceTasks tasks_;
  BackgroundPublisher typing_;
  BusSubscription subscription_;
  RealtimeGrpcService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// A gateway's end of Connect: frames are read on a thread into a queue the test polls.
class Gateway {
 public:
  Gateway(v1::RealtimeService::Stub& stub, const std::string& token, bool read = true) {
    if (!token.empty()) context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    stream_ = stub.Connect(&context_);
    if (read) StartReading();
  }
  ~Gateway() {
    context_.TryCancel();
    Finish();
  }

  void StartReading() {
    reader_ = std::thread([this] {
      v1::RealtimeFrame frame;
      while (stream_->Read(&frame)) {
        std::lock_guard lock(mu_);
        frames_.push_back(frame);
        arrived_.notify_all();
      }
      std::lock_guard lock(mu_);
      ended_ = true;
      arrived_.notify_all();
    });
  }
  bool Send(const v1::GatewayFrame& frame) { return stream_->Write(frame); }
  void Hello(const std::string& gateway_id) {
    v1::GatewayFrame frame;
    frame.mutable_hello()->set_gateway_id(gateway_id);
    Send(frame);
  }
  void Open(const std::string& session, const std::string& user, const std::string& name) {
    v1::GatewayFrame frame;
    frame.mutable_session_opened()->set_session_id(session);
    frame.mutable_session_opened()->set_user_id(user);
    frame.mutable_session_opened()->set_username(name);
    Send(frame);
  }
  void Subscribe(const std::string& room, const std::vector<std::string>& sessions) {
    v1::GatewayFrame frame;
    frame.mutable_subscribe()->set_room_id(room);
    for (const std::string& session : sessions) frame.mutable_subscribe()->add_session_ids(session);
    Send(frame);
  }
  void Typing(const std::string& session, const std::string& room, const std::string& user) {
    v1::GatewayFrame frame;
    frame.mutable_typing()->set_session_id(session);
    frame.mutable_typing()->mutable_typing()->set_room_id(room);
    frame.mutable_typing()->mutable_typing()->set_user_id(user);
    frame.mutable_typing()->mutable_typing()->set_started(true);
    Send(frame);
  }

  // The next frame matching `wanted` (earlier non-matching ones are skipped and dropped).
  std::optional<v1::RealtimeFrame> Next(const std::function<bool(const v1::RealtimeFrame&)>& wanted,
                                        absl::Duration timeout = kWait) {
    std::unique_lock lock(mu_);
    absl::Time deadline = absl::Now() + timeout;
    while (true) {
      while (!frames_.empty()) {
        v1::RealtimeFrame frame = std::move(frames_.front());
        frames_.pop_front();
        if (wanted(frame)) return frame;
      }
      if (ended_ || absl::Now() >= deadline) return std::nullopt;
      arrived_.wait_for(lock, absl::ToChronoMilliseconds(deadline - absl::Now()));
    }
  }
  std::optional<v1::RoomEvent> NextRoomEvent() {
    auto frame = Next([](const v1::RealtimeFrame& f) { return f.has_room_event(); });
    return frame ? std::optional(frame->room_event()) : std::nullopt;
  }
  bool WaitEnded(absl::Duration timeout = kWait) {
    std::unique_lock lock(mu_);
    return arrived_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [this] { return ended_; });
  }
  grpc::Status Finish() {
    if (reader_.joinable()) reader_.join();
    if (!finished_) {
      status_ = stream_->Finish();
      finished_ = true;
    }
    return status_;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::GatewayFrame, v1::RealtimeFrame>> stream_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable arrived_;
  std::deque<v1::RealtimeFrame> frames_;
  bool ended_ = false;
  bool finished_ = false;
  grpc::Status status_;
};

v1::PublishRequest MessageCreated(const std::string& room, const std::string& event_id,
                                  size_t content_bytes = 5) {
  v1::PublishRequest request;
  request.mutable_event()->set_room_id(room);
  request.mutable_event()->set_event_id(event_id);
  request.mutable_event()->mutable_message_created()->set_room_id(room);
  request.mutable_event()->mutable_message_created()->set_content(std::string(content_bytes, 'x'));
  return request;
}

v1::PublishUserEventRequest Notify(const std::vector<std::string>& users,
                                   const std::string& event_id = "") {
  v1::PublishUserEventRequest request;
  request.mutable_event()->set_event_id(event_id);
  for (const std::string& user : users) request.mutable_event()->add_user_ids(user);
  request.mutable_event()->mutable_notification()->set_type("ticket.updated");
  request.mutable_event()->mutable_notification()->set_payload_json(R"({"ticket":7})");
  return request;
}

// A publisher's end of PublishStream, driven synchronously.
class Publisher {
 public:
  Publisher(v1::RealtimeService::Stub& stub, const std::string& token) {
    if (!token.empty()) context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    stream_ = stub.PublishStream(&context_);
  }
  ~Publisher() {
    if (finished_) return;
    context_.TryCancel();
    stream_->Finish();
  }
  // Sends a batch of `events` and reads its ack; nullopt when the stream ended instead.
  std::optional<v1::PublishAck> Send(uint64_t batch_id, const std::vector<v1::RoomEvent>& events) {
    v1::PublishBatch batch;
    batch.set_batch_id(batch_id);
    for (const v1::RoomEvent& event : events) *batch.add_events() = event;
    v1::PublishAck ack;
    if (!stream_->Write(batch) || !stream_->Read(&ack)) return std::nullopt;
    return ack;
  }
  grpc::Status Finish() {
    stream_->WritesDone();
    finished_ = true;
    return stream_->Finish();
  }

 private:
  bool finished_ = false;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::PublishBatch, v1::PublishAck>> stream_;
};

class RealtimeGrpcServiceTest : public ::testing::Test {
 protected:
  RealtimeGrpcServiceTest()
      : signer_({jwtt::TestKey("k1", 1)}),
        verifier_(keys_, {.issuer = jwtt::kIssuer, .audience = jwtt::kAudience}, clock_),
        authenticator_(verifier_) {
    keys_.Replace(signer_.PublicKeys());
  }

  std::string ServiceToken(const std::string& client_id) {
    jwt::Claims claims = jwtt::ServiceClaims();
    claims.subject = client_id;
    return signer_.Sign(claims);
  }
  std::string UserToken() { return signer_.Sign(jwtt::UserClaims()); }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    return context;
  }
  grpc::Status Publish(v1::RealtimeService::Stub& stub, const v1::PublishRequest& request) {
    v1::PublishResponse response;
    return stub.Publish(As(ServiceToken("chat-svc")).get(), request, &response);
  }
  std::unique_ptr<Gateway> Connect(v1::RealtimeService::Stub& stub, const std::string& id,
                                   bool read = true) {
    auto gateway = std::make_unique<Gateway>(stub, ServiceToken("gateway"), read);
    gateway->Hello(id);
    return gateway;
  }

  jwtt::FakeClock clock_;
  jwt::Signer signer_;
  jwt::KeySet keys_;
  jwt::Verifier verifier_;
  authn::Authenticator authenticator_;
  FakeBlockDirectory blocks_;
  std::string prefix_ = redis::testing::UniquePrefix();
};

TEST_F(RealtimeGrpcServiceTest, HelloIsAnsweredWithWelcome) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  std::unique_ptr<Gateway> gateway = Connect(*stub, "gw-1");
  auto welcome = gateway->Next([](const v1::RealtimeFrame& f) { return f.has_welcome(); });
  ASSERT_TRUE(welcome.has_value());
  EXPECT_EQ(welcome->welcome().instance_id(), "instance-under-test");
  EXPECT_EQ(welcome->welcome().heartbeat_interval_ms(), 10000);
  EXPECT_EQ(welcome->welcome().presence_ttl_ms(), 45000);

  Gateway rude(*stub, ServiceToken("gateway"));
  rude.Open(SessionId(1), kAlice, "alice");
  ASSERT_TRUE(rude.WaitEnded());
  EXPECT_EQ(rude.Finish().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RealtimeGrpcServiceTest, EachCallerOnlyWhatItsClientIdAllows) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  for (const auto& [token, code] : std::vector<std::pair<std::string, grpc::StatusCode>>{
           {"", grpc::StatusCode::UNAUTHENTICATED},
           {UserToken(), grpc::StatusCode::PERMISSION_DENIED},
           {ServiceToken("chat-svc"), grpc::StatusCode::PERMISSION_DENIED}}) {
    Gateway refused(*stub, token);
    ASSERT_TRUE(refused.WaitEnded());
    EXPECT_EQ(refused.Finish().error_code(), code);
  }
  v1::PublishResponse published;
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub->Publish(&anonymous, MessageCreated(kRoom, "e"), &published).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status by_gateway =
      stub->Publish(As(ServiceToken("gateway")).get(), MessageCreated(kRoom, "e"), &published);
  EXPECT_EQ(by_gateway.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(by_gateway.error_message(), "service client \"gateway\" may not publish");
  v1::GetPresenceRequest presence;
  presence.add_user_ids(kAlice);
  v1::GetPresenceResponse answer;
  EXPECT_TRUE(stub->GetPresence(As(ServiceToken("chat-svc")).get(), presence, &answer).ok());
  EXPECT_EQ(
      stub->GetPresence(As(ServiceToken("realtime-svc")).get(), presence, &answer).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub->GetPresence(As(UserToken()).get(), presence, &answer).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::PublishUserEventResponse user_event;
  grpc::Status user_event_by_gateway =
      stub->PublishUserEvent(As(ServiceToken("gateway")).get(), Notify({kAlice}), &user_event);
  EXPECT_EQ(user_event_by_gateway.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(user_event_by_gateway.error_message(),
            "service client \"gateway\" may not publish user events");
  EXPECT_EQ(
      stub->PublishUserEvent(As(UserToken()).get(), Notify({kAlice}), &user_event).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RealtimeGrpcServiceTest, PublishValidatesTheEvent) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  v1::PublishRequest request = MessageCreated(kRoom, "e");
  request.mutable_event()->mutable_message_created()->set_room_id(kOtherRoom);
  EXPECT_EQ(Publish(*stub, request).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Publish(*stub, v1::PublishRequest()).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.mutable_event()->clear_message_created();
  EXPECT_EQ(Publish(*stub, request).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RealtimeGrpcServiceTest, APublishedEventReachesEachSubscribedGatewayExactlyOnce) {
  Instance a(prefix_, authenticator_, blocks_);
  Instance b(prefix_, authenticator_, blocks_);
  auto stub_a = a.Stub();
  auto stub_b = b.Stub();
  std::unique_ptr<Gateway> gw1 = Connect(*stub_a, "gw-1");  // Two subscribed sessions.
  gw1->Open(SessionId(1), kAlice, "alice");
  gw1->Open(SessionId(2), kBob, "bob");
  gw1->Subscribe(kRoom, {SessionId(1), SessionId(2)});
  std::unique_ptr<Gateway> gw2 = Connect(*stub_b, "gw-2");  // On the other instance.
  gw2->Open(SessionId(3), kCarol, "carol");
  gw2->Subscribe(kRoom, {SessionId(3)});
  std::unique_ptr<Gateway> gw3 = Connect(*stub_a, "gw-3");  // Follows another room only.
  gw3->Open(SessionId(4), kCarol, "carol");
  gw3->Subscribe(kOtherRoom, {SessionId(4)});
  ASSERT_TRUE(Eventually([&] {
    return a.registry().RoomTargets(kRoom).size() == 1 &&
           b.registry().RoomTargets(kRoom).size() == 1 &&
           a.registry().RoomTargets(kOtherRoom).size() == 1;
  }));

  ASSERT_TRUE(Publish(*stub_a, MessageCreated(kRoom, "e1")).ok());
  ASSERT_TRUE(Publish(*stub_b, MessageCreated(kOtherRoom, "e2")).ok());
  ASSERT_TRUE(Publish(*stub_b, MessageCreated(kRoom, "e3")).ok());
  for (Gateway* gateway : {gw1.get(), gw2.get()}) {
    std::optional<v1::RoomEvent> first = gateway->NextRoomEvent();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->event_id(), "e1");
    EXPECT_TRUE(first->has_occurred_at());  // Filled in when chat-svc left it out.
    std::optional<v1::RoomEvent> second = gateway->NextRoomEvent();
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->event_id(), "e3");  // Not e1 again, not e2.
  }
  std::optional<v1::RoomEvent> other = gw3->NextRoomEvent();
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->event_id(), "e2");
}

TEST_F(RealtimeGrpcServiceTest, AUserEventReachesEachGatewayWithTheUsersSessionsExactlyOnce) {
  Instance a(prefix_, authenticator_, blocks_);
  Instance b(prefix_, authenticator_, blocks_);
  auto stub_a = a.Stub();
  auto stub_b = b.Stub();
  std::unique_ptr<Gateway> gw1 = Connect(*stub_a, "gw-1");  // Two sessions of alice.
  gw1->Open(SessionId(1), kAlice, "alice");
  gw1->Open(SessionId(2), kAlice, "alice");
  std::unique_ptr<Gateway> gw2 = Connect(*stub_b, "gw-2");  // Bob, on the other instance.
  gw2->Open(SessionId(3), kBob, "bob");
  std::unique_ptr<Gateway> gw3 = Connect(*stub_b, "gw-3");  // Carol only: nothing for her.
  gw3->Open(SessionId(4), kCarol, "carol");
  ASSERT_TRUE(Eventually(
      [&] { return a.registry().session_count() == 2 && b.registry().session_count() == 2; }));

  std::string upper_bob = kBob;
  for (char& c : upper_bob) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto is_user_event = [](const v1::RealtimeFrame& f) { return f.has_user_event(); };
  v1::PublishUserEventResponse response;
  ASSERT_TRUE(stub_a
                  ->PublishUserEvent(As(ServiceToken("chat-svc")).get(),
                                     Notify({kAlice, upper_bob, kAlice}, "n1"), &response)
                  .ok());
  v1::PublishUserEventRequest disconnect = Notify({kBob});
  disconnect.mutable_event()->mutable_disconnect()->set_close_code(1008);
  disconnect.mutable_event()->mutable_disconnect()->set_reason("banned");
  ASSERT_TRUE(
      stub_b->PublishUserEvent(As(ServiceToken("chat-svc")).get(), disconnect, &response).ok());

  std::optional<v1::RealtimeFrame> to_alice = gw1->Next(is_user_event);
  ASSERT_TRUE(to_alice.has_value());
  const v1::UserEvent& notified = to_alice->user_event();
  EXPECT_EQ(notified.event_id(), "n1");
  EXPECT_EQ(notified.notification().id(), "n1");
  EXPECT_EQ(notified.notification().payload_json(), R"({"ticket":7})");
  ASSERT_EQ(notified.user_ids_size(), 2);  // Normalized, each once.
  EXPECT_EQ(notified.user_ids(1), kBob);
  EXPECT_FALSE(gw1->Next(is_user_event, absl::Milliseconds(200)).has_value());  // Once per gateway.

  std::optional<v1::RealtimeFrame> first_to_bob = gw2->Next(is_user_event);
  ASSERT_TRUE(first_to_bob.has_value());
  EXPECT_EQ(first_to_bob->user_event().event_id(), "n1");
  std::optional<v1::RealtimeFrame> second_to_bob = gw2->Next(is_user_event);
  ASSERT_TRUE(second_to_bob.has_value());
  const v1::UserEvent& closed = second_to_bob->user_event();
  EXPECT_FALSE(closed.event_id().empty());  // Made up when the caller sent none.
  EXPECT_EQ(closed.disconnect().close_code(), 1008);
  EXPECT_EQ(closed.disconnect().reason(), "banned");
  EXPECT_FALSE(gw3->Next(is_user_event, absl::Milliseconds(200)).has_value());
}

TEST_F(RealtimeGrpcServiceTest, PublishUserEventValidatesTheEvent) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  auto publish = [&](const v1::PublishUserEventRequest& request) {
    v1::PublishUserEventResponse response;
    return stub->PublishUserEvent(As(ServiceToken("chat-svc")).get(), request, &response);
  };
  v1::PublishUserEventRequest request = Notify({kAlice, "nope"});
  grpc::Status bad_id = publish(request);
  EXPECT_EQ(bad_id.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad_id.error_message().find("event.user_ids[1]"), std::string::npos)
      << bad_id.error_message();
  EXPECT_EQ(publish(v1::PublishUserEventRequest()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request = Notify({kAlice});
  request.mutable_event()->mutable_notification()->set_type("Not Valid");
  grpc::Status bad_type = publish(request);
  EXPECT_EQ(bad_type.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad_type.error_message().find("event.notification.type"), std::string::npos)
      << bad_type.error_message();
  request = Notify({kAlice});
  request.mutable_event()->mutable_disconnect()->set_close_code(1011);
  EXPECT_EQ(publish(request).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RealtimeGrpcServiceTest, APublishStreamDeliversItsBatchesInOrderAndAcksEach) {
  Instance a(prefix_, authenticator_, blocks_);
  Instance b(prefix_, authenticator_, blocks_);
  auto stub_a = a.Stub();
  auto stub_b = b.Stub();
  std::unique_ptr<Gateway> gateway = Connect(*stub_b, "gw-1");  // On the other instance.
  gateway->Open(SessionId(1), kAlice, "alice");
  gateway->Subscribe(kRoom, {SessionId(1)});
  ASSERT_TRUE(Eventually([&] { return b.registry().RoomTargets(kRoom).size() == 1; }));

  Publisher publisher(*stub_a, ServiceToken("chat-svc"));
  v1::RoomEvent invalid = MessageCreated(kRoom, "bad").event();
  invalid.mutable_message_created()->set_room_id(kOtherRoom);
  std::optional<v1::PublishAck> first = publisher.Send(
      7, {MessageCreated(kRoom, "e1").event(), invalid, MessageCreated(kRoom, "e2").event()});
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->batch_id(), 7u);
  ASSERT_EQ(first->rejected_size(), 1);
  EXPECT_EQ(first->rejected(0), 1u);
  std::optional<v1::PublishAck> second = publisher.Send(8, {MessageCreated(kRoom, "e3").event()});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->batch_id(), 8u);
  EXPECT_EQ(second->rejected_size(), 0);
  for (const char* expected : {"e1", "e2", "e3"}) {
    std::optional<v1::RoomEvent> event = gateway->NextRoomEvent();
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->event_id(), expected);
    EXPECT_TRUE(event->has_occurred_at());
  }
  EXPECT_EQ(publisher.Finish().error_code(), grpc::StatusCode::OK);
}

TEST_F(RealtimeGrpcServiceTest, ARefusedEventIsLoggedUnderTheRequestThatCausedIt) {
  auto lines = std::make_shared<std::ostringstream>();
  log::InitWithSink("realtime-svc", log::Level::kInfo,
                    std::make_shared<spdlog::sinks::ostream_sink_mt>(*lines));
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  Publisher publisher(*stub, ServiceToken("chat-svc"));
  v1::RoomEvent invalid = MessageCreated(kRoom, "bad").event();
  invalid.mutable_message_created()->set_room_id(kOtherRoom);
  invalid.set_request_id("req-that-sent-it");
  std::optional<v1::PublishAck> ack = publisher.Send(1, {invalid});
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(ack->rejected_size(), 1);
  bool logged = false;
  std::istringstream read(lines->str());
  for (std::string line; std::getline(read, line);) {
    nlohmann::json entry = nlohmann::json::parse(line.substr(line.find('{')), nullptr, false);
    if (entry.is_object() && entry.value("message", "") == "room event refused") {
      logged = true;
      EXPECT_EQ(entry.value("request_id", ""), "req-that-sent-it") << line;
      EXPECT_EQ(entry["fields"].value("event_id", ""), "bad") << line;
    }
  }
  EXPECT_TRUE(logged) << lines->str();
  log::Init("realtime-svc", log::Level::kInfo);
}

TEST_F(RealtimeGrpcServiceTest, APublishStreamIsForPublishersAndBoundedBatchesOnly) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  for (const auto& [token, code] : std::vector<std::pair<std::string, grpc::StatusCode>>{
           {"", grpc::StatusCode::UNAUTHENTICATED},
           {UserToken(), grpc::StatusCode::PERMISSION_DENIED},
           {ServiceToken("gateway"), grpc::StatusCode::PERMISSION_DENIED}}) {
    Publisher refused(*stub, token);
    EXPECT_FALSE(refused.Send(1, {MessageCreated(kRoom, "e").event()}).has_value());
    EXPECT_EQ(refused.Finish().error_code(), code);
  }
  Publisher publisher(*stub, ServiceToken("chat-svc"));
  std::vector<v1::RoomEvent> too_many(1001, MessageCreated(kRoom, "e").event());
  EXPECT_FALSE(publisher.Send(1, too_many).has_value());
  EXPECT_EQ(publisher.Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RealtimeGrpcServiceTest, APublishStreamEndsWhenItsTokenIsNoLongerAccepted) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  // Expired 29 s ago (exp has whole seconds): within the verifier's 30 s leeway for 1 s more.
  jwt::Claims claims = jwtt::ServiceClaims(jwtt::kNow - absl::Minutes(5) - absl::Seconds(29));
  claims.subject = "chat-svc";
  Publisher publisher(*stub, signer_.Sign(claims));
  ASSERT_TRUE(publisher.Send(1, {MessageCreated(kRoom, "e1").event()}).has_value());
  absl::SleepFor(absl::Milliseconds(1100));
  EXPECT_FALSE(publisher.Send(2, {MessageCreated(kRoom, "e2").event()}).has_value());
  grpc::Status ended = publisher.Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ended.error_message(), "the stream's token has expired; open a new stream");
}

TEST_F(RealtimeGrpcServiceTest, ShutdownCancelsPublishStreamsAndRefusesNewOnes) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  Publisher publisher(*stub, ServiceToken("chat-svc"));
  ASSERT_TRUE(publisher.Send(1, {MessageCreated(kRoom, "e1").event()}).has_value());
  instance.service().StopStreams();
  EXPECT_FALSE(publisher.Send(2, {MessageCreated(kRoom, "e2").event()}).has_value());
  EXPECT_EQ(publisher.Finish().error_code(), grpc::StatusCode::CANCELLED);
  Publisher late(*stub, ServiceToken("chat-svc"));
  EXPECT_FALSE(late.Send(1, {MessageCreated(kRoom, "e3").event()}).has_value());
  EXPECT_EQ(late.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(RealtimeGrpcServiceTest, TypingReachesTheRoomExcludingTheTypingSession) {
  Instance a(prefix_, authenticator_, blocks_);
  Instance b(prefix_, authenticator_, blocks_);
  auto stub_a = a.Stub();
  auto stub_b = b.Stub();
  std::unique_ptr<Gateway> gw1 = Connect(*stub_a, "gw-1");
  gw1->Open(SessionId(1), kAlice, "alice");
  gw1->Open(SessionId(2), kBob, "bob");
  gw1->Subscribe(kRoom, {SessionId(1), SessionId(2)});
  std::unique_ptr<Gateway> gw2 = Connect(*stub_b, "gw-2");
  gw2->Open(SessionId(3), kCarol, "carol");
  gw2->Subscribe(kRoom, {SessionId(3)});
  ASSERT_TRUE(Eventually([&] {
    return a.registry().RoomTargets(kRoom).size() == 1 &&
           b.registry().RoomTargets(kRoom).size() == 1;
  }));

  gw1->Typing(SessionId(2), kRoom, kAlice);       // Bob's session typing as alice: ignored.
  gw1->Typing(SessionId(1), kOtherRoom, kAlice);  // Not subscribed there: ignored.
  gw1->Typing(SessionId(1), kRoom, kAlice);
  for (Gateway* gateway : {gw1.get(), gw2.get()}) {
    std::optional<v1::RoomEvent> typing = gateway->NextRoomEvent();
    ASSERT_TRUE(typing.has_value());
    EXPECT_EQ(typing->exclude_session_id(), SessionId(1));
    EXPECT_EQ(typing->typing().user_id(), kAlice);
    EXPECT_EQ(typing->typing().username(), "alice");
    EXPECT_TRUE(typing->typing().started());
  }
  EXPECT_EQ(a.metrics().typing_rejected.Value(), 2);
}

TEST_F(RealtimeGrpcServiceTest, PresenceReachesRoomMembersHiddenFromBlockedUsers) {
  blocks_.Block(kAlice, kCarol);
  Instance a(prefix_, authenticator_, blocks_);
  Instance b(prefix_, authenticator_, blocks_);
  auto stub_a = a.Stub();
  auto stub_b = b.Stub();
  std::unique_ptr<Gateway> gw2 = Connect(*stub_b, "gw-2");
  gw2->Open(SessionId(3), kBob, "bob");
  gw2->Subscribe(kRoom, {SessionId(3)});
  ASSERT_TRUE(Eventually([&] { return b.registry().RoomTargets(kRoom).size() == 1; }));
  std::unique_ptr<Gateway> gw1 = Connect(*stub_a, "gw-1");
  gw1->Open(SessionId(1), kAlice, "alice");
  gw1->Subscribe(kRoom, {SessionId(1)});

  auto about_alice = gw2->Next([](const v1::RealtimeFrame& f) {
    return f.has_presence() && f.presence().presence().user_id() == kAlice;
  });
  ASSERT_TRUE(about_alice.has_value());
  EXPECT_EQ(about_alice->presence().presence().status(), "online");
  ASSERT_EQ(about_alice->presence().room_ids_size(), 1);
  EXPECT_EQ(about_alice->presence().room_ids(0), kRoom);
  ASSERT_EQ(about_alice->presence().hidden_from_user_ids_size(), 1);
  EXPECT_EQ(about_alice->presence().hidden_from_user_ids(0), kCarol);
  // Alice's gateway gets the snapshot of the room, addressed to alice: bob is online. (Bob's
  // own room announcement may reach it too, when the bus delivers it after alice subscribed;
  // that one names the room, not a user.)
  auto snapshot = gw1->Next([](const v1::RealtimeFrame& f) {
    return f.has_presence() && f.presence().presence().user_id() == kBob &&
           f.presence().user_ids_size() > 0;
  });
  ASSERT_TRUE(snapshot.has_value());
  ASSERT_EQ(snapshot->presence().user_ids_size(), 1);
  EXPECT_EQ(snapshot->presence().user_ids(0), kAlice);

  // GetPresence, as bob sees it and as carol (blocked by alice) sees it.
  v1::GetPresenceRequest request;
  request.add_user_ids(kAlice);
  request.set_viewer_user_id(kBob);
  v1::GetPresenceResponse seen;
  ASSERT_TRUE(stub_a->GetPresence(As(ServiceToken("gateway")).get(), request, &seen).ok());
  EXPECT_EQ(seen.presences(0).status(), "online");
  request.set_viewer_user_id(kCarol);
  ASSERT_TRUE(stub_a->GetPresence(As(ServiceToken("gateway")).get(), request, &seen).ok());
  EXPECT_EQ(seen.presences(0).status(), "offline");
  EXPECT_FALSE(seen.presences(0).has_last_seen());
  request.set_viewer_user_id("nope");
  EXPECT_EQ(stub_a->GetPresence(As(ServiceToken("gateway")).get(), request, &seen).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RealtimeGrpcServiceTest, ASlowGatewayIsCutOffWithResourceExhausted) {
  Instance instance(prefix_, authenticator_, blocks_, /*queue_frames=*/4);
  auto stub = instance.Stub();
  std::unique_ptr<Gateway> slow = Connect(*stub, "gw-slow", /*read=*/false);
  slow->Open(SessionId(1), kAlice, "alice");
  slow->Subscribe(kRoom, {SessionId(1)});
  ASSERT_TRUE(Eventually([&] { return instance.registry().RoomTargets(kRoom).size() == 1; }));
  // Far more than HTTP/2 flow control lets through to a gateway that does not read.
  for (int i = 0; i < 300 && instance.metrics().gateway_overflows.Value() == 0; ++i) {
    ASSERT_TRUE(Publish(*stub, MessageCreated(kRoom, absl::StrCat("e", i), 64 * 1024)).ok());
  }
  ASSERT_TRUE(Eventually([&] { return instance.metrics().gateway_overflows.Value() == 1; }));
  slow->StartReading();
  ASSERT_TRUE(slow->WaitEnded());
  grpc::Status status = slow->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_TRUE(Eventually([&] { return instance.registry().stream_count() == 0; }));
}

TEST_F(RealtimeGrpcServiceTest, ShutdownEndsStreamsWithUnavailable) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  std::unique_ptr<Gateway> gateway = Connect(*stub, "gw-1");
  ASSERT_TRUE(gateway->Next([](const v1::RealtimeFrame& f) { return f.has_welcome(); }));
  instance.service().StopStreams();
  ASSERT_TRUE(gateway->WaitEnded());
  EXPECT_EQ(gateway->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  Gateway late(*stub, ServiceToken("gateway"));
  ASSERT_TRUE(late.WaitEnded());
  EXPECT_EQ(late.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(RealtimeGrpcServiceTest, AnEndedStreamIsForgottenAtOnce) {
  Instance instance(prefix_, authenticator_, blocks_);
  auto stub = instance.Stub();
  {
    std::unique_ptr<Gateway> gateway = Connect(*stub, "gw-1");
    gateway->Open(SessionId(1), kAlice, "alice");
    gateway->Subscribe(kRoom, {SessionId(1)});
    ASSERT_TRUE(Eventually([&] { return instance.registry().RoomTargets(kRoom).size() == 1; }));
  }  // The gateway goes away.
  ASSERT_TRUE(Eventually([&] { return instance.registry().stream_count() == 0; }));
  EXPECT_TRUE(instance.registry().RoomTargets(kRoom).empty());
  EXPECT_TRUE(Eventually([&] { return instance.service().open_streams() == 0; }));
}

}  // namespace
}  // namespace chatter::realtime
