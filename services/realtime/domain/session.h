// A gateway's WebSocket session as realtime-svc knows it.
#pragma once

#include <string>
#include <vector>

namespace chatter::realtime {

struct SessionInfo {
  std::string session_id;
  std::string user_id;
  std::string username;
};

// A session with the rooms it is subscribed to on its gateway.
struct SessionRooms {
  SessionInfo session;
  std::vector<std::string> room_ids;
};

}  // namespace chatter::realtime
