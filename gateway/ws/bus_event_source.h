// Room events, presence and user events read by the gateway itself from the bus (the Redis
// channel `<prefix>events` that chat-svc and realtime-svc publish every RealtimeFrame to),
// instead of through realtime-svc's Connect stream. That takes realtime-svc, a gRPC write and
// its completion off the path of every message (issue 11), and keeps live events flowing while
// realtime-svc restarts.
//
// Every frame is decoded once. Only frames this gateway has a use for reach the sink: room
// events of rooms a local session follows (or the sequencer already watches), presence of rooms
// or users with a local session, user events of users with one; the rest of the system's
// traffic is dropped before any work. Frames pass only while active (OnStreamWelcome): the bridge
// turns it on when realtime-svc confirms it withholds bus frames from the stream, and off when
// an older realtime-svc forwards them, so no event arrives twice.
//
// Pub/sub keeps nothing: every time the subscription is in place (first or again), the sink
// hears that events may have been lost and reads the followed rooms back from chat-svc.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/ws/realtime_event_sink.h"
#include "libs/metrics/registry.h"
#include "libs/redis/redis_subscriber.h"
#include "libs/redis/redis_url.h"

namespace chatter::gateway {

// What this gateway has a use for; called on the bus thread, must be cheap and thread-safe.
struct LocalInterest {
  std::function<bool(const std::string& room_id)> room;
  std::function<bool(const std::string& user_id)> user;
};

class BusEventSource {
 public:
  // `sink` and `registry` must outlive the source.
  BusEventSource(const redis::RedisEndpoint& endpoint, std::string channel,
                 redis::SubscriberOptions options, LocalInterest interest, RealtimeEventSink& sink,
                 metrics::Registry& registry);
  ~BusEventSource();  // Stop()s.
  BusEventSource(const BusEventSource&) = delete;
  BusEventSource& operator=(const BusEventSource&) = delete;

  void Start() { subscriber_.Start(); }
  void Stop() { subscriber_.Stop(); }
  // A stream to realtime-svc was welcomed: frames pass from now on if it withholds them. Returns
  // whether room events of the time without a stream may have been lost: not when the bus
  // passed them all along (a lost subscription reads rooms back by itself), so a realtime-svc
  // restart does not send every followed room to be read back.
  // Frames pass to the sink only while active (off at first).
  bool OnStreamWelcome(bool bus_frames_withheld) {
    bool was_active = active_.exchange(bus_frames_withheld);
    return !(was_active && bus_frames_withheld);
  }
  bool active() const { return active_.load(); }
  // OK while subscribed; UNAVAILABLE with the last error otherwise (readiness).
  absl::Status Status() const { return subscriber_.Status(); }
  bool WaitUntilSubscribed(absl::Duration timeout) const {
    return subscriber_.WaitUntilSubscribed(timeout);
  }

 private:
  void OnMessage(const std::string& payload);
  void OnSubscribed(bool reconnected);
  bool Wanted(const realtime::v1::RealtimeFrame& frame) const;

  LocalInterest interest_;
  RealtimeEventSink& sink_;
  metrics::Counter& received_;
  metrics::Counter& passed_;
  metrics::Counter& undecodable_;
  metrics::Counter& resubscribed_;
  std::atomic<bool> active_{false};
  redis::Subscriber subscriber_;  // Last: its thread calls into everything above.
};

}  // namespace chatter::gateway
