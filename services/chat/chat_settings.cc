// chat-svc's own settings.
#include "services/chat/chat_settings.h"

#include "libs/redis/redis_setting.h"

namespace chatter::chat {

ChatSettings ReadChatSettings(config::ConfigReader& reader) {
  ChatSettings settings;
  settings.credentials.client_id = reader.String("CHATTER_SERVICE_CLIENT_ID", "chat-svc");
  settings.credentials.client_secret = reader.OptionalSecret("CHATTER_SERVICE_CLIENT_SECRET");
  settings.internal_callers.gateways = reader.List("CHATTER_CHAT_GATEWAYS", "gateway");
  settings.internal_callers.block_readers =
      reader.List("CHATTER_CHAT_BLOCK_READERS", "realtime-svc");
  settings.auth_address = reader.HostPort("CHATTER_AUTH_ADDR", "127.0.0.1:50051");
  settings.realtime_address = reader.GrpcTarget("CHATTER_REALTIME_ADDR", "127.0.0.1:50053");
  settings.redis_endpoint = redis::ReadRedisEndpoint(reader, "CHATTER_REDIS_URL");
  settings.redis_prefix = reader.String("CHATTER_REDIS_PREFIX", "chatter:");
  settings.redis.connect_timeout = reader.Millis("CHATTER_REDIS_TIMEOUT_MS", 1000, 10, 60000);
  settings.redis.command_timeout = settings.redis.connect_timeout;
  settings.redis.client_name = "chat-svc-events";
  settings.auth_call_timeout = reader.Millis("CHATTER_AUTH_CALL_TIMEOUT_MS", 2000, 10, 60000);
  settings.publish_timeout = reader.Millis("CHATTER_REALTIME_PUBLISH_TIMEOUT_MS", 1000, 10, 60000);
  settings.event_queue_capacity =
      static_cast<size_t>(reader.Int("CHATTER_EVENT_QUEUE_CAPACITY", 10000, 1, 10000000));
  settings.send_batch_max = static_cast<size_t>(reader.Int("CHATTER_SEND_BATCH_MAX", 100, 1, 1000));
  settings.send_queue_max =
      static_cast<size_t>(reader.Int("CHATTER_SEND_QUEUE_MAX", 2000, 1, 1000000));
  settings.user_cache_ttl = reader.Millis("CHATTER_USER_CACHE_TTL_MS", 600000, 0, 86400000);
  settings.user_cache_max_entries =
      static_cast<size_t>(reader.Int("CHATTER_USER_CACHE_MAX_ENTRIES", 100000, 1, 10000000));
  absl::StatusOr<AdminAcl> acl = AdminAcl::Parse(reader.String("CHATTER_CHAT_ADMIN_ACL", ""));
  if (acl.ok()) {
    settings.admin_acl = *std::move(acl);
  } else {
    reader.Reject("CHATTER_CHAT_ADMIN_ACL", acl.status().message());
  }
  settings.admin_rate_per_second =
      static_cast<double>(reader.Int("CHATTER_CHAT_ADMIN_RATE_PER_SEC", 50, 1, 100000));
  settings.admin_burst =
      static_cast<double>(reader.Int("CHATTER_CHAT_ADMIN_BURST", 100, 1, 1000000));
  settings.fault_kill_after_commits =
      reader.Int("CHATTER_FAULT_KILL_AFTER_COMMITS", 0, 0, 1000000000);
  settings.policy.max_reports_per_day =
      static_cast<int>(reader.Int("CHATTER_REPORTS_PER_DAY", 20, 1, 100000));
  return settings;
}

absl::Status CheckServingSettings(const ChatSettings& settings) {
  if (settings.credentials.client_secret.empty()) {
    return absl::InvalidArgumentError(
        "CHATTER_SERVICE_CLIENT_SECRET: required to serve (chat-svc's secret at auth-svc, for "
        "usernames and event publishing)");
  }
  return absl::OkStatus();
}

}  // namespace chatter::chat
