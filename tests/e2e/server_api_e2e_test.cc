// chat-svc's server API (chatter.chat.v1.ChatAdmin) against the real binaries: every operation
// called with a service token from IssueServiceToken and checked where users see its effect
// (WebSocket events, REST, close frames), and every refusal: a user token, no token, a principal
// without the operation, a principal over its rate, a reused idempotency key.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "chatter/chat/v1/admin.grpc.pb.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"
#include "tests/e2e/harness/ws_client.h"

namespace chatter::e2e {
namespace {

using chat::v1::ChatAdmin;
using nlohmann::json;

constexpr absl::Duration kWait = absl::Seconds(10);

std::string IssueToken(Stack& stack, const ServicePrincipal& principal) {
  absl::StatusOr<std::string> token = stack.IssueServiceToken(principal);
  EXPECT_TRUE(token.ok()) << principal.client_id << ": " << token.status();
  return token.value_or("");
}

// A context carrying `token` (none when empty), with a deadline.
std::unique_ptr<grpc::ClientContext> With(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

class ServerApiE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    StartSharedStack(
        {.env = {{Component::kChat,
                  {{"CHATTER_CHAT_ADMIN_ACL", absl::StrCat(kPlatformPrincipal.client_id, "=*,",
                                                           kPlatformReaderPrincipal.client_id,
                                                           "=export_history|get_presence")}}}}});
  }

  void SetUp() override {
    SharedStackTest::SetUp();
    if (HasFatalFailure()) return;  // No stack (the failure says why): nothing below can run.
    if (HasFatalFailure()) return;  // No stack.
    admin_ = ChatAdmin::NewStub(grpc::CreateChannel(stack().grpc_address(Component::kChat),
                                                    grpc::InsecureChannelCredentials()));
    platform_ = IssueToken(stack(), kPlatformPrincipal);
    reader_ = IssueToken(stack(), kPlatformReaderPrincipal);
    owner_ = SignUpUser(port(), "admin_owner");
    member_ = SignUpUser(port(), "admin_member");
    room_ = CreateRoomAs(port(), owner_, "server api", "private").value("id", "");
    ASSERT_FALSE(room_.empty());
  }

  chat::v1::PostMessageResponse Post(const std::string& key, const std::string& content,
                                     grpc::Status* status_out = nullptr) {
    chat::v1::PostMessageRequest request;
    request.set_idempotency_key(key);
    request.set_room_id(room_);
    request.set_sender_kind("system");
    request.set_content(content);
    chat::v1::PostMessageResponse response;
    grpc::Status status = admin_->PostMessage(With(platform_).get(), request, &response);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return response;
  }

  grpc::Status AddMember(const std::string& key, const std::string& user_id,
                         chat::v1::AdminAddMemberResponse* response = nullptr) {
    chat::v1::AdminAddMemberRequest request;
    request.set_idempotency_key(key);
    request.set_room_id(room_);
    request.set_user_id(user_id);
    chat::v1::AdminAddMemberResponse ignored;
    return admin_->AddMember(With(platform_).get(), request, response ? response : &ignored);
  }

