// This gateway's open WebSocket sessions by room and by user: the lookup behind every fan-out.
// Thread-safe and cheap for readers (a shared lock and one vector copy per event).
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gateway/ws/subscriber.h"

namespace chatter::gateway {

class RoomIndex {
 public:
  using SubscriberPtr = std::shared_ptr<Subscriber>;

  // A session becomes known (reachable by user); replaces one with the same id.
  void AddSession(SubscriberPtr subscriber);
  // Forgets the session and all its rooms; unknown ids are ignored.
  void RemoveSession(const std::string& session_id);
  // False when the session is unknown (e.g. closed meanwhile).
  bool Subscribe(const std::string& room_id, const std::string& session_id);
  void Unsubscribe(const std::string& room_id, const std::string& session_id);
  // Forgets everything (at process exit, so sessions die before the I/O context).
  void Clear();

  std::vector<SubscriberPtr> InRoom(const std::string& room_id) const;
  std::vector<SubscriberPtr> OfUser(const std::string& user_id) const;
  std::vector<SubscriberPtr> All() const;
  bool IsSubscribed(const std::string& room_id, const std::string& session_id) const;
  // Whether any local session follows the room / belongs to the user (cheap: no copies).
  bool HasRoom(const std::string& room_id) const;
  bool HasUser(const std::string& user_id) const;
  size_t session_count() const;
  size_t room_count() const;

 private:
  struct Entry {
    SubscriberPtr subscriber;
    absl::flat_hash_set<std::string> rooms;
  };

  void RemoveFromRoomLocked(const std::string& room_id, const std::string& session_id);

  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::string, Entry> sessions_;  // By session id.
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, SubscriberPtr>> rooms_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> users_;  // -> session ids
};

}  // namespace chatter::gateway
