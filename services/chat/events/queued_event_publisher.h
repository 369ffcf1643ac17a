// The EventPublisher of chat-svc: a bounded in-memory queue drained by one background thread
// into an EventSink, in batches of whatever queued up while the previous batch was on its way
// (so batches grow with load). A lone event, published while nothing is queued or on its way,
// is sent by the publishing thread itself: that spares the worker's two thread switches per
// event, which at moderate rates cost more than the send (issue 11). So Publish() blocks for at
// most one send (bounded by the sink's own timeouts) and only while the sink is healthy (with
// heads owed, events queue); it never fails the RPC: a full queue drops the event, a failed send is
// not retried; both are counted (chat_events_dropped_total, chat_events_publish_failures_total) and
// logged at most every few seconds. Every message was committed before it got here, so nothing is
// lost for good: the room of a dropped or failed message event is remembered with its seq, and once
// sends work again the worker publishes the room's head (RoomEvent kRoomHead), from which gateways
// fill the gap out of history. Each event takes along the request id current when it was published
// (RoomEvent::request_id), so realtime-svc's log lines about it join the request's trace.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "libs/metrics/registry.h"
#include "services/chat/domain/event_publisher.h"
#include "services/chat/events/event_sink.h"

namespace chatter::chat {

class QueuedEventPublisher final : public EventPublisher {
 public:
  // `sink` and `metrics` must outlive the publisher. Nothing is sent before Start().
  QueuedEventPublisher(EventSink& sink, metrics::Registry& metrics, size_t capacity);
  // Stop(absl::ZeroDuration()) if still running.
  ~QueuedEventPublisher() override;
  QueuedEventPublisher(const QueuedEventPublisher&) = delete;
  QueuedEventPublisher& operator=(const QueuedEventPublisher&) = delete;

  void Start();
  // Stops accepting events, lets the worker send what is queued for up to `grace`, then drops
  // (and counts) the rest and joins the worker. Idempotent.
  void Stop(absl::Duration grace);

  void Publish(RoomEvent event) override;

  // Test hook: true once the queue is empty, no send is in flight and no head is owed, false
  // after `timeout`.
  bool WaitIdleForTest(absl::Duration timeout);

 private:
  void Run();
  enum class Wait { kEvents, kAnnounce, kStop };
  // Takes the next events to send (up to a batch), or says it is time to announce heads; kStop
  // ends the worker.
  Wait Next(std::vector<RoomEvent>& next);
  // Sends `events` as one batch; the rooms of those that did not get through are owed heads.
  // How many got through, or nullopt when the batch failed as a whole.
  std::optional<size_t> SendBatch(absl::Span<const RoomEvent> events);
  // A message event that did not reach the sink: its room's head is owed (mu_ held).
  void OweHeadLocked(const RoomEvent& event);
  // Counts a sent batch of `sent` events, `delivered` of which got through (nullopt: none).
  void Count(std::optional<size_t> delivered, size_t sent);
  // Signals WaitIdleForTest when nothing is queued, sending or owed (mu_ held).
  void NotifyIfIdleLocked();
  // Sends the owed heads; those that fail stay owed.
  void AnnounceHeads();
  // Logs at most once per interval, saying how many similar lines were skipped meanwhile.
  void WarnThrottled(const char* message, const absl::Status& status);

  EventSink& sink_;
  const size_t capacity_;
  metrics::Counter& published_;
  metrics::Counter& failures_;
  metrics::Counter& dropped_;
  metrics::Counter& heads_;
  metrics::Counter& batches_;
  metrics::Gauge& depth_;

  // std::mutex rather than absl::Mutex: Debian's libabsl is not built for ThreadSanitizer.
  std::mutex mu_;
  std::condition_variable wake_;  // Signals the worker: an event or a stop.
  std::condition_variable idle_;  // Signals WaitIdleForTest.
  std::deque<RoomEvent> queue_;   // Guarded by mu_, as are the next five.
  bool started_ = false;
  bool in_flight_ = false;       // The worker is sending.
  bool caller_sending_ = false;  // A Publish() caller is sending its own event.
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  // Room -> newest seq whose event may not have reached the sink, bounded by kMaxOwedHeads.
  absl::flat_hash_map<std::string, int64_t> owed_heads_;
  std::chrono::steady_clock::time_point next_announce_ = {};
  std::thread worker_;

  std::mutex log_mu_;  // Guards the throttling state below.
  std::chrono::steady_clock::time_point next_log_ = {};
  int suppressed_logs_ = 0;
};

}  // namespace chatter::chat
