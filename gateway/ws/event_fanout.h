// Delivers what realtime-svc sends this gateway to the local sessions that should see it: each
// event is encoded once and the same buffer is handed to every recipient.
#pragma once

#include <functional>

#include "chatter/realtime/v1/realtime.pb.h"
#include "gateway/ws/room_index.h"
#include "libs/metrics/registry.h"

namespace chatter::gateway {

class EventFanout {
 public:
  // `index` and `registry` must outlive the fan-out.
  EventFanout(RoomIndex& index, metrics::Registry& registry);

  // To every session subscribed to the room except exclude_session_id; then the sessions of
  // revoked_user_ids leave the room at once (each session is told, and tells realtime).
  void OnRoomEvent(const realtime::v1::RoomEvent& event);
  // Once per session subscribed to any of room_ids or belonging to user_ids; never to sessions
  // of hidden_from_user_ids nor of the user whose presence it is.
  void OnPresence(const realtime::v1::PresenceEvent& event);
  // `resync_required` {room_id, last_seq} to every session subscribed to the room: live events
  // up to last_seq are lost and the client reads them over REST.
  void OnResync(const std::string& room_id, int64_t last_seq);

 private:
  RoomIndex& index_;
  metrics::Counter& invalid_events_;
  metrics::Counter& room_deliveries_;
  metrics::Counter& presence_deliveries_;
  metrics::Counter& resync_deliveries_;
};

}  // namespace chatter::gateway
