// Parsing of redis:// URLs.
#include "libs/redis/redis_url.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace chatter::redis {

std::optional<RedisEndpoint> ParseRedisUrl(absl::string_view url) {
  if (!absl::ConsumePrefix(&url, "redis://")) return std::nullopt;
  RedisEndpoint endpoint;
  size_t slash = url.find('/');
  absl::string_view authority = url.substr(0, slash);
  if (slash != absl::string_view::npos) {
    absl::string_view db = url.substr(slash + 1);
    if (!db.empty() && (!absl::SimpleAtoi(db, &endpoint.database) || endpoint.database < 0)) {
      return std::nullopt;
    }
  }
  size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    absl::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    if (colon == absl::string_view::npos) {
      endpoint.password = std::string(userinfo);
    } else {
      endpoint.username = std::string(userinfo.substr(0, colon));
      endpoint.password = std::string(userinfo.substr(colon + 1));
    }
  }
  // "host:6379" or "[::1]:6379"; a colon inside brackets belongs to the address.
  size_t colon = authority.rfind(':');
  bool bracketed = absl::StartsWith(authority, "[");
  if (colon != absl::string_view::npos && (!bracketed || authority[colon - 1] == ']')) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &endpoint.port) || endpoint.port <= 0 ||
        endpoint.port > 65535) {
      return std::nullopt;
    }
    authority = authority.substr(0, colon);
  }
  if (absl::StartsWith(authority, "[") && absl::EndsWith(authority, "]")) {
    authority = authority.substr(1, authority.size() - 2);
  }
  if (authority.empty()) return std::nullopt;
  endpoint.host = std::string(authority);
  return endpoint;
}

}  // namespace chatter::redis
