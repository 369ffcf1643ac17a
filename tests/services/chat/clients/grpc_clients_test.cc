// chat-svc's gRPC clients against in-process fakes: auth-svc as the user directory (service
// token attached, batches of 500, NOT_FOUND kept, refused credentials INTERNAL, unreachable
// UNAVAILABLE) and realtime-svc as the event sink (the wire form of each event; UNIMPLEMENTED,
// as today's realtime-svc answers, is just a failed send).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>

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
    response->set_access_token(kToken);
    response->set_expires_in(300);
    return grpc::Status::OK;
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
};

class FakeRealtime final : public realtime::v1::RealtimeService::Service {
 public:
  grpc::Status Publish(grpc::ServerContext* context, const realtime::v1::PublishRequest* request,
                       realtime::v1::PublishResponse*) override {
    std::lock_guard lock(mu_);
    authorization_ = Authorization(*context);
    requests_.push_back(*request);
    return grpc::Status::OK;
  }
  std::vector<realtime::v1::PublishRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::string authorization() {
    std::lock_guard lock(mu_);
    return authorization_;
  }

 private:
  std::mutex mu_;
  std::string authorization_;
  std::vector<realtime::v1::PublishRequest> requests_;
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

TEST_F(GrpcClientsTest, PublishesEachEventKindWithTheServiceToken) {
  FakeRealtime realtime;
  Server realtime_server({&realtime});
  RealtimeEventSink sink(realtime_server.Channel(), tokens_, absl::Seconds(5));

  RoomEvent created;
  created.kind = RoomEvent::Kind::kMessageCreated;
  created.event_id = "e-1";
  created.room_id = "r-1";
  created.occurred_at = absl::FromUnixMillis(1795342320123);
  created.message = Message{.id = "m-1", .room_id = "r-1", .seq = 7, .content = "hi"};
  ASSERT_TRUE(sink.Send(created).ok());
  RoomEvent left;
  left.kind = RoomEvent::Kind::kMemberLeft;
  left.room_id = "r-1";
  left.user_id = "u-1";
  left.revoked_user_ids = {"u-1"};
  ASSERT_TRUE(sink.Send(left).ok());
  RoomEvent read;
  read.kind = RoomEvent::Kind::kReadReceipt;
  read.room_id = "r-1";
  read.user_id = "u-2";
  read.seq = 5;
  ASSERT_TRUE(sink.Send(read).ok());

  std::vector<realtime::v1::PublishRequest> requests = realtime.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(realtime.authorization(), absl::StrCat("Bearer ", kToken));
  const realtime::v1::RoomEvent& first = requests[0].event();
  EXPECT_EQ(first.event_id(), "e-1");
  EXPECT_EQ(first.room_id(), "r-1");
  EXPECT_EQ(first.occurred_at().nanos(), 123000000);
  ASSERT_TRUE(first.has_message_created());
  EXPECT_EQ(first.message_created().seq(), 7);
  EXPECT_EQ(first.message_created().status(), "sent");
  ASSERT_TRUE(requests[1].event().has_member_left());
  EXPECT_EQ(requests[1].event().member_left().room_id(), "r-1");
  EXPECT_EQ(requests[1].event().revoked_user_ids(0), "u-1");
  ASSERT_TRUE(requests[2].event().has_read_receipt());
  EXPECT_EQ(requests[2].event().read_receipt().seq(), 5);
  EXPECT_EQ(requests[2].event().read_receipt().user_id(), "u-2");
}

TEST_F(GrpcClientsTest, TodaysRealtimeSvcAnswersUnimplementedAndThatIsJustAFailedSend) {
  FakeAuth other_service;  // Like realtime-svc today: serving, but not RealtimeService.
  Server realtime_without_publish({&other_service});
  RealtimeEventSink sink(realtime_without_publish.Channel(), tokens_, absl::Seconds(5));
  RoomEvent event;
  event.room_id = "r-1";
  EXPECT_EQ(sink.Send(event).code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace chatter::chat
