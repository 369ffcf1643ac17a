// WsSession: the per-connection state machine. Every handler below runs on the connection's
// strand; backend answers and fan-out deliveries are posted onto it, and each handler's frames
// are written when it ends (Flush).
#include "gateway/ws/ws_session.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include "absl/strings/str_cat.h"
#include "gateway/transcoding/field_values.h"
#include "gateway/transcoding/json_codec.h"
#include "libs/log/log.h"
#include "libs/status/error_details.h"
#include "libs/status/http_error.h"

namespace chatter::gateway {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using nlohmann::ordered_json;

namespace {

// Close code when the session's access token runs out: an application code (4000-4999) named
// after HTTP 401, as graphql-ws does, so clients can tell "refresh and reconnect" from the rest.
constexpr uint16_t kTokenExpiredCloseCode = 4401;

// Queue space a paced replay leaves free for acks, errors and other rooms' events.
constexpr size_t kReplayHeadroomBytes = 4096;

// Frames per gather write: two buffers each (header, payload), within the 64 buffers Asio
// hands to one sendmsg.
constexpr size_t kMaxFramesPerWrite = 32;

// Bytes read per read() call, into a per-thread buffer (sessions hold no read buffer while
// idle), and read() calls per readiness before yielding the thread to other connections.
constexpr size_t kReadChunkBytes = 16 * 1024;
constexpr int kMaxReadsPerWakeup = 8;

Frame SharedBytes(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

std::chrono::steady_clock::duration ToChrono(absl::Duration duration) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(duration));
}

ordered_json SubscribedData(const std::string& room_id, int64_t last_seq) {
  ordered_json data;
  data["room_id"] = room_id;
  data["last_seq"] = last_seq;
  return data;
}

// CheckRoomAccess spells refusals as the ready frame does; subscribe answers them as errors.
absl::Status RefusalStatus(const std::string& code) {
  if (code == "not_found") return absl::NotFoundError("room not found");
  return absl::PermissionDeniedError("not allowed to read this room");
}

}  // namespace

WsSession::WsSession(beast::tcp_stream stream, WsIdentity identity,
                     std::vector<std::string> connect_rooms, WsSessionDeps deps,
                     std::function<void(WsSession&)> on_closed)
    : executor_(stream.get_executor()),
      handshake_(std::make_unique<WebSocket>(std::move(stream))),
      socket_(executor_),
      identity_(std::move(identity)),
      connect_rooms_(std::move(connect_rooms)),
      deps_(deps),
      on_closed_(std::move(on_closed)),
      reader_(deps.options.max_frame_bytes),
      close_timer_(executor_),
      token_timer_(executor_),
      idle_timer_(executor_),
      queue_(deps.options.send_queue_bytes),
      limiter_(deps.options.events_per_second, deps.options.event_burst,
               deps.options.abuse_rejections, deps.options.abuse_window, absl::Now()) {}

WsSession::~WsSession() = default;

// ---------------------------------------------------------------------------------------------
// Opening: handshake, access check of the connect rooms, registration, `ready`.

void WsSession::Start(HttpRequest request) {
  const WsOptions& options = deps_.options;
  // Frames are small and often back to back (pong then ack): Nagle would hold the second one
  // for a delayed ACK.
  beast::error_code ignored;
  net::ip::tcp::socket& socket = beast::get_lowest_layer(*handshake_).socket();
  socket.set_option(net::ip::tcp::no_delay(true), ignored);
  // A fixed kernel send buffer: otherwise autotuning lets a stalled reader park megabytes in
  // the kernel, out of reach of the send queue's bound.
  if (options.socket_send_buffer_bytes > 0) {
    socket.set_option(
        net::socket_base::send_buffer_size(static_cast<int>(options.socket_send_buffer_bytes)),
        ignored);
  }
  // Only the handshake's timeout matters: the stream is handed over once it is done.
  handshake_->set_option(websocket::stream_base::timeout{ToChrono(options.handshake_timeout),
                                                         websocket::stream_base::none(),
                                                         /*keep_alive_pings=*/false});
  handshake_->set_option(websocket::stream_base::decorator(
      [request_id = identity_.request_id](websocket::response_type& response) {
        response.set(kRequestIdHeader, request_id);
      }));
  handshake_->async_accept(request,
                           beast::bind_front_handler(&WsSession::OnAccept, shared_from_this()));
}

void WsSession::OnAccept(beast::error_code ec) {
  if (ec) {
    log::Write(log::Level::kInfo, identity_.request_id, "websocket handshake failed",
               {{"session_id", identity_.session_id}, {"error", ec.message()}});
    return Teardown("handshake_failed");
  }
  // From here on the session owns the socket; Beast has read nothing past the request.
  socket_ = beast::get_lowest_layer(*handshake_).release_socket();
  handshake_.reset();
  beast::error_code ignored;
  socket_.non_blocking(true, ignored);
  opened_at_ = absl::Now();
  state_ = State::kOpening;
  if (closing_) {  // Asked to close (shutdown) during the handshake.
    StartClose();
    Flush();
    return WaitReadable();  // For the answer; the close timer bounds the wait.
  }
  if (connect_rooms_.empty()) return OnConnectAccess(chat::v1::CheckRoomAccessResponse());
  deps_.chat.CheckRoomAccess(identity_.request_id, identity_.user_id, connect_rooms_,
                             OnStrand<chat::v1::CheckRoomAccessResponse>(
                                 [this](absl::StatusOr<chat::v1::CheckRoomAccessResponse> access) {
                                   OnConnectAccess(std::move(access));
                                 }));
}

