// This instance's connected gateways: each stream's sessions and room subscriptions, and the
// index that routes a frame to the streams that want it (room -> streams with a subscribed
// session, user -> streams with a session of the user). Thread-safe; lookups share a lock and
// never block on I/O, so reactors and the bus thread may call everything here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "chatter/realtime/v1/realtime.pb.h"
#include "services/realtime/domain/frame_sink.h"
#include "services/realtime/domain/session.h"

namespace chatter::realtime {

using StreamId = uint64_t;
using Sinks = absl::InlinedVector<std::shared_ptr<FrameSink>, 4>;

class GatewayRegistry {
 public:
  GatewayRegistry() = default;
  GatewayRegistry(const GatewayRegistry&) = delete;
  GatewayRegistry& operator=(const GatewayRegistry&) = delete;

  // Registers a gateway's stream. A stream registered before for the same gateway_id is
  // forgotten (with its sessions and subscriptions) and handed back through `replaced`, so the
  // caller can end it. A gateway that reads the bus itself (`reads_bus`) is never a target of
  // Deliver: it takes those frames from Redis, and a copy here would reach it twice.
  StreamId AddStream(absl::string_view gateway_id, std::shared_ptr<FrameSink> sink,
                     std::shared_ptr<FrameSink>* replaced, bool reads_bus = false);
  // Forgets a stream's sessions and subscriptions; a no-op for an unknown or replaced stream.
  void RemoveStream(StreamId stream);

  // Opens a session, or refreshes its username. False (nothing changes) when the stream is
  // unknown or the session is open there for another user.
  bool OpenSession(StreamId stream, const SessionInfo& session);
  // Closes a session; what it was, or nullopt when unknown.
  std::optional<SessionRooms> CloseSession(StreamId stream, absl::string_view session_id);

  struct SubscribeResult {
    std::vector<SessionInfo> added;  // Sessions newly subscribed.
    int unknown = 0;                 // Session ids not open on the stream (ignored).
  };
  SubscribeResult Subscribe(StreamId stream, absl::string_view room_id,
                            const std::vector<std::string>& session_ids);
  // The number of session ids not open on the stream (ignored).
  int Unsubscribe(StreamId stream, absl::string_view room_id,
                  const std::vector<std::string>& session_ids);

  // The session if it is open on the stream and subscribed to the room.
  std::optional<SessionInfo> SubscribedSession(StreamId stream, absl::string_view session_id,
                                               absl::string_view room_id) const;
  // Every session of the stream with its rooms.
  std::vector<SessionRooms> Sessions(StreamId stream) const;

  // The *Targets leave out streams of gateways that read the bus themselves.
  // Streams with at least one session subscribed to the room.
  Sinks RoomTargets(absl::string_view room_id) const;
  // Streams with a session subscribed to any of event.room_ids or of one of event.user_ids, each
  // once. Per-session filtering (hidden users, the user's own sessions) is the gateway's.
  Sinks PresenceTargets(const v1::PresenceEvent& event) const;
  // Streams with a session of one of event.user_ids, each once.
  Sinks UserTargets(const v1::UserEvent& event) const;
  // Every stream (events_lost concerns all of them).
  Sinks AllTargets() const;
  // Hands `frame` (a room_event, presence, user_event or events_lost) to its targets; how many
  // streams took it.
  size_t Deliver(const std::shared_ptr<const v1::RealtimeFrame>& frame) const;

  size_t stream_count() const;
  size_t session_count() const;

 private:
  struct Session {
    std::string user_id;
    std::string username;
    absl::flat_hash_set<std::string> rooms;
  };
  struct Stream {
    std::string gateway_id;
    std::shared_ptr<FrameSink> sink;
    bool reads_bus = false;
    absl::flat_hash_map<std::string, Session> sessions;
    // How many of the stream's sessions are subscribed to each room / belong to each user; the
    // stream is in room_index_ / user_index_ while the count is positive.
    absl::flat_hash_map<std::string, int> room_counts;
    absl::flat_hash_map<std::string, int> user_counts;
  };
  using Index = absl::flat_hash_map<std::string, absl::flat_hash_set<const Stream*>>;

  Stream* FindLocked(StreamId stream) const;
  void RemoveLocked(StreamId stream);
  // Adjusts a per-stream count and the matching index entry.
  void CountLocked(Stream& stream, absl::flat_hash_map<std::string, int>& counts, Index& index,
                   const std::string& key, int delta);
  void CloseSessionLocked(Stream& stream, const std::string& session_id, Session& session);
  static void AddTargets(const Index& index, absl::string_view key, Sinks& targets);

  mutable std::shared_mutex mu_;
  StreamId next_id_ = 1;  // Guarded by mu_, as is everything below.
  absl::flat_hash_map<StreamId, std::unique_ptr<Stream>> streams_;
  absl::flat_hash_map<std::string, StreamId> by_gateway_;
  Index room_index_;
  Index user_index_;
  size_t sessions_ = 0;
};

}  // namespace chatter::realtime
