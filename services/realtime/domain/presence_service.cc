// Presence transitions, announcements and snapshots.
#include "services/realtime/domain/presence_service.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "libs/log/log.h"
#include "services/realtime/domain/frames.h"

namespace chatter::realtime {
namespace {

constexpr int64_t kWarningIntervalMs = 10000;

}  // namespace

PresenceService::PresenceService(PresenceStore& store, BlockDirectory& blocks, EventBus& bus,
                                 ids::Clock& clock, RealtimeMetrics& metrics,
                                 PresenceOptions options)
    : store_(store),
      blocks_(blocks),
      bus_(bus),
      clock_(clock),
      metrics_(metrics),
      options_(options) {}

void PresenceService::Warn(absl::string_view what, const absl::Status& status) {
  int64_t now = clock_.UnixMillis();
  int64_t last = last_warning_ms_.load();
  if (now - last < kWarningIntervalMs || !last_warning_ms_.compare_exchange_strong(last, now)) {
    return;
  }
  log::Warn(what, {{"error", std::string(status.message())}});
}

absl::StatusOr<BlockRelations> PresenceService::RelationsOf(const std::string& user_id) {
  absl::StatusOr<BlockRelations> relations = blocks_.Relations(user_id);
  if (!relations.ok()) {
    metrics_.presence_block_lookup_failures.Inc();
    Warn("presence: block relations unavailable, not published", relations.status());
  }
  return relations;
}

void PresenceService::Announce(PresenceChange change) {
  absl::StatusOr<BlockRelations> relations = RelationsOf(change.user_id);
  if (!relations.ok()) return;
  change.hidden_from_user_ids = std::move(relations->blocked);
  absl::Status published = bus_.Publish(PresenceFrame(change));
  if (!published.ok()) Warn("presence: publish failed", published);
}

void PresenceService::AfterOpen(const SessionInfo& session, const OpenResult& opened) {
  if (!opened.online) return;
  metrics_.presence_online.Inc();
  // Usually nobody to tell yet: rooms are remembered from the first subscribe on.
  if (opened.room_ids.empty()) return;
  Announce({.user_id = session.user_id,
            .online = true,
            .last_seen = Now(),
            .room_ids = opened.room_ids,
            .user_ids = {},
            .hidden_from_user_ids = {}});
}

void PresenceService::AnnounceOffline(const OfflineTransition& offline) {
  metrics_.presence_offline.Inc();
  if (offline.room_ids.empty()) return;
  Announce({.user_id = offline.user_id,
            .online = false,
            .last_seen = offline.last_seen,
            .room_ids = offline.room_ids,
            .user_ids = {},
            .hidden_from_user_ids = {}});
}

void PresenceService::SessionOpened(const SessionInfo& session) {
  absl::Time now = Now();
  absl::StatusOr<OpenResult> opened =
      store_.OpenSession({session.session_id, session.user_id}, now, now + options_.ttl);
  if (!opened.ok()) {
    metrics_.presence_store_failures.Inc();
    Warn("presence: opening a session failed", opened.status());
    return;
  }
  AfterOpen(session, *opened);
}

void PresenceService::SessionClosed(const SessionInfo& session) {
  absl::StatusOr<std::optional<OfflineTransition>> closed =
      store_.CloseSession(session.session_id, Now());
  if (!closed.ok()) {
    metrics_.presence_store_failures.Inc();
    Warn("presence: closing a session failed", closed.status());
    return;
  }
  if (*closed) AnnounceOffline(**closed);
}

void PresenceService::Refresh(const std::vector<SessionRooms>& sessions, FrameSink* reply_to) {
  if (sessions.empty()) return;
  std::vector<SessionRef> refs;
  refs.reserve(sessions.size());
  for (const SessionRooms& entry : sessions) {
    refs.push_back({entry.session.session_id, entry.session.user_id});
  }
  absl::Time now = Now();
  auto results = store_.OpenSessions(refs, now, now + options_.ttl);
  if (!results.ok()) {
    metrics_.presence_store_failures.Inc();
    Warn("presence: heartbeat failed", results.status());
    return;
  }
  for (size_t i = 0; i < sessions.size() && i < results->size(); ++i) {
    const absl::StatusOr<OpenResult>& result = (*results)[i];
    if (!result.ok()) {
      metrics_.presence_store_failures.Inc();
      Warn("presence: heartbeat of a session failed", result.status());
      continue;
    }
    if (!result->revived) continue;
    AfterOpen(sessions[i].session, *result);
    for (const std::string& room : sessions[i].room_ids) {
      Subscribed(sessions[i].session, room, reply_to);
    }
  }
}

void PresenceService::Subscribed(const SessionInfo& session, const std::string& room_id,
                                 FrameSink* reply_to) {
  absl::Time now = Now();
  absl::StatusOr<JoinResult> joined =
      store_.JoinRoom(session.user_id, room_id, now, options_.snapshot_limit);
  if (!joined.ok()) {
    metrics_.presence_store_failures.Inc();
    Warn("presence: joining a room failed", joined.status());
    return;
  }
  // No live session (its open failed or was dropped): the next heartbeat opens it and rejoins.
  if (!joined->joined) return;
  absl::StatusOr<BlockRelations> relations = RelationsOf(session.user_id);
  if (!relations.ok()) return;
  if (joined->newly_in_room) {
    PresenceChange change{.user_id = session.user_id,
                          .online = true,
                          .last_seen = now,
                          .room_ids = {room_id},
                          .user_ids = {},
                          .hidden_from_user_ids = relations->blocked};
    absl::Status published = bus_.Publish(PresenceFrame(change));
    if (!published.ok()) Warn("presence: publish failed", published);
  }
  if (reply_to == nullptr) return;
  absl::flat_hash_set<std::string> blockers(relations->blocked_by.begin(),
                                            relations->blocked_by.end());
  for (const OnlineUser& other : joined->online) {
    if (other.user_id == session.user_id || blockers.contains(other.user_id)) continue;
    auto frame = std::make_shared<v1::RealtimeFrame>(PresenceFrame({.user_id = other.user_id,
                                                                    .online = true,
                                                                    .last_seen = other.last_seen,
                                                                    .room_ids = {},
                                                                    .user_ids = {session.user_id},
                                                                    .hidden_from_user_ids = {}}));
    // A snapshot is a courtesy: what it cannot deliver, later presence changes correct.
    if (!reply_to->SendIfRoom(std::move(frame))) return;
  }
}

size_t PresenceService::SweepExpired() {
  size_t offline = 0;
  while (true) {
    absl::StatusOr<PresenceStore::Sweep> sweep = store_.ClaimExpired(Now(), options_.sweep_batch);
    if (!sweep.ok()) {
      metrics_.presence_store_failures.Inc();
      Warn("presence: sweeping expired sessions failed", sweep.status());
      return offline;
    }
    for (const OfflineTransition& transition : sweep->offline) AnnounceOffline(transition);
    offline += sweep->offline.size();
    if (sweep->examined < options_.sweep_batch) return offline;
  }
}

absl::StatusOr<std::vector<v1::Presence>> PresenceService::Get(
    const std::vector<std::string>& user_ids, const std::string& viewer_user_id) {
  absl::flat_hash_set<std::string> hidden;
  if (!viewer_user_id.empty()) {
    absl::StatusOr<BlockRelations> relations = RelationsOf(viewer_user_id);
    if (!relations.ok()) {
      return absl::UnavailableError("presence: block relations unavailable");
    }
    hidden.insert(relations->blocked_by.begin(), relations->blocked_by.end());
  }
  absl::StatusOr<std::vector<UserPresence>> found = store_.Get(user_ids, Now());
  if (!found.ok()) return found.status();
  std::vector<v1::Presence> presences;
  presences.reserve(user_ids.size());
  for (size_t i = 0; i < user_ids.size(); ++i) {
    v1::Presence& presence = presences.emplace_back();
    presence.set_user_id(user_ids[i]);
    bool visible = !hidden.contains(user_ids[i]) && i < found->size();
    presence.set_status(visible && (*found)[i].online ? "online" : "offline");
    if (visible && (*found)[i].last_seen) {
      SetTimestamp(*(*found)[i].last_seen, presence.mutable_last_seen());
    }
  }
  return presences;
}

}  // namespace chatter::realtime
