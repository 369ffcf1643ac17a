// One client's WebSocket session: the handshake, the `ready` frame, client events (answered
// with exactly one ack or error per ref), room subscriptions with gap-free replay, and a
// byte-bounded send queue of shared frames. Everything runs on the connection's strand.
//
// Beast does the opening handshake; after it the session speaks the wire protocol itself
// (ws_wire.h). Frames queued while a strand handler runs are written when it ends, all in one
// gather write attempted at once on the non-blocking socket; only what the kernel does not take
// right away waits for an asynchronous write.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/container/deque.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/http/http_types.h"
#include "gateway/ws/chat_backend.h"
#include "gateway/ws/event_rate_limiter.h"
#include "gateway/ws/realtime_link.h"
#include "gateway/ws/room_index.h"
#include "gateway/ws/room_sequencer.h"
#include "gateway/ws/send_queue.h"
#include "gateway/ws/subscriber.h"
#include "gateway/ws/ws_metrics.h"
#include "gateway/ws/ws_options.h"
#include "gateway/ws/ws_wire.h"
#include "libs/authn/authenticator.h"

namespace chatter::gateway {

// Who the session is, from the verified access token and the upgrade request.
struct WsIdentity {
  std::string session_id;  // This WebSocket session's own id (the `ready` frame's).
  std::string user_id;
  std::string login_id;  // The token's `sid`: the login the session ends with (4401).
  std::string username;
  std::string access_token;  // Forwarded to chat-svc for the user's own actions.
  // When `access_token` stops being accepted (verification time + Principal::accepted_for): the
  // session closes with 4401 then, unless an `authenticate` event brought a newer token. Fixed
  // at admission, so the handshake and the connect rooms' check do not push it back.
  std::chrono::steady_clock::time_point token_deadline =
      std::chrono::steady_clock::time_point::max();
  std::string request_id;  // Of the upgrade request; on every log line of the session.
  std::string client_ip;
  std::string user_agent;
};

// Shared collaborators; all must outlive every session.
struct WsSessionDeps {
  const WsOptions& options;
  const authn::Authenticator& authenticator;  // For `authenticate` events.
  ChatBackend& chat;
  RealtimeLink& realtime;
  RoomIndex& index;
  RoomSequencer& sequencer;  // Told each room a session starts following, with its last seq.
  WsMetrics& metrics;
};

// The steady-clock instant `accepted_for` from now.
inline std::chrono::steady_clock::time_point TokenDeadline(absl::Duration accepted_for) {
  return std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(accepted_for);
}

class WsSession final : public Subscriber, public std::enable_shared_from_this<WsSession> {
 public:
  // `on_closed` runs once, on the strand, when the session has ended.
  WsSession(boost::beast::tcp_stream stream, WsIdentity identity,
            std::vector<std::string> connect_rooms, WsSessionDeps deps,
            std::function<void(WsSession&)> on_closed);
  ~WsSession() override;

  // Completes the upgrade of `request`, then runs until the session closes.
  void Start(HttpRequest request);
  // Closes with a close frame at once (what is queued is dropped); from any thread.
  void Close(uint16_t code, std::string reason, std::string metric_reason);
  // Closes with a close frame once every reply owed is written (1012 on shutdown: a send being
  // saved still gets its ack, so the client knows not to send it again), bounded by
  // close_grace; reads stop now. From any thread.
  void CloseAfterReplying(uint16_t code, std::string reason, std::string metric_reason);
  // Closes with 4401 if the session's current token belongs to one of `ended_logins` (token
  // `sid`s); from any thread. The check runs on the strand, after any `authenticate` that
  // switched the session to another login.
  void CloseIfLoginEnded(std::shared_ptr<const absl::flat_hash_set<std::string>> ended_logins);

  const std::string& session_id() const override { return identity_.session_id; }
  const std::string& user_id() const override { return identity_.user_id; }
  void DeliverRoomEvent(std::shared_ptr<const RoomDelivery> delivery) override;
  void DeliverFrame(Frame frame) override;
  void RevokeRoom(const std::string& room_id) override;
  // Close(code, reason, "disconnected").
  void Disconnect(uint16_t code, std::string reason) override;

 private:
  using WebSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using Ref = std::optional<std::string>;

