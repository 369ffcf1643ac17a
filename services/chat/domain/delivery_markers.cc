// Delivered markers, coalesced per (room, member) and written once per flush.
#include "services/chat/domain/delivery_markers.h"

#include <algorithm>
#include <utility>

#include "libs/log/log.h"

namespace chatter::chat {

DeliveryMarkers::DeliveryMarkers(ConversationRepository& store, EventPublisher& events,
                                 ids::UuidGenerator& uuids, ids::Clock& clock)
    : store_(store), events_(events), uuids_(uuids), clock_(clock) {}

bool DeliveryMarkers::RecordIfChecked(const std::string& room_id, const std::string& user_id,
                                      int64_t seq) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(Key(room_id, user_id));
  if (it == pending_.end() || seq > it->second.checked_head) return false;
  it->second.seq = std::max(it->second.seq, seq);
  return true;
}

void DeliveryMarkers::Record(const std::string& room_id, const std::string& user_id, int64_t seq,
                             int64_t room_head) {
  absl::MutexLock lock(&mu_);
  Pending& entry = pending_[Key(room_id, user_id)];
  entry.seq = std::max(entry.seq, seq);
  entry.checked_head = std::max(entry.checked_head, room_head);
}

absl::flat_hash_map<std::string, int64_t> DeliveryMarkers::PendingInRoom(
    const std::string& room_id) {
  absl::flat_hash_map<std::string, int64_t> markers;
  absl::MutexLock lock(&mu_);
  for (const auto& [key, entry] : pending_) {
    if (key.first == room_id) markers[key.second] = entry.seq;
  }
  return markers;
}

void DeliveryMarkers::Flush() {
  absl::MutexLock flushing(&flush_mu_);
  absl::flat_hash_map<Key, Pending> taken;
  {
    absl::MutexLock lock(&mu_);
    taken.swap(pending_);
  }
  if (taken.empty()) return;
  std::vector<DeliveredMarker> markers;
  markers.reserve(taken.size());
  for (const auto& [key, entry] : taken) {
    markers.push_back(
        DeliveredMarker{.room_id = key.first, .user_id = key.second, .seq = entry.seq});
  }
  // The same order in every replica, so concurrent flushes lock member rows alike.
  std::sort(markers.begin(), markers.end(), [](const DeliveredMarker& a, const DeliveredMarker& b) {
    return std::tie(a.room_id, a.user_id) < std::tie(b.room_id, b.user_id);
  });
  absl::StatusOr<std::vector<DeliveredMarker>> moved = store_.MarkDelivered(markers);
  if (!moved.ok()) {
    log::Warn("delivered markers not written; retrying with the next flush",
              {{"error", std::string(moved.status().message())},
               {"markers", std::to_string(markers.size())}});
    absl::MutexLock lock(&mu_);
    for (auto& [key, entry] : taken) {
      Pending& current = pending_[key];
      current.seq = std::max(current.seq, entry.seq);
      current.checked_head = std::max(current.checked_head, entry.checked_head);
    }
    return;
  }
  for (const DeliveredMarker& marker : *moved) {
    RoomEvent event;
    event.kind = RoomEvent::Kind::kDeliveryReceipt;
    event.event_id = uuids_.NewV7();
    event.room_id = marker.room_id;
    event.occurred_at = absl::FromUnixMillis(clock_.UnixMillis());
    event.user_id = marker.user_id;
    event.seq = marker.seq;
    events_.Publish(std::move(event));
  }
}

DeliveryFlusher::DeliveryFlusher(DeliveryMarkers& markers, absl::Duration interval)
    : markers_(markers), thread_([this, interval] {
        while (!stop_.WaitForNotificationWithTimeout(interval)) markers_.Flush();
        markers_.Flush();
      }) {}

DeliveryFlusher::~DeliveryFlusher() {
  stop_.Notify();
  thread_.join();
}

}  // namespace chatter::chat