void WsSession::OnConnectAccess(absl::StatusOr<chat::v1::CheckRoomAccessResponse> access) {
  if (state_ != State::kOpening || closing_) return;
  if (!access.ok()) {
    log::Write(
        log::Level::kWarn, identity_.request_id, "room access check failed on connect",
        {{"session_id", identity_.session_id}, {"error", std::string(access.status().message())}});
  }
  ordered_json subscribed = ordered_json::array();
  ordered_json refused = ordered_json::array();
  std::vector<std::pair<std::string, int64_t>> allowed;
  for (size_t i = 0; i < connect_rooms_.size(); ++i) {
    const std::string& room = connect_rooms_[i];
    std::string code;
    int64_t last_seq = 0;
    if (!access.ok()) {
      code = std::string(status::CodeName(access.status().code()));
    } else if (static_cast<int>(i) >= access->results_size()) {
      code = "internal";
    } else if (const chat::v1::RoomAccess& result = access->results(static_cast<int>(i));
               !result.allowed()) {
      code = result.code().empty() ? "permission_denied" : result.code();
    } else if (static_cast<int>(allowed.size()) >= deps_.options.max_subscriptions) {
      code = "resource_exhausted";
    } else {
      last_seq = result.last_seq();
    }
    if (code.empty()) {
      allowed.emplace_back(room, last_seq);
      subscribed.push_back(room);
    } else {
      refused.push_back({{"room_id", room}, {"code", code}});
    }
  }
  deps_.index.AddSession(shared_from_this());
  deps_.realtime.SessionOpened(
      {.session_id = session_id(), .user_id = user_id(), .username = identity_.username});
  registered_ = true;
  for (const auto& [room, last_seq] : allowed) {
    Subscription& subscription = subscriptions_[room];
    subscription.state = Subscription::State::kActive;
    subscription.generation = next_generation_++;
    subscription.last_seq = last_seq;
    deps_.sequencer.Watch(room, last_seq);
    deps_.index.Subscribe(room, session_id());
    deps_.realtime.Subscribe(room, session_id());
  }
  state_ = State::kOpen;
  ArmTokenTimer();
  ordered_json ready;
  ready["user_id"] = user_id();
  ready["session_id"] = session_id();
  ready["subscribed"] = std::move(subscribed);
  ready["refused"] = std::move(refused);
  Enqueue(EncodeFrame("ready", std::move(ready)));
  log::Write(log::Level::kInfo, identity_.request_id, "websocket opened",
             {{"session_id", session_id()},
              {"user_id", user_id()},
              {"client_ip", identity_.client_ip},
              {"rooms", allowed.size()}});
  Flush();
  ArmIdleTimer();
  WaitReadable();
}

// ---------------------------------------------------------------------------------------------
// Reading and dispatching client frames.

void WsSession::WaitReadable() {
  socket_.async_wait(net::socket_base::wait_read,
                     [self = shared_from_this()](beast::error_code ec) { self->OnReadable(ec); });
}

void WsSession::OnReadable(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec) return Teardown(closing_ ? close_metric_reason_ : "connection_lost");
  thread_local std::array<char, kReadChunkBytes> chunk;
  // The socket's readiness is edge-triggered: read until the kernel has nothing more, or yield
  // the thread after a few chunks and come back through the strand.
  bool drained = false;
  for (int reads = 0; reads < kMaxReadsPerWakeup && !drained; ++reads) {
    size_t n = socket_.read_some(net::buffer(chunk), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      drained = true;
      break;
    }
    if (ec) {
      return Teardown(closing_ ? close_metric_reason_ : "connection_lost");
    }
    received_since_tick_ = true;
    if (failing_) continue;  // After a violation: read (and drop) until the client's EOF.
    reader_.Append(absl::string_view(chunk.data(), n));
    WsInbound inbound;
    WsViolation violation;
    while (true) {
      WsFrameReader::Result result = reader_.Next(inbound, violation);
      if (result == WsFrameReader::Result::kNeedMore) break;
      if (result == WsFrameReader::Result::kViolation) {
        log::Write(log::Level::kInfo, identity_.request_id, "websocket protocol violation",
                   {{"session_id", session_id()}, {"error", violation.reason}});
        failing_ = true;
        CloseOnStrand(
            violation.close_code, violation.reason,
            violation.close_code == kCloseMessageTooBig ? "message_too_big" : "protocol_error");
        break;
      }
      if (!HandleInbound(inbound)) {
        Flush();
        return;
      }
    }
  }
  Flush();
  if (state_ == State::kClosed) return;
  if (drained) return WaitReadable();
  net::post(executor_, [self = shared_from_this()] { self->OnReadable({}); });
}

bool WsSession::HandleInbound(WsInbound& inbound) {
  switch (inbound.opcode) {
    case WsOpcode::kPing:
      if (!close_sent_)
        queue_.PushControl(SharedBytes(std::move(inbound.payload)), WsOpcode::kPong);
      return true;
    case WsOpcode::kPong:
      ping_outstanding_ = false;
      return true;
    case WsOpcode::kClose:
      peer_closed_ = true;
      if (close_sent_) {
        Teardown(close_metric_reason_);  // The answer to ours: the handshake is complete.
        return false;
      }
      // The client closes first: no more replies are owed to it, and its code is echoed.
      draining_replies_ = false;
      if (!closing_) {
        uint16_t code = inbound.close_code == 1005 ? uint16_t{1000} : inbound.close_code;
        BeginClose(code, "", "client");
      }
      queue_.Clear();
      if (!writing_) StartClose();
      return false;
    case WsOpcode::kText:
    case WsOpcode::kBinary:
      if (state_ != State::kOpen || closing_) return true;  // Ignored while closing.
      ++frames_in_;
      HandleFrame(inbound.payload, inbound.opcode == WsOpcode::kText);
      return state_ != State::kClosed;
    case WsOpcode::kContinuation:
      break;
  }
  return true;
}

