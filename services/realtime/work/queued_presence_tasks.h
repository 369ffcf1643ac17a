// PresenceTasks on presence workers: each request is queued on the shard of its user (so one
// user's updates keep their order) and run there by PresenceService. A full queue drops the
// request and counts it; presence heals with the next heartbeat or the TTL.
#pragma once

#include "services/realtime/domain/presence_service.h"
#include "services/realtime/domain/presence_tasks.h"
#include "services/realtime/domain/realtime_metrics.h"
#include "services/realtime/work/sharded_work_queue.h"

namespace chatter::realtime {

class QueuedPresenceTasks final : public PresenceTasks {
 public:
  // All must outlive this object; `queue` must be stopped before `presence` goes away.
  QueuedPresenceTasks(PresenceService& presence, ShardedWorkQueue& queue, RealtimeMetrics& metrics);

  void SessionOpened(const SessionInfo& session) override;
  void SessionClosed(const SessionInfo& session) override;
  void Subscribed(const SessionInfo& session, const std::string& room_id,
                  std::weak_ptr<FrameSink> reply_to) override;
  void Heartbeat(std::vector<SessionRooms> sessions, std::weak_ptr<FrameSink> reply_to) override;

 private:
  void Post(size_t shard, std::function<void()> work);

  PresenceService& presence_;
  ShardedWorkQueue& queue_;
  RealtimeMetrics& metrics_;
};

}  // namespace chatter::realtime
