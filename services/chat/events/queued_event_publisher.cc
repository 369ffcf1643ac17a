// Bounded queue + one worker thread between committed changes and realtime-svc.
#include "services/chat/events/queued_event_publisher.h"

#include "libs/log/log.h"

namespace chatter::chat {
namespace {

// One warning per this interval at most: a realtime-svc outage must not flood the logs.
constexpr std::chrono::seconds kLogInterval(10);
// Owed heads are retried this often while the sink fails.
constexpr std::chrono::milliseconds kAnnounceInterval(250);
// Rooms remembered with an owed head; beyond, new ones are only counted (gateways still find
// those gaps at the room's next message or their next stream).
constexpr size_t kMaxOwedHeads = 100000;

bool IsMessageEvent(const RoomEvent& event) {
  return event.kind == RoomEvent::Kind::kMessageCreated ||
         event.kind == RoomEvent::Kind::kMessageUpdated ||
         event.kind == RoomEvent::Kind::kMessageDeleted;
}

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
      heads_(metrics.GetCounter(
          "chat_events_room_heads_total",
          "Room heads published after message events of the room failed or were dropped.")),
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
  if (!owed_heads_.empty()) {
    log::Warn("stopping with room heads unannounced; gateways find those gaps later",
              {{"rooms", owed_heads_.size()}});
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
    OweHeadLocked(event);
  }
  dropped_.Inc();
  WarnThrottled("room event dropped: queue full or stopping", absl::OkStatus());
}

void QueuedEventPublisher::OweHeadLocked(const RoomEvent& event) {
  int64_t seq = 0;
  if (IsMessageEvent(event)) {
    seq = event.message.seq;
  } else if (event.kind == RoomEvent::Kind::kRoomHead) {
    seq = event.seq;
  } else {
    return;  // Only message events have a seq to recover.
  }
  auto owed = owed_heads_.find(event.room_id);
  if (owed != owed_heads_.end()) {
    owed->second = std::max(owed->second, seq);
  } else if (owed_heads_.size() < kMaxOwedHeads) {
    owed_heads_.emplace(event.room_id, seq);
  }
}

QueuedEventPublisher::Wait QueuedEventPublisher::Next(Queued& next) {
  std::unique_lock lock(mu_);
  in_flight_ = false;
  if (queue_.empty() && owed_heads_.empty()) idle_.notify_all();
  auto ready = [&] { return stopping_ || !queue_.empty(); };
  if (owed_heads_.empty()) {
    wake_.wait(lock, ready);
  } else if (!wake_.wait_until(lock, next_announce_, ready)) {
    in_flight_ = true;
    return Wait::kAnnounce;
  }
  if (queue_.empty()) return Wait::kStop;
  if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) return Wait::kStop;
  next = std::move(queue_.front());
  queue_.pop_front();
  depth_.Set(static_cast<double>(queue_.size()));
  in_flight_ = true;
  return Wait::kEvent;
}

void QueuedEventPublisher::Run() {
  Queued next;
  while (true) {
    Wait wait = Next(next);
    if (wait == Wait::kStop) break;
    if (wait == Wait::kAnnounce) {
      AnnounceHeads();
      continue;
    }
    log::ScopedRequestId scope(next.request_id);
    absl::Status sent = sink_.Send(next.event);
    if (sent.ok()) {
      published_.Inc();
    } else {
      failures_.Inc();
      WarnThrottled("room event not published", sent);
      std::lock_guard lock(mu_);
      OweHeadLocked(next.event);
    }
  }
  std::lock_guard lock(mu_);
  in_flight_ = false;
  idle_.notify_all();
}

void QueuedEventPublisher::AnnounceHeads() {
  absl::flat_hash_map<std::string, int64_t> owed;
  {
    std::lock_guard lock(mu_);
    owed.swap(owed_heads_);
    next_announce_ = std::chrono::steady_clock::now() + kAnnounceInterval;
  }
  absl::flat_hash_map<std::string, int64_t> failed;
  for (const auto& [room_id, seq] : owed) {
    RoomEvent head{.kind = RoomEvent::Kind::kRoomHead, .room_id = room_id, .seq = seq};
    // After the first failure the sink is down: keep the rest for the next round.
    if (!failed.empty() || !sink_.Send(head).ok()) {
      failed.emplace(room_id, seq);
      continue;
    }
    heads_.Inc();
  }
  if (failed.empty()) return;
  std::lock_guard lock(mu_);
  for (const auto& [room_id, seq] : failed) {
    auto [entry, inserted] = owed_heads_.try_emplace(room_id, seq);
    if (!inserted) entry->second = std::max(entry->second, seq);
  }
}

bool QueuedEventPublisher::WaitIdleForTest(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return queue_.empty() && !in_flight_ && owed_heads_.empty(); });
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
