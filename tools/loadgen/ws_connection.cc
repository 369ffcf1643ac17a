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
    : strand_(strand), params_(std::move(params)), observer_(observer), ws_(strand) {}

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

net::awaitable<std::string> WsConnection::Open() {
  if (close_requested_) co_return "closed before connecting";
  beast::error_code ec;
  auto& tcp = beast::get_lowest_layer(ws_);
  tcp.expires_after(absl::ToChronoNanoseconds(params_.handshake_timeout));
  co_await tcp.async_connect(params_.endpoints, Await(ec));
  if (ec) co_return absl::StrCat("connect: ", ec.message());
  tcp.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  // Beast's websocket timeouts replace the stream's own from here on.
  tcp.expires_never();
  websocket::stream_base::timeout timeouts{
      .handshake_timeout = absl::ToChronoNanoseconds(params_.handshake_timeout),
      .idle_timeout = websocket::stream_base::none(),
      .keep_alive_pings = false};
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
    request.set(beast::http::field::user_agent, "chatter-loadgen");
  }));
  ws_.read_message_max(kMaxServerFrameBytes);
  websocket::response_type response;
  co_await ws_.async_handshake(response, params_.host_header, params_.target, Await(ec));
  if (ec == websocket::error::upgrade_declined) {
    co_return absl::StrCat("upgrade refused: HTTP ", response.result_int());
  }
  if (ec) co_return absl::StrCat("handshake: ", ec.message());
  ws_.text(true);
  phase_ = Phase::kOpen;

  co_await ws_.async_read(buffer_, Await(ec));
  if (ec) co_return absl::StrCat("closed before ready: ", ec.message());
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  absl::StatusOr<ServerFrame> frame = ParseServerFrame(text);
  if (!frame.ok()) co_return std::string(frame.status().message());
  absl::Status ready = CheckReady(*frame, params_.room_id);
  if (!ready.ok()) {
    co_return ready.code() == absl::StatusCode::kPermissionDenied
        ? absl::StrCat("room refused: ", ready.message())
        : std::string(ready.message());
  }
  co_return "";
}

net::awaitable<void> WsConnection::Run() {
  std::string failure = co_await Open();
  if (!failure.empty() || close_requested_) {
    observer_.OnConnectFailed(params_.index, failure.empty() ? "closed while connecting" : failure);
    CloseNow();
    co_return;
  }
  observer_.OnReady(params_.index);

  beast::error_code ec;
  while (true) {
    co_await ws_.async_read(buffer_, Await(ec));
    if (ec) break;
    int64_t receive_ns = SteadyNowNs();
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    absl::StatusOr<ServerFrame> frame = ParseServerFrame(text);
    if (!frame.ok()) {
      // Reported like an error frame without ref: the server broke the frame contract.
      ServerFrame invalid{.event = "error", .ref = "", .data = {{"code", "invalid_frame"}}};
      observer_.OnFrame(params_.index, invalid, receive_ns);
      continue;
    }
    observer_.OnFrame(params_.index, *frame, receive_ns);
  }
  phase_ = Phase::kEnded;
  int code = ec == websocket::error::closed ? static_cast<int>(ws_.reason().code) : 0;
  std::string reason =
      ec == websocket::error::closed ? std::string(ws_.reason().reason.c_str()) : ec.message();
  observer_.OnClosed(params_.index, code, reason, close_requested_);
  CloseNow();
}

void WsConnection::Send(uint64_t message_id, std::string frame) {
  net::post(strand_, [self = shared_from_this(), message_id, frame = std::move(frame)]() mutable {
    self->Enqueue({message_id, std::move(frame)});
  });
}

void WsConnection::Enqueue(Outgoing outgoing) {
  if (phase_ != Phase::kOpen || close_requested_) {
    observer_.OnSendFailed(params_.index, outgoing.message_id, "connection_closed");
    return;
  }
  if (outbox_.size() >= params_.max_queued_frames) {
    observer_.OnSendFailed(params_.index, outgoing.message_id, "client_queue_full");
    return;
  }
  outbox_.push_back(std::move(outgoing));
  if (!writing_) WriteNext();
}

void WsConnection::WriteNext() {
  writing_ = true;
  const std::string& frame = outbox_.front().frame;
  ws_.async_write(
      net::buffer(frame),
      [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) { self->OnWritten(ec); });
}

void WsConnection::OnWritten(beast::error_code ec) {
  if (ec) {
    std::string reason = absl::StrCat("write: ", ec.message());
    for (const Outgoing& failed : outbox_) {
      observer_.OnSendFailed(params_.index, failed.message_id, reason);
    }
    outbox_.clear();
    writing_ = false;
    return;
  }
  outbox_.pop_front();
  if (!outbox_.empty()) {
    WriteNext();
    return;
  }
  writing_ = false;
  if (close_requested_ && phase_ == Phase::kOpen) CloseNow();
}

void WsConnection::Close() {
  net::post(strand_, [self = shared_from_this()] {
    self->close_requested_ = true;
    if (self->phase_ == Phase::kConnecting) {
      // Aborts the pending connect or handshake; Run() then reports the failure.
      beast::get_lowest_layer(self->ws_).cancel();
      return;
    }
    if (self->phase_ == Phase::kOpen && !self->writing_) self->CloseNow();
  });
}

void WsConnection::CloseNow() {
  if (phase_ == Phase::kOpen) {
    phase_ = Phase::kClosing;
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code ec) {
                      if (ec) beast::get_lowest_layer(self->ws_).close();
                    });
    return;
  }
  if (phase_ == Phase::kEnded && ws_.is_open() && !writing_) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }
}

}  // namespace chatter::loadgen
