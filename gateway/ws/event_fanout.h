// Delivers what realtime-svc sends this gateway to the local sessions that should see it: each
// event is encoded once and the same buffer is handed to every recipient.
//
// With an executor (the gateway's: a strand on the I/O threads) every fan-out runs there, one
// after the other in the order they were called, instead of on the caller's thread (realtime's
// gRPC thread). Sessions take deliveries with asio::dispatch, which runs a session's handler
// right there when its strand is free: a delivery then costs its send() and no thread hand-off
// per recipient (one post per event instead of one per recipient, each waking a thread).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <optional>

#include "chatter/realtime/v1/realtime.pb.h"
#include "gateway/ws/room_index.h"
#include "libs/metrics/registry.h"

namespace chatter::gateway {

class EventFanout {
 public:
  // `index` and `registry` must outlive the fan-out. Without `executor` each call fans out on
  // the caller's thread before it returns.
  EventFanout(RoomIndex& index, metrics::Registry& registry,
              std::optional<boost::asio::any_io_executor> executor = std::nullopt);

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
  void FanOutRoomEvent(const realtime::v1::RoomEvent& event);
  void FanOutPresence(const realtime::v1::PresenceEvent& event);
  void FanOutResync(const std::string& room_id, int64_t last_seq);

  std::optional<boost::asio::any_io_executor> executor_;
  RoomIndex& index_;
  metrics::Counter& invalid_events_;
  metrics::Counter& room_deliveries_;
  metrics::Counter& presence_deliveries_;
  metrics::Counter& resync_deliveries_;
};

}  // namespace chatter::gateway