  struct Subscription {
    enum class State { kChecking, kReplaying, kActive };
    State state = State::kChecking;
    uint64_t generation = 0;  // Completions of an older subscribe/replay are stale.
    int64_t last_seq = 0;     // Newest seq known to have been sent (or announced).
    // Live events held while the replay is fetched and sent (kReplaying only), bounded.
    std::vector<std::shared_ptr<const RoomDelivery>> pending;
    bool pending_overflowed = false;
    int64_t max_pending_seq = 0;  // Also counts events dropped by the overflow.
    // Replay frames not yet in the send queue: they enter it as it drains, so a replay larger
    // than the queue is paced by the client instead of overflowing it.
    boost::container::deque<Frame> backlog;  // Allocates nothing while empty, unlike std's.
    bool backlog_active = false;  // The replay is being sent; `replay_ref` still owed a reply.
    Ref replay_ref;
    int64_t skip_up_to = 0;  // receive_message with seq <= this was replayed (or resynced).
    // send_message calls of this session to the room still waiting for chat-svc, and the live
    // events held meanwhile: the sender's ack goes out before its own receive_message.
    int sends_in_flight = 0;
    std::vector<std::shared_ptr<const RoomDelivery>> held;
  };

  // Opening.
  void OnAccept(boost::beast::error_code ec);
  void OnConnectAccess(absl::StatusOr<chat::v1::CheckRoomAccessResponse> access);
  // Client messages.
  void HandleFrame(absl::string_view text, bool is_text);
  void Dispatch(ClientFrame frame);
  // Client events.
  void OnSubscribe(const nlohmann::json& data, const Ref& ref);
  void OnSubscribeAccess(const std::string& room_id, uint64_t generation,
                         std::optional<int64_t> since_seq, const Ref& ref,
                         absl::StatusOr<chat::v1::CheckRoomAccessResponse> access);
  void BeginReplay(const std::string& room_id, Subscription& subscription, int64_t since_seq,
                   const Ref& ref);
  void OnReplay(const std::string& room_id, uint64_t generation, int64_t since_seq, const Ref& ref,
                absl::StatusOr<chat::v1::ListMessagesSinceResponse> replay);
  // Moves replay frames into the send queue while it has room, oldest replay first.
  void PumpReplays();
  // Queues the room's replay, then the live events held meanwhile (minus those replayed), then
  // the ack, as far as the queue takes them; true once all are queued (the room is live then).
  bool DrainBacklog(const std::string& room_id, Subscription& subscription);
  // A subscription is dropped while its replay is still being sent: its ref gets `aborted`.
  void AbortBacklog(Subscription& subscription);
  void OnUnsubscribe(const nlohmann::json& data, const Ref& ref);
  void OnTyping(const nlohmann::json& data, bool started, const Ref& ref);
  void OnSendMessage(const nlohmann::json& data, const Ref& ref);
  void OnEditMessage(const nlohmann::json& data, const Ref& ref);
  void OnDeleteMessage(const nlohmann::json& data, const Ref& ref);
  void OnMarkRead(const nlohmann::json& data, const Ref& ref);
  void OnMarkDelivered(const nlohmann::json& data, const Ref& ref);
  // A newer access token of the same user: later calls carry it and the session lives on.
  void OnAuthenticate(const nlohmann::json& data, const Ref& ref);
  // Closes the session (4401) when the current token stops being accepted.
  void ArmTokenTimer();
  void Unsubscribe(const std::string& room_id);
  // Delivery (on the strand).
  void OnRoomEvent(const std::shared_ptr<const RoomDelivery>& delivery);
  // Sends the events held for sends in flight, in order; false once the session is closing.
  bool SendHeld(Subscription& subscription);
  void SendRoomEvent(const RoomDelivery& delivery, Subscription& subscription);
  // A send_message to the room completed (its reply is queued): the held events follow.
  void ReleaseHeld(const std::string& room_id, uint64_t generation);
  // Replies: an ack only when there is a ref; errors always (with the ref if any).
  void ReplyAck(const Ref& ref, nlohmann::ordered_json data);
  void ReplyError(const Ref& ref, const absl::Status& status);
  // Runs `handler(result)` on the strand, keeping the session alive meanwhile.
  template <typename T, typename Handler>
  Done<T> OnStrand(Handler handler);
  // Runs `task` on the strand, then writes what it queued; Post always later, Dispatch at once
  // when the caller may enter the strand (an I/O thread, the strand free).
  template <typename Task>
  void Post(Task task);
  template <typename Task>
  void Dispatch(Task task);
  // Reading (after the handshake): waits until the socket is readable, then reads what is
  // there and handles each complete client message and control frame.
  void WaitReadable();
  void OnReadable(boost::beast::error_code ec);
  // False once the session stops reading (closed, or the peer broke the protocol).
  bool HandleInbound(WsInbound& inbound);
  // Keep-alive: a ping after half the idle timeout without data, a cut after all of it.
  void ArmIdleTimer();
  // Writing.
  bool Enqueue(Frame frame);
  // Writes the queued frames: one gather write per batch, at once; the rest of a batch the
  // kernel did not take goes out asynchronously (OnWrite), and the next batch after it.
  void Flush();
  void OnWrite(boost::beast::error_code ec);
  // After a completed write: the close once the queue is out, paced replays, more frames.
  // False when nothing more is to be written now.
  bool AfterWrite();
  // Closing.
  void CloseOnStrand(uint16_t code, std::string reason, std::string metric_reason);
  // Both closes: closing_ set, the reason kept, the hard-cut timer (close_grace) armed.
  void BeginClose(uint16_t code, std::string reason, std::string metric_reason);
  // For a close the client caused (event rate abuse): reads stop now, but every reply owed
  // (backend calls in flight) is still queued and written before the close frame, bounded by
  // close_grace, so each ref the server read gets its one reply and a saved message its ack.
  void CloseAfterReplies(uint16_t code, std::string reason, std::string metric_reason);
  // While closing: starts the close frame once nothing is being written and, when draining
  // replies, nothing is queued or owed any more.
  void MaybeStartClose();
  void StartClose();
  void Teardown(const std::string& metric_reason);
  UserCallContext UserCall() const;
  bool open() const { return state_ == State::kOpen; }

