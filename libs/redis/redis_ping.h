// A short-lived Redis connection for readiness checks: connect, authenticate, PING.
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/redis/redis_url.h"

namespace chatter::redis {

// OK when Redis answers PONG within `timeout`; UNAVAILABLE otherwise (never hangs).
absl::Status Ping(const RedisEndpoint& endpoint, absl::Duration timeout);

}  // namespace chatter::redis
