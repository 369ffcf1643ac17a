// The per-user WebSocket over Beast (see ws_connection.h). The read loop is a coroutine; writes
// are a callback chain on the same strand, so at most one read and one write are in flight, as
// Beast requires.
#include "tools/loadgen/ws_connection.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "absl/strings/str_cat.h"
#include "tools/loadgen/steady_clock.h"

namespace chatter::loadgen {
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
constexpr size_t kMaxServerFrameBytes = 1 << 20;
}  // namespace

WsConnection::WsConnection(net::any_io_executor strand, WsConnectionParams params,
                           ConnectionObserver& observer)
    : strand_(strand),
      params_(std::move(params)),
      observer_(observer),
      backoff_timer_(strand),
      random_(params_.seed) {}

void WsConnection::Start() {
  net::co_spawn(
      strand_, [self = shared_from_this()] { return self->Run(); },
      net::bind_executor(strand_, [self = shared_from_this()](std::exception_ptr error) {
        if (error) {
          // Nothing in Run() throws on purpose; report it rather than lose the
          // connection silently.
          std::string what = "unknown exception";
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what = e.what();
          }
          if (self->phase_ == Phase::kConnecting) {
            self->observer_.OnConnectFailed(self->params_.index, what);
          } else {
            self->observer_.OnClosed(self->params_.index, 0, what, false);
          }
        }
        self->phase_ = Phase::kEnded;
        self->finished_ = true;
      }));
}

net::awaitable<std::string> WsConnection::Open(const std::string& target, bool resuming) {
  if (close_requested_) co_return "closed before connecting";
  // A write still pending on the old stream is abandoned with it: its completion must not
  // touch the new one's state.
  ++stream_generation_;
  writing_ = false;
  ws_.emplace(strand_);
  buffer_.clear();
  beast::error_code ec;
  auto& tcp = beast::get_lowest_layer(*ws_);
  tcp.expires_after(absl::ToChronoNanoseconds(params_.handshake_timeout));
  if (params_.source_address) {
    const boost::asio::ip::tcp::endpoint& target = params_.endpoints.begin()->endpoint();
    tcp.socket().open(target.protocol(), ec);
    if (!ec) tcp.socket().bind({*params_.source_address, 0}, ec);
    if (ec)
      co_return absl::StrCat("bind ", params_.source_address->to_string(), ": ", ec.message());
    co_await tcp.async_connect(target, Await(ec));
  } else {
    co_await tcp.async_connect(params_.endpoints, Await(ec));
  }
  if (ec) co_return absl::StrCat("connect: ", ec.message());
  tcp.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  // Beast's websocket timeouts replace the stream's own from here on.
  tcp.expires_never();
  websocket::stream_base::timeout timeouts{
      .handshake_timeout = absl::ToChronoNanoseconds(params_.handshake_timeout),
      .idle_timeout = websocket::stream_base::none(),
      .keep_alive_pings = false};
  ws_->set_option(timeouts);
  ws_->set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
    request.set(beast::http::field::user_agent, "chatter-loadgen");
  }));
  ws_->read_message_max(kMaxServerFrameBytes);
  websocket::response_type response;
  co_await ws_->async_handshake(response, params_.host_header, target, Await(ec));
  if (ec == websocket::error::upgrade_declined) {
    co_return absl::StrCat("upgrade refused: HTTP ", response.result_int());
  }
  if (ec) co_return absl::StrCat("handshake: ", ec.message());
  ws_->text(true);

  co_await ws_->async_read(buffer_, Await(ec));
  if (ec) co_return absl::StrCat("closed before ready: ", ec.message());
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  absl::StatusOr<ServerFrame> frame = ParseServerFrame(text);
  if (!frame.ok()) co_return std::string(frame.status().message());
  if (resuming) {
    if (frame->event != "ready") co_return absl::StrCat("first frame was ", frame->event);
    co_return "";
  }
  absl::Status ready = CheckReady(*frame, params_.room_id);
  if (!ready.ok()) {
    co_return ready.code() == absl::StatusCode::kPermissionDenied
        ? absl::StrCat("room refused: ", ready.message())
        : std::string(ready.message());
  }
  co_return "";
}

