// Every metric realtime-svc exposes, looked up once so hot paths update them lock-free. Names
// and meanings are listed in services/realtime/README.md.
#pragma once

#include "libs/metrics/registry.h"

namespace chatter::realtime {

struct RealtimeMetrics {
  explicit RealtimeMetrics(metrics::Registry& registry);

  // Frames on the bus: published by this instance, received from it (decoded once each), and
  // handed to gateway streams (one per stream).
  metrics::Counter& published_room_events;
  metrics::Counter& published_presence;
  metrics::Counter& published_user_events;
  metrics::Counter& publish_failures;
  metrics::Counter& received_frames;
  metrics::Counter& undecodable_frames;
  metrics::Counter& delivered_room_events;
  metrics::Counter& delivered_presence;
  metrics::Counter& delivered_user_events;
  metrics::Counter& bus_reconnects;

  // Gateway streams.
  metrics::Counter& gateway_overflows;         // Streams ended because their queue was full.
  metrics::Counter& droppable_frames_dropped;  // Presence snapshots skipped on a busy stream.
  metrics::Counter& gateway_invalid_frames;    // Frames counted and ignored.
  metrics::Counter& typing_rejected;           // Typing of an unknown/unsubscribed session or user.
  metrics::Counter& typing_dropped;            // Typing not published (queue full).

  // Presence.
  metrics::Counter& presence_online;
  metrics::Counter& presence_offline;
  metrics::Counter& presence_block_lookup_failures;  // Presence not published: fail closed.
  metrics::Counter& presence_store_failures;
  metrics::Counter& presence_work_dropped;  // Presence work not queued (queue full).
};

}  // namespace chatter::realtime
