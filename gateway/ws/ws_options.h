// Limits and timings of the WebSocket endpoint (CHATTER_WS_* settings, docs/CONFIGURATION.md).
#pragma once

#include <cstddef>

#include "absl/time/time.h"

namespace chatter::gateway {

struct WsOptions {
  // Largest client message (fragments joined); the session closes with 1009 beyond it.
  size_t max_frame_bytes = 16 * 1024;
  // Bytes of frames waiting for a slow client; beyond it the session is closed with 1013.
  size_t send_queue_bytes = 1 << 20;
  // SO_SNDBUF of each WebSocket socket (0 = the kernel's autotuning, up to megabytes).
  size_t socket_send_buffer_bytes = 64 * 1024;
  // Client events per second (token bucket) and the bucket's size.
  double events_per_second = 20;
  double event_burst = 40;
  // More than `abuse_rejections` rate-limited events within `abuse_window` closes with 1008.
  int abuse_rejections = 50;
  absl::Duration abuse_window = absl::Seconds(10);
  // Rooms one session may follow at once.
  int max_subscriptions = 500;
  // Messages one `subscribe` with since_seq replays; beyond it `resync_required`.
  int replay_limit = 500;
  // Live events held per room while its replay is fetched; beyond it `resync_required`.
  size_t max_pending_events = 1000;
  // `room_id` query parameters accepted on connect.
  int max_connect_rooms = 100;
  // No data from the client for this long closes the session; pings go out at half of it.
  absl::Duration idle_timeout = absl::Seconds(60);
  // The opening and closing handshakes must finish within this.
  absl::Duration handshake_timeout = absl::Seconds(10);
  // A closing session whose close frame cannot be written is cut after this.
  absl::Duration close_grace = absl::Seconds(30);
  // Deadline of each call to chat-svc.
  absl::Duration backend_call_timeout = absl::Seconds(10);
  // The sessions' calls to chat-svc running at once (the rest wait, FIFO), and how many may
  // wait before a call is refused with resource_exhausted (see CallGate).
  size_t chat_calls_in_flight = 64;
  size_t chat_calls_waiting = 10000;
};

}  // namespace chatter::gateway
