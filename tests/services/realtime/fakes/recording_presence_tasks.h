// PresenceTasks that only record what a gateway link asked for, for link tests.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "services/realtime/domain/presence_tasks.h"

namespace chatter::realtime {

class RecordingPresenceTasks final : public PresenceTasks {
 public:
  struct Call {
    std::string kind;  // "opened", "closed", "subscribed", "heartbeat"
    std::string session_id;
    std::string user_id;
    std::string room_id;
    std::vector<SessionRooms> sessions;  // heartbeat
    bool snapshot;                       // subscribed: a sink for the room's presence snapshot
  };

  void SessionOpened(const SessionInfo& session) override {
    Record({"opened", session.session_id, session.user_id, "", {}, false});
  }
  void SessionClosed(const SessionInfo& session) override {
    Record({"closed", session.session_id, session.user_id, "", {}, false});
  }
  void Subscribed(const SessionInfo& session, const std::string& room_id,
                  std::weak_ptr<FrameSink> reply_to) override {
    Record({"subscribed", session.session_id, session.user_id, room_id, {}, !reply_to.expired()});
  }
  void Heartbeat(std::vector<SessionRooms> sessions, std::weak_ptr<FrameSink>) override {
    Record({"heartbeat", "", "", "", std::move(sessions), false});
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  void Record(Call call) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(call));
  }

  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

}  // namespace chatter::realtime
