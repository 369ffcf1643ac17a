// Presence work a gateway stream asks for. Reactors must not block, so implementations only
// queue it (QueuedPresenceTasks runs it on presence workers); each user's work runs in order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "services/realtime/domain/frame_sink.h"
#include "services/realtime/domain/session.h"

namespace chatter::realtime {

class PresenceTasks {
 public:
  virtual ~PresenceTasks() = default;
  virtual void SessionOpened(const SessionInfo& session) = 0;
  virtual void SessionClosed(const SessionInfo& session) = 0;
  // `reply_to` receives the room's presence snapshot, if the stream still exists by then (an
  // empty one: no snapshot).
  virtual void Subscribed(const SessionInfo& session, const std::string& room_id,
                          std::weak_ptr<FrameSink> reply_to) = 0;
  virtual void Heartbeat(std::vector<SessionRooms> sessions, std::weak_ptr<FrameSink> reply_to) = 0;
};

}  // namespace chatter::realtime
