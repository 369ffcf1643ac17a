// Least privilege between services, against the real binaries: every internal RPC is called with
// the service token of each principal of the stack, and only the principal that needs it gets
// an answer; the others get PERMISSION_DENIED. Tokens come from auth-svc's IssueServiceToken,
// exactly as the services get theirs.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "chatter/auth/v1/auth.grpc.pb.h"
#include "chatter/chat/v1/chat.grpc.pb.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"

namespace chatter::e2e {
namespace {

constexpr ServicePrincipal kPrincipals[] = {kChatPrincipal, kRealtimePrincipal, kGatewayPrincipal};

class ServiceAclE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() { StartSharedStack(); }

  void SetUp() override {
    SharedStackTest::SetUp();
    if (HasFatalFailure()) return;  // No stack (the failure says why): nothing below can run.
    if (HasFatalFailure()) return;  // No stack.
    for (const ServicePrincipal& principal : kPrincipals) {
      absl::StatusOr<std::string> token = stack().IssueServiceToken(principal);
      ASSERT_TRUE(token.ok()) << principal.client_id << ": " << token.status();
      tokens_[principal.client_id] = *token;
    }
    user_ = SignUpUser(port(), "acl");
    room_id_ = CreateRoomAs(port(), user_, "acl room").value("id", "");
    ASSERT_FALSE(room_id_.empty());
  }

  static std::shared_ptr<grpc::Channel> Channel(Component service) {
    return grpc::CreateChannel(stack().grpc_address(service), grpc::InsecureChannelCredentials());
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& client_id) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + tokens_.at(client_id));
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return context;
  }

  // Which principals `call` lets through (status OK), and that the others got PERMISSION_DENIED.
  template <typename Call>
  std::vector<std::string> AllowedCallers(Call call) {
    std::vector<std::string> allowed;
    for (const ServicePrincipal& principal : kPrincipals) {
      grpc::Status status = call(*As(principal.client_id));
      if (status.ok()) {
        allowed.push_back(principal.client_id);
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << principal.client_id << ": " << status.error_message();
        EXPECT_NE(status.error_message().find(principal.client_id), std::string::npos)
            << "the refusal names the caller: " << status.error_message();
      }
    }
    return allowed;
  }

  std::map<std::string, std::string> tokens_;
  ApiUser user_;
  std::string room_id_;
};

using Callers = std::vector<std::string>;

TEST_F(ServiceAclE2eTest, ChatSvcRoomAccessAndReplayAreForTheGatewayOnly) {
  auto chat = chat::v1::ChatService::NewStub(Channel(Component::kChat));
  EXPECT_EQ(AllowedCallers([&](grpc::ClientContext& context) {
              chat::v1::CheckRoomAccessRequest request;
              request.set_user_id(user_.id);
              request.add_room_ids(room_id_);
              chat::v1::CheckRoomAccessResponse response;
              return chat->CheckRoomAccess(&context, request, &response);
            }),
            Callers{"gateway"});
  EXPECT_EQ(AllowedCallers([&](grpc::ClientContext& context) {
              chat::v1::ListMessagesSinceRequest request;
              request.set_user_id(user_.id);
              request.set_room_id(room_id_);
              request.set_limit(10);
              chat::v1::ListMessagesSinceResponse response;
              return chat->ListMessagesSince(&context, request, &response);
            }),
            Callers{"gateway"});
}

TEST_F(ServiceAclE2eTest, ChatSvcBlockRelationsAreForRealtimeSvcOnly) {
  auto chat = chat::v1::ChatService::NewStub(Channel(Component::kChat));
  EXPECT_EQ(AllowedCallers([&](grpc::ClientContext& context) {
              chat::v1::GetBlockRelationsRequest request;
              request.set_user_id(user_.id);
              chat::v1::GetBlockRelationsResponse response;
              return chat->GetBlockRelations(&context, request, &response);
            }),
            Callers{"realtime-svc"});
}

TEST_F(ServiceAclE2eTest, AuthSvcUserDirectoryIsForChatSvcOnly) {
  auto auth = auth::v1::AuthService::NewStub(Channel(Component::kAuth));
  EXPECT_EQ(AllowedCallers([&](grpc::ClientContext& context) {
              auth::v1::BatchGetUsersRequest request;
              request.add_user_ids(user_.id);
              auth::v1::BatchGetUsersResponse response;
              return auth->BatchGetUsers(&context, request, &response);
            }),
            Callers{"chat-svc"});
}

TEST_F(ServiceAclE2eTest, AuthSvcRevocationLogIsForTheProcessesThatAcceptUserTokens) {
  auto auth = auth::v1::AuthService::NewStub(Channel(Component::kAuth));
  EXPECT_EQ(AllowedCallers([&](grpc::ClientContext& context) {
              auth::v1::ListRevokedSessionsResponse response;
              return auth->ListRevokedSessions(&context, auth::v1::ListRevokedSessionsRequest(),
                                               &response);
            }),
            (Callers{"chat-svc", "gateway"}));
  // A user token is no service's.
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + user_.token);
  auth::v1::ListRevokedSessionsResponse response;
  EXPECT_EQ(auth->ListRevokedSessions(&context, auth::v1::ListRevokedSessionsRequest(), &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ServiceAclE2eTest, RealtimeSvcPresenceIsForTheGatewayAndChatSvc) {
  auto realtime = realtime::v1::RealtimeService::NewStub(Channel(Component::kRealtime));
  EXPECT_EQ(AllowedCallers([&](grpc::ClientContext& context) {
              realtime::v1::GetPresenceRequest request;
              request.add_user_ids(user_.id);
              realtime::v1::GetPresenceResponse response;
              return realtime->GetPresence(&context, request, &response);
            }),
            (Callers{"chat-svc", "gateway"}));
}

TEST_F(ServiceAclE2eTest, RealtimeSvcUserEventsAreForChatSvcOnly) {
  auto realtime = realtime::v1::RealtimeService::NewStub(Channel(Component::kRealtime));
  EXPECT_EQ(AllowedCallers([&](grpc::ClientContext& context) {
              realtime::v1::PublishUserEventRequest request;
              request.mutable_event()->add_user_ids(user_.id);
              request.mutable_event()->mutable_notification()->set_type("acl.check");
              request.mutable_event()->mutable_notification()->set_payload_json("{}");
              realtime::v1::PublishUserEventResponse response;
              return realtime->PublishUserEvent(&context, request, &response);
            }),
            Callers{"chat-svc"});
}

}  // namespace
}  // namespace chatter::e2e