net::awaitable<void> WsConnection::Run() {
  std::string failure = co_await Open(params_.target, /*resuming=*/false);
  if (!failure.empty() || close_requested_) {
    observer_.OnConnectFailed(params_.index, failure.empty() ? "closed while connecting" : failure);
    phase_ = Phase::kEnded;
    CloseNow();
    co_return;
  }
  phase_ = Phase::kOpen;
  observer_.OnReady(params_.index);
  while (true) {
    if (!outbox_.empty() && !writing_) WriteNext();  // Sends that waited for a reconnect.
    Ended ended = co_await ReadUntilEnd();
    bool resume =
        !close_requested_ && params_.reconnect.enabled && ReconnectPolicy::Resumable(ended.code);
    if (resume) {
      observer_.OnInterrupted(params_.index, ended.code);
      phase_ = Phase::kResuming;
      std::string why;
      if (co_await Resume(why)) {
        phase_ = Phase::kOpen;
        observer_.OnResumed(params_.index);
        continue;
      }
      ended.reason = why;
    }
    phase_ = Phase::kEnded;
    FailUnanswered("connection_closed");
    observer_.OnClosed(params_.index, ended.code, ended.reason, close_requested_);
    CloseNow();
    co_return;
  }
}

net::awaitable<WsConnection::Ended> WsConnection::ReadUntilEnd() {
  beast::error_code ec;
  while (true) {
    co_await ws_->async_read(buffer_, Await(ec));
    if (ec) break;
    int64_t receive_ns = SteadyNowNs();
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    Report(text, receive_ns);
  }
  if (ec == websocket::error::closed) {
    co_return Ended{static_cast<int>(ws_->reason().code),
                    std::string(ws_->reason().reason.c_str())};
  }
  co_return Ended{0, ec.message()};
}

net::awaitable<bool> WsConnection::Resume(std::string& failure) {
  const absl::Time give_up = absl::Now() + params_.reconnect.give_up_after;
  // Frames not written on the old connection, and written ones never answered, go again in
  // send order once the room is back.
  outbox_.clear();
  for (const auto& [message_id, frame] : unanswered_) outbox_.push_back(message_id);
  for (int attempt = 0;; ++attempt) {
    backoff_timer_.expires_after(
        absl::ToChronoNanoseconds(params_.reconnect.Backoff(attempt, random_)));
    beast::error_code ec;
    co_await backoff_timer_.async_wait(Await(ec));
    if (close_requested_) {
      failure = "closed while reconnecting";
      co_return false;
    }
    if (absl::Now() >= give_up) {
      failure = absl::StrCat("not back after ",
                             absl::FormatDuration(params_.reconnect.give_up_after), ": ", failure);
      co_return false;
    }
    failure = co_await Open(params_.resume_target, /*resuming=*/true);
    if (!failure.empty()) continue;
    co_await ws_->async_write(net::buffer(SubscribeFrame(kResumeRef, params_.room_id,
                                                         observer_.ResumeSeq(params_.index))),
                              Await(ec));
    // The replay may come before the subscribe's answer; every frame is reported as it comes.
    while (!ec) {
      co_await ws_->async_read(buffer_, Await(ec));
      if (ec) break;
      int64_t receive_ns = SteadyNowNs();
      std::string text = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      absl::StatusOr<ServerFrame> frame = ParseServerFrame(text);
      if (frame.ok() && frame->ref == kResumeRef) {
        if (frame->event == "ack") co_return true;
        std::string code = ErrorCodeOf(*frame);
        failure = absl::StrCat("resubscribe refused: ", code);
        // The room is gone for this user: retrying would not help. Anything else (overload,
        // a backend away) is worth another try after the backoff, on a new connection.
        if (ReconnectPolicy::FinalRefusal(code)) co_return false;
        ec = boost::asio::error::try_again;
        break;
      }
      Report(text, receive_ns);
    }
    if (ec != boost::asio::error::try_again) failure = absl::StrCat("resubscribe: ", ec.message());
  }
}

