// Delivered markers, coalesced. A client may report every message it receives (`mark_delivered`);
// writing each report would cost a database write per delivery. Reports are kept here instead,
// the highest seq per (room, member), and written by Flush in one statement for all of them, at
// most once per flush interval (1 s in chat-svc): so at most one write per member per room per
// second and replica, and a `delivery_receipt` event only for markers that moved. Reads of this
// replica see pending markers at once (ListReceipts merges them); other replicas see them after
// the next flush. A crash loses at most one interval of markers, which clients report again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libs/ids/clock.h"
#include "libs/ids/uuid_generator.h"
#include "services/chat/domain/event_publisher.h"
#include "services/chat/domain/repositories.h"

namespace chatter::chat {

class DeliveryMarkers {
 public:
  // Everything must outlive this.
  DeliveryMarkers(ConversationRepository& store, EventPublisher& events, ids::UuidGenerator& uuids,
                  ids::Clock& clock);

  // Records `seq` when a pending report of the same member in the same room was checked against
  // a room head at or above `seq` (membership and range known good); false means the caller
  // checks first and then calls Record.
  bool RecordIfChecked(const std::string& room_id, const std::string& user_id, int64_t seq);
  // Records `seq`, checked by the caller: the user is a member and `room_head` is the room's
  // last_seq as read then (>= seq).
  void Record(const std::string& room_id, const std::string& user_id, int64_t seq,
              int64_t room_head);
  // Pending (not yet written) markers of a room, by user.
  absl::flat_hash_map<std::string, int64_t> PendingInRoom(const std::string& room_id);
  // Writes every pending marker in one statement and publishes `delivery_receipt` for those that
  // moved. On failure the markers stay pending (a newer report wins) for the next flush.
  void Flush();

 private:
  struct Pending {
    int64_t seq = 0;
    int64_t checked_head = 0;  // Reports up to this seq need no new check.
  };
  using Key = std::pair<std::string, std::string>;  // (room, user)

  ConversationRepository& store_;
  EventPublisher& events_;
  ids::UuidGenerator& uuids_;
  ids::Clock& clock_;
  absl::Mutex flush_mu_;  // One flush at a time; never held with mu_ across the write.
  absl::Mutex mu_;
  absl::flat_hash_map<Key, Pending> pending_ ABSL_GUARDED_BY(mu_);
};

// Calls DeliveryMarkers::Flush every `interval` on a thread of its own, and once more when
// destroyed, so markers reported before a clean shutdown are written.
class DeliveryFlusher {
 public:
  DeliveryFlusher(DeliveryMarkers& markers, absl::Duration interval);
  ~DeliveryFlusher();
  DeliveryFlusher(const DeliveryFlusher&) = delete;
  DeliveryFlusher& operator=(const DeliveryFlusher&) = delete;

 private:
  DeliveryMarkers& markers_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace chatter::chat
