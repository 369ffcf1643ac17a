// Gateway settings from the environment.
#include "gateway/gateway_settings.h"

namespace chatter::gateway {

GatewaySettings ReadGatewaySettings(config::ConfigReader& reader) {
  GatewaySettings settings;
  settings.log_level =
      reader.Enum("CHATTER_LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error"});
  settings.http.listen_address = reader.HostPort("CHATTER_HTTP_LISTEN", "127.0.0.1:8080");
  settings.http.max_body_bytes =
      static_cast<size_t>(reader.Int("CHATTER_HTTP_MAX_BODY_BYTES", 64 * 1024, 1024, 16 << 20));
  settings.http.max_header_bytes =
      static_cast<uint32_t>(reader.Int("CHATTER_HTTP_MAX_HEADER_BYTES", 16 * 1024, 1024, 1 << 20));
  settings.http.request_read_timeout =
      reader.Millis("CHATTER_HTTP_READ_TIMEOUT_MS", 15000, 100, 600000);
  settings.http.keep_alive_idle_timeout =
      reader.Millis("CHATTER_HTTP_IDLE_TIMEOUT_MS", 60000, 100, 3600000);
  settings.http.max_connections =
      static_cast<int>(reader.Int("CHATTER_HTTP_MAX_CONNECTIONS", 10000, 1, 1000000));
  settings.admin_listen = reader.HostPort("CHATTER_ADMIN_LISTEN", "127.0.0.1:9100");
  settings.io_threads = static_cast<int>(reader.Int("CHATTER_HTTP_THREADS", 2, 1, 256));
  settings.auth_address = reader.HostPort("CHATTER_AUTH_ADDR", "127.0.0.1:50051");
  settings.chat_address = reader.HostPort("CHATTER_CHAT_ADDR", "127.0.0.1:50052");
  settings.realtime_address = reader.HostPort("CHATTER_REALTIME_ADDR", "127.0.0.1:50053");
  settings.backend_timeout = reader.Millis("CHATTER_BACKEND_TIMEOUT_MS", 1000, 10, 60000);
  settings.backend_call_timeout =
      reader.Millis("CHATTER_BACKEND_CALL_TIMEOUT_MS", 10000, 100, 600000);
  settings.cors_origins = reader.List("CHATTER_CORS_ORIGINS", "");
  settings.shutdown_grace = reader.Millis("CHATTER_SHUTDOWN_GRACE_MS", 10000, 0, 600000);
  return settings;
}

}  // namespace chatter::gateway
