// What WebSocket sessions tell realtime-svc (through the one Connect stream of this gateway):
// sessions opening and closing, room subscriptions and typing. Calls never block.
#pragma once

#include <string>

#include "chatter/realtime/v1/realtime.pb.h"

namespace chatter::gateway {

struct SessionInfo {
  std::string session_id;
  std::string user_id;
  std::string username;
};

class RealtimeLink {
 public:
  virtual ~RealtimeLink() = default;
  virtual void SessionOpened(const SessionInfo& session) = 0;
  // Implies unsubscribing the session from every room.
  virtual void SessionClosed(const std::string& session_id) = 0;
  virtual void Subscribe(const std::string& room_id, const std::string& session_id) = 0;
  virtual void Unsubscribe(const std::string& room_id, const std::string& session_id) = 0;
  // Dropped while no stream is up: typing is ephemeral.
  virtual void Typing(const std::string& session_id, const realtime::v1::Typing& typing) = 0;
};

}  // namespace chatter::gateway
