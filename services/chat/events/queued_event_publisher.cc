// Bounded queue + one worker thread between committed changes and realtime-svc.
#include "services/chat/events/queued_event_publisher.h"

#include "libs/log/log.h"

namespace chatter::chat {
namespace {

// One warning per this interval at most: a realtime-svc outage must not flood the logs.
constexpr std::chrono::seconds kLogInterval(10);

}  // namespace

QueuedEventPublisher::QueuedEventPublisher(EventSink& sink, metrics::Registry& metrics,
                                           size_t capacity)
    : sink_(sink),
      capacity_(capacity),
      published_(
          metrics.GetCounter("chat_events_published_total", "Room events handed to realtime-svc.")),
      failures_(metrics.GetCounter("chat_events_publish_failures_total",
                                   "Room events realtime-svc did not accept (not retried).")),
      dropped_(metrics.GetCounter("chat_events_dropped_total",
                                  "Room events dropped unsent: queue full or shutting down.")),
      depth_(metrics.GetGauge("chat_events_queue_depth", "Room events waiting to be sent.")) {}

QueuedEventPublisher::~QueuedEventPublisher() { Stop(absl::ZeroDuration()); }

void QueuedEventPublisher::Start() {
  std::lock_guard lock(mu_);
  if (worker_.joinable() || stopping_) return;
  worker_ = std::thread([this] { Run(); });
}

void QueuedEventPublisher::Stop(absl::Duration grace) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(grace);
    }
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mu_);
  // Never started, or stopped before the queue emptied.
  if (!queue_.empty()) {
    dropped_.Inc(static_cast<double>(queue_.size()));
    queue_.clear();
    depth_.Set(0);
  }
  idle_.notify_all();
}

void QueuedEventPublisher::Publish(RoomEvent event) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < capacity_) {
      queue_.push_back({.event = std::move(event), .request_id = log::CurrentRequestId()});
      depth_.Set(static_cast<double>(queue_.size()));
      wake_.notify_one();
      return;
    }
  }
  dropped_.Inc();
  WarnThrottled("room event dropped: queue full or stopping", absl::OkStatus());
}

bool QueuedEventPublisher::Next(Queued& next) {
  std::unique_lock lock(mu_);
  in_flight_ = false;
  if (queue_.empty()) idle_.notify_all();
  wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return false;
  if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) return false;
  next = std::move(queue_.front());
  queue_.pop_front();
  depth_.Set(static_cast<double>(queue_.size()));
  in_flight_ = true;
  return true;
}

void QueuedEventPublisher::Run() {
  Queued next;
  while (Next(next)) {
    log::ScopedRequestId scope(next.request_id);
    absl::Status sent = sink_.Send(next.event);
    if (sent.ok()) {
      published_.Inc();
    } else {
      failures_.Inc();
      WarnThrottled("room event not published", sent);
    }
  }
  std::lock_guard lock(mu_);
  in_flight_ = false;
  idle_.notify_all();
}

bool QueuedEventPublisher::WaitIdleForTest(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return queue_.empty() && !in_flight_; });
}

void QueuedEventPublisher::WarnThrottled(const char* message, const absl::Status& status) {
  auto now = std::chrono::steady_clock::now();
  int suppressed = 0;
  {
    std::lock_guard lock(log_mu_);
    if (now < next_log_) {
      ++suppressed_logs_;
      return;
    }
    next_log_ = now + kLogInterval;
    suppressed = suppressed_logs_;
    suppressed_logs_ = 0;
  }
  log::Fields fields = {{"suppressed_since_last_warning", suppressed}};
  if (!status.ok()) fields["error"] = status.ToString();
  log::Warn(message, fields);
}

}  // namespace chatter::chat