void WsSession::ArmIdleTimer() {
  idle_timer_.expires_after(ToChrono(deps_.options.idle_timeout / 2));
  idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->state_ == State::kClosed) return;
    if (self->received_since_tick_) {
      self->received_since_tick_ = false;
      self->ping_outstanding_ = false;
    } else if (self->ping_outstanding_) {
      return self->Teardown("idle_timeout");  // Silent for the whole idle timeout.
    } else if (!self->close_sent_) {
      self->ping_outstanding_ = true;
      self->queue_.PushControl(SharedBytes(""), WsOpcode::kPing);
      self->Flush();
    }
    self->ArmIdleTimer();
  });
}

void WsSession::HandleFrame(absl::string_view text, bool is_text) {
  ParsedFrame parsed;
  if (is_text) {
    parsed = ParseClientFrame(text);
  } else {
    parsed.frame = status::InvalidFieldError("frame", "must be a text frame holding JSON");
  }
  deps_.metrics.FrameIn(parsed.frame);
  switch (limiter_.Check(absl::Now())) {
    case EventRateLimiter::Verdict::kAbuse:
      deps_.metrics.RateLimited();
      log::Write(log::Level::kWarn, identity_.request_id, "websocket event rate abuse",
                 {{"session_id", session_id()}, {"user_id", user_id()}});
      ReplyError(parsed.ref,
                 status::RateLimitedError("too many events: the session closes (1008)", 1));
      return CloseAfterReplies(1008, "event rate limit exceeded", "rate_limit");
    case EventRateLimiter::Verdict::kReject:
      deps_.metrics.RateLimited();
      return ReplyError(
          parsed.ref,
          status::RateLimitedError(absl::StrCat("too many events: at most ",
                                                deps_.options.events_per_second, " per second"),
                                   1));
    case EventRateLimiter::Verdict::kAllow:
      break;
  }
  if (!parsed.frame.ok()) return ReplyError(parsed.ref, parsed.frame.status());
  Dispatch(*std::move(parsed.frame));
}

void WsSession::Dispatch(ClientFrame frame) {
  const nlohmann::json& data = frame.data;
  const Ref& ref = frame.ref;
  switch (frame.event) {
    case ClientEvent::kSubscribe:
      return OnSubscribe(data, ref);
    case ClientEvent::kUnsubscribe:
      return OnUnsubscribe(data, ref);
    case ClientEvent::kSendMessage:
      return OnSendMessage(data, ref);
    case ClientEvent::kEditMessage:
      return OnEditMessage(data, ref);
    case ClientEvent::kDeleteMessage:
      return OnDeleteMessage(data, ref);
    case ClientEvent::kTypingStart:
      return OnTyping(data, true, ref);
    case ClientEvent::kTypingStop:
      return OnTyping(data, false, ref);
    case ClientEvent::kMarkRead:
      return OnMarkRead(data, ref);
    case ClientEvent::kMarkDelivered:
      return OnMarkDelivered(data, ref);
    case ClientEvent::kPing:
      if (absl::Status valid = ParsePingData(data); !valid.ok()) return ReplyError(ref, valid);
      if (!Enqueue(PongFrame())) return;
      return ReplyAck(ref, ordered_json::object());
    case ClientEvent::kAuthenticate:
      return OnAuthenticate(data, ref);
  }
}

// ---------------------------------------------------------------------------------------------
// Subscriptions. A new room is access-checked first; with since_seq the session joins the room
// index *before* the replay is fetched and holds live events meanwhile, so nothing committed
// after the replay's read is missed, and then skips what the replay already delivered.

void WsSession::OnSubscribe(const nlohmann::json& data, const Ref& ref) {
  absl::StatusOr<SubscribeData> request = ParseSubscribeData(data);
  if (!request.ok()) return ReplyError(ref, request.status());
  const std::string& room = request->room_id;
  auto existing = subscriptions_.find(room);
  if (existing == subscriptions_.end()) {
    if (static_cast<int>(subscriptions_.size()) >= deps_.options.max_subscriptions) {
      return ReplyError(ref, absl::ResourceExhaustedError(
                                 absl::StrCat("at most ", deps_.options.max_subscriptions,
                                              " rooms per session; unsubscribe from one first")));
    }
    Subscription& subscription = subscriptions_[room];
    subscription.generation = next_generation_++;
    deps_.chat.CheckRoomAccess(
        identity_.request_id, user_id(), {room},
        OnStrand<chat::v1::CheckRoomAccessResponse>(
            [this, room, generation = subscription.generation, since = request->since_seq,
             ref](absl::StatusOr<chat::v1::CheckRoomAccessResponse> access) {
              OnSubscribeAccess(room, generation, since, ref, std::move(access));
            }));
    return;
  }
  Subscription& subscription = existing->second;
  if (subscription.state != Subscription::State::kActive) {
    return ReplyError(
        ref, absl::FailedPreconditionError("a subscribe to this room is already in progress"));
  }
  if (!request->since_seq) return ReplyAck(ref, SubscribedData(room, subscription.last_seq));
  BeginReplay(room, subscription, *request->since_seq, ref);
}

