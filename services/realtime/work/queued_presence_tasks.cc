// Presence requests queued per user shard.
#include "services/realtime/work/queued_presence_tasks.h"

namespace chatter::realtime {

QueuedPresenceTasks::QueuedPresenceTasks(PresenceService& presence, ShardedWorkQueue& queue,
                                         RealtimeMetrics& metrics)
    : presence_(presence), queue_(queue), metrics_(metrics) {}

void QueuedPresenceTasks::Post(size_t shard, std::function<void()> work) {
  if (!queue_.PostToShard(shard, std::move(work))) metrics_.presence_work_dropped.Inc();
}

void QueuedPresenceTasks::SessionOpened(const SessionInfo& session) {
  Post(queue_.ShardOf(session.user_id), [this, session] { presence_.SessionOpened(session); });
}

void QueuedPresenceTasks::SessionClosed(const SessionInfo& session) {
  Post(queue_.ShardOf(session.user_id), [this, session] { presence_.SessionClosed(session); });
}

void QueuedPresenceTasks::Subscribed(const SessionInfo& session, const std::string& room_id,
                                     std::weak_ptr<FrameSink> reply_to) {
  Post(queue_.ShardOf(session.user_id), [this, session, room_id, reply_to] {
    std::shared_ptr<FrameSink> sink = reply_to.lock();
    presence_.Subscribed(session, room_id, sink.get());
  });
}

void QueuedPresenceTasks::Heartbeat(std::vector<SessionRooms> sessions,
                                    std::weak_ptr<FrameSink> reply_to) {
  // One batch per shard: a user's refresh must not overtake their earlier close on that shard.
  std::vector<std::vector<SessionRooms>> batches(queue_.shard_count());
  for (SessionRooms& session : sessions) {
    batches[queue_.ShardOf(session.session.user_id)].push_back(std::move(session));
  }
  for (size_t shard = 0; shard < batches.size(); ++shard) {
    if (batches[shard].empty()) continue;
    Post(shard, [this, batch = std::move(batches[shard]), reply_to] {
      std::shared_ptr<FrameSink> sink = reply_to.lock();
      presence_.Refresh(batch, sink.get());
    });
  }
}

}  // namespace chatter::realtime
