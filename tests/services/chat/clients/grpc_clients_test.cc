// chat-svc's gRPC clients against in-process fakes: auth-svc as the user directory (service
// token attached, batches of 500, NOT_FOUND kept, refused credentials INTERNAL, unreachable
// UNAVAILABLE) and realtime-svc's PublishStream as the event sink (the wire form of each event,
// one stream for many batches, refused events, a stream that ends or stalls, a renewed token).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/chat/clients/auth_user_directory.h"
#include "services/chat/clients/realtime_event_sink.h"

namespace chatter::chat {
namespace {

constexpr char kSecret[] = "chat-svc-secret-0123456789";
constexpr char kToken[] = "service-token-1";

std::string Authorization(const grpc::ServerContext& context) {
  auto it = context.client_metadata().find("authorization");
  return it == context.client_metadata().end() ? ""
                                               : std::string(it->second.data(), it->second.size());
}

// Users named "user<N>" with ids UserId(N); IssueServiceToken knows chat-svc's secret only.
std::string UserId(int n) {
  std::string suffix = std::to_string(n);
  return "018f0000-0000-7000-8000-" + std::string(12 - suffix.size(), '0') + suffix;
}

class FakeAuth final : public auth::v1::AuthService::Service {
 public:
  grpc::Status IssueServiceToken(grpc::ServerContext*,
                                 const auth::v1::IssueServiceTokenRequest* request,
                                 auth::v1::IssueServiceTokenResponse* response) override {
    if (request->client_id() != "chat-svc" || request->client_secret() != kSecret) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "invalid client credentials");
    }
    std::lock_guard lock(mu_);
    ++issued_;
    response->set_access_token(short_lived_ ? absl::StrCat(kToken, "-", issued_) : kToken);
    response->set_expires_in(short_lived_ ? 1 : 300);
    return grpc::Status::OK;
  }
  // Tokens that live one second, each one different.
  void IssueShortLivedTokens() {
    std::lock_guard lock(mu_);
    short_lived_ = true;
  }
  grpc::Status BatchGetUsers(grpc::ServerContext* context,
                             const auth::v1::BatchGetUsersRequest* request,
                             auth::v1::BatchGetUsersResponse* response) override {
    if (Authorization(*context) != absl::StrCat("Bearer ", kToken)) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing bearer token");
    }
    {
      std::lock_guard lock(mu_);
      batch_sizes_.push_back(request->user_ids_size());
    }
    for (const std::string& id : request->user_ids()) {
      for (int n = 1; n <= kKnownUsers; ++n) {
        if (id != UserId(n)) continue;
        common::v1::PublicUser* user = response->add_users();
        user->set_id(id);
        user->set_username(absl::StrCat("user", n));
      }
    }
    return grpc::Status::OK;
  }
  grpc::Status LookupUser(grpc::ServerContext* context, const auth::v1::LookupUserRequest* request,
                          auth::v1::LookupUserResponse* response) override {
    if (Authorization(*context) != absl::StrCat("Bearer ", kToken)) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing bearer token");
    }
    if (request->email() != "user1@example.com") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "user not found");
    }
    response->mutable_user()->set_id(UserId(1));
    response->mutable_user()->set_username("user1");
    return grpc::Status::OK;
  }
  std::vector<int> batch_sizes() {
    std::lock_guard lock(mu_);
    return batch_sizes_;
  }

  static constexpr int kKnownUsers = 1100;

 private:
  std::mutex mu_;
  std::vector<int> batch_sizes_;
  bool short_lived_ = false;
  int issued_ = 0;
};

// realtime-svc's PublishStream: records batches and the token of each stream, acks each batch
// with the indexes it was told to refuse; can end a stream with an error or stall it.
class FakeRealtime final : public realtime::v1::RealtimeService::Service {
 public:
  grpc::Status PublishStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<realtime::v1::PublishAck, realtime::v1::PublishBatch>* stream)
      override {
    {
      std::lock_guard lock(mu_);
      stream_tokens_.push_back(Authorization(*context));
    }
    realtime::v1::PublishBatch batch;
    while (stream->Read(&batch)) {
      realtime::v1::PublishAck ack;
      ack.set_batch_id(batch.batch_id());
      {
        std::lock_guard lock(mu_);
        if (stall_) break;
        if (!end_with_.ok()) {
          grpc::Status status = end_with_;
          end_with_ = grpc::Status::OK;
          return status;
        }
        batches_.push_back(batch);
        for (uint32_t index : refuse_) ack.add_rejected(index);
      }
      if (!stream->Write(ack)) return grpc::Status::OK;
    }
    while (!context->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return grpc::Status::CANCELLED;
  }

  void Refuse(std::vector<uint32_t> indexes) {
    std::lock_guard lock(mu_);
    refuse_ = std::move(indexes);
  }
  // The next batch ends its stream with `status` instead of an ack.
  void EndNextStreamWith(grpc::Status status) {
    std::lock_guard lock(mu_);
    end_with_ = std::move(status);
  }
  // From now on batches are read and never acknowledged.
  void Stall() {
    std::lock_guard lock(mu_);
    stall_ = true;
  }
  std::vector<realtime::v1::PublishBatch> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }
  // The authorization metadata of each stream opened, in order.
  std::vector<std::string> stream_tokens() {
    std::lock_guard lock(mu_);
    return stream_tokens_;
  }

 private:
  std::mutex mu_;
  std::vector<realtime::v1::PublishBatch> batches_;
  std::vector<std::string> stream_tokens_;
  std::vector<uint32_t> refuse_;
  grpc::Status end_with_;
  bool stall_ = false;
};

