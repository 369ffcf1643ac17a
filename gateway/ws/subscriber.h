// What the fan-out needs of a WebSocket session: its identity and thread-safe delivery. The
// seam between RoomIndex/EventFanout (shared, any thread) and WsSession (one strand each).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "gateway/ws/event_encoding.h"
#include "gateway/ws/frame_codec.h"

namespace chatter::gateway {

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual const std::string& session_id() const = 0;
  virtual const std::string& user_id() const = 0;
  // Called from any thread; never block (implementations dispatch to their own executor: on an
  // I/O thread, with the session's strand free, the delivery runs before the call returns).
  virtual void DeliverRoomEvent(std::shared_ptr<const RoomDelivery> delivery) = 0;
  // A frame outside any room's order (presence, notification): queued as it is.
  virtual void DeliverFrame(Frame frame) = 0;
  // The user lost read access to the room: forget the subscription (the index already has).
  virtual void RevokeRoom(const std::string& room_id) = 0;
  // Closes the session with a close frame of `code` and `reason` (moderation); what is queued is
  // dropped.
  virtual void Disconnect(uint16_t code, std::string reason) = 0;
};

}  // namespace chatter::gateway
