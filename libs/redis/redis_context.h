// Internal to libs/redis: ownership of hiredis contexts and replies, connecting (AUTH, SELECT)
// and the blocking round trip shared by Connection and Subscriber.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/redis/redis_reply.h"
#include "libs/redis/redis_url.h"

struct redisContext;  // hiredis' connection; only libs/redis/*.cc include hiredis itself.

namespace chatter::redis::internal {

struct ContextDeleter {
  void operator()(redisContext* context) const;
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

// A connected, authenticated context on `endpoint.database` with TCP keepalive, named
// `client_name` unless empty. Socket reads and writes time out after `io_timeout` (a zero
// duration: never). UNAVAILABLE when Redis cannot be reached or refuses AUTH/SELECT.
absl::StatusOr<ContextPtr> Connect(const RedisEndpoint& endpoint, absl::Duration connect_timeout,
                                   absl::Duration io_timeout, const std::string& client_name);

// Appends one command to the context's output buffer (not yet sent).
void Append(redisContext* context, const std::vector<std::string>& args);

// Sends what is buffered and reads one reply, blocking within the socket timeouts. UNAVAILABLE
// on any I/O or protocol error, after which the context is unusable.
absl::StatusOr<Reply> ReadReply(redisContext* context, absl::string_view what);

// For event loops (Subscriber), which poll the socket themselves:
// The socket of `context`.
int SocketOf(const redisContext* context);
// Writes everything appended so far (blocking within the send timeout).
absl::Status Flush(redisContext* context);
// Reads whatever the socket holds; call when poll reports it readable, so it does not block.
absl::Status ReadAvailable(redisContext* context);
// A complete reply already received and parsed, or nullopt; no I/O.
absl::StatusOr<std::optional<Reply>> TakeReceivedReply(redisContext* context);

// Parses `bytes` as RESP with hiredis' reader, as ReadReply does with a socket's bytes: the
// complete replies in order (a trailing partial one is left out); INVALID_ARGUMENT on a
// protocol error. For the fuzz target and tests.
absl::StatusOr<std::vector<Reply>> ParseReplies(absl::string_view bytes);

// True when the server has closed the connection (or sent something nobody asked for), so the
// next command would fail: checked without blocking before a pooled connection is reused.
bool LooksStale(const redisContext* context);

}  // namespace chatter::redis::internal
