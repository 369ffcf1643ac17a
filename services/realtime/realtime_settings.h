// realtime-svc's own settings (on top of the common service settings), read from CHATTER_*
// variables; documented in docs/CONFIGURATION.md.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/authn/service_token_source.h"
#include "libs/config/config_reader.h"
#include "libs/redis/redis_connection.h"

namespace chatter::realtime {

struct RealtimeSettings {
  std::string redis_prefix;  // Keys and the bus channel; separates stacks sharing one Redis.
  int redis_connections = 0;
  redis::ConnectionOptions redis;
  absl::Duration heartbeat_interval;
  absl::Duration presence_ttl;
  absl::Duration sweep_interval;
  size_t snapshot_limit = 0;
  size_t gateway_queue_frames = 0;
  int presence_workers = 0;
  size_t work_queue_capacity = 0;
  std::vector<std::string> publishers;        // Client ids allowed to Publish and PublishUserEvent.
  std::vector<std::string> gateways;          // Client ids allowed to Connect and GetPresence.
  std::vector<std::string> presence_readers;  // Client ids allowed GetPresence too.
  // realtime-svc's service principal, exchanged at auth-svc for tokens to call chat-svc.
  authn::ServiceCredentials credentials;
  std::string auth_address;  // IssueServiceToken.
  std::string chat_address;  // GetBlockRelations.
  absl::Duration auth_call_timeout;
  absl::Duration chat_call_timeout;
};

// Problems land in reader.status(), naming the variable; the secret is never echoed.
RealtimeSettings ReadRealtimeSettings(config::ConfigReader& reader);

// Settings only serving needs: INVALID_ARGUMENT naming the variable (a missing
// CHATTER_SERVICE_CLIENT_SECRET).
absl::Status CheckServingSettings(const RealtimeSettings& settings);

}  // namespace chatter::realtime