void WsConnection::Report(const std::string& text, int64_t receive_ns) {
  absl::StatusOr<ServerFrame> frame = ParseServerFrame(text);
  if (!frame.ok()) {
    // Reported like an error frame without ref: the server broke the frame contract.
    ServerFrame invalid{.event = "error", .ref = "", .data = {{"code", "invalid_frame"}}};
    observer_.OnFrame(params_.index, invalid, receive_ns);
    return;
  }
  if (!frame->ref.empty() && (frame->event == "ack" || frame->event == "error")) {
    if (std::optional<uint64_t> id = IdFromRef(frame->ref)) unanswered_.erase(*id);
  }
  observer_.OnFrame(params_.index, *frame, receive_ns);
}

void WsConnection::Send(uint64_t message_id, std::string frame) {
  net::post(strand_, [self = shared_from_this(), message_id, frame = std::move(frame)]() mutable {
    self->Enqueue(message_id, std::move(frame));
  });
}

void WsConnection::Enqueue(uint64_t message_id, std::string frame) {
  bool waiting = phase_ == Phase::kResuming;
  if ((phase_ != Phase::kOpen && !waiting) || close_requested_) {
    observer_.OnSendFailed(params_.index, message_id, "connection_closed");
    return;
  }
  if (unanswered_.size() >= params_.max_queued_frames) {
    observer_.OnSendFailed(params_.index, message_id, "client_queue_full");
    return;
  }
  unanswered_.emplace(message_id, std::move(frame));
  outbox_.push_back(message_id);
  if (!waiting && !writing_) WriteNext();
}

void WsConnection::WriteNext() {
  // Answered meanwhile (an ack on the old connection arrived after the cut-off was queued).
  while (!outbox_.empty() && !unanswered_.contains(outbox_.front())) outbox_.pop_front();
  if (outbox_.empty()) {
    writing_ = false;
    if (close_requested_ && phase_ == Phase::kOpen) CloseNow();
    return;
  }
  writing_ = true;
  const std::string& frame = unanswered_.at(outbox_.front());
  ws_->async_write(net::buffer(frame), [self = shared_from_this(), generation = stream_generation_](
                                           beast::error_code ec, size_t /*bytes*/) {
    if (generation == self->stream_generation_) self->OnWritten(ec);
  });
}

void WsConnection::OnWritten(beast::error_code ec) {
  writing_ = false;
  if (ec) {
    // The read loop sees the connection end too; a reconnect sends these again, else they
    // fail there.
    if (!params_.reconnect.enabled) FailUnanswered(absl::StrCat("write: ", ec.message()));
    return;
  }
  if (phase_ != Phase::kOpen) return;  // Cut off meanwhile: Resume() rebuilt the outbox.
  if (!outbox_.empty()) outbox_.pop_front();
  WriteNext();
}

void WsConnection::FailUnanswered(const std::string& reason) {
  for (const auto& [message_id, frame] : unanswered_) {
    observer_.OnSendFailed(params_.index, message_id, reason);
  }
  unanswered_.clear();
  outbox_.clear();
}

void WsConnection::Close() {
  net::post(strand_, [self = shared_from_this()] {
    self->close_requested_ = true;
    if (self->phase_ == Phase::kConnecting || self->phase_ == Phase::kResuming) {
      // Aborts the pending connect, handshake or backoff; Run() then reports the end.
      self->backoff_timer_.cancel();
      if (self->ws_) beast::get_lowest_layer(*self->ws_).cancel();
      return;
    }
    if (self->phase_ == Phase::kOpen && !self->writing_) self->CloseNow();
  });
}

void WsConnection::CloseNow() {
  if (!ws_) return;
  if (phase_ == Phase::kOpen) {
    phase_ = Phase::kClosing;
    ws_->async_close(websocket::close_code::normal,
                     [self = shared_from_this()](beast::error_code ec) {
                       if (ec) beast::get_lowest_layer(*self->ws_).close();
                     });
    return;
  }
  if (phase_ == Phase::kEnded && ws_->is_open() && !writing_) {
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
  }
}

}  // namespace chatter::loadgen