  enum class State { kAccepting, kOpening, kOpen, kClosed };

  boost::asio::any_io_executor executor_;  // The connection's strand.
  std::unique_ptr<WebSocket> handshake_;   // Beast, for the opening handshake only.
  boost::asio::ip::tcp::socket socket_;    // The connection after the handshake.
  WsIdentity identity_;
  std::vector<std::string> connect_rooms_;
  WsSessionDeps deps_;
  std::function<void(WsSession&)> on_closed_;
  WsFrameReader reader_;
  boost::asio::steady_timer close_timer_;
  boost::asio::steady_timer token_timer_;
  boost::asio::steady_timer idle_timer_;
  bool received_since_tick_ = false;  // Data from the client since the idle timer last fired.
  bool ping_outstanding_ = false;     // A keep-alive ping went out and nothing came back yet.
  uint64_t token_epoch_ = 0;          // Bumped per token: a timer of an older token does nothing.
  SendQueue queue_;
  // Frames of an asynchronous write in flight (the part the kernel did not take at once) and
  // their buffers; empty (and unallocated) otherwise.
  bool writing_ = false;
  std::vector<SendQueue::Entry> writing_frames_;
  std::vector<boost::asio::const_buffer> writing_buffers_;
  EventRateLimiter limiter_;
  absl::flat_hash_map<std::string, Subscription> subscriptions_;
  // Rooms whose backlog is being sent, oldest first.
  boost::container::deque<std::string> replay_order_;
  uint64_t next_generation_ = 1;

  State state_ = State::kAccepting;
  bool registered_ = false;        // In the index and announced to realtime.
  bool closing_ = false;           // A close was decided: nothing more is queued (but see below).
  bool draining_replies_ = false;  // CloseAfterReplies: replies are still queued until sent.
  int replies_owed_ = 0;           // Backend calls (OnStrand) whose answer is still to come.
  bool close_sent_ = false;        // The close frame is queued (nothing may follow it).
  bool peer_closed_ = false;       // The client's close frame arrived.
  bool failing_ = false;           // The client broke the protocol: its bytes are dropped.
  bool shut_down_ = false;         // Our side of the TCP connection is shut (failing only).
  uint16_t close_code_ = 0;
  std::string close_text_;
  std::string close_metric_reason_;
  absl::Time opened_at_;
  uint64_t frames_in_ = 0;
  uint64_t frames_out_ = 0;
};

}  // namespace chatter::gateway
