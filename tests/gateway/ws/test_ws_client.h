// A small WebSocket client for the gateway's session tests: Beast async operations on a private
// io_context, each bounded by a timeout; a read that times out stays pending for the next call.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace chatter::gateway::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

class TestWsClient {
 public:
  // Connects to ws://127.0.0.1:port`target`; FAILED_PRECONDITION when the upgrade is refused
  // (UpgradeAnswer shows how).
  static absl::StatusOr<std::unique_ptr<TestWsClient>> Connect(
      int port, const std::string& target, std::map<std::string, std::string> headers = {},
      int receive_buffer_bytes = 0) {
    auto client = std::unique_ptr<TestWsClient>(new TestWsClient());
    beast::error_code ec;
    net::ip::tcp::socket& socket = beast::get_lowest_layer(client->ws_);
    socket.open(net::ip::tcp::v4(), ec);
    if (receive_buffer_bytes > 0) {
      socket.set_option(net::socket_base::receive_buffer_size(receive_buffer_bytes), ec);
    }
    socket.connect({net::ip::address_v4::loopback(), static_cast<unsigned short>(port)}, ec);
    if (ec) return absl::UnavailableError(ec.message());
    client->ws_.set_option(
        websocket::stream_base::decorator([headers](websocket::request_type& request) {
          for (const auto& [name, value] : headers) request.set(name, value);
        }));
    websocket::response_type response;
    client->ws_.control_callback([raw = client.get()](websocket::frame_type kind,
                                                      beast::string_view payload) {
      if (kind == websocket::frame_type::close) return;
      raw->controls_.push_back(absl::StrCat(kind == websocket::frame_type::ping ? "ping:" : "pong:",
                                            absl::string_view(payload.data(), payload.size())));
    });
    client->ws_.handshake(response, "127.0.0.1", target, ec);
    client->handshake_ = HttpAnswer{static_cast<int>(response.result_int()), {}, response.body()};
    for (const auto& field : response) {
      client->handshake_.headers[std::string(field.name_string())] = std::string(field.value());
    }
    if (ec) return absl::FailedPreconditionError(ec.message());
    return client;
  }

  const HttpAnswer& handshake() const { return handshake_; }

  void Send(const std::string& text) {
    beast::error_code ec;
    ws_.text(true);
    ws_.write(net::buffer(text), ec);
  }
  void SendJson(const nlohmann::json& frame) { Send(frame.dump()); }
  void SendBinary(const std::string& bytes) {
    beast::error_code ec;
    ws_.binary(true);
    ws_.write(net::buffer(bytes), ec);
    ws_.text(true);
  }
  // One text message in several frames.
  void SendFragments(const std::vector<std::string>& parts) {
    beast::error_code ec;
    ws_.text(true);
    for (size_t i = 0; i < parts.size(); ++i) {
      ws_.write_some(i + 1 == parts.size(), net::buffer(parts[i]), ec);
    }
  }
  void Ping(const std::string& payload) {
    beast::error_code ec;
    ws_.ping(websocket::ping_data(payload.c_str()), ec);
  }
  // Bytes straight onto the socket, past Beast's framing (to break the protocol).
  void SendRaw(const std::string& bytes) {
    beast::error_code ec;
    net::write(beast::get_lowest_layer(ws_), net::buffer(bytes), ec);
  }
  // Control frames seen while reading ("ping:<payload>", "pong:<payload>"); Beast answers
  // pings itself, but only while a read is in progress (Next, WaitClosed).
  const std::vector<std::string>& controls() const { return controls_; }

  // The next frame as JSON; DEADLINE_EXCEEDED on timeout, UNAVAILABLE once closed.
  absl::StatusOr<nlohmann::json> Next(absl::Duration timeout = absl::Seconds(5)) {
    if (closed_) return absl::UnavailableError("closed");
    if (!reading_) {
      reading_ = true;
      done_ = false;
      ws_.async_read(buffer_, [this](beast::error_code ec, size_t) {
        done_ = true;
        ec_ = ec;
      });
    }
    if (!RunUntil([this] { return done_; }, timeout)) {
      return absl::DeadlineExceededError("no frame");
    }
    reading_ = false;
    if (ec_) {
      closed_ = true;
      close_code_ = ws_.reason().code;
      close_reason_ = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
      return absl::UnavailableError(ec_.message());
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return nlohmann::json::parse(text);
  }

  // Frames until the connection ends; the close code (0 without a close frame).
  absl::StatusOr<int> WaitClosed(absl::Duration timeout = absl::Seconds(10)) {
    absl::Time deadline = absl::Now() + timeout;
    while (!closed_) {
      absl::StatusOr<nlohmann::json> frame = Next(deadline - absl::Now());
      if (!frame.ok() && frame.status().code() == absl::StatusCode::kDeadlineExceeded) {
        return frame.status();
      }
    }
    return close_code_;
  }
  bool closed() const { return closed_; }
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }

 private:
  TestWsClient() = default;

  template <typename Done>
  bool RunUntil(Done done, absl::Duration timeout) {
    absl::Time deadline = absl::Now() + timeout;
    while (!done()) {
      absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return false;
      io_.restart();
      io_.run_for(std::chrono::milliseconds(absl::ToInt64Milliseconds(left) + 1));
    }
    return true;
  }

  net::io_context io_;
  websocket::stream<net::ip::tcp::socket> ws_{io_};
  beast::flat_buffer buffer_;
  HttpAnswer handshake_;
  bool reading_ = false;
  bool done_ = false;
  beast::error_code ec_;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
  std::vector<std::string> controls_;
};

// A plain HTTP GET (with `headers`) and its answer; with `upgrade`, a WebSocket upgrade request
// whose refusal is read like any HTTP answer.
inline absl::StatusOr<HttpAnswer> HttpGet(int port, const std::string& target,
                                          std::map<std::string, std::string> headers = {},
                                          bool upgrade = false) {
  net::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.connect({net::ip::address_v4::loopback(), static_cast<unsigned short>(port)}, ec);
  if (ec) return absl::UnavailableError(ec.message());
  beast::http::request<beast::http::empty_body> request(beast::http::verb::get, target, 11);
  request.set(beast::http::field::host, "127.0.0.1");
  if (upgrade) {
    request.set(beast::http::field::connection, "Upgrade");
    request.set(beast::http::field::upgrade, "websocket");
    request.set(beast::http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    request.set(beast::http::field::sec_websocket_version, "13");
  }
  for (const auto& [name, value] : headers) request.set(name, value);
  stream.expires_after(std::chrono::seconds(5));
  beast::http::write(stream, request, ec);
  if (ec) return absl::UnavailableError(ec.message());
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> response;
  beast::http::read(stream, buffer, response, ec);
  if (ec) return absl::UnavailableError(ec.message());
  HttpAnswer answer{static_cast<int>(response.result_int()), {}, response.body()};
  for (const auto& field : response) {
    answer.headers[std::string(field.name_string())] = std::string(field.value());
  }
  return answer;
}

}  // namespace chatter::gateway::testing