  std::unique_ptr<ChatAdmin::Stub> admin_;
  std::string platform_;
  std::string reader_;
  ApiUser owner_;
  ApiUser member_;
  std::string room_;
};

TEST_F(ServerApiE2eTest, ASystemMessageIsPersistedWithTheNextSeqAndDeliveredLive) {
  std::unique_ptr<WsClient> owner_ws = OpenUserSession(port(), owner_, room_);
  ASSERT_NE(owner_ws, nullptr);
  SendMessageAs(port(), owner_, room_, "before");
  ASSERT_TRUE(owner_ws->NextEvent("receive_message", kWait).ok());

  chat::v1::PostMessageResponse posted = Post("post-1", "The room moves to #general tomorrow");
  EXPECT_EQ(posted.message().seq(), 2);
  EXPECT_EQ(posted.message().sender_kind(), "system");
  EXPECT_EQ(posted.message().sender_id(), "00000000-0000-0000-0000-000000000000");

  absl::StatusOr<json> live = owner_ws->NextEvent("receive_message", kWait);
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ((*live)["data"]["id"], posted.message().id());
  EXPECT_EQ((*live)["data"]["sender_kind"], "system") << *live;
  EXPECT_EQ((*live)["data"]["seq"], 2) << *live;

  ApiReply history = CallApi(port(), "GET", absl::StrCat("/v1/rooms/", room_, "/messages"), owner_);
  ASSERT_EQ(history.status, 200) << history.raw.body;
  ASSERT_EQ(history.body["messages"].size(), 2u) << history.body;
  for (const json& message : history.body["messages"]) {
    EXPECT_EQ(message["sender_kind"], message["seq"] == 2 ? "system" : "user") << message;
  }

  // The same key and request: the first message again, no second one, no second event.
  chat::v1::PostMessageResponse again = Post("post-1", "The room moves to #general tomorrow");
  EXPECT_EQ(again.message().id(), posted.message().id());
  grpc::Status reused;
  Post("post-1", "something else", &reused);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(reused.error_message().find("idempotency_key"), std::string::npos)
      << reused.error_message();
  SendMessageAs(port(), owner_, room_, "after");
  absl::StatusOr<json> next = owner_ws->NextEvent("receive_message", kWait);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)["data"]["seq"], 3) << "no seq burnt, no duplicate event: " << *next;
}

TEST_F(ServerApiE2eTest, BotMessagesNameTheBotAccount) {
  ApiUser bot = SignUpUser(port(), "admin_bot");
  chat::v1::PostMessageRequest request;
  request.set_idempotency_key("bot-1");
  request.set_room_id(room_);
  request.set_sender_kind("bot");
  request.set_sender_id(bot.id);
  request.set_content("Build #42 passed");
  chat::v1::PostMessageResponse response;
  grpc::Status status = admin_->PostMessage(With(platform_).get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.message().sender_id(), bot.id);
  EXPECT_EQ(response.message().sender_kind(), "bot");
}

