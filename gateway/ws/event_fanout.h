// Delivers what realtime-svc sends this gateway to the local sessions that should see it: each
// event is encoded once and the same buffer is handed to every recipient.
//
// With lanes (the gateway has one strand per I/O thread) every session belongs to one lane, by
// a hash of its id, and each event is fanned out by every lane to its own sessions, there and
// not on the caller's thread (realtime's gRPC thread). A lane runs its events one after the
// other in the order they came, so each session sees them in that order; lanes run in parallel.
// Sessions take deliveries with asio::dispatch, which runs a session's handler right there when
// its strand is free: a delivery then costs its send() and no thread hand-off per recipient
// (one post per event and lane instead of one per recipient, each waking a thread).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "gateway/ws/room_index.h"
#include "libs/metrics/registry.h"

namespace chatter::gateway {

class EventFanout {
 public:
  // `index` and `registry` must outlive the fan-out. Without `lanes` each call fans out on the
  // caller's thread before it returns.
  EventFanout(RoomIndex& index, metrics::Registry& registry,
              std::vector<boost::asio::any_io_executor> lanes = {});

  // To every session subscribed to the room except exclude_session_id; then the sessions of
  // revoked_user_ids leave the room at once (each session is told, and tells realtime).
  void OnRoomEvent(const realtime::v1::RoomEvent& event);
  // Once per session subscribed to any of room_ids or belonging to user_ids; never to sessions
  // of hidden_from_user_ids nor of the user whose presence it is.
  void OnPresence(const realtime::v1::PresenceEvent& event);
  // `resync_required` {room_id, last_seq} to every session subscribed to the room: live events
  // up to last_seq are lost and the client reads them over REST.
  void OnResync(const std::string& room_id, int64_t last_seq);
  // To every session of event.user_ids: a notification as one `notification` frame (encoded
  // once; a payload that is not a JSON object is counted invalid and dropped), or a disconnect
  // closing each session with its code and reason.
  void OnUserEvent(const realtime::v1::UserEvent& event);

 private:
  // Each fans out to the sessions of `lane` (every session without lanes).
  void FanOutRoomEvent(const realtime::v1::RoomEvent& event,
                       const std::shared_ptr<const RoomDelivery>& delivery,
                       std::optional<size_t> lane);
  void FanOutPresence(const realtime::v1::PresenceEvent& event, std::optional<size_t> lane);
  void FanOutResync(const std::shared_ptr<const RoomDelivery>& delivery,
                    std::optional<size_t> lane);
  void FanOutNotification(const std::vector<std::string>& users, const Frame& frame,
                          std::optional<size_t> lane);
  void FanOutDisconnect(const std::vector<std::string>& users,
                        const realtime::v1::Disconnect& disconnect, std::optional<size_t> lane);
  // Counts and logs an event from realtime-svc that cannot be delivered.
  void Invalid(absl::string_view what, const absl::Status& error);
  // Runs act(session) for each session of `users` in `lane`; how many.
  template <typename Act>
  double ForEachSessionOf(const std::vector<std::string>& users, std::optional<size_t> lane,
                          Act act);
  // Runs fan_out(lane) on every lane, or fan_out(nullopt) here without lanes.
  template <typename FanOut>
  void OnEveryLane(FanOut fan_out);
  bool InLane(const Subscriber& session, std::optional<size_t> lane) const;

  std::vector<boost::asio::any_io_executor> lanes_;
  RoomIndex& index_;
  metrics::Counter& invalid_events_;
  metrics::Counter& room_deliveries_;
  metrics::Counter& presence_deliveries_;
  metrics::Counter& resync_deliveries_;
  metrics::Counter& notification_deliveries_;
  metrics::Counter& disconnects_;
};

}  // namespace chatter::gateway
