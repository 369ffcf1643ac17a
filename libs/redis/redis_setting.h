// A redis:// URL setting read and checked with the other settings, so a malformed one stops the
// process at start-up (exit 2, naming the variable) like any other bad setting.
#pragma once

#include <optional>

#include "absl/strings/string_view.h"
#include "libs/config/config_reader.h"
#include "libs/redis/redis_url.h"

namespace chatter::redis {

// The endpoint of `name` (optional: unset or empty gives none); a value ParseRedisUrl cannot
// read is rejected on `reader`.
std::optional<RedisEndpoint> ReadRedisEndpoint(config::ConfigReader& reader,
                                               absl::string_view name);

}  // namespace chatter::redis
