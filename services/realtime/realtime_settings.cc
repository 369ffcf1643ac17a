// realtime-svc's own settings.
#include "services/realtime/realtime_settings.h"

namespace chatter::realtime {

RealtimeSettings ReadRealtimeSettings(config::ConfigReader& reader) {
  RealtimeSettings settings;
  settings.redis_prefix = reader.String("CHATTER_REDIS_PREFIX", "chatter:");
  settings.redis_connections = static_cast<int>(reader.Int("CHATTER_REDIS_POOL_SIZE", 8, 1, 256));
  settings.redis.connect_timeout = reader.Millis("CHATTER_REDIS_TIMEOUT_MS", 1000, 10, 60000);
  settings.redis.command_timeout = settings.redis.connect_timeout;
  settings.heartbeat_interval = reader.Millis("CHATTER_PRESENCE_HEARTBEAT_MS", 10000, 100, 600000);
  settings.presence_ttl = reader.Millis("CHATTER_PRESENCE_TTL_MS", 45000, 200, 3600000);
  settings.sweep_interval = reader.Millis("CHATTER_PRESENCE_SWEEP_MS", 5000, 50, 600000);
  settings.snapshot_limit =
      static_cast<size_t>(reader.Int("CHATTER_PRESENCE_SNAPSHOT_MAX", 1000, 0, 100000));
  settings.presence_workers = static_cast<int>(reader.Int("CHATTER_PRESENCE_WORKERS", 2, 1, 64));
  settings.work_queue_capacity =
      static_cast<size_t>(reader.Int("CHATTER_WORK_QUEUE_CAPACITY", 10000, 1, 10000000));
  settings.gateway_queue_frames =
      static_cast<size_t>(reader.Int("CHATTER_GATEWAY_QUEUE_FRAMES", 10000, 1, 10000000));
  settings.publishers = reader.List("CHATTER_REALTIME_PUBLISHERS", "chat-svc");
  settings.gateways = reader.List("CHATTER_REALTIME_GATEWAYS", "gateway");
  settings.presence_readers = reader.List("CHATTER_REALTIME_PRESENCE_READERS", "chat-svc");
  settings.credentials.client_id = reader.String("CHATTER_SERVICE_CLIENT_ID", "realtime-svc");
  settings.credentials.client_secret = reader.OptionalSecret("CHATTER_SERVICE_CLIENT_SECRET");
  settings.auth_address = reader.HostPort("CHATTER_AUTH_ADDR", "127.0.0.1:50051");
  settings.chat_address = reader.HostPort("CHATTER_CHAT_ADDR", "127.0.0.1:50052");
  settings.auth_call_timeout = reader.Millis("CHATTER_AUTH_CALL_TIMEOUT_MS", 2000, 10, 60000);
  settings.chat_call_timeout = reader.Millis("CHATTER_CHAT_CALL_TIMEOUT_MS", 1000, 10, 60000);
  if (settings.presence_ttl <= settings.heartbeat_interval) {
    reader.Reject("CHATTER_PRESENCE_TTL_MS", "must be above CHATTER_PRESENCE_HEARTBEAT_MS");
  }
  return settings;
}

absl::Status CheckServingSettings(const RealtimeSettings& settings) {
  if (settings.credentials.client_secret.empty()) {
    return absl::InvalidArgumentError(
        "CHATTER_SERVICE_CLIENT_SECRET: required to serve (realtime-svc's secret at auth-svc, "
        "for reading block relations from chat-svc)");
  }
  return absl::OkStatus();
}

}  // namespace chatter::realtime
