// chat-svc's own settings (on top of the common service settings), read from CHATTER_* variables;
// documented in docs/CONFIGURATION.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "libs/authn/service_token_source.h"
#include "libs/config/config_reader.h"
#include "libs/redis/redis_connection.h"
#include "libs/redis/redis_url.h"
#include "services/chat/api/admin_access.h"
#include "services/chat/api/chat_grpc_service.h"
#include "services/chat/domain/chat_service.h"

namespace chatter::chat {

struct ChatSettings {
  ChatPolicy policy;
  // chat-svc's service principal, exchanged at auth-svc for service tokens.
  authn::ServiceCredentials credentials;
  // Service clients allowed to call each internal RPC.
  InternalCallers internal_callers;
  std::string auth_address;      // BatchGetUsers, LookupUser, IssueServiceToken.
  std::string realtime_address;  // PublishStream, when redis_url is empty.
  // realtime-svc's bus: with a URL, room events are PUBLISHed there directly (RedisEventSink)
  // rather than through realtime-svc's PublishStream. Same prefix as realtime-svc's.
  // The bus' Redis (CHATTER_REDIS_URL, validated); none: events go through PublishStream.
  std::optional<redis::RedisEndpoint> redis_endpoint;
  std::string redis_prefix;
  redis::ConnectionOptions redis;
  absl::Duration auth_call_timeout;
  absl::Duration publish_timeout;
  size_t event_queue_capacity = 0;
  // Group commit of sends: at most this many per statement, and this many waiting before a
  // send is refused with RESOURCE_EXHAUSTED (CHATTER_SEND_BATCH_MAX, CHATTER_SEND_QUEUE_MAX).
  size_t send_batch_max = 100;
  size_t send_queue_max = 2000;
  absl::Duration user_cache_ttl;
  size_t user_cache_max_entries = 0;
  // The server API (ChatAdmin): operations per service principal (CHATTER_CHAT_ADMIN_ACL;
  // empty: nobody), and each principal's rate (CHATTER_CHAT_ADMIN_RATE_PER_SEC, _BURST).
  AdminAcl admin_acl;
  double admin_rate_per_second = 50;
  double admin_burst = 100;
  // Fault injection for tests (0 = off): the process SIGKILLs itself after committing this
  // many messages, before publishing the last one's event.
  int64_t fault_kill_after_commits = 0;
};

// Problems land in reader.status(), naming the variable; the secret is never echoed.
ChatSettings ReadChatSettings(config::ConfigReader& reader);

// Settings only serving needs (`migrate` runs without them): INVALID_ARGUMENT naming the
// variable, e.g. a missing CHATTER_SERVICE_CLIENT_SECRET.
absl::Status CheckServingSettings(const ChatSettings& settings);

}  // namespace chatter::chat
