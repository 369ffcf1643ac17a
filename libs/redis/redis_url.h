// Parsed redis://[[user]:password@]host[:port][/db] URLs.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace chatter::redis {

struct RedisEndpoint {
  std::string host;
  int port = 6379;
  std::string username;  // Redis 6 ACL user; empty for the default user.
  std::string password;  // Empty when none.
  int database = 0;
};

std::optional<RedisEndpoint> ParseRedisUrl(absl::string_view url);

}  // namespace chatter::redis
