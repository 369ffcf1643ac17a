// Metric names and help texts of realtime-svc.
#include "services/realtime/domain/realtime_metrics.h"

namespace chatter::realtime {
namespace {

constexpr char kPublished[] = "realtime_events_published_total";
constexpr char kPublishedHelp[] = "Frames this instance published to the fan-out bus, by kind.";
constexpr char kDelivered[] = "realtime_events_delivered_total";
constexpr char kDeliveredHelp[] = "Frames handed to gateway streams (one per stream), by kind.";
constexpr char kTransitions[] = "realtime_presence_transitions_total";
constexpr char kTransitionsHelp[] = "Users going online or offline, as decided by this instance.";

}  // namespace

RealtimeMetrics::RealtimeMetrics(metrics::Registry& registry)
    : published_room_events(
          registry.GetCounter(kPublished, kPublishedHelp, {{"kind", "room_event"}})),
      published_presence(registry.GetCounter(kPublished, kPublishedHelp, {{"kind", "presence"}})),
      published_user_events(
          registry.GetCounter(kPublished, kPublishedHelp, {{"kind", "user_event"}})),
      publish_failures(registry.GetCounter("realtime_bus_publish_failures_total",
                                           "Frames that could not be published (bus down).")),
      received_frames(registry.GetCounter("realtime_bus_received_total",
                                          "Frames received from the fan-out bus.")),
      undecodable_frames(registry.GetCounter("realtime_bus_undecodable_total",
                                             "Bus messages that were not a RealtimeFrame.")),
      delivered_room_events(
          registry.GetCounter(kDelivered, kDeliveredHelp, {{"kind", "room_event"}})),
      delivered_presence(registry.GetCounter(kDelivered, kDeliveredHelp, {{"kind", "presence"}})),
      delivered_user_events(
          registry.GetCounter(kDelivered, kDeliveredHelp, {{"kind", "user_event"}})),
      bus_reconnects(registry.GetCounter("realtime_bus_reconnects_total",
                                         "Times the bus subscription was re-established.")),
      gateway_overflows(registry.GetCounter(
          "realtime_gateway_overflows_total",
          "Gateway streams ended with RESOURCE_EXHAUSTED because their queue was full.")),
      droppable_frames_dropped(registry.GetCounter(
          "realtime_snapshot_frames_dropped_total",
          "Presence snapshot frames not sent because the gateway stream was over half full.")),
      gateway_invalid_frames(registry.GetCounter("realtime_gateway_invalid_frames_total",
                                                 "Gateway frames counted and ignored.")),
      typing_rejected(registry.GetCounter(
          "realtime_typing_rejected_total",
          "Typing frames ignored: session unknown, not subscribed, or another user.")),
      typing_dropped(registry.GetCounter("realtime_typing_dropped_total",
                                         "Typing events dropped because the queue was full.")),
      presence_online(registry.GetCounter(kTransitions, kTransitionsHelp, {{"status", "online"}})),
      presence_offline(
          registry.GetCounter(kTransitions, kTransitionsHelp, {{"status", "offline"}})),
      presence_block_lookup_failures(registry.GetCounter(
          "realtime_presence_block_lookup_failures_total",
          "Presence not published or answered because block relations were unavailable.")),
      presence_store_failures(registry.GetCounter("realtime_presence_store_failures_total",
                                                  "Presence updates Redis did not take.")),
      presence_work_dropped(
          registry.GetCounter("realtime_presence_work_dropped_total",
                              "Presence updates dropped because the presence queue was full.")) {}

}  // namespace chatter::realtime
