// Ending access, end to end (API.md, Auth): logout, logout_all, password change and account
// deletion stop the access tokens of the logins they end on every gateway and service within
// 5 s, close those logins' WebSocket sessions with 4401, and leave every other login alone.
// Deletion erases the account but keeps its messages readable, the author shown as deleted.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "chatter/chat/v1/chat.grpc.pb.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"
#include "tests/e2e/harness/ws_client.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

// API.md: "within 5 s".
constexpr absl::Duration kPromptly = absl::Seconds(5);

// One login: its tokens and, when opened, its WebSocket session.
struct Login {
  std::string user_id;
  std::string access_token;
  std::string refresh_token;
  HttpHeaders auth() const { return {{"Authorization", "Bearer " + access_token}}; }
};

class AccountLifecycleE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() { StartSharedStack(); }

  static Login FromReply(const ApiReply& reply) {
    return {reply.body["user"]["id"], reply.body["access_token"], reply.body["refresh_token"]};
  }
  static Login SignUp(const std::string& name, const std::string& password = "correct horse") {
    ApiReply reply =
        CallApi(port(), "POST", "/v1/auth/signup", HttpHeaders{},
                {{"username", name}, {"email", name + "@example.com"}, {"password", password}});
    EXPECT_EQ(reply.status, 201) << reply.raw.body;
    return FromReply(reply);
  }
  static Login LogIn(const std::string& name, const std::string& password = "correct horse") {
    ApiReply reply = CallApi(port(), "POST", "/v1/auth/login", HttpHeaders{},
                             {{"username", name}, {"password", password}});
    EXPECT_EQ(reply.status, 200) << reply.raw.body;
    return FromReply(reply);
  }
  static int LogInStatus(const std::string& name, const std::string& password) {
    return CallApi(port(), "POST", "/v1/auth/login", HttpHeaders{},
                   {{"username", name}, {"password", password}})
        .status;
  }
  static int MeStatus(const Login& login) {
    return CallApi(port(), "GET", "/v1/me", login.auth()).status;
  }
  static int RefreshStatus(const Login& login) {
    return CallApi(port(), "POST", "/v1/auth/refresh", HttpHeaders{},
                   {{"refresh_token", login.refresh_token}})
        .status;
  }
  // chat-svc itself, over gRPC with the user's token: what an internal caller would see.
  static grpc::StatusCode ChatStatus(const Login& login) {
    auto stub = chat::v1::ChatService::NewStub(grpc::CreateChannel(
        stack().grpc_address(Component::kChat), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + login.access_token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    chat::v1::ListRoomsResponse response;
    return stub->ListRooms(&context, chat::v1::ListRoomsRequest(), &response).error_code();
  }

  // Polls chat-svc (it follows the revocation log on its own) until it refuses the login's
  // token; false if it still accepts it after kPromptly.
  static bool ChatRefusesPromptly(const Login& login) {
    for (absl::Time start = absl::Now(); absl::Now() - start < kPromptly;) {
      if (ChatStatus(login) == grpc::StatusCode::UNAUTHENTICATED) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  static std::unique_ptr<WsClient> OpenWs(const Login& login) {
    auto ws = WsClient::Connect(port(), "/ws?access_token=" + login.access_token);
    EXPECT_TRUE(ws.ok()) << ws.status();
    if (!ws.ok()) return nullptr;
    auto ready = (*ws)->NextEvent("ready", kDefaultWsTimeout);
    EXPECT_TRUE(ready.ok()) << ready.status();
    return *std::move(ws);
  }
  // A ping answered (a `pong`, then the ref's `ack`): the session is open and served.
  static bool StillServed(WsClient& ws, const std::string& ref) {
    auto reply = ws.Request("ping", json::object(), ref);
    return reply.ok() && (*reply)["event"] == "ack";
  }

  // Polls until /v1/me with the login's token is 401; how long that took (the test fails past
  // kPromptly).
  static absl::Duration TimeUntilRefused(const Login& login) {
    absl::Time start = absl::Now();
    while (MeStatus(login) != 401) {
      if (absl::Now() - start > kPromptly) {
        ADD_FAILURE() << "the access token still works " << kPromptly << " after its login ended";
        break;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return absl::Now() - start;
  }
  // Expects the login's WebSocket to close with 4401 within kPromptly of `ended_at`.
  static void ExpectClosedWith4401(WsClient& ws, absl::Time ended_at) {
    absl::StatusOr<WsClosed> closed = ws.WaitClosed(kPromptly - (absl::Now() - ended_at));
    ASSERT_TRUE(closed.ok()) << closed.status();
    EXPECT_EQ(closed->code, 4401);
    EXPECT_EQ(closed->reason, "session ended");
  }
};

TEST_F(AccountLifecycleE2eTest, LogoutEndsThatLoginsAccessEverywhereWithinFiveSeconds) {
  Login first = SignUp("end_logout");
  Login second = LogIn("end_logout");
  std::unique_ptr<WsClient> first_ws = OpenWs(first);
  std::unique_ptr<WsClient> second_ws = OpenWs(second);
  ASSERT_TRUE(first_ws && second_ws);
  ASSERT_EQ(ChatStatus(first), grpc::StatusCode::OK);

  absl::Time ended_at = absl::Now();
  ASSERT_EQ(CallApi(port(), "POST", "/v1/auth/logout", first.auth(),
                    {{"refresh_token", first.refresh_token}})
                .status,
            204);
  absl::Duration refused_after = TimeUntilRefused(first);
  EXPECT_LE(refused_after, kPromptly);
  ExpectClosedWith4401(*first_ws, ended_at);
  EXPECT_TRUE(ChatRefusesPromptly(first));
  ApiReply body = CallApi(port(), "GET", "/v1/rooms", first.auth());
  EXPECT_EQ(body.status, 401);
  EXPECT_EQ(body.body["error"]["code"], "unauthenticated");
  // A new connection with the ended login's token is refused at the upgrade.
  EXPECT_FALSE(WsClient::Connect(port(), "/ws?access_token=" + first.access_token).ok());

  // The other login of the same user goes on.
  EXPECT_EQ(MeStatus(second), 200);
  EXPECT_EQ(ChatStatus(second), grpc::StatusCode::OK);
  EXPECT_TRUE(StillServed(*second_ws, "p1"));
  EXPECT_EQ(RefreshStatus(second), 200);
}

TEST_F(AccountLifecycleE2eTest, LogoutAllEndsEveryLoginOfTheUserOnly) {
  Login first = SignUp("end_all");
  Login second = LogIn("end_all");
  Login bystander = SignUp("end_all_bystander");
  std::unique_ptr<WsClient> first_ws = OpenWs(first);
  std::unique_ptr<WsClient> second_ws = OpenWs(second);
  std::unique_ptr<WsClient> bystander_ws = OpenWs(bystander);
  ASSERT_TRUE(first_ws && second_ws && bystander_ws);

  absl::Time ended_at = absl::Now();
  ASSERT_EQ(CallApi(port(), "POST", "/v1/auth/logout_all", second.auth()).status, 204);
  EXPECT_LE(TimeUntilRefused(first), kPromptly);
  EXPECT_EQ(MeStatus(second), 401);
  ExpectClosedWith4401(*first_ws, ended_at);
  ExpectClosedWith4401(*second_ws, ended_at);
  EXPECT_EQ(MeStatus(bystander), 200);
  EXPECT_TRUE(StillServed(*bystander_ws, "p1"));
  // Signing in again works: a new login is not covered by the old ones' end.
  Login again = LogIn("end_all");
  EXPECT_EQ(MeStatus(again), 200);
}

TEST_F(AccountLifecycleE2eTest, ChangingThePasswordEndsEveryOtherLogin) {
  Login current = SignUp("change_pw");
  Login other = LogIn("change_pw");
  std::unique_ptr<WsClient> current_ws = OpenWs(current);
  std::unique_ptr<WsClient> other_ws = OpenWs(other);
  ASSERT_TRUE(current_ws && other_ws);

  ApiReply wrong = CallApi(port(), "POST", "/v1/me/password", current.auth(),
                           {{"current_password", "wrong horse"}, {"new_password", "new battery"}});
  EXPECT_EQ(wrong.status, 401) << wrong.raw.body;
  EXPECT_EQ(wrong.body["error"]["details"][0]["field"], "current_password");
  ApiReply weak = CallApi(port(), "POST", "/v1/me/password", current.auth(),
                          {{"current_password", "correct horse"}, {"new_password", "short"}});
  EXPECT_EQ(weak.status, 400) << weak.raw.body;
  EXPECT_EQ(weak.body["error"]["details"][0]["field"], "new_password");
  EXPECT_EQ(CallApi(port(), "POST", "/v1/me/password", HttpHeaders{},
                    {{"current_password", "correct horse"}, {"new_password", "new battery"}})
                .status,
            401);
  EXPECT_EQ(MeStatus(other), 200);  // Nothing ended on a refused change.

  absl::Time ended_at = absl::Now();
  ApiReply changed =
      CallApi(port(), "POST", "/v1/me/password", current.auth(),
              {{"current_password", "correct horse"}, {"new_password", "new battery"}});
  ASSERT_EQ(changed.status, 204) << changed.raw.body;
  EXPECT_TRUE(changed.raw.body.empty());
  EXPECT_EQ(RefreshStatus(other), 401);  // At once.
  EXPECT_LE(TimeUntilRefused(other), kPromptly);
  ExpectClosedWith4401(*other_ws, ended_at);
  EXPECT_TRUE(ChatRefusesPromptly(other));
  EXPECT_EQ(ChatStatus(current), grpc::StatusCode::OK);

  // The login that made the change goes on, tokens and socket.
  EXPECT_EQ(MeStatus(current), 200);
  EXPECT_TRUE(StillServed(*current_ws, "p1"));
  EXPECT_EQ(LogInStatus("change_pw", "correct horse"), 401);
  EXPECT_EQ(LogInStatus("change_pw", "new battery"), 200);
  EXPECT_EQ(RefreshStatus(current), 200);
}

TEST_F(AccountLifecycleE2eTest, DeletingTheAccountErasesItAndKeepsItsMessagesForOthers) {
  Login alice = SignUp("deleted_alice");
  Login bob = SignUp("deleted_bob");
  ApiReply direct = CallApi(port(), "POST", "/v1/direct", alice.auth(), {{"user_id", bob.user_id}});
  ASSERT_TRUE(direct.status == 200 || direct.status == 201) << direct.raw.body;
  std::string room_id = direct.body["id"];
  ApiReply sent = CallApi(port(), "POST", "/v1/rooms/" + room_id + "/messages", alice.auth(),
                          {{"content", "remember me"}});
  ASSERT_EQ(sent.status, 201) << sent.raw.body;
  std::unique_ptr<WsClient> alice_ws = OpenWs(alice);
  ASSERT_TRUE(alice_ws);

  ApiReply missing = CallApi(port(), "DELETE", "/v1/me", alice.auth(), json::object());
  EXPECT_EQ(missing.status, 400) << missing.raw.body;
  EXPECT_EQ(missing.body["error"]["details"][0]["field"], "password");
  ApiReply wrong = CallApi(port(), "DELETE", "/v1/me", alice.auth(), {{"password", "wrong horse"}});
  EXPECT_EQ(wrong.status, 401) << wrong.raw.body;
  EXPECT_EQ(MeStatus(alice), 200);

  absl::Time ended_at = absl::Now();
  ApiReply deleted =
      CallApi(port(), "DELETE", "/v1/me", alice.auth(), {{"password", "correct horse"}});
  ASSERT_EQ(deleted.status, 204) << deleted.raw.body;
  EXPECT_EQ(RefreshStatus(alice), 401);
  EXPECT_LE(TimeUntilRefused(alice), kPromptly);
  ExpectClosedWith4401(*alice_ws, ended_at);
  EXPECT_TRUE(ChatRefusesPromptly(alice));
  EXPECT_EQ(LogInStatus("deleted_alice", "correct horse"), 401);

  // Bob still reads the conversation; the author is shown as a deleted user.
  ApiReply history = CallApi(port(), "GET", "/v1/rooms/" + room_id + "/messages", bob.auth());
  ASSERT_EQ(history.status, 200) << history.raw.body;
  ASSERT_EQ(history.body["messages"].size(), 1u);
  EXPECT_EQ(history.body["messages"][0]["content"], "remember me");
  EXPECT_EQ(history.body["messages"][0]["sender_id"], alice.user_id);
  ApiReply author = CallApi(port(), "GET", "/v1/users/" + alice.user_id, bob.auth());
  ASSERT_EQ(author.status, 200) << author.raw.body;
  EXPECT_EQ(author.body["id"], alice.user_id);
  EXPECT_TRUE(author.body["username"].is_null()) << author.raw.body;
  EXPECT_EQ(author.body["deleted"], true);
  EXPECT_FALSE(author.body.contains("email"));
  EXPECT_EQ(CallApi(port(), "GET", "/v1/users?username=deleted_alice", bob.auth()).status, 404);
  EXPECT_EQ(CallApi(port(), "GET", "/v1/users?email=deleted_alice@example.com", bob.auth()).status,
            404);
  // Nobody starts anything new with a deleted account (once chat-svc has read the ended logins).
  int direct_status = 0;
  for (absl::Time start = absl::Now(); absl::Now() - start < kPromptly;) {
    direct_status =
        CallApi(port(), "POST", "/v1/direct", bob.auth(), {{"user_id", alice.user_id}}).status;
    if (direct_status == 404) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(direct_status, 404);

  // The email is free at once; the username is held (30 days by default).
  ApiReply same_name = CallApi(port(), "POST", "/v1/auth/signup", HttpHeaders{},
                               {{"username", "deleted_alice"},
                                {"email", "someone_else@example.com"},
                                {"password", "correct horse"}});
  EXPECT_EQ(same_name.status, 409);
  EXPECT_EQ(same_name.body["error"]["details"][0]["field"], "username");
  ApiReply same_email = CallApi(port(), "POST", "/v1/auth/signup", HttpHeaders{},
                                {{"username", "alice_returns"},
                                 {"email", "deleted_alice@example.com"},
                                 {"password", "correct horse"}});
  EXPECT_EQ(same_email.status, 201) << same_email.raw.body;
}

}  // namespace
}  // namespace chatter::e2e
