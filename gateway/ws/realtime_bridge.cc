// RealtimeBridge: a connection thread (connect, heartbeat, backoff) around one
// ClientBidiReactor at a time; every write goes through the reactor's bounded queue.
#include "gateway/ws/realtime_bridge.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <deque>

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace chatter::gateway {

using realtime::v1::GatewayFrame;
using realtime::v1::RealtimeFrame;

namespace {

// How long Stop() waits for realtime-svc to read the queued frames before cancelling the stream.
constexpr absl::Duration kStopFlushTimeout = absl::Seconds(1);

}  // namespace

// One Connect call. Writes may come from any thread; a hold keeps the reactor from finishing
// while they can, and is released once reading has ended (after which nothing new is written).
class RealtimeBridge::Stream final : public grpc::ClientBidiReactor<GatewayFrame, RealtimeFrame>,
                                     public std::enable_shared_from_this<Stream> {
 public:
  Stream(RealtimeBridge& bridge, size_t max_queued) : bridge_(bridge), max_queued_(max_queued) {}

  // Binds the reactor to a new call; writes may be queued before StartCall().
  void Bind(realtime::v1::RealtimeService::Stub& stub, const std::string& token) {
    self_ = shared_from_this();
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    // The stream's request id in realtime-svc's log: one long call per gateway, named by it.
    context_.AddMetadata("x-request-id", bridge_.options_.gateway_id);
    stub.async()->Connect(&context_, this);
    AddHold();
    StartRead(&incoming_);
  }
  void Begin() { StartCall(); }
  void Cancel() { context_.TryCancel(); }
  // Half-closes the call once every queued frame is written. realtime-svc reads up to the
  // half-close and then ends the call, so when OnDone follows it has handled every frame; a
  // write that merely completed here may still sit unread in a buffer a cancel would discard.
  void CloseWrites() {
    std::lock_guard lock(mu_);
    if (closing_) return;
    closing_ = true;
    if (!writing_ && !reads_done_) StartWritesDone();
  }

  // False when the queue is full (`bounded` frames only) or the stream is ending.
  bool Write(GatewayFrame frame, bool bounded) {
    std::lock_guard lock(mu_);
    // Ending anyway; the next stream re-sends the state.
    if (reads_done_ || closing_) return true;
    if (bounded && queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(frame));
    if (!writing_) WriteNextLocked();
    return true;
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      {
        std::lock_guard lock(mu_);
        reads_done_ = true;
        queue_.clear();
      }
      RemoveHold();
      return;
    }
    bridge_.OnFrame(incoming_);
    StartRead(&incoming_);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      // The stream is broken; the read side reports it and ends the call.
      queue_.clear();
      return;
    }
    if (reads_done_) return;
    if (!queue_.empty()) {
      WriteNextLocked();
    } else if (closing_) {
      StartWritesDone();
    }
  }

  void OnDone(const grpc::Status& status) override {
    // Dropped before the bridge hears of it: RunStream holds the stream until then, so the call
    // (and with it possibly gRPC's last object) is destroyed on the bridge's thread. Destroyed
    // here, on a gRPC callback thread, it could shut gRPC down from inside gRPC's own pool.
    self_.reset();
    bridge_.OnStreamDone(status);
  }

 private:
  void WriteNextLocked() {
    current_ = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    bridge_.frames_sent_total_.Inc();
    StartWrite(&current_);
  }

  RealtimeBridge& bridge_;
  const size_t max_queued_;
  grpc::ClientContext context_;
  RealtimeFrame incoming_;
  std::shared_ptr<Stream> self_;  // Set from Bind until OnDone; RunStream outlives it.
  std::mutex mu_;
  std::deque<GatewayFrame> queue_;  // Guarded by mu_, as are the three below.
  GatewayFrame current_;
  bool writing_ = false;
  bool reads_done_ = false;
  bool closing_ = false;  // CloseWrites was called: no new frames, half-close after the queue.
};

RealtimeBridge::RealtimeBridge(std::shared_ptr<grpc::ChannelInterface> channel,
                               ServiceTokenProvider service_token, RealtimeEventSink& events,
                               metrics::Registry& registry, RealtimeBridgeOptions options)
    : stub_(realtime::v1::RealtimeService::NewStub(std::move(channel))),
      service_token_(std::move(service_token)),
      events_(events),
      options_(std::move(options)),
      reconnects_total_(registry.GetCounter("realtime_bridge_reconnects_total",
                                            "Connect streams to realtime-svc that ended.")),
      overflows_total_(registry.GetCounter(
          "realtime_bridge_queue_overflows_total",
          "Streams restarted because frames to realtime-svc queued beyond the bound.")),
      frames_received_total_(registry.GetCounter("realtime_bridge_frames_received_total",
                                                 "Frames received from realtime-svc.")),
      frames_sent_total_(registry.GetCounter("realtime_bridge_frames_sent_total",
                                             "Frames written to realtime-svc.")),
      heartbeat_interval_(options_.default_heartbeat),
      backoff_(options_.min_backoff),
      jitter_(std::random_device{}()) {
  registry.AddCallbackGauge("realtime_bridge_connected",
                            "1 while the Connect stream to realtime-svc is up and welcomed.", {},
                            [this] { return live_.load() ? 1.0 : 0.0; });
}

