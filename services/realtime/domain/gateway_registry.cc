// Sessions, subscriptions and the routing index of the connected gateways.
#include "services/realtime/domain/gateway_registry.h"

#include <algorithm>
#include <mutex>

namespace chatter::realtime {

StreamId GatewayRegistry::AddStream(absl::string_view gateway_id, std::shared_ptr<FrameSink> sink,
                                    std::shared_ptr<FrameSink>* replaced, bool reads_bus) {
  std::unique_lock lock(mu_);
  auto previous = by_gateway_.find(gateway_id);
  if (previous != by_gateway_.end()) {
    if (replaced != nullptr) *replaced = FindLocked(previous->second)->sink;
    RemoveLocked(previous->second);
  }
  StreamId id = next_id_++;
  auto stream = std::make_unique<Stream>();
  stream->gateway_id = std::string(gateway_id);
  stream->sink = std::move(sink);
  stream->reads_bus = reads_bus;
  streams_.emplace(id, std::move(stream));
  by_gateway_[gateway_id] = id;
  return id;
}

void GatewayRegistry::RemoveStream(StreamId stream) {
  std::unique_lock lock(mu_);
  RemoveLocked(stream);
}

GatewayRegistry::Stream* GatewayRegistry::FindLocked(StreamId stream) const {
  auto found = streams_.find(stream);
  return found == streams_.end() ? nullptr : found->second.get();
}

void GatewayRegistry::RemoveLocked(StreamId id) {
  Stream* stream = FindLocked(id);
  if (stream == nullptr) return;
  for (const auto& [room, count] : stream->room_counts) {
    auto entry = room_index_.find(room);
    entry->second.erase(stream);
    if (entry->second.empty()) room_index_.erase(entry);
  }
  for (const auto& [user, count] : stream->user_counts) {
    auto entry = user_index_.find(user);
    entry->second.erase(stream);
    if (entry->second.empty()) user_index_.erase(entry);
  }
  sessions_ -= stream->sessions.size();
  auto gateway = by_gateway_.find(stream->gateway_id);
  if (gateway != by_gateway_.end() && gateway->second == id) by_gateway_.erase(gateway);
  streams_.erase(id);
}

void GatewayRegistry::CountLocked(Stream& stream, absl::flat_hash_map<std::string, int>& counts,
                                  Index& index, const std::string& key, int delta) {
  int& count = counts[key];
  count += delta;
  if (count == 1 && delta > 0) {
    index[key].insert(&stream);
  } else if (count == 0) {
    counts.erase(key);
    auto entry = index.find(key);
    entry->second.erase(&stream);
    if (entry->second.empty()) index.erase(entry);
  }
}

bool GatewayRegistry::OpenSession(StreamId id, const SessionInfo& info) {
  std::unique_lock lock(mu_);
  Stream* stream = FindLocked(id);
  if (stream == nullptr) return false;
  auto [it, inserted] = stream->sessions.try_emplace(info.session_id);
  Session& session = it->second;
  if (!inserted) {
    if (session.user_id != info.user_id) return false;
    session.username = info.username;
    return true;
  }
  session.user_id = info.user_id;
  session.username = info.username;
  ++sessions_;
  CountLocked(*stream, stream->user_counts, user_index_, info.user_id, +1);
  return true;
}

void GatewayRegistry::CloseSessionLocked(Stream& stream, const std::string& session_id,
                                         Session& session) {
  for (const std::string& room : session.rooms) {
    CountLocked(stream, stream.room_counts, room_index_, room, -1);
  }
  CountLocked(stream, stream.user_counts, user_index_, session.user_id, -1);
  stream.sessions.erase(session_id);
  --sessions_;
}

std::optional<SessionRooms> GatewayRegistry::CloseSession(StreamId id,
                                                          absl::string_view session_id) {
  std::unique_lock lock(mu_);
  Stream* stream = FindLocked(id);
  if (stream == nullptr) return std::nullopt;
  auto found = stream->sessions.find(session_id);
  if (found == stream->sessions.end()) return std::nullopt;
  SessionRooms closed{
      .session = {std::string(session_id), found->second.user_id, found->second.username},
      .room_ids = {found->second.rooms.begin(), found->second.rooms.end()}};
  CloseSessionLocked(*stream, closed.session.session_id, found->second);
  return closed;
}

GatewayRegistry::SubscribeResult GatewayRegistry::Subscribe(
    StreamId id, absl::string_view room_id, const std::vector<std::string>& session_ids) {
  SubscribeResult result;
  std::unique_lock lock(mu_);
  Stream* stream = FindLocked(id);
  if (stream == nullptr) {
    result.unknown = static_cast<int>(session_ids.size());
    return result;
  }
  std::string room(room_id);
  for (const std::string& session_id : session_ids) {
    auto found = stream->sessions.find(session_id);
    if (found == stream->sessions.end()) {
      ++result.unknown;
      continue;
    }
    if (!found->second.rooms.insert(room).second) continue;
    CountLocked(*stream, stream->room_counts, room_index_, room, +1);
    result.added.push_back({session_id, found->second.user_id, found->second.username});
  }
  return result;
}

int GatewayRegistry::Unsubscribe(StreamId id, absl::string_view room_id,
                                 const std::vector<std::string>& session_ids) {
  std::unique_lock lock(mu_);
  Stream* stream = FindLocked(id);
  if (stream == nullptr) return static_cast<int>(session_ids.size());
  int unknown = 0;
  std::string room(room_id);
  for (const std::string& session_id : session_ids) {
    auto found = stream->sessions.find(session_id);
    if (found == stream->sessions.end()) {
      ++unknown;
      continue;
    }
    if (found->second.rooms.erase(room) == 0) continue;
    CountLocked(*stream, stream->room_counts, room_index_, room, -1);
  }
  return unknown;
}

std::optional<SessionInfo> GatewayRegistry::SubscribedSession(StreamId id,
                                                              absl::string_view session_id,
                                                              absl::string_view room_id) const {
  std::shared_lock lock(mu_);
  Stream* stream = FindLocked(id);
  if (stream == nullptr) return std::nullopt;
  auto found = stream->sessions.find(session_id);
  if (found == stream->sessions.end() || !found->second.rooms.contains(room_id)) {
    return std::nullopt;
  }
  return SessionInfo{std::string(session_id), found->second.user_id, found->second.username};
}

std::vector<SessionRooms> GatewayRegistry::Sessions(StreamId id) const {
  std::shared_lock lock(mu_);
  std::vector<SessionRooms> sessions;
  Stream* stream = FindLocked(id);
  if (stream == nullptr) return sessions;
  sessions.reserve(stream->sessions.size());
  for (const auto& [session_id, session] : stream->sessions) {
    sessions.push_back({.session = {session_id, session.user_id, session.username},
                        .room_ids = {session.rooms.begin(), session.rooms.end()}});
  }
  return sessions;
}

void GatewayRegistry::AddTargets(const Index& index, absl::string_view key, Sinks& targets) {
  auto entry = index.find(key);
  if (entry == index.end()) return;
  for (const Stream* stream : entry->second) {
    if (stream->reads_bus) continue;
    // Gateways are few, so a linear check deduplicates cheaper than a set.
    if (std::find(targets.begin(), targets.end(), stream->sink) == targets.end()) {
      targets.push_back(stream->sink);
    }
  }
}

Sinks GatewayRegistry::RoomTargets(absl::string_view room_id) const {
  Sinks targets;
  std::shared_lock lock(mu_);
  AddTargets(room_index_, room_id, targets);
  return targets;
}

Sinks GatewayRegistry::AllTargets() const {
  Sinks targets;
  std::shared_lock lock(mu_);
  for (const auto& [id, stream] : streams_) {
    if (!stream->reads_bus) targets.push_back(stream->sink);
  }
  return targets;
}

Sinks GatewayRegistry::PresenceTargets(const v1::PresenceEvent& event) const {
  Sinks targets;
  std::shared_lock lock(mu_);
  for (const std::string& room : event.room_ids()) AddTargets(room_index_, room, targets);
  for (const std::string& user : event.user_ids()) AddTargets(user_index_, user, targets);
  return targets;
}

Sinks GatewayRegistry::UserTargets(const v1::UserEvent& event) const {
  Sinks targets;
  std::shared_lock lock(mu_);
  for (const std::string& user : event.user_ids()) AddTargets(user_index_, user, targets);
  return targets;
}

size_t GatewayRegistry::Deliver(const std::shared_ptr<const v1::RealtimeFrame>& frame) const {
  // Targets are collected under the lock and fed outside it: a sink that overflows ends its
  // stream, and ending a stream takes this lock exclusively.
  Sinks targets;
  switch (frame->frame_case()) {
    case v1::RealtimeFrame::kRoomEvent:
      targets = RoomTargets(frame->room_event().room_id());
      break;
    case v1::RealtimeFrame::kPresence:
      targets = PresenceTargets(frame->presence());
      break;
    case v1::RealtimeFrame::kUserEvent:
      targets = UserTargets(frame->user_event());
      break;
    case v1::RealtimeFrame::kEventsLost:
      targets = AllTargets();
      break;
    default:
      return 0;
  }
  size_t delivered = 0;
  for (const std::shared_ptr<FrameSink>& sink : targets) delivered += sink->Send(frame) ? 1 : 0;
  return delivered;
}

size_t GatewayRegistry::stream_count() const {
  std::shared_lock lock(mu_);
  return streams_.size();
}

size_t GatewayRegistry::session_count() const {
  std::shared_lock lock(mu_);
  return sessions_;
}

}  // namespace chatter::realtime
