// PresenceStore on Redis. Each operation is one Lua script, so every transition is decided
// atomically on the server: when instances race (two sweepers, a close and a sweep), exactly
// one of them sees the user go offline. Key layout (P = CHATTER_REDIS_PREFIX) in
// services/realtime/README.md:
//   P presence:sessions               ZSET session -> expiry (ms): every live session, for sweeping
//   P presence:session:<S>            HASH user: the session's user
//   P presence:user:<U>:sessions      ZSET session -> expiry (ms): the user's sessions
//   P presence:user:<U>:rooms         SET rooms the user's sessions subscribed to (while online)
//   P presence:user:<U>:last_seen     latest heartbeat, or when the last session ended (ms)
//   P presence:room:<R>:online        SET users online and subscribed in the room
// Scripts build keys from the prefix, so they assume one Redis (not a cluster).
#pragma once

#include <string>

#include "libs/redis/redis_client.h"
#include "services/realtime/domain/presence_store.h"

namespace chatter::realtime {

class RedisPresenceStore final : public PresenceStore {
 public:
  // `redis` must outlive the store.
  RedisPresenceStore(redis::Client& redis, std::string prefix);

  absl::StatusOr<OpenResult> OpenSession(const SessionRef& session, absl::Time now,
                                         absl::Time expires_at) override;
  absl::StatusOr<std::vector<absl::StatusOr<OpenResult>>> OpenSessions(
      const std::vector<SessionRef>& sessions, absl::Time now, absl::Time expires_at) override;
  absl::StatusOr<std::optional<OfflineTransition>> CloseSession(const std::string& session_id,
                                                                absl::Time now) override;
  absl::StatusOr<JoinResult> JoinRoom(const std::string& user_id, const std::string& room_id,
                                      absl::Time now, size_t snapshot_limit) override;
  absl::StatusOr<Sweep> ClaimExpired(absl::Time now, size_t limit) override;
  absl::StatusOr<std::vector<UserPresence>> Get(const std::vector<std::string>& user_ids,
                                                absl::Time now) override;

 private:
  redis::ScriptCall OpenCall(const SessionRef& session, absl::Time now,
                             absl::Time expires_at) const;

  redis::Client& redis_;
  std::string prefix_;
  // One Lua script per operation; each caches its SHA after the first load.
  redis::Script open_;
  redis::Script close_;
  redis::Script join_;
  redis::Script sweep_;
  redis::Script get_;
};

}  // namespace chatter::realtime
