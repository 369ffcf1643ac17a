// Puts each room's message events into seq order before the fan-out and makes live delivery
// lossless: realtime-svc is best effort (a restart, a Redis restart or a chat-svc crash between
// commit and publish loses frames, and concurrent commits reach it out of order), so the gateway
// keeps, per room it follows, the newest seq it handed to its sessions and the newest it knows
// of. An event past a gap waits a short while for the late ones, then the gap is filled from
// chat-svc's history (ListMessagesSince); a gap still open after `fill_deadline` becomes
// `resync_required` for the room's sessions, never silence.
//
// Order: receive_message events leave strictly in seq order without gaps. message_updated and
// message_deleted of seq s leave after s's receive_message (they wait for it when it is held).
// Other events (typing, receipts, membership) pass straight through.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "gateway/ws/chat_backend.h"
#include "gateway/ws/event_fanout.h"
#include "gateway/ws/realtime_event_sink.h"
#include "gateway/ws/room_index.h"
#include "libs/metrics/registry.h"

namespace chatter::gateway {

struct RoomSequencerOptions {
  // A gap waits this long for its late events before history is asked: concurrent commits reach
  // the gateway out of order by microseconds to milliseconds.
  absl::Duration reorder_wait = absl::Milliseconds(100);
  // A gap not filled this long after it was seen becomes resync_required.
  absl::Duration fill_deadline = absl::Seconds(2);
  // Pause after a failed history read.
  absl::Duration retry_interval = absl::Milliseconds(100);
  // Messages per history read (chat-svc allows 1-1000); larger gaps take several reads.
  int fill_limit = 500;
  // History reads in flight at once. After a realtime-svc restart every followed room is read
  // back; unbounded, that burst would take every chat-svc thread (and refuse user sends).
  int max_reads_in_flight = 16;
  // Events held behind one room's gap; one more and the room resyncs at once.
  size_t max_held_events = 5000;
  // A room no local session follows is forgotten after this long.
  absl::Duration idle_room_ttl = absl::Seconds(30);
  // x-request-id of the history reads, so chat-svc's log names the gateway.
  std::string request_id = "room-sequencer";
};

class RoomSequencer final : public RealtimeEventSink {
 public:
  using Clock = std::chrono::steady_clock;

  // All must outlive the sequencer. `history` is read with the gateway's service token on
  // behalf of one of the room's local subscribers.
  RoomSequencer(EventFanout& fanout, RoomIndex& index, ChatBackend& history,
                metrics::Registry& registry, RoomSequencerOptions options);
  ~RoomSequencer() override;  // Stop()s.
  RoomSequencer(const RoomSequencer&) = delete;
  RoomSequencer& operator=(const RoomSequencer&) = delete;

  // Starts the timer thread (waits, history reads, deadlines). Idempotent.
  void Start();
  // Joins it; events still arrive and pass in order, but gaps are no longer filled.
  void Stop();

  void OnRoomEvent(const realtime::v1::RoomEvent& event) override;
  void OnPresence(const realtime::v1::PresenceEvent& event) override;
  // Not about rooms: straight to the fan-out.
  void OnUserEvent(const realtime::v1::UserEvent& event) override;
  // Every followed room is read back from chat-svc at once.
  void OnEventsMayBeLost() override;

  // A local session starts following the room, whose newest seq chat-svc reported as
  // `last_seq` (the access check). Call before the session enters the room index.
  void Watch(const std::string& room_id, int64_t last_seq);
  // Whether the room has a cursor here: watched (possibly before its first session entered the
  // room index) and not yet forgotten.
  bool Follows(const std::string& room_id) const;

  // Test hooks.
  size_t room_count() const;
  // The newest seq handed to the fan-out for the room (0 when unknown).
  int64_t delivered_seq(const std::string& room_id) const;

 private:
  // What waits behind a gap at one seq: its receive_message (once it arrived) and the events
  // about the same message that must follow it.
  struct Held {
    std::optional<realtime::v1::RoomEvent> created;
    std::vector<realtime::v1::RoomEvent> after;
  };
  struct Room {
    int64_t delivered = 0;  // Newest seq whose receive_message went to the fan-out.
    int64_t known = 0;      // Newest seq known to exist (events, heads, access checks).
    std::map<int64_t, Held> held;
    size_t held_events = 0;
    // While delivered < known: when the gap was first seen, and when to read history next.
    std::optional<Clock::time_point> gap_since;
    Clock::time_point read_at = {};
    bool reading = false;  // A history read is in flight.
    // OnEventsMayBeLost asks for a read even without a visible gap: open until one that
    // started after the request has answered.
    uint64_t verify_requested = 0;
    uint64_t verify_done = 0;
    uint64_t epoch = 0;  // Bumped by resyncs: an older read's answer is ignored.
    Clock::time_point touched = {};
  };
  struct Read {
    std::string room_id;
    std::string user_id;
    int64_t since_seq = 0;
    uint64_t epoch = 0;
    uint64_t verify = 0;  // The room's verify_requested when the read started.
  };

  // Hands everything now in order to the fan-out; then (re)arms or clears the gap timer.
  void ReleaseLocked(Room& room, Clock::time_point now);
  void DeliverCreatedLocked(Room& room, const realtime::v1::RoomEvent& event);
  // The gap cannot be filled in time: resync_required up to `known`, held events dropped.
  void ResyncLocked(const std::string& room_id, Room& room, const char* reason);
  void Run();
  // Deadlines, due reads and idle rooms; returns the reads to start (outside the lock).
  std::vector<Read> DueLocked(Clock::time_point now, Clock::time_point& next_wake);
  void StartRead(const Read& read);
  void OnRead(const Read& read, absl::StatusOr<chat::v1::ListMessagesSinceResponse> answer);

  EventFanout& fanout_;
  RoomIndex& index_;
  ChatBackend& history_;
  const RoomSequencerOptions options_;
  metrics::Counter& reordered_;
  metrics::Counter& duplicates_;
  metrics::Counter& reads_;
  metrics::Counter& read_failures_;
  metrics::Counter& filled_;
  metrics::Counter& resyncs_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  absl::flat_hash_map<std::string, Room> rooms_;  // Guarded by mu_, as is everything below.
  bool stopping_ = false;
  int reads_in_flight_ = 0;
  std::condition_variable reads_done_;
  std::thread thread_;
};

}  // namespace chatter::gateway
