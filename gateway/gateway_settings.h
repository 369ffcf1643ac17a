// The gateway's settings, read from CHATTER_* environment variables (docs/CONFIGURATION.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gateway/edge/rate_limiter.h"
#include "gateway/http/http_server.h"
#include "gateway/static/static_site.h"
#include "gateway/ws/ws_options.h"
#include "libs/authn/service_token_source.h"
#include "libs/authn/token_verification.h"
#include "libs/config/config_reader.h"
#include "libs/redis/redis_url.h"

namespace chatter::gateway {

struct GatewaySettings {
  std::string log_level;
  HttpServerOptions http;
  std::string admin_listen;
  int io_threads = 2;
  std::string auth_address;
  std::string chat_address;
  // A gRPC target: one host:port, or "ipv4:a:p,b:q" failing over in order (from a list).
  std::string realtime_target;
  absl::Duration backend_timeout;       // readiness checks
  absl::Duration backend_call_timeout;  // deadline of each forwarded REST call
  std::vector<std::string> cors_origins;
  // Load balancers whose X-Forwarded-For is believed (CIDR blocks or addresses).
  std::vector<std::string> trusted_proxies;
  RateLimitSettings rate_limits;
  // Shared rate-limit buckets; "" keeps them per process.
  // Shared rate limits' Redis (CHATTER_REDIS_URL, validated); none: per-process limits.
  std::optional<redis::RedisEndpoint> redis_endpoint;
  std::string redis_prefix;
  absl::Duration redis_timeout;
  // Room events, presence and user events from the bus (CHATTER_REDIS_URL's `<prefix>events`,
  // so the same Redis as realtime-svc's CHATTER_REDIS_URL), not through realtime-svc's stream.
  bool events_from_bus = false;
  absl::Duration shutdown_grace;
  WsOptions ws;
  // The landing page and the web app (off unless a directory is set; never in production images).
  StaticFilesSettings static_files;
  // Local verification of WebSocket access tokens (keys fetched from auth-svc).
  authn::TokenVerificationSettings token_verification;
  // The gateway's own service principal (CheckRoomAccess, ListMessagesSince, realtime Connect).
  authn::ServiceCredentials credentials;
};

// Reads every setting; problems are collected in reader.status().
GatewaySettings ReadGatewaySettings(config::ConfigReader& reader);

}  // namespace chatter::gateway