// One in-process server on a free port with the given services (at least one: a synchronous
// server without any has nothing to poll); methods of other services answer UNIMPLEMENTED.
class Server {
 public:
  explicit Server(std::vector<grpc::Service*> services) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    for (grpc::Service* service : services) builder.RegisterService(service);
    server_ = builder.BuildAndStart();
  }
  ~Server() { server_->Shutdown(); }
  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                               grpc::InsecureChannelCredentials());
  }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

class GrpcClientsTest : public ::testing::Test {
 protected:
  GrpcClientsTest()
      : auth_server_({&auth_}),
        tokens_(auth_server_.Channel(), {"chat-svc", kSecret}, clock_),
        directory_(auth_server_.Channel(), tokens_, absl::Seconds(5)) {}

  ids::SystemClock clock_;
  FakeAuth auth_;
  Server auth_server_;
  authn::ServiceTokenSource tokens_;
  AuthUserDirectory directory_;
};

TEST_F(GrpcClientsTest, FindsUsersInBatchesOfFiveHundredWithTheServiceToken) {
  std::vector<std::string> ids;
  for (int n = 1; n <= 1200; ++n) ids.push_back(UserId(n));
  absl::StatusOr<absl::flat_hash_map<std::string, UserProfile>> found = directory_.FindByIds(ids);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->size(), static_cast<size_t>(FakeAuth::kKnownUsers));  // Unknown ids absent.
  EXPECT_EQ(found->at(UserId(7)).username, "user7");
  EXPECT_EQ(auth_.batch_sizes(), (std::vector<int>{500, 500, 200}));
}

TEST_F(GrpcClientsTest, EmailLookupKeepsNotFound) {
  absl::StatusOr<UserProfile> found = directory_.FindByEmail("user1@example.com");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, UserId(1));
  EXPECT_EQ(directory_.FindByEmail("nobody@example.com").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(GrpcClientsTest, RefusedCredentialsAreInternalAndAnAbsentAuthSvcUnavailable) {
  authn::ServiceTokenSource wrong(auth_server_.Channel(), {"chat-svc", "not-the-secret-at-all"},
                                  clock_);
  AuthUserDirectory refused(auth_server_.Channel(), wrong, absl::Seconds(5));
  EXPECT_EQ(refused.FindByIds({UserId(1)}).status().code(), absl::StatusCode::kInternal);

  std::shared_ptr<grpc::Channel> gone;
  {
    FakeAuth short_lived;
    Server stopped({&short_lived});
    gone = stopped.Channel();
  }
  authn::ServiceTokenSource unreachable_tokens(gone, {"chat-svc", kSecret}, clock_,
                                               absl::Milliseconds(500));
  AuthUserDirectory unreachable(gone, unreachable_tokens, absl::Milliseconds(500));
  absl::StatusCode code = unreachable.FindByIds({UserId(1)}).status().code();
  EXPECT_TRUE(code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded)
      << code;
}

RoomEvent MessageCreated(const std::string& event_id, int64_t seq) {
  RoomEvent created;
  created.kind = RoomEvent::Kind::kMessageCreated;
  created.event_id = event_id;
  created.room_id = "r-1";
  created.occurred_at = absl::FromUnixMillis(1795342320123);
  created.message = Message{.id = "m-1", .room_id = "r-1", .seq = seq, .content = "hi"};
  return created;
}

TEST_F(GrpcClientsTest, PublishesEachEventKindInOneBatchWithTheServiceToken) {
  FakeRealtime realtime;
  Server realtime_server({&realtime});
  RealtimeEventSink sink(realtime_server.Channel(), tokens_, absl::Seconds(5));

  RoomEvent left;
  left.kind = RoomEvent::Kind::kMemberLeft;
  left.room_id = "r-1";
  left.user_id = "u-1";
  left.revoked_user_ids = {"u-1"};
  RoomEvent read;
  read.kind = RoomEvent::Kind::kReadReceipt;
  read.room_id = "r-1";
  read.user_id = "u-2";
  read.seq = 5;
  RoomEvent head{.kind = RoomEvent::Kind::kRoomHead, .room_id = "r-2", .seq = 9};
  RoomEvent created = MessageCreated("e-1", 7);
  created.request_id = "req-1";
  std::vector<RoomEvent> events = {created, left, read, head};
  absl::StatusOr<std::vector<size_t>> rejected = sink.SendBatch(events);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_TRUE(rejected->empty());

  std::vector<realtime::v1::PublishBatch> batches = realtime.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(realtime.stream_tokens(), std::vector<std::string>{absl::StrCat("Bearer ", kToken)});
  const realtime::v1::PublishBatch& batch = batches[0];
  ASSERT_EQ(batch.events_size(), 4);
  const realtime::v1::RoomEvent& first = batch.events(0);
  EXPECT_EQ(first.event_id(), "e-1");
  EXPECT_EQ(first.request_id(), "req-1");
  EXPECT_EQ(first.room_id(), "r-1");
  EXPECT_EQ(first.occurred_at().nanos(), 123000000);
  ASSERT_TRUE(first.has_message_created());
  EXPECT_EQ(first.message_created().seq(), 7);
  EXPECT_EQ(first.message_created().status(), "sent");
  ASSERT_TRUE(batch.events(1).has_member_left());
  EXPECT_EQ(batch.events(1).member_left().room_id(), "r-1");
  EXPECT_EQ(batch.events(1).revoked_user_ids(0), "u-1");
  ASSERT_TRUE(batch.events(2).has_read_receipt());
  EXPECT_EQ(batch.events(2).read_receipt().seq(), 5);
  EXPECT_EQ(batch.events(2).read_receipt().user_id(), "u-2");
  ASSERT_TRUE(batch.events(3).has_head());
  EXPECT_EQ(batch.events(3).head().room_id(), "r-2");
  EXPECT_EQ(batch.events(3).head().last_seq(), 9);
}

TEST_F(GrpcClientsTest, ManyBatchesShareOneStreamAndRefusedEventsAreAnswered) {
  FakeRealtime realtime;
  Server realtime_server({&realtime});
  RealtimeEventSink sink(realtime_server.Channel(), tokens_, absl::Seconds(5));
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(sink.SendBatch({MessageCreated(absl::StrCat("e-", i), i)}).ok());
  }
  realtime.Refuse({1});
  absl::StatusOr<std::vector<size_t>> rejected =
      sink.SendBatch({MessageCreated("e-4", 4), MessageCreated("e-5", 5)});
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(*rejected, std::vector<size_t>{1});
  EXPECT_EQ(realtime.batches().size(), 4u);
  EXPECT_EQ(realtime.stream_tokens().size(), 1u);
}

