// Request/reply Redis connection with lazy (re)connects.
#include "libs/redis/redis_connection.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace chatter::redis {

Connection::Connection(RedisEndpoint endpoint, ConnectionOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

absl::Status Connection::EnsureConnected() {
  if (context_ != nullptr && !internal::LooksStale(context_.get())) return absl::OkStatus();
  context_.reset();
  if (absl::Now() < retry_after_) return last_connect_error_;
  absl::StatusOr<internal::ContextPtr> context = internal::Connect(
      endpoint_, options_.connect_timeout, options_.command_timeout, options_.client_name);
  if (!context.ok()) {
    retry_after_ = absl::Now() + options_.reconnect_backoff;
    last_connect_error_ = context.status();
    return context.status();
  }
  context_ = *std::move(context);
  return absl::OkStatus();
}

absl::Status Connection::Fail(absl::Status status) {
  context_.reset();
  return status;
}

absl::StatusOr<Reply> Connection::Command(const std::vector<std::string>& args) {
  if (absl::Status connected = EnsureConnected(); !connected.ok()) return connected;
  absl::string_view name = args.empty() ? "" : absl::string_view(args.front());
  internal::Append(context_.get(), args);
  absl::StatusOr<Reply> reply = internal::ReadReply(context_.get(), name);
  if (!reply.ok()) return Fail(reply.status());
  if (reply->is_error()) return ErrorReplyStatus(name, reply->str);
  return reply;
}

absl::StatusOr<std::vector<Reply>> Connection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (absl::Status connected = EnsureConnected(); !connected.ok()) return connected;
  for (const std::vector<std::string>& args : commands) internal::Append(context_.get(), args);
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    absl::StatusOr<Reply> reply = internal::ReadReply(context_.get(), "pipeline");
    if (!reply.ok()) return Fail(reply.status());
    replies.push_back(*std::move(reply));
  }
  return replies;
}

}  // namespace chatter::redis
