// The WebSocket test client: async Beast operations on a private io_context, each bounded by
// running that context for at most the caller's timeout.
#include "tests/e2e/harness/ws_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace chatter::e2e {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct WsClient::Impl {
  net::io_context io;
  websocket::stream<tcp::socket> ws{io};
  beast::flat_buffer buffer;
  bool read_pending = false;
  bool read_done = false;
  beast::error_code read_ec;

  // Runs the context until `done()` or `deadline`; false on timeout.
  template <typename Done>
  bool RunUntil(Done done, absl::Time deadline) {
    while (!done()) {
      absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return false;
      io.restart();
      io.run_for(std::chrono::milliseconds(absl::ToInt64Milliseconds(left) + 1));
    }
    return true;
  }
};

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WsClient::~WsClient() {
  beast::error_code ignored;
  beast::get_lowest_layer(impl_->ws).close(ignored);
}

absl::StatusOr<std::unique_ptr<WsClient>> WsClient::Connect(int port, absl::string_view target,
                                                            WsOptions options) {
  auto impl = std::make_unique<Impl>();
  absl::Time deadline = absl::Now() + options.timeout;
  tcp::socket& socket = beast::get_lowest_layer(impl->ws);
  beast::error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec && options.receive_buffer_bytes > 0) {
    socket.set_option(net::socket_base::receive_buffer_size(options.receive_buffer_bytes), ec);
  }
  if (ec) return absl::InternalError(absl::StrCat("socket: ", ec.message()));

  bool connected = false;
  tcp::endpoint endpoint(net::ip::address_v4::loopback(), static_cast<unsigned short>(port));
  socket.async_connect(endpoint, [&](beast::error_code error) {
    ec = error;
    connected = true;
  });
  if (!impl->RunUntil([&] { return connected; }, deadline)) {
    return absl::DeadlineExceededError(absl::StrCat("connect to 127.0.0.1:", port));
  }
  if (ec) return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));

  impl->ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& request) {
    // insert, not set: a test may send a header twice.
    for (const auto& [name, value] : options.headers) request.insert(name, value);
  }));
  websocket::response_type response;
  bool handshaken = false;
  impl->ws.async_handshake(response, absl::StrCat("127.0.0.1:", port), std::string(target),
                           [&](beast::error_code error) {
                             ec = error;
                             handshaken = true;
                           });
  if (!impl->RunUntil([&] { return handshaken; }, deadline)) {
    return absl::DeadlineExceededError(absl::StrCat("WebSocket handshake with 127.0.0.1:", port));
  }
  if (ec == websocket::error::upgrade_declined) {
    return absl::FailedPreconditionError(absl::StrCat(response.result_int(), " ", response.body()));
  }
  if (ec) return absl::UnavailableError(absl::StrCat("handshake: ", ec.message()));
  return std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
}

absl::Status WsClient::Send(absl::string_view text) {
  if (closed_) return absl::UnavailableError("connection closed");
  beast::error_code ec;
  bool written = false;
  impl_->ws.text(true);
  impl_->ws.async_write(net::buffer(text.data(), text.size()),
                        [&](beast::error_code error, size_t) {
                          ec = error;
                          written = true;
                        });
  if (!impl_->RunUntil([&] { return written; }, absl::Now() + kDefaultWsTimeout)) {
    return absl::DeadlineExceededError("write did not finish");
  }
  if (ec) return absl::UnavailableError(absl::StrCat("write: ", ec.message()));
  return absl::OkStatus();
}

absl::Status WsClient::SendEvent(absl::string_view event, const nlohmann::json& data,
                                 absl::string_view ref) {
  nlohmann::json frame = {{"event", std::string(event)}, {"data", data}};
  if (!ref.empty()) frame["ref"] = std::string(ref);
  return SendJson(frame);
}

absl::StatusOr<nlohmann::json> WsClient::Next(absl::Duration timeout) {
  if (closed_) return absl::UnavailableError("connection closed");
  Impl& impl = *impl_;
  if (!impl.read_pending) {
    impl.read_pending = true;
    impl.read_done = false;
    impl.ws.async_read(impl.buffer, [&impl](beast::error_code ec, size_t) {
      impl.read_ec = ec;
      impl.read_done = true;
    });
  }
  if (!impl.RunUntil([&] { return impl.read_done; }, absl::Now() + timeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("no frame within ", absl::FormatDuration(timeout)));
  }
  impl.read_pending = false;
  if (impl.read_ec) {
    closed_ = WsClosed{};
    if (impl.read_ec == websocket::error::closed) {
      closed_->code = impl.ws.reason().code;
      closed_->reason = std::string(impl.ws.reason().reason.c_str());
    }
    return absl::UnavailableError(absl::StrCat("connection ended: ", impl.read_ec.message(),
                                               " (close code ", closed_->code, ")"));
  }
  std::string text = beast::buffers_to_string(impl.buffer.data());
  impl.buffer.consume(impl.buffer.size());
  nlohmann::json frame = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (frame.is_discarded()) return absl::DataLossError(absl::StrCat("not JSON: ", text));
  return frame;
}

absl::StatusOr<nlohmann::json> WsClient::NextEvent(absl::string_view event, absl::Duration timeout,
                                                   absl::string_view ref) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<nlohmann::json> frame = Next(deadline - absl::Now());
    if (!frame.ok()) {
      return absl::Status(frame.status().code(),
                          absl::StrCat("waiting for \"", event, "\": ", frame.status().message()));
    }
    bool event_matches = frame->value("event", "") == std::string(event);
    bool ref_matches = ref.empty() || frame->value("ref", "") == std::string(ref);
    if (event_matches && ref_matches) return frame;
    skipped_.push_back(*std::move(frame));
  }
}

absl::StatusOr<nlohmann::json> WsClient::Reply(absl::string_view ref, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<nlohmann::json> frame = Next(deadline - absl::Now());
    if (!frame.ok()) {
      return absl::Status(
          frame.status().code(),
          absl::StrCat("waiting for the reply to ref \"", ref, "\": ", frame.status().message()));
    }
    if (frame->contains("ref") && (*frame)["ref"] == std::string(ref)) return frame;
    skipped_.push_back(*std::move(frame));
  }
}

absl::StatusOr<nlohmann::json> WsClient::Request(absl::string_view event,
                                                 const nlohmann::json& data, absl::string_view ref,
                                                 absl::Duration timeout) {
  if (absl::Status sent = SendEvent(event, data, ref); !sent.ok()) return sent;
  return Reply(ref, timeout);
}

absl::StatusOr<WsClosed> WsClient::WaitClosed(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (!closed_) {
    absl::StatusOr<nlohmann::json> frame = Next(deadline - absl::Now());
    if (!frame.ok() && frame.status().code() == absl::StatusCode::kDeadlineExceeded) {
      return absl::DeadlineExceededError(
          absl::StrCat("connection still open after ", absl::FormatDuration(timeout)));
    }
  }
  return *closed_;
}

void WsClient::Close() {
  if (closed_) return;
  bool done = false;
  impl_->ws.async_close(websocket::close_code::normal, [&done](beast::error_code) { done = true; });
  impl_->RunUntil([&] { return done; }, absl::Now() + absl::Seconds(2));
  WaitClosed(absl::Seconds(2)).IgnoreError();
  closed_ = WsClosed{1000, ""};
}

}  // namespace chatter::e2e