RealtimeBridge::~RealtimeBridge() { Stop(); }

void RealtimeBridge::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void RealtimeBridge::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RealtimeBridge::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::optional<std::string> token = service_token_();
    if (!token) {
      // The token keeper fetches in the background; check again soon.
      wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
      continue;
    }
    bool welcomed = RunStream(lock, *token);
    if (stopping_) break;
    reconnects_total_.Inc();
    reconnects_count_.fetch_add(1);
    absl::Duration delay = NextBackoff(welcomed);
    wake_.wait_for(lock, absl::ToChronoNanoseconds(delay), [this] { return stopping_; });
  }
}

bool RealtimeBridge::RunStream(std::unique_lock<std::mutex>& lock, const std::string& token) {
  auto stream = std::make_shared<Stream>(*this, options_.max_queued_frames);
  stream->Bind(*stub_, token);
  stream_ = stream;
  stream_done_ = false;
  welcomed_ = false;
  heartbeat_interval_ = options_.default_heartbeat;
  GatewayFrame hello;
  hello.mutable_hello()->set_gateway_id(options_.gateway_id);
  hello.mutable_hello()->set_version(options_.version);
  hello.mutable_hello()->set_events_from_bus(options_.events_from_bus);
  stream->Write(std::move(hello), /*bounded=*/false);
  SendSnapshotLocked(*stream);
  stream->Begin();

  absl::Time welcome_deadline = absl::Now() + options_.welcome_timeout;
  absl::Time next_heartbeat = absl::InfiniteFuture();
  while (!stream_done_ && !stopping_) {
    absl::Time now = absl::Now();
    if (!welcomed_ && now >= welcome_deadline) {
      log::Warn("realtime-svc sent no welcome in time; reconnecting");
      stream->Cancel();
      welcome_deadline = absl::InfiniteFuture();
    }
    if (welcomed_ && next_heartbeat == absl::InfiniteFuture()) {
      next_heartbeat = now + heartbeat_interval_;
    }
    if (welcomed_ && now >= next_heartbeat) {
      GatewayFrame heartbeat;
      heartbeat.mutable_heartbeat();
      SendLocked(heartbeat);
      next_heartbeat = now + heartbeat_interval_;
    }
    absl::Time wake_at =
        std::min({next_heartbeat, welcomed_ ? absl::InfiniteFuture() : welcome_deadline,
                  now + absl::Seconds(1)});
    wake_.wait_for(lock, absl::ToChronoNanoseconds(std::max(wake_at - now, absl::ZeroDuration())));
  }
  if (!stream_done_) {
    // Stopping: let the last frames (sessions closed on shutdown) out first, briefly, so
    // realtime-svc marks those users offline now rather than after the presence TTL.
    stream->CloseWrites();
    wake_.wait_for(lock, absl::ToChronoNanoseconds(kStopFlushTimeout),
                   [this] { return stream_done_; });
    if (!stream_done_) stream->Cancel();
    wake_.wait(lock, [this] { return stream_done_; });
  }
  bool welcomed = welcomed_;
  stream_.reset();
  welcomed_ = false;
  live_.store(false);
  return welcomed;
}

void RealtimeBridge::SendSnapshotLocked(Stream& stream) {
  // Per room and whether it resumes: the sessions to subscribe.
  absl::flat_hash_map<std::pair<std::string, bool>, std::vector<std::string>> subscriptions;
  for (auto& [id, session] : sessions_) {
    GatewayFrame opened;
    opened.mutable_session_opened()->set_session_id(id);
    opened.mutable_session_opened()->set_user_id(session.info.user_id);
    opened.mutable_session_opened()->set_username(session.info.username);
    stream.Write(std::move(opened), /*bounded=*/false);
    for (auto& [room, sent] : session.rooms) {
      subscriptions[{room, sent}].push_back(id);
      sent = true;
    }
  }
  for (auto& [key, ids] : subscriptions) {
    GatewayFrame subscribe;
    subscribe.mutable_subscribe()->set_room_id(key.first);
    subscribe.mutable_subscribe()->set_resumed(key.second);
    for (std::string& id : ids) subscribe.mutable_subscribe()->add_session_ids(std::move(id));
    stream.Write(std::move(subscribe), /*bounded=*/false);
  }
}

bool RealtimeBridge::SendLocked(const GatewayFrame& frame) {
  if (!stream_ || stream_done_) return false;  // The next stream's snapshot carries the state.
  if (!stream_->Write(frame, /*bounded=*/true)) {
    overflows_total_.Inc();
    log::Warn("frames to realtime-svc queued beyond the bound; restarting the stream",
              {{"limit", options_.max_queued_frames}});
    stream_->Cancel();
    return false;
  }
  return true;
}

