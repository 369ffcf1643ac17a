// ChatGrpcService served in-process over real gRPC, with real token verification and in-memory
// storage: public RPCs want a user token, internal ones a service token; errors keep their code
// and field; the response shapes the gateway prints (created flags, optional fields) are right.
#include "services/chat/api/chat_grpc_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "libs/jwt/jwt.h"
#include "libs/status/error_details.h"
#include "libs/status/grpc_status.h"
#include "tests/fakes/chat/fake_user_directory.h"
#include "tests/fakes/chat/in_memory_chat_storage.h"
#include "tests/fakes/chat/recording_event_publisher.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::chat {
namespace {

namespace jwtt = jwt::testing;

constexpr char kAlice[] = "0190a5d2-ac96-774b-bcce-b302099a8057";  // UserClaims' subject.
constexpr char kBob[] = "018f0000-0000-7000-8000-00000000000b";

class ChatGrpcServiceTest : public ::testing::Test {
 protected:
  ChatGrpcServiceTest()
      : signer_({jwtt::TestKey("k1", 1)}),
        verifier_(keys_, {.issuer = jwtt::kIssuer, .audience = jwtt::kAudience}, clock_),
        authenticator_(verifier_),
        uuids_(clock_, random_),
        chat_({}, storage_, storage_, storage_, users_, events_, uuids_, clock_),
        delivered_(storage_, events_, uuids_, clock_),
        conversations_(storage_, storage_, storage_, storage_, delivered_, events_, uuids_, clock_),
        directory_(storage_),
        service_(chat_, conversations_, directory_, authenticator_) {
    keys_.Replace(signer_.PublicKeys());
    users_.AddUser(kAlice, "alice", "alice@example.com");
    users_.AddUser(kBob, "bob", "bob@example.com");
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    stub_ = v1::ChatService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  ~ChatGrpcServiceTest() override { server_->Shutdown(); }

  std::unique_ptr<grpc::ClientContext> As(const jwt::Claims& claims) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", absl::StrCat("Bearer ", signer_.Sign(claims)));
    return context;
  }
  std::unique_ptr<grpc::ClientContext> AsUser(const std::string& id = kAlice) {
    jwt::Claims claims = jwtt::UserClaims();
    claims.subject = id;
    return As(claims);
  }
  std::unique_ptr<grpc::ClientContext> AsService(const std::string& client_id = "gateway") {
    jwt::Claims claims = jwtt::ServiceClaims();
    claims.subject = client_id;
    return As(claims);
  }

