// Presence and typing frames.
#include "services/realtime/domain/frames.h"

namespace chatter::realtime {

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
  int64_t micros = absl::ToUnixMicros(time);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

v1::RealtimeFrame PresenceFrame(const PresenceChange& change) {
  v1::RealtimeFrame frame;
  v1::PresenceEvent* event = frame.mutable_presence();
  v1::Presence* presence = event->mutable_presence();
  presence->set_user_id(change.user_id);
  presence->set_status(change.online ? "online" : "offline");
  if (change.last_seen) SetTimestamp(*change.last_seen, presence->mutable_last_seen());
  for (const std::string& room : change.room_ids) event->add_room_ids(room);
  for (const std::string& user : change.user_ids) event->add_user_ids(user);
  for (const std::string& user : change.hidden_from_user_ids) event->add_hidden_from_user_ids(user);
  return frame;
}

v1::RealtimeFrame TypingFrame(const v1::Typing& typing, const std::string& username,
                              const std::string& event_id, absl::Time occurred_at,
                              const std::string& exclude_session_id) {
  v1::RealtimeFrame frame;
  v1::RoomEvent* event = frame.mutable_room_event();
  event->set_room_id(typing.room_id());
  event->set_event_id(event_id);
  SetTimestamp(occurred_at, event->mutable_occurred_at());
  event->set_exclude_session_id(exclude_session_id);
  v1::Typing* out = event->mutable_typing();
  *out = typing;
  out->set_username(username);
  return frame;
}

}  // namespace chatter::realtime
