// Reading a redis:// URL setting (see redis_setting.h).
#include "libs/redis/redis_setting.h"

#include <string>

namespace chatter::redis {

std::optional<RedisEndpoint> ReadRedisEndpoint(config::ConfigReader& reader,
                                               absl::string_view name) {
  std::string url = reader.OptionalRedisUrl(name);
  if (url.empty()) return std::nullopt;
  std::optional<RedisEndpoint> endpoint = ParseRedisUrl(url);
  if (!endpoint) reader.Reject(name, "must look like redis://[:password@]host:port[/db]");
  return endpoint;
}

}  // namespace chatter::redis