void WsSession::OnSubscribeAccess(const std::string& room_id, uint64_t generation,
                                  std::optional<int64_t> since_seq, const Ref& ref,
                                  absl::StatusOr<chat::v1::CheckRoomAccessResponse> access) {
  if (!open()) return;
  auto found = subscriptions_.find(room_id);
  if (found == subscriptions_.end() || found->second.generation != generation) {
    return ReplyError(ref, absl::AbortedError("unsubscribed before the subscribe completed"));
  }
  if (!access.ok() || access->results_size() != 1 || !access->results(0).allowed()) {
    subscriptions_.erase(found);
    if (!access.ok()) return ReplyError(ref, access.status());
    if (access->results_size() != 1) {
      return ReplyError(ref, absl::InternalError("malformed CheckRoomAccess answer"));
    }
    return ReplyError(ref, RefusalStatus(access->results(0).code()));
  }
  Subscription& subscription = found->second;
  subscription.last_seq = access->results(0).last_seq();
  deps_.sequencer.Watch(room_id, subscription.last_seq);
  deps_.index.Subscribe(room_id, session_id());
  deps_.realtime.Subscribe(room_id, session_id());
  if (since_seq) return BeginReplay(room_id, subscription, *since_seq, ref);
  subscription.state = Subscription::State::kActive;
  ReplyAck(ref, SubscribedData(room_id, subscription.last_seq));
}

void WsSession::BeginReplay(const std::string& room_id, Subscription& subscription,
                            int64_t since_seq, const Ref& ref) {
  subscription.state = Subscription::State::kReplaying;
  subscription.generation = next_generation_++;
  // Events held for a send in flight join the replay's pending ones (deduplicated like them).
  subscription.pending = std::move(subscription.held);
  subscription.held.clear();
  subscription.sends_in_flight = 0;
  subscription.pending_overflowed = false;
  subscription.max_pending_seq = 0;
  chat::v1::ListMessagesSinceRequest request;
  request.set_user_id(user_id());
  request.set_room_id(room_id);
  request.set_since_seq(since_seq);
  request.set_limit(deps_.options.replay_limit);
  deps_.chat.ListMessagesSince(
      identity_.request_id, request,
      OnStrand<chat::v1::ListMessagesSinceResponse>(
          [this, room_id, generation = subscription.generation, since_seq,
           ref](absl::StatusOr<chat::v1::ListMessagesSinceResponse> replay) {
            OnReplay(room_id, generation, since_seq, ref, std::move(replay));
          }));
}

void WsSession::OnReplay(const std::string& room_id, uint64_t generation, int64_t since_seq,
                         const Ref& ref,
                         absl::StatusOr<chat::v1::ListMessagesSinceResponse> replay) {
  if (!open()) return;
  auto found = subscriptions_.find(room_id);
  if (found == subscriptions_.end() || found->second.generation != generation) {
    return ReplyError(ref, absl::AbortedError("unsubscribed before the replay completed"));
  }
  if (!replay.ok()) {
    Unsubscribe(room_id);
    return ReplyError(ref, replay.status());
  }
  Subscription& subscription = found->second;
  if (replay->truncated()) {
    // Too much to replay: the client catches up over REST from `resync_required` instead.
    subscription.last_seq = std::max(subscription.last_seq, replay->last_seq());
    subscription.skip_up_to = subscription.last_seq;
    subscription.backlog.push_back(EncodeResync(room_id, subscription.last_seq));
  } else {
    int64_t last_replayed = since_seq;
    for (const common::v1::Message& message : replay->messages()) {
      subscription.backlog.push_back(EncodeMessageEvent("receive_message", message));
      last_replayed = std::max(last_replayed, message.seq());
    }
    subscription.skip_up_to = last_replayed;
    subscription.last_seq = std::max({subscription.last_seq, last_replayed, replay->last_seq()});
  }
  subscription.backlog_active = true;
  subscription.replay_ref = ref;
  replay_order_.push_back(room_id);
  PumpReplays();
}

void WsSession::PumpReplays() {
  while (!replay_order_.empty() && open() && !closing_) {
    auto found = subscriptions_.find(replay_order_.front());
    if (found == subscriptions_.end() || !found->second.backlog_active) {
      replay_order_.pop_front();  // Unsubscribed meanwhile (its ref was answered then).
      continue;
    }
    if (!DrainBacklog(found->first, found->second)) return;  // A write completion resumes.
    replay_order_.pop_front();
  }
}

bool WsSession::DrainBacklog(const std::string& room_id, Subscription& subscription) {
  while (true) {
    while (!subscription.backlog.empty()) {
      // Headroom, so replies and other rooms' events still fit while a replay is paced.
      if (!queue_.Fits(subscription.backlog.front()->size() + kReplayHeadroomBytes)) return false;
      Frame frame = std::move(subscription.backlog.front());
      subscription.backlog.pop_front();
      if (!Enqueue(std::move(frame))) return false;
    }
    if (subscription.pending_overflowed) {
      // Live events were dropped meanwhile: the client catches up over REST.
      subscription.pending.clear();
      subscription.pending_overflowed = false;
      subscription.last_seq = std::max(subscription.last_seq, subscription.max_pending_seq);
      subscription.skip_up_to = subscription.last_seq;
      subscription.backlog.push_back(EncodeResync(room_id, subscription.last_seq));
      continue;
    }
    if (subscription.pending.empty()) break;
    // The live events held meanwhile follow the replay, minus those it already carried.
    for (const auto& delivery : subscription.pending) {
      if (delivery->created_seq) {
        if (*delivery->created_seq <= subscription.skip_up_to) continue;
        subscription.last_seq = std::max(subscription.last_seq, *delivery->created_seq);
      }
      if (delivery->resync_seq) {
        if (*delivery->resync_seq <= subscription.skip_up_to) continue;  // Replayed already.
        subscription.last_seq = std::max(subscription.last_seq, *delivery->resync_seq);
        subscription.skip_up_to = subscription.last_seq;
      }
      subscription.backlog.push_back(delivery->frame);
    }
    subscription.pending.clear();
  }
  subscription.state = Subscription::State::kActive;
  subscription.backlog_active = false;
  subscription.max_pending_seq = 0;
  Ref ref = std::move(subscription.replay_ref);
  subscription.replay_ref.reset();
  ReplyAck(ref, SubscribedData(room_id, subscription.last_seq));
  return true;
}

