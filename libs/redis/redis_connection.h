// One Redis connection for request/reply commands: connects lazily (AUTH, SELECT), every call is
// bounded by timeouts, and after any I/O error the next call reconnects. Not thread-safe; a
// Client pools several. Calls block: use them only on threads that may block.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_context.h"
#include "libs/redis/redis_reply.h"
#include "libs/redis/redis_url.h"

namespace chatter::redis {

struct ConnectionOptions {
  absl::Duration connect_timeout = absl::Seconds(1);
  // Upper bound on sending a command and on waiting for its reply.
  absl::Duration command_timeout = absl::Seconds(1);
  // After a failed connect, calls fail at once for this long instead of each one waiting out a
  // connect timeout against a Redis that is down.
  absl::Duration reconnect_backoff = absl::Milliseconds(250);
  // CLIENT SETNAME on connect (no spaces), so CLIENT LIST tells our connections apart; "" = none.
  std::string client_name;
};

class Connection {
 public:
  Connection(RedisEndpoint endpoint, ConnectionOptions options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One command. An error reply becomes its status (ErrorReplyStatus); UNAVAILABLE when Redis
  // cannot be reached or the connection breaks (then the command may or may not have run).
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);

  // Several commands in one round trip. Error replies stay in the result (one per command);
  // UNAVAILABLE as for Command.
  absl::StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  bool connected() const { return context_ != nullptr; }

 private:
  absl::Status EnsureConnected();
  // Drops a broken connection and hands back its error.
  absl::Status Fail(absl::Status status);

  RedisEndpoint endpoint_;
  ConnectionOptions options_;
  internal::ContextPtr context_;
  absl::Time retry_after_ = absl::InfinitePast();
  absl::Status last_connect_error_;
};

}  // namespace chatter::redis
