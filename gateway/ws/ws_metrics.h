// The WebSocket endpoint's metrics, looked up once so sessions update them lock-free.
#pragma once

#include <array>
#include <string>

#include "gateway/ws/frame_codec.h"
#include "libs/metrics/registry.h"

namespace chatter::gateway {

class WsMetrics {
 public:
  explicit WsMetrics(metrics::Registry& registry);

  // A client frame, by event ("invalid" when it could not be parsed).
  void FrameIn(const absl::StatusOr<ClientFrame>& frame);
  void FrameOut() { frames_out_.Inc(); }
  void RateLimited() { rate_limited_.Inc(); }
  // Time from the change (occurred_at) to the frame entering a session's queue.
  void FanoutLatency(double seconds) { fanout_latency_.Observe(seconds); }
  // A session ended; `reason` is a short fixed label ("client", "send_queue_overflow", ...).
  void Closed(const std::string& reason);
  // An upgrade refused before the handshake, by error code.
  void Refused(const std::string& code);

 private:
  metrics::Registry& registry_;
  std::array<metrics::Counter*, 9> frames_in_by_event_;
  metrics::Counter& frames_in_invalid_;
  metrics::Counter& frames_out_;
  metrics::Counter& rate_limited_;
  metrics::Histogram& fanout_latency_;
};

}  // namespace chatter::gateway