void WsSession::AbortBacklog(Subscription& subscription) {
  if (!subscription.backlog_active) return;
  subscription.backlog_active = false;
  subscription.backlog.clear();
  ReplyError(subscription.replay_ref,
             absl::AbortedError("unsubscribed before the replay completed"));
}

void WsSession::OnUnsubscribe(const nlohmann::json& data, const Ref& ref) {
  absl::StatusOr<std::string> room_id = ParseRoomIdData(data);
  if (!room_id.ok()) return ReplyError(ref, room_id.status());
  Unsubscribe(*room_id);
  ordered_json ack;
  ack["room_id"] = *room_id;
  ReplyAck(ref, std::move(ack));
}

void WsSession::Unsubscribe(const std::string& room_id) {
  auto found = subscriptions_.find(room_id);
  if (found == subscriptions_.end()) return;
  AbortBacklog(found->second);
  subscriptions_.erase(found);
  deps_.index.Unsubscribe(room_id, session_id());
  deps_.realtime.Unsubscribe(room_id, session_id());
}

void WsSession::OnTyping(const nlohmann::json& data, bool started, const Ref& ref) {
  absl::StatusOr<std::string> room_id = ParseRoomIdData(data);
  if (!room_id.ok()) return ReplyError(ref, room_id.status());
  auto found = subscriptions_.find(*room_id);
  if (found == subscriptions_.end() || found->second.state == Subscription::State::kChecking) {
    return ReplyError(
        ref, absl::FailedPreconditionError("subscribe to the room before sending typing events"));
  }
  realtime::v1::Typing typing;
  typing.set_room_id(*room_id);
  typing.set_user_id(user_id());
  typing.set_username(identity_.username);
  typing.set_started(started);
  deps_.realtime.Typing(session_id(), typing);
  ReplyAck(ref, ordered_json::object());
}

// ---------------------------------------------------------------------------------------------
// Message actions: chat-svc with the user's own token, exactly as the REST routes.

void WsSession::OnSendMessage(const nlohmann::json& data, const Ref& ref) {
  chat::v1::SendMessageRequest request;
  if (absl::Status decoded = DecodeRequestData(data, {"room_id", "content"}, request);
      !decoded.ok()) {
    return ReplyError(ref, decoded);
  }
  // chat-svc publishes before it answers, so the sender's own receive_message could overtake
  // the ack: the room's live events wait for the answer (bounded, see OnRoomEvent).
  std::string room_id = CanonicalRoomId(request.room_id());
  uint64_t generation = 0;
  if (auto found = subscriptions_.find(room_id);
      found != subscriptions_.end() && found->second.state == Subscription::State::kActive) {
    ++found->second.sends_in_flight;
    generation = found->second.generation;
  }
  deps_.chat.SendMessage(
      UserCall(), request,
      OnStrand<chat::v1::SendMessageResponse>(
          [this, ref, room_id, generation](absl::StatusOr<chat::v1::SendMessageResponse> response) {
            if (!open()) return;
            if (!response.ok()) {
              ReplyError(ref, response.status());
            } else {
              ReplyAck(ref, EncodeJson(response->message()));
            }
            if (generation != 0) ReleaseHeld(room_id, generation);
          }));
}

void WsSession::ReleaseHeld(const std::string& room_id, uint64_t generation) {
  auto found = subscriptions_.find(room_id);
  if (found == subscriptions_.end() || found->second.generation != generation) return;
  Subscription& subscription = found->second;
  subscription.sends_in_flight = std::max(0, subscription.sends_in_flight - 1);
  // Everything held goes now, even with other sends still in flight: nothing waits longer than
  // one chat-svc call.
  SendHeld(subscription);
}

bool WsSession::SendHeld(Subscription& subscription) {
  std::vector<std::shared_ptr<const RoomDelivery>> held = std::move(subscription.held);
  subscription.held.clear();
  for (const auto& delivery : held) {
    SendRoomEvent(*delivery, subscription);
    if (closing_) return false;
  }
  return true;
}

void WsSession::OnEditMessage(const nlohmann::json& data, const Ref& ref) {
  chat::v1::EditMessageRequest request;
  if (absl::Status decoded = DecodeRequestData(data, {"room_id", "message_id", "content"}, request);
      !decoded.ok()) {
    return ReplyError(ref, decoded);
  }
  deps_.chat.EditMessage(UserCall(), request,
                         OnStrand<chat::v1::EditMessageResponse>(
                             [this, ref](absl::StatusOr<chat::v1::EditMessageResponse> response) {
                               if (!open()) return;
                               if (!response.ok()) return ReplyError(ref, response.status());
                               ReplyAck(ref, EncodeJson(response->message()));
                             }));
}

void WsSession::OnDeleteMessage(const nlohmann::json& data, const Ref& ref) {
  chat::v1::DeleteMessageRequest request;
  if (absl::Status decoded = DecodeRequestData(data, {"room_id", "message_id"}, request);
      !decoded.ok()) {
    return ReplyError(ref, decoded);
  }
  deps_.chat.DeleteMessage(
      UserCall(), request,
      OnStrand<chat::v1::DeleteMessageResponse>(
          [this, ref, room_id = request.room_id(), message_id = request.message_id()](
              absl::StatusOr<chat::v1::DeleteMessageResponse> response) {
            if (!open()) return;
            if (!response.ok()) return ReplyError(ref, response.status());
            ordered_json ack;
            ack["room_id"] = room_id;
            ack["message_id"] = message_id;
            ReplyAck(ref, std::move(ack));
          }));
}

