// Gateway settings from the environment.
#include "gateway/gateway_settings.h"

#include "libs/redis/redis_setting.h"

namespace chatter::gateway {
namespace {

WsOptions ReadWsOptions(config::ConfigReader& reader) {
  WsOptions ws;
  ws.max_frame_bytes =
      static_cast<size_t>(reader.Int("CHATTER_WS_MAX_FRAME_BYTES", 16 * 1024, 1024, 1 << 20));
  ws.send_queue_bytes = static_cast<size_t>(
      reader.Int("CHATTER_WS_SEND_QUEUE_BYTES", 1 << 20, 16 * 1024, int64_t{1} << 30));
  ws.socket_send_buffer_bytes = static_cast<size_t>(
      reader.Int("CHATTER_WS_SOCKET_SEND_BUFFER_BYTES", 64 * 1024, 0, 64 << 20));
  ws.events_per_second =
      static_cast<double>(reader.Int("CHATTER_WS_EVENTS_PER_SECOND", 20, 1, 100000));
  ws.event_burst = static_cast<double>(reader.Int("CHATTER_WS_EVENT_BURST", 40, 1, 100000));
  ws.abuse_rejections =
      static_cast<int>(reader.Int("CHATTER_WS_RATE_ABUSE_REJECTIONS", 50, 1, 1000000));
  ws.abuse_window = reader.Millis("CHATTER_WS_RATE_ABUSE_WINDOW_MS", 10000, 100, 3600000);
  ws.max_subscriptions =
      static_cast<int>(reader.Int("CHATTER_WS_MAX_SUBSCRIPTIONS", 500, 1, 100000));
  ws.replay_limit = static_cast<int>(reader.Int("CHATTER_WS_REPLAY_LIMIT", 500, 1, 1000));
  ws.max_pending_events =
      static_cast<size_t>(reader.Int("CHATTER_WS_PENDING_EVENTS", 1000, 10, 1000000));
  ws.idle_timeout = reader.Millis("CHATTER_WS_IDLE_TIMEOUT_MS", 60000, 1000, 3600000);
  ws.handshake_timeout = reader.Millis("CHATTER_WS_HANDSHAKE_TIMEOUT_MS", 10000, 100, 600000);
  ws.close_grace = reader.Millis("CHATTER_WS_CLOSE_GRACE_MS", 30000, 100, 600000);
  ws.chat_calls_in_flight =
      static_cast<size_t>(reader.Int("CHATTER_WS_CHAT_CALLS_IN_FLIGHT", 64, 1, 100000));
  ws.chat_calls_waiting =
      static_cast<size_t>(reader.Int("CHATTER_WS_CHAT_CALLS_WAITING", 10000, 0, 10000000));
  return ws;
}

RateLimitSettings ReadRateLimits(config::ConfigReader& reader) {
  RateLimitSettings limits;
  limits.enabled = reader.Bool("CHATTER_RATE_LIMIT_ENABLED", true);
  // Whole numbers per minute (per hour for sign-ups), so slow rates need no fractions.
  auto count = [&reader](const char* name, int64_t fallback) {
    return static_cast<double>(reader.Int(name, fallback, 1, 100000000));
  };
  limits.per_ip = {.per_second = count("CHATTER_RATE_LIMIT_IP_PER_MINUTE", 1200) / 60,
                   .burst = count("CHATTER_RATE_LIMIT_IP_BURST", 100)};
  limits.per_user = {.per_second = count("CHATTER_RATE_LIMIT_USER_PER_MINUTE", 600) / 60,
                     .burst = count("CHATTER_RATE_LIMIT_USER_BURST", 50)};
  limits.login_per_ip = {.per_second = count("CHATTER_RATE_LIMIT_LOGIN_PER_MINUTE", 10) / 60,
                         .burst = count("CHATTER_RATE_LIMIT_LOGIN_BURST", 20)};
  limits.signup_per_ip = {.per_second = count("CHATTER_RATE_LIMIT_SIGNUP_PER_HOUR", 20) / 3600,
                          .burst = count("CHATTER_RATE_LIMIT_SIGNUP_BURST", 10)};
  limits.max_local_buckets = static_cast<size_t>(
      reader.Int("CHATTER_RATE_LIMIT_MAX_LOCAL_BUCKETS", 100000, 100, 100000000));
  return limits;
}

// Directories are taken as given (relative ones against the working directory) and checked when
// they are loaded, at start.
StaticFilesSettings ReadStaticFiles(config::ConfigReader& reader) {
  StaticFilesSettings files;
  files.site_dir = reader.String("CHATTER_GATEWAY_STATIC_ROOT", "");
  files.app_dir = reader.String("CHATTER_GATEWAY_APP_DIR", "");
  files.limits.max_file_bytes = static_cast<size_t>(
      reader.Int("CHATTER_GATEWAY_STATIC_MAX_FILE_BYTES", 4 << 20, 1024, 64 << 20));
  files.limits.max_total_bytes = static_cast<size_t>(
      reader.Int("CHATTER_GATEWAY_STATIC_MAX_TOTAL_BYTES", 64 << 20, 64 * 1024, int64_t{1} << 30));
  return files;
}

}  // namespace

GatewaySettings ReadGatewaySettings(config::ConfigReader& reader) {
  GatewaySettings settings;
  settings.log_level =
      reader.Enum("CHATTER_LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error"});
  settings.http.listen_address = reader.HostPort("CHATTER_HTTP_LISTEN", "127.0.0.1:8080");
  settings.http.max_body_bytes =
      static_cast<size_t>(reader.Int("CHATTER_HTTP_MAX_BODY_BYTES", 64 * 1024, 1024, 16 << 20));
  settings.http.max_header_bytes =
      static_cast<uint32_t>(reader.Int("CHATTER_HTTP_MAX_HEADER_BYTES", 16 * 1024, 1024, 1 << 20));
  settings.http.header_timeout =
      reader.Millis("CHATTER_HTTP_HEADER_TIMEOUT_MS", 10000, 100, 600000);
  settings.http.body_timeout = reader.Millis("CHATTER_HTTP_BODY_TIMEOUT_MS", 15000, 100, 600000);
  settings.http.write_timeout = reader.Millis("CHATTER_HTTP_WRITE_TIMEOUT_MS", 15000, 100, 600000);
  settings.http.keep_alive_idle_timeout =
      reader.Millis("CHATTER_HTTP_IDLE_TIMEOUT_MS", 60000, 100, 3600000);
  settings.http.max_connections =
      static_cast<int>(reader.Int("CHATTER_HTTP_MAX_CONNECTIONS", 10000, 1, 1000000));
  settings.admin_listen = reader.HostPort("CHATTER_ADMIN_LISTEN", "127.0.0.1:9100");
  settings.io_threads = static_cast<int>(reader.Int("CHATTER_HTTP_THREADS", 2, 1, 256));
  settings.auth_address = reader.HostPort("CHATTER_AUTH_ADDR", "127.0.0.1:50051");
  settings.chat_address = reader.GrpcTarget("CHATTER_CHAT_ADDR", "127.0.0.1:50052");
  settings.realtime_target = reader.GrpcTarget("CHATTER_REALTIME_ADDR", "127.0.0.1:50053");
  settings.backend_timeout = reader.Millis("CHATTER_BACKEND_TIMEOUT_MS", 1000, 10, 60000);
  settings.backend_call_timeout =
      reader.Millis("CHATTER_BACKEND_CALL_TIMEOUT_MS", 10000, 100, 600000);
  settings.cors_origins = reader.List("CHATTER_CORS_ORIGINS", "");
  settings.trusted_proxies = reader.List("CHATTER_TRUSTED_PROXIES", "");
  reader.Removed("CHATTER_HTTP_READ_TIMEOUT_MS",
                 "CHATTER_HTTP_HEADER_TIMEOUT_MS and CHATTER_HTTP_BODY_TIMEOUT_MS");
  settings.rate_limits = ReadRateLimits(reader);
  settings.redis_endpoint = redis::ReadRedisEndpoint(reader, "CHATTER_REDIS_URL");
  settings.redis_prefix = reader.String("CHATTER_REDIS_PREFIX", "chatter:");
  // Connect and command timeout of the rate-limit Redis. Independently, a check queued for
  // Redis longer than 50 ms is decided per process.
  settings.redis_timeout = reader.Millis("CHATTER_REDIS_TIMEOUT_MS", 100, 10, 10000);
  settings.events_from_bus = reader.Bool("CHATTER_GATEWAY_EVENTS_FROM_BUS", false);
  if (settings.events_from_bus && !settings.redis_endpoint) {
    reader.Reject("CHATTER_GATEWAY_EVENTS_FROM_BUS",
                  "needs CHATTER_REDIS_URL (the Redis of realtime-svc's bus)");
  }
  settings.shutdown_grace = reader.Millis("CHATTER_SHUTDOWN_GRACE_MS", 10000, 0, 600000);
  settings.ws = ReadWsOptions(reader);
  settings.ws.backend_call_timeout = settings.backend_call_timeout;
  settings.static_files = ReadStaticFiles(reader);
  settings.token_verification = authn::ReadTokenVerificationSettings(reader);
  settings.credentials.client_id = reader.String("CHATTER_SERVICE_CLIENT_ID", "gateway");
  // Last, so a process started with only a bad setting reports that one, not this.
  settings.credentials.client_secret = reader.Secret("CHATTER_SERVICE_CLIENT_SECRET");
  return settings;
}

}  // namespace chatter::gateway
