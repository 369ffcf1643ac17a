// RoomSequencer: per-room cursors, a reorder buffer, history reads on one timer thread.
#include "gateway/ws/room_sequencer.h"

#include <algorithm>

#include "libs/log/log.h"

namespace chatter::gateway {

using realtime::v1::RoomEvent;

namespace {

// The seq of a message event's message, or nullopt for other events.
std::optional<int64_t> MessageSeq(const RoomEvent& event) {
  switch (event.payload_case()) {
    case RoomEvent::kMessageCreated:
      return event.message_created().seq();
    case RoomEvent::kMessageUpdated:
      return event.message_updated().seq();
    case RoomEvent::kMessageDeleted:
      return event.message_deleted().seq();
    default:
      return std::nullopt;
  }
}

}  // namespace

RoomSequencer::RoomSequencer(EventFanout& fanout, RoomIndex& index, ChatBackend& history,
                             metrics::Registry& registry, RoomSequencerOptions options)
    : fanout_(fanout),
      index_(index),
      history_(history),
      options_(std::move(options)),
      reordered_(registry.GetCounter(
          "ws_sequencer_reordered_total",
          "Message events that arrived past a gap and were held until it closed.")),
      duplicates_(registry.GetCounter("ws_sequencer_duplicates_total",
                                      "Message events dropped because their seq was delivered.")),
      reads_(registry.GetCounter("ws_sequencer_history_reads_total",
                                 "History reads (chat-svc ListMessagesSince) to fill gaps.")),
      read_failures_(
          registry.GetCounter("ws_sequencer_history_read_failures_total",
                              "History reads that failed (retried until the deadline).")),
      filled_(registry.GetCounter("ws_sequencer_filled_messages_total",
                                  "Messages delivered from history because their event was lost.")),
      resyncs_(registry.GetCounter(
          "ws_sequencer_resyncs_total",
          "Rooms whose gap could not be filled in time: their sessions got resync_required.")) {
  registry.AddCallbackGauge("ws_sequencer_rooms", "Rooms this gateway keeps a seq cursor for.", {},
                            [this] { return static_cast<double>(room_count()); });
}

RoomSequencer::~RoomSequencer() { Stop(); }

void RoomSequencer::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void RoomSequencer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RoomSequencer::OnPresence(const realtime::v1::PresenceEvent& event) {
  fanout_.OnPresence(event);
}

void RoomSequencer::OnUserEvent(const realtime::v1::UserEvent& event) {
  fanout_.OnUserEvent(event);
}

void RoomSequencer::OnRoomEvent(const RoomEvent& event) {
  if (event.has_head()) {
    std::lock_guard lock(mu_);
    auto found = rooms_.find(event.room_id());
    if (found == rooms_.end()) return;  // Not followed here: nothing to fill.
    Clock::time_point now = Clock::now();
    found->second.known = std::max(found->second.known, event.head().last_seq());
    ReleaseLocked(found->second, now);
    return;
  }
  std::optional<int64_t> seq = MessageSeq(event);
  if (!seq) {
    fanout_.OnRoomEvent(event);  // Typing, receipts, membership: no seq to keep.
    return;
  }
  std::lock_guard lock(mu_);
  Clock::time_point now = Clock::now();
  auto found = rooms_.find(event.room_id());
  if (found == rooms_.end()) {
    if (!event.has_message_created()) {
      fanout_.OnRoomEvent(event);
      return;
    }
    // Not watched (no access check seen): this event starts the room's cursor.
    Room& room = rooms_[event.room_id()];
    room.delivered = room.known = *seq - 1;
    found = rooms_.find(event.room_id());
  }
  Room& room = found->second;
  room.touched = now;
  if (*seq <= room.delivered) {
    if (event.has_message_created()) {
      duplicates_.Inc();
    } else {
      fanout_.OnRoomEvent(event);  // An edit of a message the sessions have.
    }
    return;
  }
  if (event.has_message_created() && *seq == room.delivered + 1 && room.held.empty()) {
    // The common case: in order, nothing waiting.
    DeliverCreatedLocked(room, event);
    room.known = std::max(room.known, *seq);
    ReleaseLocked(room, now);
    return;
  }
  Held& held = room.held[*seq];
  if (event.has_message_created()) {
    if (held.created) {
      duplicates_.Inc();
      return;
    }
    held.created = event;
    reordered_.Inc();
  } else {
    held.after.push_back(event);
  }
  ++room.held_events;
  room.known = std::max(room.known, *seq);
  if (room.held_events > options_.max_held_events) {
    ResyncLocked(event.room_id(), room, "too many events held behind a gap");
    return;
  }
  ReleaseLocked(room, now);
}

void RoomSequencer::OnEventsMayBeLost() {
  std::lock_guard lock(mu_);
  Clock::time_point now = Clock::now();
  for (auto& [room_id, room] : rooms_) {
    ++room.verify_requested;
    if (!room.gap_since) {
      room.gap_since = now;
      room.read_at = now;
    }
  }
  wake_.notify_all();
}

void RoomSequencer::Watch(const std::string& room_id, int64_t last_seq) {
  std::lock_guard lock(mu_);
  Clock::time_point now = Clock::now();
  auto [found, inserted] = rooms_.try_emplace(room_id);
  Room& room = found->second;
  room.touched = now;
  if (inserted) {
    // Nothing older is owed to anyone: a session catches up with since_seq, not through us.
    room.delivered = room.known = last_seq;
    return;
  }
  // Events committed before the check may still be on their way, or lost: wait, then read.
  room.known = std::max(room.known, last_seq);
  ReleaseLocked(room, now);
}

bool RoomSequencer::Follows(const std::string& room_id) const {
  std::lock_guard lock(mu_);
  return rooms_.contains(room_id);
}

size_t RoomSequencer::room_count() const {
  std::lock_guard lock(mu_);
  return rooms_.size();
}

int64_t RoomSequencer::delivered_seq(const std::string& room_id) const {
  std::lock_guard lock(mu_);
  auto found = rooms_.find(room_id);
  return found == rooms_.end() ? 0 : found->second.delivered;
}

void RoomSequencer::DeliverCreatedLocked(Room& room, const RoomEvent& event) {
  fanout_.OnRoomEvent(event);
  room.delivered = event.message_created().seq();
}

void RoomSequencer::ReleaseLocked(Room& room, Clock::time_point now) {
  while (!room.held.empty()) {
    auto next = room.held.begin();
    Held& held = next->second;
    if (next->first == room.delivered + 1 && held.created) {
      DeliverCreatedLocked(room, *held.created);
    } else if (next->first > room.delivered) {
      break;  // The gap is still open.
    }
    // Delivered now or before: what concerns the same message follows it.
    for (const RoomEvent& after : held.after) fanout_.OnRoomEvent(after);
    room.held_events -= held.after.size() + (held.created ? 1 : 0);
    room.held.erase(next);
  }
  bool open = room.delivered < room.known || room.verify_done < room.verify_requested;
  if (!open) {
    room.gap_since.reset();
    return;
  }
  if (!room.gap_since) {
    room.gap_since = now;
    room.read_at = now + absl::ToChronoNanoseconds(options_.reorder_wait);
    wake_.notify_all();
  }
}

void RoomSequencer::ResyncLocked(const std::string& room_id, Room& room, const char* reason) {
  for (const auto& [seq, held] : room.held) {
    room.known = std::max(room.known, seq);
  }
  log::Warn("room events could not be filled in time; sessions told resync_required",
            {{"room_id", room_id},
             {"reason", reason},
             {"delivered_seq", room.delivered},
             {"last_seq", room.known}});
  resyncs_.Inc();
  room.held.clear();
  room.held_events = 0;
  room.delivered = room.known;
  room.verify_done = room.verify_requested;
  room.gap_since.reset();
  room.reading = false;  // An answer still on its way is for the old epoch.
  ++room.epoch;
  fanout_.OnResync(room_id, room.known);
}

void RoomSequencer::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    Clock::time_point now = Clock::now();
    Clock::time_point next_wake = now + std::chrono::seconds(1);
    std::vector<Read> reads = DueLocked(now, next_wake);
    if (!reads.empty()) {
      reads_in_flight_ += static_cast<int>(reads.size());
      lock.unlock();
      // Outside the lock: a call that cannot start answers inline.
      for (const Read& read : reads) StartRead(read);
      lock.lock();
      continue;
    }
    wake_.wait_until(lock, next_wake);
  }
  // Their answers touch this object: wait for them (each call has a deadline).
  reads_done_.wait(lock, [this] { return reads_in_flight_ == 0; });
}

