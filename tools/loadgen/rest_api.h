// The few REST calls the load generator's setup needs (signup, create room, join room), with
// retries for answers that mean "later" (429 Retry-After, 503, a dropped connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/loadgen/asio_coro.h"
#include "tools/loadgen/http_client.h"

namespace chatter::loadgen {

struct Account {
  std::string user_id;
  std::string access_token;
};

// How long to wait before attempt number `attempt` + 1 after `response` (attempts count from 1),
// or nullopt when the answer is final or the attempts are used up.
std::optional<absl::Duration> RetryDelay(const HttpResponse& response, int attempt);

// OK for `expected_status`; otherwise an error naming the call, the HTTP status and the
// envelope's code and message (API.md error body), or the transport error.
absl::Status StatusFromResponse(const std::string& call, const HttpResponse& response,
                                int expected_status);

// access_token and user.id of a signup or login answer.
absl::StatusOr<Account> ParseAccount(const std::string& body);
// id of a room answer.
absl::StatusOr<std::string> ParseRoomId(const std::string& body);

class RestApi {
 public:
  explicit RestApi(HttpClient& http) : http_(http) {}

  // Signs up; when a retried signup meets 409 (the first attempt did succeed but its answer was
  // lost), logs in instead.
  net::awaitable<absl::StatusOr<Account>> Signup(const std::string& username,
                                                 const std::string& email,
                                                 const std::string& password);
  // A public room; returns its id.
  net::awaitable<absl::StatusOr<std::string>> CreateRoom(const std::string& access_token,
                                                         const std::string& name);
  net::awaitable<absl::Status> JoinRoom(const std::string& access_token,
                                        const std::string& room_id);

  uint64_t requests() const { return requests_; }
  uint64_t retries() const { return retries_; }

 private:
  struct Outcome {
    HttpResponse response;
    int attempts = 0;
  };
  net::awaitable<Outcome> Call(const HttpRequest& request);

  HttpClient& http_;
  uint64_t requests_ = 0;
  uint64_t retries_ = 0;
};

}  // namespace chatter::loadgen