void WsSession::OnMarkRead(const nlohmann::json& data, const Ref& ref) {
  chat::v1::MarkReadRequest request;
  if (absl::Status decoded = DecodeRequestData(data, {"room_id", "seq"}, request); !decoded.ok()) {
    return ReplyError(ref, decoded);
  }
  deps_.chat.MarkRead(UserCall(), request,
                      OnStrand<chat::v1::MarkReadResponse>(
                          [this, ref, room_id = request.room_id()](
                              absl::StatusOr<chat::v1::MarkReadResponse> response) {
                            if (!open()) return;
                            if (!response.ok()) return ReplyError(ref, response.status());
                            ordered_json ack;
                            ack["room_id"] = room_id;
                            ack["seq"] = response->read_seq();
                            ReplyAck(ref, std::move(ack));
                          }));
}

void WsSession::OnMarkDelivered(const nlohmann::json& data, const Ref& ref) {
  chat::v1::MarkDeliveredRequest request;
  if (absl::Status decoded = DecodeRequestData(data, {"room_id", "seq"}, request); !decoded.ok()) {
    return ReplyError(ref, decoded);
  }
  deps_.chat.MarkDelivered(UserCall(), request,
                           OnStrand<chat::v1::MarkDeliveredResponse>(
                               [this, ref, room_id = request.room_id(), seq = request.seq()](
                                   absl::StatusOr<chat::v1::MarkDeliveredResponse> response) {
                                 if (!open()) return;
                                 if (!response.ok()) return ReplyError(ref, response.status());
                                 ordered_json ack;
                                 ack["room_id"] = room_id;
                                 ack["seq"] = seq;
                                 ReplyAck(ref, std::move(ack));
                               }));
}

// ---------------------------------------------------------------------------------------------
// The session's access token. Calls to chat-svc carry it, so a session must not outlive it:
// clients that refresh their tokens hand the new one over with `authenticate` (verified here
// exactly as on connect, same user only); others are closed with 4401 and reconnect with a
// fresh token and since_seq.

void WsSession::OnAuthenticate(const nlohmann::json& data, const Ref& ref) {
  absl::StatusOr<std::string> token = ParseAuthenticateData(data);
  if (!token.ok()) return ReplyError(ref, token.status());
  absl::StatusOr<authn::Principal> principal = deps_.authenticator.AuthenticateToken(*token);
  if (!principal.ok()) return ReplyError(ref, principal.status());
  if (principal->kind != authn::Principal::Kind::kUser) {
    return ReplyError(ref, absl::PermissionDeniedError("user token required"));
  }
  if (principal->subject != user_id()) {
    return ReplyError(ref, absl::PermissionDeniedError(
                               "the token belongs to another user; open a new connection"));
  }
  identity_.access_token = *std::move(token);
  identity_.login_id = principal->session_id;
  identity_.token_deadline = TokenDeadline(principal->accepted_for);
  ArmTokenTimer();
  ordered_json ack;
  ack["user_id"] = user_id();
  ack["expires_at"] = FormatTimestamp(absl::ToUnixSeconds(principal->expires_at), 0);
  ReplyAck(ref, std::move(ack));
}

void WsSession::ArmTokenTimer() {
  uint64_t epoch = ++token_epoch_;
  token_timer_.cancel();
  if (identity_.token_deadline == std::chrono::steady_clock::time_point::max()) return;
  token_timer_.expires_at(identity_.token_deadline);
  token_timer_.async_wait([self = shared_from_this(), epoch](beast::error_code ec) {
    if (ec || epoch != self->token_epoch_ || !self->open()) return;
    log::Write(log::Level::kInfo, self->identity_.request_id, "websocket access token expired",
               {{"session_id", self->session_id()}, {"user_id", self->user_id()}});
    self->CloseOnStrand(kTokenExpiredCloseCode, "access token expired", "token_expired");
    self->Flush();
  });
}

void WsSession::CloseIfLoginEnded(
    std::shared_ptr<const absl::flat_hash_set<std::string>> ended_logins) {
  Post([this, ended_logins = std::move(ended_logins)] {
    if (!open() || !ended_logins->contains(identity_.login_id)) return;
    log::Write(log::Level::kInfo, identity_.request_id, "websocket login ended",
               {{"session_id", session_id()}, {"user_id", user_id()}});
    CloseOnStrand(kTokenExpiredCloseCode, "session ended", "logged_out");
  });
}

UserCallContext WsSession::UserCall() const {
  return {.access_token = identity_.access_token,
          .request_id = identity_.request_id,
          .client_ip = identity_.client_ip,
          .user_agent = identity_.user_agent};
}

// ---------------------------------------------------------------------------------------------
// Deliveries from the fan-out (any thread).

template <typename Task>
void WsSession::Post(Task task) {
  net::post(executor_, [self = shared_from_this(), task = std::move(task)]() mutable {
    task();
    self->Flush();
  });
}

template <typename Task>
void WsSession::Dispatch(Task task) {
  net::dispatch(executor_, [self = shared_from_this(), task = std::move(task)]() mutable {
    task();
    self->Flush();
  });
}

void WsSession::DeliverRoomEvent(std::shared_ptr<const RoomDelivery> delivery) {
  Dispatch([this, delivery = std::move(delivery)] { OnRoomEvent(delivery); });
}

void WsSession::DeliverFrame(Frame frame) {
  Dispatch([this, frame = std::move(frame)]() mutable {
    if (open()) Enqueue(std::move(frame));
  });
}