TEST_F(ServerApiE2eTest, RoomsMembersAndRolesOnThePlatformsBehalf) {
  // A room for an owner, with a member.
  chat::v1::AdminCreateRoomRequest create;
  create.set_idempotency_key("create-1");
  create.set_name("Onboarding");
  create.set_visibility("private");
  create.set_owner_id(owner_.id);
  create.add_member_ids(member_.id);
  chat::v1::AdminCreateRoomResponse created;
  grpc::Status status = admin_->CreateRoom(With(platform_).get(), create, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.room().member_count(), 2);
  EXPECT_EQ(created.room().owner_id(), owner_.id);
  chat::v1::AdminCreateRoomResponse repeated;
  ASSERT_TRUE(admin_->CreateRoom(With(platform_).get(), create, &repeated).ok());
  EXPECT_EQ(repeated.room().id(), created.room().id()) << "one room per idempotency key";
  ApiReply members =
      CallApi(port(), "GET", absl::StrCat("/v1/rooms/", created.room().id(), "/members"), member_);
  ASSERT_EQ(members.status, 200) << members.raw.body;
  EXPECT_EQ(members.body["members"].size(), 2u) << members.body;

  // Adding to a private room the member could not join: the owner's session sees member_joined.
  std::unique_ptr<WsClient> owner_ws = OpenUserSession(port(), owner_, room_);
  ASSERT_NE(owner_ws, nullptr);
  chat::v1::AdminAddMemberResponse added;
  status = AddMember("add-1", member_.id, &added);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(added.created());
  EXPECT_EQ(added.role(), "member");
  absl::StatusOr<json> joined = owner_ws->NextEvent("member_joined", kWait);
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_EQ((*joined)["data"]["user_id"], member_.id) << *joined;
  EXPECT_EQ(CallApi(port(), "GET", absl::StrCat("/v1/rooms/", room_), member_).status, 200);

  // Promoted to admin, the member may add members over REST.
  ApiUser third = SignUpUser(port(), "admin_third");
  EXPECT_EQ(CallApi(port(), "POST", absl::StrCat("/v1/rooms/", room_, "/members"), member_,
                    {{"user_id", third.id}})
                .status,
            403);
  chat::v1::SetMemberRoleRequest promote;
  promote.set_idempotency_key("promote-1");
  promote.set_room_id(room_);
  promote.set_user_id(member_.id);
  promote.set_role("admin");
  chat::v1::SetMemberRoleResponse promoted;
  status = admin_->SetMemberRole(With(platform_).get(), promote, &promoted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(promoted.changed());
  ApiReply by_admin = CallApi(port(), "POST", absl::StrCat("/v1/rooms/", room_, "/members"),
                              member_, {{"user_id", third.id}});
  EXPECT_EQ(by_admin.status, 201) << by_admin.raw.body;

  // Removed from the private room: the member's session hears it and loses the room.
  std::unique_ptr<WsClient> member_ws = OpenUserSession(port(), member_, room_);
  ASSERT_NE(member_ws, nullptr);
  chat::v1::AdminRemoveMemberRequest remove;
  remove.set_idempotency_key("remove-1");
  remove.set_room_id(room_);
  remove.set_user_id(member_.id);
  chat::v1::AdminRemoveMemberResponse removed;
  status = admin_->RemoveMember(With(platform_).get(), remove, &removed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(removed.removed());
  absl::StatusOr<json> left = member_ws->NextEvent("member_left", kWait);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(CallApi(port(), "GET", absl::StrCat("/v1/rooms/", room_), member_).status, 403);
}

TEST_F(ServerApiE2eTest, DisconnectClosesEverySessionOfTheUserAndCanEndTheirLogins) {
  std::unique_ptr<WsClient> first = OpenUserSession(port(), member_);
  std::unique_ptr<WsClient> second = OpenUserSession(port(), member_);
  std::unique_ptr<WsClient> bystander = OpenUserSession(port(), owner_);
  ASSERT_TRUE(first && second && bystander);
  chat::v1::DisconnectUserRequest request;
  request.set_idempotency_key("disconnect-1");
  request.set_user_id(member_.id);
  request.set_close_code(4403);
  request.set_reason("banned for spam");
  request.set_revoke_sessions(true);
  chat::v1::DisconnectUserResponse response;
  grpc::Status status = admin_->DisconnectUser(With(platform_).get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.revoked_logins(), 1);
  for (WsClient* session : {first.get(), second.get()}) {
    absl::StatusOr<WsClosed> closed = session->WaitClosed(kWait);
    ASSERT_TRUE(closed.ok()) << closed.status();
    EXPECT_EQ(closed->code, 4403);
    EXPECT_EQ(closed->reason, "banned for spam");
  }
  // Others stay connected, and the banned user's token stops working within a poll or two.
  EXPECT_TRUE(bystander->Request("ping", json::object(), "p1").ok());
  int me_status = 0;
  for (absl::Time until = absl::Now() + kWait; absl::Now() < until;
       absl::SleepFor(absl::Milliseconds(100))) {
    me_status = CallApi(port(), "GET", "/v1/me", member_).status;
    if (me_status == 401) break;
  }
  EXPECT_EQ(me_status, 401);

  request.set_idempotency_key("disconnect-2");
  request.set_close_code(1006);
  EXPECT_EQ(admin_->DisconnectUser(With(platform_).get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ServerApiE2eTest, NotificationsReachEveryLiveSessionOfTheUser) {
  std::unique_ptr<WsClient> first = OpenUserSession(port(), member_);
  std::unique_ptr<WsClient> second = OpenUserSession(port(), member_);
  std::unique_ptr<WsClient> other = OpenUserSession(port(), owner_);
  ASSERT_TRUE(first && second && other);
  chat::v1::NotifyUsersRequest request;
  request.set_idempotency_key("notify-1");
  request.add_user_ids(member_.id);
  request.set_type("export.ready");
  request.set_data_json(R"({"url": "https://exports.example.com/1.zip"})");
  chat::v1::NotifyUsersResponse response;
  grpc::Status status = admin_->NotifyUsers(With(platform_).get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  for (WsClient* session : {first.get(), second.get()}) {
    absl::StatusOr<json> event = session->NextEvent("notification", kWait);
    ASSERT_TRUE(event.ok()) << event.status();
    EXPECT_EQ((*event)["data"]["id"], response.notification_id());
    EXPECT_EQ((*event)["data"]["type"], "export.ready");
    EXPECT_EQ((*event)["data"]["payload"]["url"], "https://exports.example.com/1.zip") << *event;
  }
  // Nobody else: the owner's next frame is the answer to a ping.
  absl::StatusOr<json> reply = other->Request("ping", json::object(), "p1");
  ASSERT_TRUE(reply.ok()) << reply.status();
  for (const json& skipped : other->skipped()) EXPECT_NE(skipped["event"], "notification");
}

TEST_F(ServerApiE2eTest, PresenceOfUsersAndOfRoomMembers) {
  ASSERT_TRUE(AddMember("presence-add", member_.id).ok());
  std::unique_ptr<WsClient> online = OpenUserSession(port(), member_);
  ASSERT_NE(online, nullptr);
  chat::v1::AdminGetPresenceRequest request;
  request.add_room_ids(room_);
  chat::v1::AdminGetPresenceResponse response;
  // The reader principal may read presence.
  grpc::Status status;
  for (absl::Time until = absl::Now() + kWait; absl::Now() < until;
       absl::SleepFor(absl::Milliseconds(100))) {
    response.Clear();
    status = admin_->GetPresence(With(reader_).get(), request, &response);
    if (!status.ok() ||
        (response.rooms_size() == 1 && response.rooms(0).online_user_ids_size() == 1))
      break;
  }
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.rooms_size(), 1);
  EXPECT_EQ(response.rooms(0).member_count(), 2);
  ASSERT_EQ(response.rooms(0).online_user_ids_size(), 1);
  EXPECT_EQ(response.rooms(0).online_user_ids(0), member_.id);
  ASSERT_EQ(response.users_size(), 2);
  for (const chat::v1::UserPresence& user : response.users()) {
    EXPECT_EQ(user.status(), user.user_id() == member_.id ? "online" : "offline");
  }
}

TEST_F(ServerApiE2eTest, HistoryExportPagesInSeqOrder) {
  for (int i = 1; i <= 5; ++i) SendMessageAs(port(), owner_, room_, absl::StrCat("m", i));
  std::vector<int64_t> seqs;
  chat::v1::ExportHistoryRequest request;
  request.set_room_id(room_);
  request.set_limit(2);
  for (int pages = 0; pages < 10; ++pages) {
    chat::v1::ExportHistoryResponse response;
    grpc::Status status = admin_->ExportHistory(With(reader_).get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.last_seq(), 5);
    for (const common::v1::Message& message : response.messages()) seqs.push_back(message.seq());
    if (!response.has_next_after_seq()) break;
    request.set_after_seq(response.next_after_seq());
  }
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

TEST_F(ServerApiE2eTest, RefusesUserTokensMissingTokensAndUnlistedOperations) {
  chat::v1::PostMessageRequest request;
  request.set_idempotency_key("refused-1");
  request.set_room_id(room_);
  request.set_sender_kind("system");
  request.set_content("should never be stored");
  chat::v1::PostMessageResponse response;

  grpc::Status as_user = admin_->PostMessage(With(owner_.token).get(), request, &response);
  EXPECT_EQ(as_user.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(as_user.error_message().find("service token required"), std::string::npos)
      << as_user.error_message();
  EXPECT_EQ(admin_->PostMessage(With("").get(), request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  std::unique_ptr<grpc::ClientContext> unlisted_call = With(reader_);
  grpc::Status unlisted = admin_->PostMessage(unlisted_call.get(), request, &response);
  EXPECT_EQ(unlisted.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(unlisted.error_message().find("post_message"), std::string::npos)
      << "the refusal names the operation: " << unlisted.error_message();
  EXPECT_NE(unlisted.error_message().find(kPlatformReaderPrincipal.client_id), std::string::npos);
  // chat-svc's own principal is a service too, but not listed.
  std::string chat_token = IssueToken(stack(), kChatPrincipal);
  EXPECT_EQ(admin_->PostMessage(With(chat_token).get(), request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ApiReply history = CallApi(port(), "GET", absl::StrCat("/v1/rooms/", room_, "/messages"), owner_);
  ASSERT_EQ(history.status, 200);
  EXPECT_TRUE(history.body["messages"].empty()) << history.body;

  // Every call, refused or not, left an audit line: principal, operation, target, outcome; never
  // the content or a token.
  absl::StatusOr<json> audit =
      stack().process(Component::kChat).WaitForLogMessage("admin call", kWait);
  ASSERT_TRUE(audit.ok()) << audit.status();
  std::string log = stack().process(Component::kChat).Log();
  EXPECT_NE(log.find(absl::StrCat("\"principal\":\"", kPlatformReaderPrincipal.client_id, "\"")),
            std::string::npos);
  EXPECT_NE(log.find("\"code\":\"PERMISSION_DENIED\""), std::string::npos);
  // A call without a request id was given one, in its answer and in its audit line.
  auto request_id = unlisted_call->GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(request_id, unlisted_call->GetServerInitialMetadata().end());
  std::string id(request_id->second.data(), request_id->second.size());
  EXPECT_NE(log.find(absl::StrCat("\"request_id\":\"", id, "\"")), std::string::npos) << id;
  EXPECT_NE(log.find(absl::StrCat("\"target\":\"room:", room_, "\"")), std::string::npos);
  EXPECT_EQ(log.find("should never be stored"), std::string::npos);
  EXPECT_EQ(log.find(reader_), std::string::npos);
  EXPECT_EQ(log.find(platform_), std::string::npos);
}

// A principal over its rate is told to slow down; another principal is not.
class ServerApiRateE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    StartSharedStack({.env = {{Component::kChat,
                               {{"CHATTER_CHAT_ADMIN_ACL",
                                 absl::StrCat(kPlatformPrincipal.client_id, "=*,",
                                              kPlatformReaderPrincipal.client_id, "=*")},
                                {"CHATTER_CHAT_ADMIN_RATE_PER_SEC", "1"},
                                {"CHATTER_CHAT_ADMIN_BURST", "3"}}}}});
  }
};

TEST_F(ServerApiRateE2eTest, LimitsApplyPerPrincipal) {
  auto admin = ChatAdmin::NewStub(grpc::CreateChannel(stack().grpc_address(Component::kChat),
                                                      grpc::InsecureChannelCredentials()));
  std::string busy = IssueToken(stack(), kPlatformPrincipal);
  std::string calm = IssueToken(stack(), kPlatformReaderPrincipal);
  chat::v1::ExportHistoryRequest request;
  request.set_room_id("018f0000-0000-7000-8000-0000000000ff");  // No such room: NOT_FOUND.
  chat::v1::ExportHistoryResponse response;
  int refused = 0;
  grpc::Status last;
  for (int i = 0; i < 6; ++i) {
    last = admin->ExportHistory(With(busy).get(), request, &response);
    if (last.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++refused;
    } else {
      EXPECT_EQ(last.error_code(), grpc::StatusCode::NOT_FOUND) << last.error_message();
    }
  }
  EXPECT_GE(refused, 2) << "a burst of 3 at 1/s lets 3 or 4 of 6 through";
  EXPECT_EQ(admin->ExportHistory(With(calm).get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace chatter::e2e
