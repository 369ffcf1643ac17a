// Tests the route table: every REST route of shared/API.md comes from the real protos with the
// contract's method, path and status; every public RPC has a route; broken routes are refused.
#include "gateway/transcoding/route_table.h"

#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "chatter/auth/v1/auth.pb.h"
#include "chatter/chat/v1/chat.pb.h"
#include "transcoding_test.pb.h"

namespace chatter::gateway {
namespace {

struct ExpectedRoute {
  std::string method;
  std::string path;
  std::string rpc;  // Full name of the RPC behind it.
  int status;
  int repeat_status;
  bool authenticated;
  std::string body;
  std::string response_body;
};

// Written from shared/API.md (Auth, Users, Rooms, Messages, Contacts) plus the JWKS route of
// issue 3 and our documented extensions; the contract, not the protos, is the source of this list.
const std::vector<ExpectedRoute>& ContractRoutes() {
  static const auto* routes = new std::vector<ExpectedRoute>{
      // Auth
      {"POST", "/v1/auth/signup", "chatter.auth.v1.AuthService.SignUp", 201, 0, false, "*", ""},
      {"POST", "/v1/auth/login", "chatter.auth.v1.AuthService.Login", 200, 0, false, "*", ""},
      {"POST", "/v1/auth/refresh", "chatter.auth.v1.AuthService.Refresh", 200, 0, false, "*", ""},
      {"POST", "/v1/auth/logout", "chatter.auth.v1.AuthService.Logout", 204, 0, true, "*", ""},
      {"POST", "/v1/auth/logout_all", "chatter.auth.v1.AuthService.LogoutAll", 204, 0, true, "",
       ""},
      {"GET", "/v1/auth/jwks", "chatter.auth.v1.AuthService.GetSigningKeys", 200, 0, false, "", ""},
      // Users
      {"GET", "/v1/me", "chatter.auth.v1.AuthService.GetMe", 200, 0, true, "", "user"},
      {"POST", "/v1/me/password", "chatter.auth.v1.AuthService.ChangePassword", 204, 0, true, "*",
       ""},
      {"DELETE", "/v1/me", "chatter.auth.v1.AuthService.DeleteAccount", 204, 0, true, "*", ""},
      {"GET", "/v1/users", "chatter.auth.v1.AuthService.LookupUser", 200, 0, true, "", "user"},
      {"GET", "/v1/users/{user_id}", "chatter.auth.v1.AuthService.GetUser", 200, 0, true, "",
       "user"},
      // Rooms
      {"POST", "/v1/rooms", "chatter.chat.v1.ChatService.CreateRoom", 201, 0, true, "*", "room"},
      {"GET", "/v1/rooms", "chatter.chat.v1.ChatService.ListRooms", 200, 0, true, "", ""},
      {"GET", "/v1/rooms/{room_id}", "chatter.chat.v1.ChatService.GetRoom", 200, 0, true, "",
       "room"},
      {"POST", "/v1/rooms/{room_id}/join", "chatter.chat.v1.ChatService.JoinRoom", 200, 0, true, "",
       "room"},
      {"POST", "/v1/rooms/{room_id}/leave", "chatter.chat.v1.ChatService.LeaveRoom", 204, 0, true,
       "", ""},
      {"GET", "/v1/rooms/{room_id}/members", "chatter.chat.v1.ChatService.ListMembers", 200, 0,
       true, "", ""},
      {"POST", "/v1/rooms/{room_id}/members", "chatter.chat.v1.ChatService.AddMember", 201, 200,
       true, "*", "member"},
      {"DELETE", "/v1/rooms/{room_id}/members/{user_id}",
       "chatter.chat.v1.ChatService.RemoveMember", 204, 0, true, "", ""},
      {"POST", "/v1/direct", "chatter.chat.v1.ChatService.OpenDirectRoom", 201, 200, true, "*",
       "room"},
      // Messages
      {"POST", "/v1/rooms/{room_id}/messages", "chatter.chat.v1.ChatService.SendMessage", 201, 200,
       true, "*", "message"},
      {"GET", "/v1/rooms/{room_id}/messages", "chatter.chat.v1.ChatService.ListMessages", 200, 0,
       true, "", ""},
      {"PATCH", "/v1/rooms/{room_id}/messages/{message_id}",
       "chatter.chat.v1.ChatService.EditMessage", 200, 0, true, "*", "message"},
      {"DELETE", "/v1/rooms/{room_id}/messages/{message_id}",
       "chatter.chat.v1.ChatService.DeleteMessage", 204, 0, true, "", ""},
      {"POST", "/v1/rooms/{room_id}/read", "chatter.chat.v1.ChatService.MarkRead", 204, 0, true,
       "*", ""},
      // Replies, reactions, mentions, receipts, search
      {"GET", "/v1/rooms/{room_id}/messages/{message_id}/replies",
       "chatter.chat.v1.ChatService.ListReplies", 200, 0, true, "", ""},
      {"PUT", "/v1/rooms/{room_id}/messages/{message_id}/reactions/{emoji}",
       "chatter.chat.v1.ChatService.AddReaction", 204, 0, true, "", ""},
      {"DELETE", "/v1/rooms/{room_id}/messages/{message_id}/reactions/{emoji}",
       "chatter.chat.v1.ChatService.RemoveReaction", 204, 0, true, "", ""},
      {"POST", "/v1/rooms/{room_id}/delivered", "chatter.chat.v1.ChatService.MarkDelivered", 204, 0,
       true, "*", ""},
      {"GET", "/v1/rooms/{room_id}/receipts", "chatter.chat.v1.ChatService.ListReceipts", 200, 0,
       true, "", ""},
      {"GET", "/v1/search/messages", "chatter.chat.v1.ChatService.SearchMessages", 200, 0, true, "",
       ""},
      // Extensions beyond API.md (README.md, "API documentation").
      {"GET", "/v1/rooms/public", "chatter.chat.v1.ChatService.ListPublicRooms", 200, 0, true, "",
       ""},
      // Contacts
      {"POST", "/v1/contacts", "chatter.chat.v1.ChatService.AddContact", 201, 200, true, "*",
       "contact"},
      {"GET", "/v1/contacts", "chatter.chat.v1.ChatService.ListContacts", 200, 0, true, "", ""},
      {"POST", "/v1/contacts/{user_id}/block", "chatter.chat.v1.ChatService.BlockUser", 204, 0,
       true, "", ""},
      {"DELETE", "/v1/contacts/{user_id}/block", "chatter.chat.v1.ChatService.UnblockUser", 204, 0,
       true, "", ""},
      {"POST", "/v1/contacts/{user_id}/report", "chatter.chat.v1.ChatService.ReportUser", 202, 0,
       true, "*", ""},
  };
  return *routes;
}

TEST(RouteTable, EveryContractRouteComesFromTheProtos) {
  absl::StatusOr<RouteTable> table = RouteTable::FromFiles(PublicApiFiles());
  ASSERT_TRUE(table.ok()) << table.status();
  for (const ExpectedRoute& expected : ContractRoutes()) {
    SCOPED_TRACE(absl::StrCat(expected.method, " ", expected.path));
    const RouteSpec* route = table->Find(expected.method, expected.path);
    ASSERT_NE(route, nullptr);
    EXPECT_EQ(route->rpc->full_name(), expected.rpc);
    EXPECT_EQ(route->success_status, expected.status);
    EXPECT_EQ(route->repeat_status, expected.repeat_status);
    EXPECT_EQ(route->authenticated, expected.authenticated);
    EXPECT_EQ(route->body, expected.body);
    EXPECT_EQ(route->response_body, expected.response_body);
    EXPECT_EQ(route->backend, route->rpc->service()->full_name());
    EXPECT_EQ(route->grpc_method_path,
              absl::StrCat("/", route->rpc->service()->full_name(), "/", route->rpc->name()));
  }
  EXPECT_EQ(table->routes().size(), ContractRoutes().size()) << "a route the contract lacks";
}

TEST(RouteTable, EveryPublicRpcHasARouteAndInternalOnesDoNot) {
  absl::StatusOr<RouteTable> table = RouteTable::FromFiles(PublicApiFiles());
  ASSERT_TRUE(table.ok()) << table.status();
  std::set<std::string> routed;
  for (const RouteSpec& route : table->routes()) routed.insert(route.rpc->full_name());
  // RPCs meant for services only; everything else a client may call needs a route.
  const std::set<std::string> internal = {
      "chatter.auth.v1.AuthService.IssueServiceToken",
      "chatter.auth.v1.AuthService.BatchGetUsers",
      "chatter.auth.v1.AuthService.ListRevokedSessions",
      "chatter.auth.v1.AuthService.RevokeUserSessions",
      "chatter.chat.v1.ChatService.CheckRoomAccess",
      "chatter.chat.v1.ChatService.ListMessagesSince",
      "chatter.chat.v1.ChatService.GetBlockRelations",
      "chatter.realtime.v1.RealtimeService.Publish",
      "chatter.realtime.v1.RealtimeService.PublishStream",
      "chatter.realtime.v1.RealtimeService.Connect",
      "chatter.realtime.v1.RealtimeService.GetPresence",
      "chatter.realtime.v1.RealtimeService.PublishUserEvent",
  };
  for (const auto* file : PublicApiFiles()) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        const std::string& name = file->service(s)->method(m)->full_name();
        EXPECT_NE(routed.count(name) > 0, internal.count(name) > 0) << name;
      }
    }
  }
}