absl::Duration RealtimeBridge::NextBackoff(bool reset) {
  if (reset) backoff_ = options_.min_backoff;
  absl::Duration base = backoff_;
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  // Between half and all of the base, so gateways that lost the same instance spread out.
  std::uniform_real_distribution<double> share(0.5, 1.0);
  return base * share(jitter_);
}

void RealtimeBridge::OnFrame(const RealtimeFrame& frame) {
  frames_received_total_.Inc();
  switch (frame.frame_case()) {
    case RealtimeFrame::kWelcome: {
      {
        std::lock_guard lock(mu_);
        welcomed_ = true;
        if (frame.welcome().heartbeat_interval_ms() > 0) {
          heartbeat_interval_ = absl::Milliseconds(frame.welcome().heartbeat_interval_ms());
        }
        live_.store(true);
      }
      wake_.notify_all();
      log::Info("connected to realtime-svc",
                {{"instance_id", frame.welcome().instance_id()},
                 {"heartbeat_interval_ms", frame.welcome().heartbeat_interval_ms()},
                 {"bus_frames_withheld", frame.welcome().bus_frames_withheld()}});
      // Whatever was published while this gateway had no stream went nowhere, unless it came
      // from the bus.
      if (!options_.on_welcome || options_.on_welcome(frame.welcome().bus_frames_withheld())) {
        events_.OnEventsMayBeLost();
      }
      return;
    }
    case RealtimeFrame::kRoomEvent:
      events_.OnRoomEvent(frame.room_event());
      return;
    case RealtimeFrame::kPresence:
      events_.OnPresence(frame.presence());
      return;
    case RealtimeFrame::kUserEvent:
      events_.OnUserEvent(frame.user_event());
      return;
    case RealtimeFrame::kEventsLost:
      log::Warn("realtime-svc may have lost events; checking every room",
                {{"reason", frame.events_lost().reason()}});
      events_.OnEventsMayBeLost();
      return;
    case RealtimeFrame::FRAME_NOT_SET:
      return;
  }
}

void RealtimeBridge::OnStreamDone(const grpc::Status& status) {
  std::lock_guard lock(mu_);
  // Logged before the flag: once it is set, Stop() may return and the process log its last line.
  if (!status.ok() && !stopping_) {
    log::Warn("stream to realtime-svc ended",
              {{"code", static_cast<int>(status.error_code())}, {"error", status.error_message()}});
  }
  stream_done_ = true;
  live_.store(false);
  // Under the lock: the bridge may be destroyed as soon as Stop() sees the flag.
  wake_.notify_all();
}

void RealtimeBridge::SessionOpened(const SessionInfo& session) {
  std::lock_guard lock(mu_);
  sessions_[session.session_id] = SessionState{.info = session, .rooms = {}};
  GatewayFrame frame;
  frame.mutable_session_opened()->set_session_id(session.session_id);
  frame.mutable_session_opened()->set_user_id(session.user_id);
  frame.mutable_session_opened()->set_username(session.username);
  SendLocked(frame);
}

void RealtimeBridge::SessionClosed(const std::string& session_id) {
  std::lock_guard lock(mu_);
  if (sessions_.erase(session_id) == 0) return;
  GatewayFrame frame;
  frame.mutable_session_closed()->set_session_id(session_id);
  SendLocked(frame);
}

void RealtimeBridge::Subscribe(const std::string& room_id, const std::string& session_id) {
  std::lock_guard lock(mu_);
  auto session = sessions_.find(session_id);
  if (session == sessions_.end()) return;
  auto [room, added] = session->second.rooms.try_emplace(room_id, false);
  if (!added) return;
  GatewayFrame frame;
  frame.mutable_subscribe()->set_room_id(room_id);
  frame.mutable_subscribe()->add_session_ids(session_id);
  room->second = SendLocked(frame);
}

void RealtimeBridge::Unsubscribe(const std::string& room_id, const std::string& session_id) {
  std::lock_guard lock(mu_);
  auto session = sessions_.find(session_id);
  if (session == sessions_.end() || session->second.rooms.erase(room_id) == 0) return;
  GatewayFrame frame;
  frame.mutable_unsubscribe()->set_room_id(room_id);
  frame.mutable_unsubscribe()->add_session_ids(session_id);
  SendLocked(frame);
}

void RealtimeBridge::Typing(const std::string& session_id, const realtime::v1::Typing& typing) {
  std::lock_guard lock(mu_);
  if (!welcomed_) return;
  GatewayFrame frame;
  frame.mutable_typing()->set_session_id(session_id);
  *frame.mutable_typing()->mutable_typing() = typing;
  SendLocked(frame);
}

}  // namespace chatter::gateway
