// EventFanout: index lookups and one encoding per event.
#include "gateway/ws/event_fanout.h"

#include <boost/asio/post.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace chatter::gateway {
namespace {

// Each user once, so that no session gets a user event twice.
std::shared_ptr<const std::vector<std::string>> DistinctUsers(
    const realtime::v1::UserEvent& event) {
  absl::flat_hash_set<absl::string_view> seen;
  auto users = std::make_shared<std::vector<std::string>>();
  for (const std::string& user : event.user_ids()) {
    if (seen.insert(user).second) users->push_back(user);
  }
  return users;
}

// Codes an endpoint may put in a close frame (RFC 6455 7.4); which of them is realtime-svc's
// choice.
bool IsSendableCloseCode(int32_t code) {
  return (code >= 1000 && code <= 1014 && (code < 1004 || code > 1006)) ||
         (code >= 3000 && code <= 4999);
}

metrics::Counter& Deliveries(metrics::Registry& registry, const char* kind) {
  return registry.GetCounter("ws_fanout_deliveries_total",
                             "Events handed to local sessions, by kind.", {{"kind", kind}});
}

}  // namespace

EventFanout::EventFanout(RoomIndex& index, metrics::Registry& registry,
                         std::vector<boost::asio::any_io_executor> lanes)
    : lanes_(std::move(lanes)),
      index_(index),
      invalid_events_(registry.GetCounter("ws_realtime_invalid_events_total",
                                          "Events from realtime-svc that could not be encoded.")),
      room_deliveries_(Deliveries(registry, "room")),
      presence_deliveries_(Deliveries(registry, "presence")),
      resync_deliveries_(Deliveries(registry, "resync")),
      notification_deliveries_(Deliveries(registry, "notification")),
      disconnects_(Deliveries(registry, "disconnect")) {}

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

void EventFanout::OnUserEvent(const realtime::v1::UserEvent& event) {
  switch (event.payload_case()) {
    case realtime::v1::UserEvent::kNotification: {
      absl::StatusOr<Frame> frame = EncodeNotification(event);
      if (!frame.ok()) return Invalid("notification", frame.status());
      OnEveryLane([this, users = DistinctUsers(event), frame = *std::move(frame)](
                      std::optional<size_t> lane) { FanOutNotification(*users, frame, lane); });
      return;
    }
    case realtime::v1::UserEvent::kDisconnect: {
      int32_t code = event.disconnect().close_code();
      if (!IsSendableCloseCode(code)) {
        return Invalid("disconnect", absl::InvalidArgumentError(
                                         absl::StrCat("close code ", code, " cannot be sent")));
      }
      log::Write(
          log::Level::kInfo, event.request_id(), "disconnecting users' sessions",
          {{"event_id", event.event_id()}, {"users", event.user_ids_size()}, {"close_code", code}});
      auto disconnect = std::make_shared<const realtime::v1::Disconnect>(event.disconnect());
      OnEveryLane([this, users = DistinctUsers(event), disconnect](std::optional<size_t> lane) {
        FanOutDisconnect(*users, *disconnect, lane);
      });
      return;
    }
    case realtime::v1::UserEvent::PAYLOAD_NOT_SET:
      break;
  }
  Invalid("user event", absl::InvalidArgumentError(
                            absl::StrCat("user event ", event.event_id(), " without payload")));
}

void EventFanout::Invalid(absl::string_view what, const absl::Status& error) {
  invalid_events_.Inc();
  log::Warn(absl::StrCat("invalid ", what, " from realtime-svc"),
            {{"error", std::string(error.message())}});
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

template <typename Act>
double EventFanout::ForEachSessionOf(const std::vector<std::string>& users,
                                     std::optional<size_t> lane, Act act) {
  double sessions = 0;
  for (const std::string& user : users) {
    for (const RoomIndex::SubscriberPtr& session : index_.OfUser(user)) {
      if (!InLane(*session, lane)) continue;
      act(*session);
      ++sessions;
    }
  }
  return sessions;
}

void EventFanout::FanOutNotification(const std::vector<std::string>& users, const Frame& frame,
                                     std::optional<size_t> lane) {
  notification_deliveries_.Inc(
      ForEachSessionOf(users, lane, [&](Subscriber& session) { session.DeliverFrame(frame); }));
}

void EventFanout::FanOutDisconnect(const std::vector<std::string>& users,
                                   const realtime::v1::Disconnect& disconnect,
                                   std::optional<size_t> lane) {
  auto code = static_cast<uint16_t>(disconnect.close_code());
  disconnects_.Inc(ForEachSessionOf(
      users, lane, [&](Subscriber& session) { session.Disconnect(code, disconnect.reason()); }));
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
    session->DeliverFrame(frame);
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
