// Redis readiness check over hiredis with connect and command timeouts.
#include "libs/redis/redis_ping.h"

#include <hiredis/hiredis.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

namespace chatter::redis {
namespace {

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

absl::Status Expect(redisContext* context, ReplyPtr reply, absl::string_view what) {
  if (reply == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis ", what, ": ", context->errstr));
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("redis ", what, " refused: ", std::string(reply->str, reply->len)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Ping(const RedisEndpoint& endpoint, absl::Duration timeout) {
  timeval tv = absl::ToTimeval(timeout);
  ContextPtr context(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv));
  if (context == nullptr) return absl::UnavailableError("redis: out of memory");
  if (context->err != 0) return absl::UnavailableError(absl::StrCat("redis: ", context->errstr));
  redisSetTimeout(context.get(), tv);
  if (!endpoint.password.empty()) {
    ReplyPtr reply(static_cast<redisReply*>(
        endpoint.username.empty()
            ? redisCommand(context.get(), "AUTH %s", endpoint.password.c_str())
            : redisCommand(context.get(), "AUTH %s %s", endpoint.username.c_str(),
                           endpoint.password.c_str())));
    if (auto status = Expect(context.get(), std::move(reply), "AUTH"); !status.ok()) {
      return status;
    }
  }
  ReplyPtr pong(static_cast<redisReply*>(redisCommand(context.get(), "PING")));
  return Expect(context.get(), std::move(pong), "PING");
}

}  // namespace chatter::redis
