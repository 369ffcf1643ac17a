// RoomIndex: three maps under one reader/writer lock.
#include "gateway/ws/room_index.h"

#include <mutex>

namespace chatter::gateway {

void RoomIndex::AddSession(SubscriberPtr subscriber) {
  std::unique_lock lock(mu_);
  const std::string& id = subscriber->session_id();
  if (auto old = sessions_.find(id); old != sessions_.end()) {
    for (const std::string& room : old->second.rooms) RemoveFromRoomLocked(room, id);
    old->second.rooms.clear();
    auto user = users_.find(old->second.subscriber->user_id());
    if (user != users_.end()) {
      user->second.erase(id);
      if (user->second.empty()) users_.erase(user);
    }
  }
  users_[subscriber->user_id()].insert(id);
  sessions_[id].subscriber = std::move(subscriber);
}

void RoomIndex::RemoveSession(const std::string& session_id) {
  std::unique_lock lock(mu_);
  auto entry = sessions_.find(session_id);
  if (entry == sessions_.end()) return;
  for (const std::string& room : entry->second.rooms) RemoveFromRoomLocked(room, session_id);
  auto user = users_.find(entry->second.subscriber->user_id());
  if (user != users_.end()) {
    user->second.erase(session_id);
    if (user->second.empty()) users_.erase(user);
  }
  sessions_.erase(entry);
}

bool RoomIndex::Subscribe(const std::string& room_id, const std::string& session_id) {
  std::unique_lock lock(mu_);
  auto entry = sessions_.find(session_id);
  if (entry == sessions_.end()) return false;
  entry->second.rooms.insert(room_id);
  rooms_[room_id][session_id] = entry->second.subscriber;
  return true;
}

void RoomIndex::Unsubscribe(const std::string& room_id, const std::string& session_id) {
  std::unique_lock lock(mu_);
  auto entry = sessions_.find(session_id);
  if (entry == sessions_.end()) return;
  entry->second.rooms.erase(room_id);
  RemoveFromRoomLocked(room_id, session_id);
}

void RoomIndex::Clear() {
  std::unique_lock lock(mu_);
  sessions_.clear();
  rooms_.clear();
  users_.clear();
}

void RoomIndex::RemoveFromRoomLocked(const std::string& room_id, const std::string& session_id) {
  auto room = rooms_.find(room_id);
  if (room == rooms_.end()) return;
  room->second.erase(session_id);
  if (room->second.empty()) rooms_.erase(room);
}

std::vector<RoomIndex::SubscriberPtr> RoomIndex::InRoom(const std::string& room_id) const {
  std::shared_lock lock(mu_);
  std::vector<SubscriberPtr> out;
  auto room = rooms_.find(room_id);
  if (room == rooms_.end()) return out;
  out.reserve(room->second.size());
  for (const auto& [id, subscriber] : room->second) out.push_back(subscriber);
  return out;
}

std::vector<RoomIndex::SubscriberPtr> RoomIndex::OfUser(const std::string& user_id) const {
  std::shared_lock lock(mu_);
  std::vector<SubscriberPtr> out;
  auto user = users_.find(user_id);
  if (user == users_.end()) return out;
  for (const std::string& id : user->second) out.push_back(sessions_.at(id).subscriber);
  return out;
}

bool RoomIndex::HasRoom(const std::string& room_id) const {
  std::shared_lock lock(mu_);
  return rooms_.contains(room_id);
}

bool RoomIndex::HasUser(const std::string& user_id) const {
  std::shared_lock lock(mu_);
  return users_.contains(user_id);
}

std::vector<RoomIndex::SubscriberPtr> RoomIndex::All() const {
  std::shared_lock lock(mu_);
  std::vector<SubscriberPtr> out;
  out.reserve(sessions_.size());
  for (const auto& [id, entry] : sessions_) out.push_back(entry.subscriber);
  return out;
}

bool RoomIndex::IsSubscribed(const std::string& room_id, const std::string& session_id) const {
  std::shared_lock lock(mu_);
  auto room = rooms_.find(room_id);
  return room != rooms_.end() && room->second.contains(session_id);
}

size_t RoomIndex::session_count() const {
  std::shared_lock lock(mu_);
  return sessions_.size();
}

size_t RoomIndex::room_count() const {
  std::shared_lock lock(mu_);
  return rooms_.size();
}

}  // namespace chatter::gateway