void WsSession::RevokeRoom(const std::string& room_id) {
  Dispatch([this, room_id] {
    // A subscribe still being checked ends here: its answer then finds no subscription and
    // replies `aborted`. One that entered the index after the fan-out's removal leaves it now.
    if (open()) Unsubscribe(room_id);
  });
}

void WsSession::Disconnect(uint16_t code, std::string reason) {
  Close(code, std::move(reason), "disconnected");
}

void WsSession::OnRoomEvent(const std::shared_ptr<const RoomDelivery>& delivery) {
  if (!open() || closing_) return;
  auto found = subscriptions_.find(delivery->room_id);
  if (found == subscriptions_.end()) return;  // Unsubscribed after the index lookup.
  Subscription& subscription = found->second;
  switch (subscription.state) {
    case Subscription::State::kChecking:
      return;
    case Subscription::State::kReplaying:
      for (const std::optional<int64_t>& seq : {delivery->created_seq, delivery->resync_seq}) {
        if (seq) subscription.max_pending_seq = std::max(subscription.max_pending_seq, *seq);
      }
      if (subscription.pending_overflowed) return;
      if (subscription.pending.size() >= deps_.options.max_pending_events) {
        subscription.pending_overflowed = true;
        subscription.pending.clear();
        return;
      }
      subscription.pending.push_back(delivery);
      return;
    case Subscription::State::kActive:
      // A message the replay already carried whose live event was still on its way (chat-svc
      // publishes after commit, asynchronously): sending it again would duplicate it.
      if (delivery->created_seq && *delivery->created_seq <= subscription.skip_up_to) return;
      if (subscription.sends_in_flight > 0) {
        if (subscription.held.size() < deps_.options.max_pending_events) {
          subscription.held.push_back(delivery);
          return;
        }
        // Full: what is held goes first, so events never overtake older ones of the room (only
        // the sender's ack-before-own-echo is given up under such a burst).
        if (!SendHeld(subscription)) return;
      }
      SendRoomEvent(*delivery, subscription);
      return;
  }
}

void WsSession::SendRoomEvent(const RoomDelivery& delivery, Subscription& subscription) {
  if (delivery.created_seq) {
    subscription.last_seq = std::max(subscription.last_seq, *delivery.created_seq);
  }
  if (delivery.resync_seq) {
    // The client reads up to here over REST; live events it may still get for those seqs
    // would be duplicates.
    subscription.last_seq = std::max(subscription.last_seq, *delivery.resync_seq);
    subscription.skip_up_to = std::max(subscription.skip_up_to, *delivery.resync_seq);
  }
  if (delivery.occurred_at != absl::InfinitePast()) {
    deps_.metrics.FanoutLatency(absl::ToDoubleSeconds(absl::Now() - delivery.occurred_at));
  }
  Enqueue(delivery.frame);
}

// ---------------------------------------------------------------------------------------------
// Replies and the send queue.

template <typename T, typename Handler>
Done<T> WsSession::OnStrand(Handler handler) {
  ++replies_owed_;
  return [self = shared_from_this(), handler = std::move(handler)](absl::StatusOr<T> result) {
    net::post(self->executor_, [self, handler, result = std::move(result)]() mutable {
      --self->replies_owed_;
      handler(std::move(result));
      if (self->closing_) self->MaybeStartClose();
      self->Flush();
    });
  };
}

void WsSession::ReplyAck(const Ref& ref, ordered_json data) {
  if (ref) Enqueue(AckFrame(*ref, std::move(data)));
}

void WsSession::ReplyError(const Ref& ref, const absl::Status& status) {
  Enqueue(ErrorFrame(status, ref));
}

bool WsSession::Enqueue(Frame frame) {
  if (state_ == State::kClosed || close_sent_ || (closing_ && !draining_replies_)) return false;
  if (!queue_.Push(std::move(frame))) {
    log::Write(log::Level::kWarn, identity_.request_id, "websocket send queue overflow",
               {{"session_id", session_id()},
                {"user_id", user_id()},
                {"queued_bytes", queue_.bytes()},
                {"limit_bytes", queue_.max_bytes()}});
    CloseOnStrand(1013, "send queue overflow", "send_queue_overflow");
    return false;
  }
  ++frames_out_;
  deps_.metrics.FrameOut();
  return true;  // Written when the strand handler ends (Flush), with whatever else it queued.
}

void WsSession::Flush() {
  // Until the handshake is done the socket is Beast's (OnAccept flushes the `ready` frame).
  if (state_ == State::kAccepting || state_ == State::kClosed) return;
  thread_local std::vector<net::const_buffer> buffers;
  while (!writing_) {
    if (queue_.empty() && !AfterWrite()) return;
    if (queue_.empty()) return;
    size_t count = std::min(queue_.size(), kMaxFramesPerWrite);
    buffers.clear();
    size_t total = 0;
    for (size_t i = 0; i < count; ++i) {
      const SendQueue::Entry& entry = queue_.at(i);
      buffers.emplace_back(entry.header.bytes.data(), entry.header.size);
      buffers.emplace_back(entry.payload->data(), entry.payload->size());
      total += entry.wire_size();
    }
    beast::error_code ec;
    size_t written = socket_.write_some(buffers, ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      written = 0;
    } else if (ec) {
      return Teardown(closing_ ? close_metric_reason_ : "write_failed");
    }
    // Frames the kernel took whole leave the queue.
    while (count > 0 && written >= queue_.front().wire_size()) {
      written -= queue_.front().wire_size();
      queue_.Pop();
      --count;
    }
    if (count == 0) continue;  // The whole batch is out: the next one, or the tail work.
    // The kernel's buffer is full: the rest of the batch goes out asynchronously, from frames
    // that leave the queue now (so the queue's bound counts only what waits behind them).
    writing_ = true;
    writing_frames_.reserve(count);
    for (size_t i = 0; i < count; ++i) writing_frames_.push_back(queue_.Pop());
    writing_buffers_.reserve(2 * count);
    for (const SendQueue::Entry& entry : writing_frames_) {
      writing_buffers_.emplace_back(entry.header.bytes.data(), entry.header.size);
      writing_buffers_.emplace_back(entry.payload->data(), entry.payload->size());
    }
    beast::buffers_suffix<std::vector<net::const_buffer>> rest(writing_buffers_);
    rest.consume(written);
    net::async_write(socket_, rest, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
      self->Flush();
    });
  }
}

