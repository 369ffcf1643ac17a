// EventFanout: index lookups and one encoding per event.
#include "gateway/ws/event_fanout.h"

#include <boost/asio/post.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "libs/log/log.h"

namespace chatter::gateway {

EventFanout::EventFanout(RoomIndex& index, metrics::Registry& registry,
                         std::vector<boost::asio::any_io_executor> lanes)
    : lanes_(std::move(lanes)),
      index_(index),
      invalid_events_(registry.GetCounter("ws_realtime_invalid_events_total",
                                          "Events from realtime-svc that could not be encoded.")),
      room_deliveries_(registry.GetCounter("ws_fanout_deliveries_total",
                                           "Events handed to local sessions, by kind.",
                                           {{"kind", "room"}})),
      presence_deliveries_(registry.GetCounter("ws_fanout_deliveries_total",
                                               "Events handed to local sessions, by kind.",
                                               {{"kind", "presence"}})),
      resync_deliveries_(registry.GetCounter("ws_fanout_deliveries_total",
                                             "Events handed to local sessions, by kind.",
                                             {{"kind", "resync"}})) {}

template <typename FanOut>
void EventFanout::OnEveryLane(FanOut fan_out) {
  if (lanes_.empty()) return fan_out(std::nullopt);
  for (size_t lane = 0; lane < lanes_.size(); ++lane) {
    boost::asio::post(lanes_[lane], [fan_out, lane] { fan_out(lane); });
  }
}

bool EventFanout::InLane(const Subscriber& session, std::optional<size_t> lane) const {
  return !lane || absl::Hash<std::string>()(session.session_id()) % lanes_.size() == *lane;
}

void EventFanout::OnRoomEvent(const realtime::v1::RoomEvent& event) {
  absl::StatusOr<std::shared_ptr<const RoomDelivery>> delivery = EncodeRoomEvent(event);
  if (!delivery.ok()) {
    invalid_events_.Inc();
    log::Warn("invalid room event from realtime-svc",
              {{"error", std::string(delivery.status().message())}});
    return;
  }
  auto shared_event = std::make_shared<const realtime::v1::RoomEvent>(event);
  OnEveryLane([this, shared_event, delivery = *std::move(delivery)](std::optional<size_t> lane) {
    FanOutRoomEvent(*shared_event, delivery, lane);
  });
}

void EventFanout::OnResync(const std::string& room_id, int64_t last_seq) {
  auto delivery = std::make_shared<RoomDelivery>();
  delivery->room_id = room_id;
  delivery->frame = EncodeResync(room_id, last_seq);
  delivery->resync_seq = last_seq;
  OnEveryLane([this, delivery = std::shared_ptr<const RoomDelivery>(std::move(delivery))](
                  std::optional<size_t> lane) { FanOutResync(delivery, lane); });
}

void EventFanout::OnPresence(const realtime::v1::PresenceEvent& event) {
  auto shared_event = std::make_shared<const realtime::v1::PresenceEvent>(event);
  OnEveryLane(
      [this, shared_event](std::optional<size_t> lane) { FanOutPresence(*shared_event, lane); });
}

void EventFanout::FanOutRoomEvent(const realtime::v1::RoomEvent& event,
                                  const std::shared_ptr<const RoomDelivery>& delivery,
                                  std::optional<size_t> lane) {
  std::vector<RoomIndex::SubscriberPtr> sessions = index_.InRoom(event.room_id());
  double delivered = 0;
  for (const RoomIndex::SubscriberPtr& session : sessions) {
    if (!InLane(*session, lane) || session->session_id() == event.exclude_session_id()) continue;
    session->DeliverRoomEvent(delivery);
    ++delivered;
  }
  room_deliveries_.Inc(delivered);
  if (event.revoked_user_ids().empty()) return;
  absl::flat_hash_set<std::string> revoked(event.revoked_user_ids().begin(),
                                           event.revoked_user_ids().end());
  // Every session of a revoked user, not only those in the room now: one whose subscribe is
  // still being checked (access granted just before the removal) must not enter it afterwards.
  for (const std::string& user : revoked) {
    for (const RoomIndex::SubscriberPtr& session : index_.OfUser(user)) {
      if (!InLane(*session, lane)) continue;
      // Out of the index now, so no later event of the room reaches it; the session then drops
      // its own state after the events already posted to it.
      index_.Unsubscribe(event.room_id(), session->session_id());
      session->RevokeRoom(event.room_id());
    }
  }
}

void EventFanout::FanOutResync(const std::shared_ptr<const RoomDelivery>& delivery,
                               std::optional<size_t> lane) {
  double delivered = 0;
  for (const RoomIndex::SubscriberPtr& session : index_.InRoom(delivery->room_id)) {
    if (!InLane(*session, lane)) continue;
    session->DeliverRoomEvent(delivery);
    ++delivered;
  }
  resync_deliveries_.Inc(delivered);
}

void EventFanout::FanOutPresence(const realtime::v1::PresenceEvent& event,
                                 std::optional<size_t> lane) {
  const std::string& subject = event.presence().user_id();
  absl::flat_hash_set<std::string> hidden(event.hidden_from_user_ids().begin(),
                                          event.hidden_from_user_ids().end());
  hidden.insert(subject);
  absl::flat_hash_set<std::string> seen;
  Frame frame;  // Encoded on the first recipient, then shared.
  double delivered = 0;
  auto deliver = [&](const RoomIndex::SubscriberPtr& session) {
    if (!InLane(*session, lane) || hidden.contains(session->user_id())) return;
    if (!seen.insert(session->session_id()).second) return;
    if (!frame) frame = EncodePresence(event.presence());
    session->DeliverPresence(frame);
    ++delivered;
  };
  for (const std::string& room : event.room_ids()) {
    for (const auto& session : index_.InRoom(room)) deliver(session);
  }
  for (const std::string& user : event.user_ids()) {
    for (const auto& session : index_.OfUser(user)) deliver(session);
  }
  presence_deliveries_.Inc(delivered);
}

}  // namespace chatter::gateway