std::vector<RoomSequencer::Read> RoomSequencer::DueLocked(Clock::time_point now,
                                                          Clock::time_point& next_wake) {
  std::vector<Read> reads;
  std::vector<std::string> forget;
  const auto deadline_after = absl::ToChronoNanoseconds(options_.fill_deadline);
  const auto idle_ttl = absl::ToChronoNanoseconds(options_.idle_room_ttl);
  for (auto& [room_id, room] : rooms_) {
    if (!room.gap_since) {
      if (now - room.touched >= idle_ttl && room.held.empty()) {
        if (index_.InRoom(room_id).empty()) {
          forget.push_back(room_id);
        } else {
          room.touched = now;
        }
      }
      continue;
    }
    Clock::time_point deadline = *room.gap_since + deadline_after;
    if (now >= deadline) {
      ResyncLocked(room_id, room, "history could not be read in time");
      continue;
    }
    if (!room.reading && now >= room.read_at) {
      if (reads_in_flight_ + static_cast<int>(reads.size()) >= options_.max_reads_in_flight) {
        // Due, but the reads in flight come first; an answer wakes the loop again.
        next_wake = std::min(next_wake, deadline);
        continue;
      }
      std::vector<RoomIndex::SubscriberPtr> sessions = index_.InRoom(room_id);
      if (sessions.empty()) {
        forget.push_back(room_id);  // Nobody here to deliver to.
        continue;
      }
      room.reading = true;
      reads_.Inc();
      reads.push_back({.room_id = room_id,
                       .user_id = sessions.front()->user_id(),
                       .since_seq = room.delivered,
                       .epoch = room.epoch,
                       .verify = room.verify_requested});
    }
    next_wake = std::min(next_wake, room.reading ? deadline : std::min(deadline, room.read_at));
  }
  for (const std::string& room_id : forget) rooms_.erase(room_id);
  return reads;
}

