// WsClient: a small synchronous WebSocket client over Boost.Beast for end-to-end tests. Every
// step is bounded by a timeout; a read that times out stays pending, so the next call goes on
// waiting for the same frame instead of losing it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/e2e/harness/http_client.h"

namespace chatter::e2e {

inline constexpr absl::Duration kDefaultWsTimeout = absl::Seconds(10);

struct WsOptions {
  HttpHeaders headers;  // Sent with the upgrade request.
  // SO_RCVBUF for the socket (0 = the kernel's default): a small buffer makes a reader that
  // stops reading look slow to the server quickly.
  int receive_buffer_bytes = 0;
  absl::Duration timeout = kDefaultWsTimeout;
};

// How a connection ended, as far as the client saw it.
struct WsClosed {
  int code = 0;  // The close frame's code; 0 when the connection ended without one.
  std::string reason;
};

class WsClient {
 public:
  // Connects to ws://127.0.0.1:`port``target` (e.g. "/ws?access_token=...") and performs the
  // handshake. A refused upgrade is FAILED_PRECONDITION whose message starts with the HTTP
  // status ("401 {...body...}").
  static absl::StatusOr<std::unique_ptr<WsClient>> Connect(int port, absl::string_view target,
                                                           WsOptions options = {});
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Sends one text frame.
  absl::Status Send(absl::string_view text);
  absl::Status SendJson(const nlohmann::json& frame) {
    return Send(absl::string_view(frame.dump()));
  }
  // Sends {"event": event, "data": data, "ref": ref} (ref omitted when empty).
  absl::Status SendEvent(absl::string_view event, const nlohmann::json& data,
                         absl::string_view ref = "");

  // The next text frame parsed as JSON. DEADLINE_EXCEEDED when none arrives in `timeout` (the
  // read stays pending); UNAVAILABLE once the connection has ended (closed() says how).
  absl::StatusOr<nlohmann::json> Next(absl::Duration timeout = kDefaultWsTimeout);
  // Reads frames until one has "event" == `event` (and, when given, "ref" == `ref`); frames
  // skipped on the way are kept in skipped().
  absl::StatusOr<nlohmann::json> NextEvent(absl::string_view event, absl::Duration timeout,
                                           absl::string_view ref = "");
  // Reads frames until one has "ref" == `ref` (the reply: ack or error).
  absl::StatusOr<nlohmann::json> Reply(absl::string_view ref,
                                       absl::Duration timeout = kDefaultWsTimeout);
  // Sends an event with `ref` and returns its reply.
  absl::StatusOr<nlohmann::json> Request(absl::string_view event, const nlohmann::json& data,
                                         absl::string_view ref,
                                         absl::Duration timeout = kDefaultWsTimeout);

  // Reads (and drops) frames until the connection ends; DEADLINE_EXCEEDED if it does not within
  // `timeout`.
  absl::StatusOr<WsClosed> WaitClosed(absl::Duration timeout = kDefaultWsTimeout);
  // Sends a close frame (1000) and waits for the server's.
  void Close();

  const std::optional<WsClosed>& closed() const { return closed_; }
  std::vector<nlohmann::json>& skipped() { return skipped_; }

 private:
  struct Impl;
  explicit WsClient(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  std::optional<WsClosed> closed_;
  std::vector<nlohmann::json> skipped_;
};

}  // namespace chatter::e2e