TEST(RouteTable, PathParamsAreListedInOrder) {
  absl::StatusOr<RouteTable> table = RouteTable::FromFiles(PublicApiFiles());
  ASSERT_TRUE(table.ok()) << table.status();
  const RouteSpec* route = table->Find("PATCH", "/v1/rooms/{room_id}/messages/{message_id}");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->path_params, (std::vector<std::string>{"room_id", "message_id"}));
  EXPECT_EQ(table->Find("GET", "/v1/nothing"), nullptr);
}

TEST(RouteTable, AcceptsIntegerPathParamsAndSkipsRpcsWithoutTheOption) {
  const auto* service = test::Kitchen::descriptor()->file()->FindServiceByName("GoodRoutes");
  absl::StatusOr<RouteTable> table = RouteTable::FromServices({service});
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->routes().size(), 2u);
  EXPECT_EQ(table->routes()[0].path_params, (std::vector<std::string>{"i64", "text"}));
  EXPECT_EQ(table->routes()[1].repeat_status, 200);
}

struct BrokenCase {
  std::string service;
  std::string expected;  // A fragment of the error message.
};

class BrokenRoutes : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenRoutes, AreRefusedNamingTheRpc) {
  const auto* service = test::Kitchen::descriptor()->file()->FindServiceByName(GetParam().service);
  ASSERT_NE(service, nullptr);
  absl::StatusOr<RouteTable> table = RouteTable::FromServices({service});
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  std::string message(table.status().message());
  EXPECT_NE(message.find(absl::StrCat("chatter.gateway.test.", GetParam().service, ".A")),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    RouteTable, BrokenRoutes,
    ::testing::Values(
        BrokenCase{"UnknownParam", "{nope} names no field of chatter.gateway.test.Kitchen"},
        BrokenCase{"MessageParam", "{inner} must be a singular string or integer field"},
        BrokenCase{"RepeatedParam", "{tags} must be a singular string or integer field"},
        BrokenCase{"BoolParam", "{flag} must be a singular string or integer field"},
        BrokenCase{"PartialSegment", "a parameter must be a whole segment"},
        BrokenCase{"DuplicateParam", "{text} appears twice"},
        BrokenCase{"EmptySegment", "empty segment"},
        BrokenCase{"BadMethod", "method 'FETCH' is not one of"},
        BrokenCase{"BadBody", "body must be \"*\" or \"\""},
        BrokenCase{"GetWithBody", "GET routes take no body"},
        BrokenCase{"BadStatus", "success_status must be 200, 201, 202 or 204"},
        BrokenCase{"MissingStatus", "success_status must be 200, 201, 202 or 204"},
        BrokenCase{"BadResponseBody", "response_body 'nope' names no field"},
        BrokenCase{"RepeatWithoutCreated", "needs a bool `created` field"},
        BrokenCase{"DuplicateRoute", "is routed twice: chatter.gateway.test.DuplicateRoute.A and"},
        BrokenCase{"Streaming", "streaming RPCs cannot be REST routes"}),
    [](const auto& info) { return info.param.service; });

}  // namespace
}  // namespace chatter::gateway