void WsSession::OnWrite(beast::error_code ec) {
  writing_ = false;
  // Released, not kept: an idle session holds no write buffers.
  writing_frames_ = {};
  writing_buffers_ = {};
  if (state_ == State::kClosed) return;
  if (ec) return Teardown(closing_ ? close_metric_reason_ : "write_failed");
}

bool WsSession::AfterWrite() {
  if (close_sent_) {
    // The close frame is out. Once the client's came too, the handshake is complete. After a
    // protocol violation the connection is failed (RFC 6455 7.1.7): FIN now, and what the
    // client still sends is read and dropped until its EOF (a close() with unread bytes would
    // reset the connection and could lose the close frame on the way).
    if (peer_closed_) {
      Teardown(close_metric_reason_);
    } else if (failing_ && !shut_down_) {
      shut_down_ = true;
      beast::error_code ignored;
      socket_.shutdown(net::socket_base::shutdown_send, ignored);
    }
    return false;
  }
  if (closing_) {
    MaybeStartClose();
    return !queue_.empty();
  }
  PumpReplays();
  return !queue_.empty();
}

// ---------------------------------------------------------------------------------------------
// Closing: a close frame after the write in flight, a hard cut if that does not finish.

void WsSession::Close(uint16_t code, std::string reason, std::string metric_reason) {
  Post(
      [this, code, reason = std::move(reason), metric_reason = std::move(metric_reason)]() mutable {
        CloseOnStrand(code, std::move(reason), std::move(metric_reason));
      });
}

void WsSession::CloseAfterReplying(uint16_t code, std::string reason, std::string metric_reason) {
  Post(
      [this, code, reason = std::move(reason), metric_reason = std::move(metric_reason)]() mutable {
        CloseAfterReplies(code, std::move(reason), std::move(metric_reason));
      });
}

void WsSession::BeginClose(uint16_t code, std::string reason, std::string metric_reason) {
  closing_ = true;
  close_code_ = code;
  close_text_ = std::move(reason);
  close_metric_reason_ = std::move(metric_reason);
  close_timer_.expires_after(ToChrono(deps_.options.close_grace));
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->Teardown(self->close_metric_reason_);
  });
}

void WsSession::CloseOnStrand(uint16_t code, std::string reason, std::string metric_reason) {
  if (closing_ || state_ == State::kClosed) return;
  BeginClose(code, std::move(reason), std::move(metric_reason));
  queue_.Clear();
  if (state_ == State::kAccepting) return;  // OnAccept starts the close.
  if (!writing_) StartClose();
}

void WsSession::CloseAfterReplies(uint16_t code, std::string reason, std::string metric_reason) {
  if (closing_ || state_ == State::kClosed) return;
  draining_replies_ = true;
  BeginClose(code, std::move(reason), std::move(metric_reason));
  MaybeStartClose();
}

void WsSession::MaybeStartClose() {
  if (close_sent_ || writing_ || state_ == State::kAccepting || state_ == State::kClosed) return;
  if (draining_replies_ && (replies_owed_ > 0 || !queue_.empty())) return;
  StartClose();
}

void WsSession::StartClose() {
  close_sent_ = true;
  queue_.PushControl(SharedBytes(ClosePayload(close_code_, close_text_)), WsOpcode::kClose);
  // The client answers with its own close frame (HandleInbound); one that does not is cut
  // after the handshake timeout. The caller's handler writes the frame when it ends.
  close_timer_.expires_after(ToChrono(deps_.options.handshake_timeout));
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->Teardown(self->close_metric_reason_);
  });
}

void WsSession::Teardown(const std::string& metric_reason) {
  if (state_ == State::kClosed) return;
  bool was_open = state_ != State::kAccepting;
  state_ = State::kClosed;
  closing_ = true;
  close_timer_.cancel();
  token_timer_.cancel();
  idle_timer_.cancel();
  beast::error_code ignored;
  // Ends any operation still pending.
  if (handshake_) beast::get_lowest_layer(*handshake_).socket().close(ignored);
  socket_.close(ignored);
  queue_.Clear();
  subscriptions_.clear();
  replay_order_.clear();
  if (registered_) {
    registered_ = false;
    deps_.index.RemoveSession(session_id());
    deps_.realtime.SessionClosed(session_id());
  }
  deps_.metrics.Closed(metric_reason);
  if (was_open) {
    log::Write(log::Level::kInfo, identity_.request_id, "websocket closed",
               {{"session_id", session_id()},
                {"user_id", user_id()},
                {"reason", metric_reason},
                {"duration_ms", absl::ToDoubleMilliseconds(absl::Now() - opened_at_)},
                {"frames_in", frames_in_},
                {"frames_out", frames_out_}});
  }
  if (auto on_closed = std::move(on_closed_)) on_closed(*this);
}

}  // namespace chatter::gateway