TEST_F(GrpcClientsTest, AStreamEndedByRealtimeSvcFailsItsBatchAndTheNextBatchOpensANewOne) {
  FakeRealtime realtime;
  Server realtime_server({&realtime});
  RealtimeEventSink sink(realtime_server.Channel(), tokens_, absl::Seconds(5));
  ASSERT_TRUE(sink.SendBatch({MessageCreated("e-1", 1)}).ok());
  realtime.EndNextStreamWith(grpc::Status(grpc::StatusCode::UNAVAILABLE, "bus down"));
  absl::StatusOr<std::vector<size_t>> failed = sink.SendBatch({MessageCreated("e-2", 2)});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "bus down");
  ASSERT_TRUE(sink.SendBatch({MessageCreated("e-3", 3)}).ok());
  std::vector<realtime::v1::PublishBatch> batches = realtime.batches();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].events(0).event_id(), "e-3");
  EXPECT_EQ(realtime.stream_tokens().size(), 2u);
}

TEST_F(GrpcClientsTest, ABatchRealtimeSvcNeverAcknowledgesFailsAtTheTimeout) {
  FakeRealtime realtime;
  Server realtime_server({&realtime});
  RealtimeEventSink sink(realtime_server.Channel(), tokens_, absl::Milliseconds(300));
  ASSERT_TRUE(sink.SendBatch({MessageCreated("e-1", 1)}).ok());
  realtime.Stall();
  absl::Time started = absl::Now();
  EXPECT_EQ(sink.SendBatch({MessageCreated("e-2", 2)}).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
}

TEST_F(GrpcClientsTest, ARenewedServiceTokenOpensANewStream) {
  auth_.IssueShortLivedTokens();  // One second each: renewed after 0.8 s.
  authn::ServiceTokenSource tokens(auth_server_.Channel(), {"chat-svc", kSecret}, clock_);
  FakeRealtime realtime;
  Server realtime_server({&realtime});
  RealtimeEventSink sink(realtime_server.Channel(), tokens, absl::Seconds(5));
  ASSERT_TRUE(sink.SendBatch({MessageCreated("e-1", 1)}).ok());
  ASSERT_TRUE(sink.SendBatch({MessageCreated("e-2", 2)}).ok());
  absl::SleepFor(absl::Milliseconds(900));
  ASSERT_TRUE(sink.SendBatch({MessageCreated("e-3", 3)}).ok());
  std::vector<std::string> streams = realtime.stream_tokens();
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_NE(streams[0], streams[1]);
  EXPECT_EQ(realtime.batches().size(), 3u);
}

TEST_F(GrpcClientsTest, ARealtimeSvcWithoutPublishStreamAnswersUnimplemented) {
  FakeAuth other_service;  // Serving, but not RealtimeService.
  Server realtime_without_publish({&other_service});
  RealtimeEventSink sink(realtime_without_publish.Channel(), tokens_, absl::Seconds(5));
  EXPECT_EQ(sink.SendBatch({MessageCreated("e-1", 1)}).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace chatter::chat
