// Bounded queue + one worker thread between committed changes and realtime-svc.
#include "services/chat/events/queued_event_publisher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
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
// Events per batch at most (realtime-svc takes up to 1,000).
constexpr size_t kMaxBatch = 500;

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
      published_(metrics.GetCounter(
          "chat_events_published_total",
          "Room events handed to the bus (Redis, or realtime-svc's PublishStream).")),
      failures_(
          metrics.GetCounter("chat_events_publish_failures_total",
                             "Room events the bus did not take (their rooms' heads follow).")),
      dropped_(metrics.GetCounter("chat_events_dropped_total",
                                  "Room events dropped unsent: queue full or shutting down.")),
      heads_(metrics.GetCounter(
          "chat_events_room_heads_total",
          "Room heads published after message events of the room failed or were dropped.")),
      batches_(metrics.GetCounter("chat_events_batches_total",
                                  "Batches of room events sent to the bus (events per batch "
                                  "= published / batches).")),
      depth_(metrics.GetGauge("chat_events_queue_depth", "Room events waiting to be sent.")) {}

QueuedEventPublisher::~QueuedEventPublisher() { Stop(absl::ZeroDuration()); }

void QueuedEventPublisher::Start() {
  std::lock_guard lock(mu_);
  if (worker_.joinable() || stopping_) return;
  started_ = true;
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
    std::unique_lock lock(mu_);
    if (!stopping_ && queue_.size() < capacity_) {
      if (event.request_id.empty()) event.request_id = log::CurrentRequestId();
      if (started_ && !in_flight_ && !caller_sending_ && queue_.empty() && owed_heads_.empty()) {
        // Nobody is sending and nothing waits: this caller sends its own event. Waking the
        // worker instead costs two thread switches per event, a quarter of chat-svc's at
        // moderate rates, and switches are what its CPU goes to on small VMs (issue 11). Events
        // published meanwhile queue up behind this one, so the order stays that of Publish().
        caller_sending_ = true;
        lock.unlock();
        Count(SendBatch({&event, 1}), 1);
        lock.lock();
        caller_sending_ = false;
        if (!queue_.empty() || !owed_heads_.empty()) wake_.notify_one();
        NotifyIfIdleLocked();
        return;
      }
      queue_.push_back(std::move(event));
      depth_.Set(static_cast<double>(queue_.size()));
      // Whoever is sending looks at the queue when done; waking the worker meanwhile would only
      // send it back to sleep.
      if (!in_flight_ && !caller_sending_) wake_.notify_one();
      return;
    }
    OweHeadLocked(event);
  }
  dropped_.Inc();
  WarnThrottled("room event dropped: queue full or stopping", absl::OkStatus());
}

void QueuedEventPublisher::Count(std::optional<size_t> delivered, size_t sent) {
  if (delivered) batches_.Inc();
  published_.Inc(static_cast<double>(delivered.value_or(0)));
  failures_.Inc(static_cast<double>(sent - delivered.value_or(0)));
}

void QueuedEventPublisher::NotifyIfIdleLocked() {
  if (queue_.empty() && !in_flight_ && !caller_sending_ && owed_heads_.empty()) {
    idle_.notify_all();
  }
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

QueuedEventPublisher::Wait QueuedEventPublisher::Next(std::vector<RoomEvent>& next) {
  std::unique_lock lock(mu_);
  in_flight_ = false;
  while (true) {
    NotifyIfIdleLocked();
    // A caller sending its own event (Publish) goes first: one send at a time keeps the order.
    const bool may_send = !caller_sending_;
    if (may_send && !queue_.empty()) break;
    if (stopping_ && queue_.empty()) return Wait::kStop;
    if (owed_heads_.empty() || !may_send) {
      wake_.wait(lock);
    } else if (std::chrono::steady_clock::now() >= next_announce_) {
      in_flight_ = true;
      return Wait::kAnnounce;
    } else {
      wake_.wait_until(lock, next_announce_);
    }
  }
  if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) return Wait::kStop;
  next.clear();
  while (!queue_.empty() && next.size() < kMaxBatch) {
    next.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  depth_.Set(static_cast<double>(queue_.size()));
  in_flight_ = true;
  return Wait::kEvents;
}

void QueuedEventPublisher::Run() {
  std::vector<RoomEvent> next;
  while (true) {
    Wait wait = Next(next);
    if (wait == Wait::kStop) break;
    if (wait == Wait::kAnnounce) {
      AnnounceHeads();
      continue;
    }
    Count(SendBatch(next), next.size());
  }
  std::lock_guard lock(mu_);
  in_flight_ = false;
  NotifyIfIdleLocked();
}

std::optional<size_t> QueuedEventPublisher::SendBatch(absl::Span<const RoomEvent> events) {
  absl::StatusOr<std::vector<size_t>> rejected = sink_.SendBatch(events);
  if (!rejected.ok()) {
    WarnThrottled("room events not published", rejected.status());
    std::lock_guard lock(mu_);
    for (const RoomEvent& event : events) OweHeadLocked(event);
    return std::nullopt;
  }
  if (rejected->empty()) return events.size();
  WarnThrottled("room events refused by realtime-svc",
                absl::InvalidArgumentError(absl::StrCat(rejected->size(), " invalid")));
  std::lock_guard lock(mu_);
  for (size_t index : *rejected) OweHeadLocked(events[index]);
  return events.size() - rejected->size();
}

void QueuedEventPublisher::AnnounceHeads() {
  absl::flat_hash_map<std::string, int64_t> owed;
  {
    std::lock_guard lock(mu_);
    owed.swap(owed_heads_);
    next_announce_ = std::chrono::steady_clock::now() + kAnnounceInterval;
  }
  std::vector<RoomEvent> heads;
  heads.reserve(std::min(owed.size(), kMaxBatch));
  bool sink_down = false;
  auto send = [&] {
    // A failed batch owes its heads again (SendBatch), for the next round; after the first
    // failure the sink is down, so the rest wait for that round unsent.
    if (!sink_down) {
      std::optional<size_t> delivered = SendBatch(heads);
      heads_.Inc(static_cast<double>(delivered.value_or(0)));
      sink_down = !delivered.has_value();
    } else {
      std::lock_guard lock(mu_);
      for (const RoomEvent& head : heads) OweHeadLocked(head);
    }
    heads.clear();
  };
  for (const auto& [room_id, seq] : owed) {
    heads.push_back({.kind = RoomEvent::Kind::kRoomHead, .room_id = room_id, .seq = seq});
    if (heads.size() == kMaxBatch) send();
  }
  if (!heads.empty()) send();
}

bool QueuedEventPublisher::WaitIdleForTest(absl::Duration timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] {
    return queue_.empty() && !in_flight_ && !caller_sending_ && owed_heads_.empty();
  });
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
