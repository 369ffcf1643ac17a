// REST set-up helpers over HttpRequest.
#include "tests/e2e/harness/rest_api.h"

#include <gtest/gtest.h>

#include <atomic>

#include "absl/strings/str_cat.h"

namespace chatter::e2e {

using nlohmann::json;

ApiReply CallApi(int port, const std::string& method, const std::string& target,
                 const HttpHeaders& headers, const json& body) {
  HttpHeaders all = headers;
  std::string payload;
  if (!body.is_null()) {
    payload = body.dump();
    all.emplace_back("Content-Type", "application/json");
  }
  absl::StatusOr<HttpReply> reply = HttpRequest(method, port, target, all, payload);
  EXPECT_TRUE(reply.ok()) << method << " " << target << ": " << reply.status();
  if (!reply.ok()) return {};
  return {reply->status, json::parse(reply->body, nullptr, /*allow_exceptions=*/false), *reply};
}

ApiUser SignUpUser(int port, const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::string name = absl::StrCat(prefix, "_", ++counter);
  ApiReply reply = CallApi(
      port, "POST", "/v1/auth/signup", HttpHeaders{},
      json{{"username", name}, {"email", name + "@example.com"}, {"password", "correct horse"}});
  EXPECT_EQ(reply.status, 201) << reply.raw.body;
  if (reply.status != 201) return {};
  return {reply.body["user"]["id"].get<std::string>(), name, name + "@example.com",
          reply.body["access_token"].get<std::string>()};
}

json CreateRoomAs(int port, const ApiUser& owner, const std::string& name,
                  const std::string& visibility) {
  ApiReply reply =
      CallApi(port, "POST", "/v1/rooms", owner, {{"name", name}, {"visibility", visibility}});
  EXPECT_EQ(reply.status, 201) << reply.raw.body;
  return reply.body;
}

void JoinRoomAs(int port, const ApiUser& user, const std::string& room_id) {
  ApiReply reply = CallApi(port, "POST", absl::StrCat("/v1/rooms/", room_id, "/join"), user);
  EXPECT_EQ(reply.status, 200) << reply.raw.body;
}

json SendMessageAs(int port, const ApiUser& sender, const std::string& room_id,
                   const std::string& content) {
  ApiReply reply = CallApi(port, "POST", absl::StrCat("/v1/rooms/", room_id, "/messages"), sender,
                           {{"content", content}});
  EXPECT_EQ(reply.status, 201) << reply.raw.body;
  return reply.body;
}

std::unique_ptr<WsClient> OpenUserSession(int port, const ApiUser& user, const std::string& room,
                                          WsOptions options) {
  std::string target = absl::StrCat("/ws?access_token=", user.token);
  if (!room.empty()) absl::StrAppend(&target, "&room_id=", room);
  absl::StatusOr<std::unique_ptr<WsClient>> client =
      WsClient::Connect(port, target, std::move(options));
  EXPECT_TRUE(client.ok()) << client.status();
  if (!client.ok()) return nullptr;
  absl::StatusOr<nlohmann::json> ready = (*client)->NextEvent("ready", kDefaultWsTimeout);
  EXPECT_TRUE(ready.ok()) << ready.status();
  if (!ready.ok()) return nullptr;
  if (!room.empty()) {
    EXPECT_EQ((*ready)["data"]["subscribed"], nlohmann::json::array({room})) << *ready;
  }
  return *std::move(client);
}

}  // namespace chatter::e2e