  v1::Room CreateRoom(const std::string& visibility = "") {
    v1::CreateRoomRequest request;
    request.set_name("general");
    request.set_visibility(visibility);
    v1::CreateRoomResponse response;
    grpc::Status status = stub_->CreateRoom(AsUser().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.room();
  }

  jwtt::FakeClock clock_;
  jwt::Signer signer_;
  jwt::KeySet keys_;
  jwt::Verifier verifier_;
  authn::Authenticator authenticator_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator uuids_;
  InMemoryChatStorage storage_;
  FakeUserDirectory users_;
  RecordingEventPublisher events_;
  ChatService chat_;
  DeliveryMarkers delivered_;
  ConversationService conversations_;
  RoomDirectory directory_;
  ChatGrpcService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::ChatService::Stub> stub_;
};

TEST_F(ChatGrpcServiceTest, PublicRpcsWantAUserToken) {
  v1::CreateRoomRequest request;
  request.set_name("general");
  v1::CreateRoomResponse response;
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub_->CreateRoom(&anonymous, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->CreateRoom(AsService().get(), request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status ok = stub_->CreateRoom(AsUser().get(), request, &response);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(response.room().kind(), "group");
  EXPECT_EQ(response.room().visibility(), "public");
  EXPECT_EQ(response.room().created_by(), kAlice);
  EXPECT_EQ(response.room().member_count(), 1);
  EXPECT_FALSE(response.room().has_unread_count());
  EXPECT_EQ(response.room().created_at().nanos() % 1000000, 0);  // Millisecond precision.
}

TEST_F(ChatGrpcServiceTest, InternalRpcsWantAServiceToken) {
  v1::Room room = CreateRoom();
  v1::CheckRoomAccessRequest request;
  request.set_user_id(kBob);
  request.add_room_ids(room.id());
  v1::CheckRoomAccessResponse response;
  EXPECT_EQ(stub_->CheckRoomAccess(AsUser().get(), request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status ok = stub_->CheckRoomAccess(AsService("gateway").get(), request, &response);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_TRUE(response.results(0).allowed());
  EXPECT_FALSE(response.results(0).member());

  v1::GetBlockRelationsRequest relations;
  relations.set_user_id(kBob);
  v1::GetBlockRelationsResponse relations_response;
  EXPECT_EQ(stub_->GetBlockRelations(AsUser().get(), relations, &relations_response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      stub_->GetBlockRelations(AsService("realtime-svc").get(), relations, &relations_response)
          .ok());
  v1::ListMessagesSinceRequest since;
  since.set_user_id(kBob);
  since.set_room_id(room.id());
  v1::ListMessagesSinceResponse since_response;
  EXPECT_EQ(stub_->ListMessagesSince(AsUser().get(), since, &since_response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->ListMessagesSince(AsService("gateway").get(), since, &since_response).ok());
}

TEST_F(ChatGrpcServiceTest, InternalRpcsAreForTheirOwnCallersOnly) {
  v1::Room room = CreateRoom();
  v1::CheckRoomAccessRequest access;
  access.set_user_id(kBob);
  access.add_room_ids(room.id());
  v1::CheckRoomAccessResponse access_response;
  grpc::Status refused =
      stub_->CheckRoomAccess(AsService("realtime-svc").get(), access, &access_response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(refused.error_message(), "service client \"realtime-svc\" may not check room access");
  v1::ListMessagesSinceRequest since;
  since.set_user_id(kBob);
  since.set_room_id(room.id());
  v1::ListMessagesSinceResponse since_response;
  EXPECT_EQ(
      stub_->ListMessagesSince(AsService("chat-svc").get(), since, &since_response).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::GetBlockRelationsRequest relations;
  relations.set_user_id(kBob);
  v1::GetBlockRelationsResponse relations_response;
  EXPECT_EQ(stub_->GetBlockRelations(AsService("gateway").get(), relations, &relations_response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The lists come from configuration.
  ChatGrpcService configured(chat_, conversations_, directory_, authenticator_,
                             {.gateways = {"edge-a", "edge-b"}, .block_readers = {}});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&configured);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  auto stub = v1::ChatService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  EXPECT_TRUE(stub->CheckRoomAccess(AsService("edge-b").get(), access, &access_response).ok());
  EXPECT_EQ(
      stub->CheckRoomAccess(AsService("gateway").get(), access, &access_response).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub->GetBlockRelations(AsService("realtime-svc").get(), relations, &relations_response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  server->Shutdown();
}

TEST_F(ChatGrpcServiceTest, ErrorsKeepTheirCodeAndField) {
  v1::GetRoomRequest request;
  request.set_room_id("not-a-uuid");
  v1::GetRoomResponse response;
  grpc::Status bad = stub_->GetRoom(AsUser().get(), request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto details = status::GetErrorDetails(status::FromGrpcStatus(bad));
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->field_violations(0).field(), "room_id");
  request.set_room_id("018f0000-0000-7000-8000-0000000000ff");
  EXPECT_EQ(stub_->GetRoom(AsUser().get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::Room closed = CreateRoom("private");
  request.set_room_id(closed.id());
  EXPECT_EQ(stub_->GetRoom(AsUser(kBob).get(), request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ChatGrpcServiceTest, SendReportsCreatedAndHistoryLeavesNextBeforeUnsetAtTheStart) {
  v1::Room room = CreateRoom();
  v1::SendMessageRequest send;
  send.set_room_id(room.id());
  send.set_content("hello");
  send.set_client_msg_id("c-1");
  v1::SendMessageResponse first, repeat;
  ASSERT_TRUE(stub_->SendMessage(AsUser().get(), send, &first).ok());
  ASSERT_TRUE(stub_->SendMessage(AsUser().get(), send, &repeat).ok());
  EXPECT_TRUE(first.created());
  EXPECT_FALSE(repeat.created());
  EXPECT_EQ(repeat.message().id(), first.message().id());
  EXPECT_EQ(first.message().seq(), 1);
  EXPECT_EQ(first.message().status(), "sent");
  EXPECT_EQ(first.message().client_msg_id(), "c-1");

  v1::ListMessagesRequest list;
  list.set_room_id(room.id());
  v1::ListMessagesResponse page;
  ASSERT_TRUE(stub_->ListMessages(AsUser().get(), list, &page).ok());
  EXPECT_EQ(page.messages_size(), 1);
  EXPECT_FALSE(page.has_next_before());
  list.set_limit(101);
  EXPECT_EQ(stub_->ListMessages(AsUser().get(), list, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListRoomsResponse rooms;
  ASSERT_TRUE(stub_->ListRooms(AsUser().get(), v1::ListRoomsRequest(), &rooms).ok());
  ASSERT_EQ(rooms.rooms_size(), 1);
  EXPECT_TRUE(rooms.rooms(0).has_unread_count());
  EXPECT_EQ(rooms.rooms(0).unread_count(), 0);
  EXPECT_EQ(rooms.rooms(0).last_message().id(), first.message().id());
}

TEST_F(ChatGrpcServiceTest, PublicRoomDirectoryWantsAUserAndPagesWithACursor) {
  v1::Room older = CreateRoom("public");
  CreateRoom("private");
  v1::Room newer = CreateRoom("public");
  v1::ListPublicRoomsRequest request;
  v1::ListPublicRoomsResponse response;
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub_->ListPublicRooms(&anonymous, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  request.set_limit(1);
  ASSERT_TRUE(stub_->ListPublicRooms(AsUser(kBob).get(), request, &response).ok());
  ASSERT_EQ(response.rooms_size(), 1);
  EXPECT_EQ(response.rooms(0).id(), newer.id());
  EXPECT_EQ(response.rooms(0).member_count(), 1);
  EXPECT_FALSE(response.rooms(0).has_unread_count());  // Not the caller's room list.
  ASSERT_TRUE(response.has_next_before());
  EXPECT_EQ(response.next_before(), newer.id());

  request.set_before(response.next_before());
  request.set_limit(5);
  v1::ListPublicRoomsResponse rest;
  ASSERT_TRUE(stub_->ListPublicRooms(AsUser(kBob).get(), request, &rest).ok());
  ASSERT_EQ(rest.rooms_size(), 1);  // The private room is not listed.
  EXPECT_EQ(rest.rooms(0).id(), older.id());
  EXPECT_FALSE(rest.has_next_before());

  request.set_limit(0);  // Explicit 0 is refused, not taken as the default.
  grpc::Status bad = stub_->ListPublicRooms(AsUser().get(), request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto details = status::GetErrorDetails(status::FromGrpcStatus(bad));
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->field_violations(0).field(), "limit");
}

TEST_F(ChatGrpcServiceTest, AddContactByEmailOrIdAndReportCreated) {
  v1::AddContactRequest request;
  request.set_email("bob@example.com");
  v1::AddContactResponse response;
  ASSERT_TRUE(stub_->AddContact(AsUser().get(), request, &response).ok());
  EXPECT_TRUE(response.created());
  EXPECT_EQ(response.contact().username(), "bob");
  request.set_user_id(kBob);
  ASSERT_TRUE(stub_->AddContact(AsUser().get(), request, &response).ok());
  EXPECT_FALSE(response.created());
  grpc::Status neither = stub_->AddContact(AsUser().get(), v1::AddContactRequest(), &response);
  EXPECT_EQ(neither.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace chatter::chat
