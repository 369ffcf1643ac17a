// The bus channel: every RealtimeFrame (room events, presence, user events) is published to
// `<prefix>events` (chat-svc, realtime-svc) and read from there (realtime-svc, and gateways that
// take their events from the bus). One definition, so no reader listens on another name.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace chatter::redis {

// "chatter:" -> "chatter:events".
inline std::string EventsChannel(absl::string_view prefix) {
  return absl::StrCat(prefix, "events");
}

}  // namespace chatter::redis
