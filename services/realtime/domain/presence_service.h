// Presence rules on top of the store: which transitions to announce, to whom, hidden from whom,
// and the snapshot a session gets when it subscribes to a room. A user's presence never reaches
// the users they blocked: when the block relations cannot be read, nothing is published (fail
// closed) and the failure is counted. Every call blocks (Redis, chat-svc): presence workers, the
// sweeper and synchronous RPCs only.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "libs/ids/clock.h"
#include "services/realtime/domain/block_directory.h"
#include "services/realtime/domain/event_bus.h"
#include "services/realtime/domain/frame_sink.h"
#include "services/realtime/domain/frames.h"
#include "services/realtime/domain/presence_store.h"
#include "services/realtime/domain/realtime_metrics.h"
#include "services/realtime/domain/session.h"

namespace chatter::realtime {

struct PresenceOptions {
  // A session is online this long after its latest heartbeat.
  absl::Duration ttl = absl::Seconds(45);
  // At most this many users in the snapshot a subscribing session receives.
  size_t snapshot_limit = 1000;
  // Expired sessions claimed per store round trip while sweeping.
  size_t sweep_batch = 500;
};

class PresenceService {
 public:
  // All references must outlive the service.
  PresenceService(PresenceStore& store, BlockDirectory& blocks, EventBus& bus, ids::Clock& clock,
                  RealtimeMetrics& metrics, PresenceOptions options);

  // session_opened: the user may go online (announced to rooms they are still remembered in).
  void SessionOpened(const SessionInfo& session);
  // session_closed: the user may go offline (announced to the rooms their sessions followed).
  void SessionClosed(const SessionInfo& session);
  // heartbeat: extends the sessions' expiry. A session the sweeper had already claimed (the
  // gateway was silent too long) is opened again and rejoins its rooms.
  void Refresh(const std::vector<SessionRooms>& sessions, FrameSink* reply_to);
  // subscribe: remembers the room for the user, announces the user online there once, and sends
  // `reply_to` (when not null) one presence frame per other online user of the room for the
  // user's sessions, leaving out users who blocked them.
  void Subscribed(const SessionInfo& session, const std::string& room_id, FrameSink* reply_to);
  // Claims expired sessions (a crashed gateway) and announces who went offline; the number of
  // offline transitions.
  size_t SweepExpired();
  // GetPresence: as `viewer_user_id` ("" = no hiding) may see it. UNAVAILABLE when Redis, or
  // for a viewer chat-svc's block relations, cannot be read.
  absl::StatusOr<std::vector<v1::Presence>> Get(const std::vector<std::string>& user_ids,
                                                const std::string& viewer_user_id);

 private:
  void AfterOpen(const SessionInfo& session, const OpenResult& opened);
  void AnnounceOffline(const OfflineTransition& offline);
  // Publishes a change of `user_id`, hidden from the users they blocked.
  void Announce(PresenceChange change);
  absl::StatusOr<BlockRelations> RelationsOf(const std::string& user_id);
  absl::Time Now() { return absl::FromUnixMillis(clock_.UnixMillis()); }
  // Logs at most one warning every few seconds, so a Redis or chat-svc outage is visible but
  // does not flood the log.
  void Warn(absl::string_view what, const absl::Status& status);

  PresenceStore& store_;
  BlockDirectory& blocks_;
  EventBus& bus_;
  ids::Clock& clock_;
  RealtimeMetrics& metrics_;
  PresenceOptions options_;
  std::atomic<int64_t> last_warning_ms_{0};
};

}  // namespace chatter::realtime
