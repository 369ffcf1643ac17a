// Where the Connect stream's incoming frames go (RealtimeBridge -> RoomSequencer -> EventFanout).
#pragma once

#include "chatter/realtime/v1/realtime.pb.h"

namespace chatter::gateway {

class RealtimeEventSink {
 public:
  virtual ~RealtimeEventSink() = default;
  // Called on the stream's reader, in the stream's order, and (when the gateway reads the bus
  // itself) on the bus thread, in the bus' order: implementations are thread-safe. Never block.
  virtual void OnRoomEvent(const realtime::v1::RoomEvent& event) = 0;
  virtual void OnPresence(const realtime::v1::PresenceEvent& event) = 0;
  // For the local sessions of event.user_ids: a notification to send, or a close (moderation).
  virtual void OnUserEvent(const realtime::v1::UserEvent& event) = 0;
  // Events may have been lost before now: a new stream was welcomed (frames published while
  // there was none went nowhere), or realtime-svc said `events_lost`.
  virtual void OnEventsMayBeLost() = 0;
};

}  // namespace chatter::gateway
