// The EventPublisher of chat-svc: a bounded in-memory queue drained by one background thread
// into an EventSink. Publish() never blocks and never fails the RPC: a full queue drops the
// event, a failed send is not retried; both are counted (chat_events_dropped_total,
// chat_events_publish_failures_total) and logged at most every few seconds. Clients recover
// what they missed with since_seq, because every message was committed before it got here.
// Each event carries the request id current when it was published: the worker sends it (and
// logs about it) under that id, so the Publish call and any failure line join the request's trace.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
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

  // Test hook: true once the queue is empty and no send is in flight, false after `timeout`.
  bool WaitIdleForTest(absl::Duration timeout);

 private:
  struct Queued {
    RoomEvent event;
    std::string request_id;
  };

  void Run();
  // Takes the next event to send; false when the worker should end.
  bool Next(Queued& next);
  // Logs at most once per interval, saying how many similar lines were skipped meanwhile.
  void WarnThrottled(const char* message, const absl::Status& status);

  EventSink& sink_;
  const size_t capacity_;
  metrics::Counter& published_;
  metrics::Counter& failures_;
  metrics::Counter& dropped_;
  metrics::Gauge& depth_;

  // std::mutex rather than absl::Mutex: Debian's libabsl is not built for ThreadSanitizer.
  std::mutex mu_;
  std::condition_variable wake_;  // Signals the worker: an event or a stop.
  std::condition_variable idle_;  // Signals WaitIdleForTest.
  std::deque<Queued> queue_;      // Guarded by mu_, as are the next three.
  bool in_flight_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  std::thread worker_;

  std::mutex log_mu_;  // Guards the throttling state below.
  std::chrono::steady_clock::time_point next_log_ = {};
  int suppressed_logs_ = 0;
};

}  // namespace chatter::chat
