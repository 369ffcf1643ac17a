// WsMetrics: counters and the fan-out histogram.
#include "gateway/ws/ws_metrics.h"

namespace chatter::gateway {
namespace {

constexpr char kFramesInName[] = "ws_frames_received_total";
constexpr char kFramesInHelp[] = "WebSocket frames received from clients, by event.";

}  // namespace

WsMetrics::WsMetrics(metrics::Registry& registry)
    : registry_(registry),
      frames_in_invalid_(registry.GetCounter(kFramesInName, kFramesInHelp, {{"event", "invalid"}})),
      frames_out_(
          registry.GetCounter("ws_frames_sent_total", "WebSocket frames queued to clients.")),
      rate_limited_(registry.GetCounter("ws_rate_limited_total",
                                        "Client events refused by the per-session rate limit.")),
      fanout_latency_(registry.GetHistogram(
          "ws_fanout_latency_seconds",
          "From a room event's occurred_at to its frame entering a session's send queue.", {},
          metrics::DefaultLatencyBuckets())) {
  for (size_t i = 0; i < frames_in_by_event_.size(); ++i) {
    std::string event(ClientEventName(static_cast<ClientEvent>(i)));
    frames_in_by_event_[i] = &registry.GetCounter(kFramesInName, kFramesInHelp, {{"event", event}});
  }
}

void WsMetrics::FrameIn(const absl::StatusOr<ClientFrame>& frame) {
  if (!frame.ok()) return frames_in_invalid_.Inc();
  frames_in_by_event_[static_cast<size_t>(frame->event)]->Inc();
}

void WsMetrics::Closed(const std::string& reason) {
  registry_
      .GetCounter("ws_closes_total", "WebSocket sessions ended, by reason.", {{"reason", reason}})
      .Inc();
}

void WsMetrics::Refused(const std::string& code) {
  registry_
      .GetCounter("ws_upgrades_refused_total",
                  "WebSocket upgrades answered with an HTTP error, by code.", {{"code", code}})
      .Inc();
}

}  // namespace chatter::gateway