void RoomSequencer::StartRead(const Read& read) {
  chat::v1::ListMessagesSinceRequest request;
  request.set_user_id(read.user_id);
  request.set_room_id(read.room_id);
  request.set_since_seq(read.since_seq);
  request.set_limit(options_.fill_limit);
  history_.ListMessagesSince(
      options_.request_id, request,
      [this, read](absl::StatusOr<chat::v1::ListMessagesSinceResponse> answer) {
        OnRead(read, std::move(answer));
      });
}

void RoomSequencer::OnRead(const Read& read,
                           absl::StatusOr<chat::v1::ListMessagesSinceResponse> answer) {
  std::lock_guard lock(mu_);
  --reads_in_flight_;
  reads_done_.notify_all();
  wake_.notify_all();  // Rooms waiting for a free read slot may go now.
  auto found = rooms_.find(read.room_id);
  if (found == rooms_.end()) return;
  Room& room = found->second;
  if (room.epoch != read.epoch) return;  // Resynced meanwhile; `reading` was reset with it.
  room.reading = false;
  Clock::time_point now = Clock::now();
  if (!answer.ok()) {
    read_failures_.Inc();
    room.read_at = now + absl::ToChronoNanoseconds(options_.retry_interval);
    wake_.notify_all();
    return;
  }
  for (const common::v1::Message& message : answer->messages()) {
    if (message.seq() <= room.delivered) continue;
    Held& held = room.held[message.seq()];
    if (held.created) continue;  // The live event arrived meanwhile; it goes as it came.
    RoomEvent& event = held.created.emplace();
    event.set_room_id(read.room_id);
    *event.mutable_message_created() = message;
    ++room.held_events;
    filled_.Inc();
  }
  room.known = std::max(room.known, answer->last_seq());
  room.verify_done = std::max(room.verify_done, read.verify);
  ReleaseLocked(room, now);
  if (room.gap_since) {
    // Still open (more than one read's worth, or newer events lost meanwhile): read again, soon,
    // under the deadline of the gap as it was first seen.
    room.read_at =
        answer->truncated() ? now : now + absl::ToChronoNanoseconds(options_.retry_interval);
    wake_.notify_all();
  }
}

}  // namespace chatter::gateway
