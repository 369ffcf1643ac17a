// The gateway's one Connect stream to realtime-svc: reports this gateway's sessions and their
// rooms (RealtimeLink), hands incoming room events and presence to the EventFanout, sends
// heartbeats, and reconnects with jittered backoff, re-sending its whole state each time. Each
// welcome (and each `events_lost`) tells the sink that events may have been lost meanwhile.
#pragma once

#include <grpcpp/channel.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "gateway/ws/chat_backend.h"
#include "gateway/ws/realtime_event_sink.h"
#include "gateway/ws/realtime_link.h"
#include "libs/metrics/registry.h"

namespace chatter::gateway {

struct RealtimeBridgeOptions {
  std::string gateway_id;  // A UUID made at start; the same on every reconnect.
  std::string version;
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  // Used until welcome says otherwise.
  absl::Duration default_heartbeat = absl::Seconds(10);
  // A stream that gets no welcome within this is given up and retried.
  absl::Duration welcome_timeout = absl::Seconds(10);
  // Frames waiting to be written; beyond it the stream is restarted (which re-sends the state).
  size_t max_queued_frames = 10000;
  // The gateway reads room events, presence and user events from the bus itself (hello asks
  // realtime-svc to withhold them from the stream).
  bool events_from_bus = false;
  // With each welcome: whether this stream carries no bus frames (realtime-svc honoured
  // events_from_bus). Returns whether room events of the time without a stream may have been
  // lost, which sends every followed room to be read back (false when they came another way).
  // Without it, they may. Called on gRPC's thread; must not block.
  std::function<bool(bool bus_frames_withheld)> on_welcome;
};

class RealtimeBridge final : public RealtimeLink {
 public:
  // `events` and `registry` must outlive the bridge. `channel` may balance over several
  // realtime-svc addresses (pick_first: the first that answers).
  RealtimeBridge(std::shared_ptr<grpc::ChannelInterface> channel,
                 ServiceTokenProvider service_token, RealtimeEventSink& events,
                 metrics::Registry& registry, RealtimeBridgeOptions options);
  ~RealtimeBridge() override;  // Stop()s.
  RealtimeBridge(const RealtimeBridge&) = delete;
  RealtimeBridge& operator=(const RealtimeBridge&) = delete;

  // Starts the connection thread (which waits for a service token, then connects).
  void Start();
  // Ends the stream and joins the thread. Idempotent.
  void Stop();
  // True while a stream is up and realtime-svc has answered its hello.
  bool live() const { return live_.load(); }
  int64_t reconnects() const { return reconnects_count_.load(); }

  void SessionOpened(const SessionInfo& session) override;
  void SessionClosed(const std::string& session_id) override;
  void Subscribe(const std::string& room_id, const std::string& session_id) override;
  void Unsubscribe(const std::string& room_id, const std::string& session_id) override;
  void Typing(const std::string& session_id, const realtime::v1::Typing& typing) override;

 private:
  class Stream;
  struct SessionState {
    SessionInfo info;
    // Subscribed rooms, each with whether its subscribe went out on a stream (so the session
    // had the room's presence snapshot, and a new stream's snapshot resumes it).
    absl::flat_hash_map<std::string, bool> rooms;
  };

  void Run();
  // One stream from connect to its end; returns whether realtime welcomed it.
  bool RunStream(std::unique_lock<std::mutex>& lock, const std::string& token);
  void SendSnapshotLocked(Stream& stream);
  // Whether the frame went out on a stream (false without one: its snapshot will carry it).
  bool SendLocked(const realtime::v1::GatewayFrame& frame);
  absl::Duration NextBackoff(bool reset);
  // From the stream's reactions.
  void OnFrame(const realtime::v1::RealtimeFrame& frame);
  void OnStreamDone(const grpc::Status& status);

  std::unique_ptr<realtime::v1::RealtimeService::Stub> stub_;
  ServiceTokenProvider service_token_;
  RealtimeEventSink& events_;
  RealtimeBridgeOptions options_;
  metrics::Counter& reconnects_total_;
  metrics::Counter& overflows_total_;
  metrics::Counter& frames_received_total_;
  metrics::Counter& frames_sent_total_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;           // Guarded by mu_, as is everything below.
  std::shared_ptr<Stream> stream_;  // The current stream, if any.
  bool stream_done_ = false;
  bool welcomed_ = false;
  absl::Duration heartbeat_interval_;
  absl::flat_hash_map<std::string, SessionState> sessions_;
  absl::Duration backoff_;
  std::mt19937_64 jitter_;
  std::thread thread_;
  std::atomic<bool> live_{false};
  std::atomic<int64_t> reconnects_count_{0};
};

}  // namespace chatter::gateway
