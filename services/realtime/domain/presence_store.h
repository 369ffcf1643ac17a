// Where presence lives (Redis in production): live sessions with their expiry, the rooms each
// online user's sessions subscribed to, and last_seen. Every transition is decided atomically by
// the store, so when several instances race exactly one of them is told about it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace chatter::realtime {

struct OpenResult {
  bool online = false;   // The user had no live session: an online transition.
  bool revived = false;  // The store did not know the session (new, or claimed after expiry).
  std::vector<std::string> room_ids;  // With `online`: rooms the user is still remembered in.
};

struct OfflineTransition {
  std::string user_id;
  std::optional<absl::Time> last_seen;  // When the user's last session ended.
  std::vector<std::string> room_ids;    // Rooms the user's sessions had subscribed to.
};

struct OnlineUser {
  std::string user_id;
  std::optional<absl::Time> last_seen;  // The latest heartbeat covering the user.
};

struct JoinResult {
  bool joined = false;             // False: the user has no live session, nothing was recorded.
  bool newly_in_room = false;      // The user was not yet known online in the room.
  std::vector<OnlineUser> online;  // Other live users of the room (at most the snapshot limit).
};

struct UserPresence {
  bool online = false;
  std::optional<absl::Time> last_seen;  // Absent if never seen.
};

struct SessionRef {
  std::string session_id;
  std::string user_id;
};

class PresenceStore {
 public:
  virtual ~PresenceStore() = default;

  // Adds the session, or refreshes its expiry (a heartbeat).
  virtual absl::StatusOr<OpenResult> OpenSession(const SessionRef& session, absl::Time now,
                                                 absl::Time expires_at) = 0;
  // OpenSession for many sessions in one round trip; one result per session.
  virtual absl::StatusOr<std::vector<absl::StatusOr<OpenResult>>> OpenSessions(
      const std::vector<SessionRef>& sessions, absl::Time now, absl::Time expires_at) = 0;
  // Removes the session; the offline transition when it was the user's last live one.
  virtual absl::StatusOr<std::optional<OfflineTransition>> CloseSession(
      const std::string& session_id, absl::Time now) = 0;
  // Remembers that the user (with a live session) follows the room; lists the room's other
  // online users for a snapshot.
  virtual absl::StatusOr<JoinResult> JoinRoom(const std::string& user_id,
                                              const std::string& room_id, absl::Time now,
                                              size_t snapshot_limit) = 0;
  // Claims up to `limit` expired sessions (each claimed by exactly one caller, whichever
  // instance) and returns the users left without a live session. `examined` tells whether more
  // may be waiting (== limit).
  struct Sweep {
    size_t examined = 0;
    std::vector<OfflineTransition> offline;
  };
  virtual absl::StatusOr<Sweep> ClaimExpired(absl::Time now, size_t limit) = 0;
  // Presence of each user, in order.
  virtual absl::StatusOr<std::vector<UserPresence>> Get(const std::vector<std::string>& user_ids,
                                                        absl::Time now) = 0;
};

}  // namespace chatter::realtime
