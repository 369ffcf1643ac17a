// Builders of the frames realtime-svc itself produces (presence, typing), so their shape is
// written once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace chatter::realtime {

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out);

struct PresenceChange {
  std::string user_id;
  bool online = false;
  std::optional<absl::Time> last_seen;
  std::vector<std::string> room_ids;              // Deliver to these rooms' sessions...
  std::vector<std::string> user_ids;              // ...and to these users' sessions...
  std::vector<std::string> hidden_from_user_ids;  // ...but never to these users'.
};
v1::RealtimeFrame PresenceFrame(const PresenceChange& change);

// A typing RoomEvent frame for the room's other subscribers (exclude_session_id).
v1::RealtimeFrame TypingFrame(const v1::Typing& typing, const std::string& username,
                              const std::string& event_id, absl::Time occurred_at,
                              const std::string& exclude_session_id);

}  // namespace chatter::realtime
