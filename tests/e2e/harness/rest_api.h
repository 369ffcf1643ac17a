// Small REST helpers for end-to-end tests that need users, rooms and messages as set-up (sign-up,
// create, join, send) rather than as the thing under test. Failures are reported as gtest
// failures naming the answer.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/ws_client.h"

namespace chatter::e2e {

struct ApiUser {
  std::string id;
  std::string username;
  std::string email;
  std::string token;
  HttpHeaders auth() const { return {{"Authorization", "Bearer " + token}}; }
};

struct ApiReply {
  int status = 0;
  nlohmann::json body;  // Null when the body was not JSON.
  HttpReply raw;
};

// One request to the gateway on `port`; `body` (unless null) is sent as JSON.
ApiReply CallApi(int port, const std::string& method, const std::string& target,
                 const HttpHeaders& headers, const nlohmann::json& body = nullptr);
inline ApiReply CallApi(int port, const std::string& method, const std::string& target,
                        const ApiUser& user, const nlohmann::json& body = nullptr) {
  return CallApi(port, method, target, user.auth(), body);
}

// A fresh account named `<prefix>_<n>` (unique within the process); an empty user (and a test
// failure) if sign-up does not answer 201.
ApiUser SignUpUser(int port, const std::string& prefix);

// A room created by `owner` ("public" or "private"); its JSON (with "id").
nlohmann::json CreateRoomAs(int port, const ApiUser& owner, const std::string& name,
                            const std::string& visibility = "public");

// POST /v1/rooms/{room_id}/join, expecting 200.
void JoinRoomAs(int port, const ApiUser& user, const std::string& room_id);

// POST /v1/rooms/{room_id}/messages, expecting 201; the message JSON.
nlohmann::json SendMessageAs(int port, const ApiUser& sender, const std::string& room_id,
                             const std::string& content);

// A WebSocket session of `user` on the gateway at `port`, auto-subscribed to `room` unless it is
// empty, after its `ready` frame (which must list exactly `room`); null, and a test failure,
// otherwise.
std::unique_ptr<WsClient> OpenUserSession(int port, const ApiUser& user,
                                          const std::string& room = "", WsOptions options = {});

}  // namespace chatter::e2e
